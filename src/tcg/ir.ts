/**
 * The intermediate representation between the guest decoder and the host
 * (JavaScript) backend, after QEMU's TCG: typed temporaries, a flat list of
 * ops per translation block, helpers for what cannot be inlined.
 *
 * Values: `i64` temporaries hold 64-bit integers (JS bigint, always kept in
 * signed 64-bit range), `i32` temporaries hold 32-bit integers (JS number).
 * Globals are the guest's integer registers, read and written in place.
 */
export type TempType = 'i64' | 'i32';

export type TempKind = 'temp' | 'const' | 'global';

export class Temp {
  /** Number of ops that read this temp (maintained by the builder, used by dead-code removal). */
  uses = 0;
  constructor(
    readonly id: number,
    readonly type: TempType,
    readonly kind: TempKind,
    /** Constant value (kind 'const'), bigint for i64 and number for i32. */
    readonly value: bigint | number = 0,
    /** Index of the guest register (kind 'global'). */
    readonly index = -1,
  ) {}

  get isConst(): boolean {
    return this.kind === 'const';
  }
}

/** Comparison conditions, as TCG's TCGCond. */
export type Cond = 'eq' | 'ne' | 'lt' | 'ge' | 'ltu' | 'geu';

/** Memory operation: size in bytes and whether a load sign-extends. */
export interface MemOp {
  size: 1 | 2 | 4 | 8;
  signed: boolean;
}

export type Opcode =
  // data movement and arithmetic on i64 (all results wrapped to signed 64-bit)
  | 'mov' | 'add' | 'sub' | 'and' | 'or' | 'xor' | 'shl' | 'shr' | 'sar' | 'mul'
  | 'mulsh' | 'muluh' | 'mulsuh' | 'div' | 'divu' | 'rem' | 'remu'
  | 'ext32s' | 'ext32u' | 'setcond'
  // guest memory, through the soft TLB
  | 'qemu_ld' | 'qemu_st'
  // out-of-line work
  | 'call'
  // raise an execution-level trace/instrumentation event: ev(id, ...args)
  | 'call_event'
  // add a constant to a per-vCPU scoreboard counter, inline (no call)
  | 'scoreboard_add'
  // block exits
  | 'exit' | 'exit_if' | 'exit_indirect'
  // instruction boundary marker (guest pc and index), used by -d op and helpers
  | 'insn_start';

export interface Op {
  opc: Opcode;
  /** Output temp, if the op produces a value. */
  dst?: Temp;
  /** Input temps. */
  args: Temp[];
  /** Condition for setcond/exit_if. */
  cond?: Cond;
  /** Memory op for qemu_ld/qemu_st. */
  mem?: MemOp;
  /** Constant operand: offset for memory ops, target pc for exits, pc for insn_start. */
  imm?: number;
  /** Helper name for call. */
  helper?: string;
  /** Extra constant arguments for call (already-known values such as register numbers). */
  consts?: number[];
  /** Call may end the block (trap, or state change the run loop must see). */
  mayExit?: boolean;
  /** Call has no side effects (removable when its result is unused). */
  pure?: boolean;
  /** Index of the guest instruction this op belongs to (for faults and instret). */
  insnIndex: number;
  /**
   * call_event: the event's arguments in order, each a temp (a run-time value,
   * passed as bigint) or a literal (number, bigint or string known at translation).
   */
  eventArgs?: EventArg[];
}

export type EventArg = { temp: Temp } | { literal: number | bigint | string };

/** The IR of one translation block. */
export interface IrBlock {
  /** Guest virtual pc of the first instruction. */
  pc: number;
  ops: Op[];
  temps: Temp[];
  /** Number of guest instructions in the block. */
  insnCount: number;
  /** Guest pc of each instruction (index -> pc). */
  insnPcs: number[];
  /** Length in bytes of each instruction. */
  insnLengths: number[];
}
