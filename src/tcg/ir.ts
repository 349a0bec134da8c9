/**
 * The intermediate representation between the guest decoder and the host
 * backends, after QEMU's TCG: typed temporaries, a flat list of ops per
 * translation block, helpers for what cannot be inlined.
 *
 * Values: temporaries hold 64-bit integers (JS bigint, always kept in signed
 * 64-bit range). Globals are the guest's integer registers, read and written
 * in place.
 */
import type { HelperName } from '../abi/helpers.js';

/** Every temporary is 64 bits wide (a bigint in the JS backend, a word pair in the interpreter). */
export type TempType = 'i64';

export type TempKind = 'temp' | 'const' | 'global';

export class Temp {
  /** Number of ops that read this temp (maintained by the builder, used by dead-code removal). */
  uses = 0;
  constructor(
    readonly id: number,
    readonly type: TempType,
    readonly kind: TempKind,
    /** Constant value (kind 'const'). */
    readonly value: bigint = 0n,
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

/** Two-operand arithmetic on i64 (all results wrapped to signed 64-bit). */
export type BinaryOpcode =
  | 'add' | 'sub' | 'and' | 'or' | 'xor' | 'shl' | 'shr' | 'sar' | 'mul'
  | 'mulsh' | 'muluh' | 'mulsuh' | 'div' | 'divu' | 'rem' | 'remu'
  /** Carry-less multiplication: the low 64 bits of the product, and its bits 126..63 (RISC-V's clmulr). */
  | 'clmul' | 'clmulr';

/** Sign or zero extension from 32 bits; count leading zeros, trailing zeros, set bits (64 for clz/ctz of 0). */
export type UnaryOpcode = 'ext32s' | 'ext32u' | 'clz' | 'ctz' | 'cpop';

/** What every op has. */
interface OpBase {
  /** Index of the guest instruction this op belongs to (for faults and instret). */
  readonly insnIndex: number;
  /** Input temps, in operand order. */
  readonly args: readonly Temp[];
}

/** dst = src (dst a temp, or a guest register written in place). */
export interface MovOp extends OpBase {
  readonly opc: 'mov';
  readonly dst: Temp;
  readonly args: readonly [src: Temp];
}

export interface BinaryOp extends OpBase {
  readonly opc: BinaryOpcode;
  readonly dst: Temp;
  readonly args: readonly [a: Temp, b: Temp];
}

export interface UnaryOp extends OpBase {
  readonly opc: UnaryOpcode;
  readonly dst: Temp;
  readonly args: readonly [a: Temp];
}

/** dst = cond(a, b) ? 1 : 0. */
export interface SetcondOp extends OpBase {
  readonly opc: 'setcond';
  readonly dst: Temp;
  readonly args: readonly [a: Temp, b: Temp];
  readonly cond: Cond;
}

/** dst = guest memory at base + offset, through the soft TLB. */
export interface LoadOp extends OpBase {
  readonly opc: 'qemu_ld';
  readonly dst: Temp;
  readonly args: readonly [base: Temp];
  readonly offset: number;
  readonly mem: MemOp;
}

/** Guest memory at base + offset = value, through the soft TLB. */
export interface StoreOp extends OpBase {
  readonly opc: 'qemu_st';
  readonly args: readonly [value: Temp, base: Temp];
  readonly offset: number;
  readonly mem: MemOp;
}

/** Out-of-line work: a helper of the vCPU context (src/abi/helpers.ts says how it is called). */
export interface CallOp extends OpBase {
  readonly opc: 'call';
  /** The helper's result, if it has one. */
  readonly dst: Temp | undefined;
  readonly helper: HelperName;
  /** Constant arguments after the value arguments (already-known values such as register numbers). */
  readonly consts: readonly number[];
  /** The call may end the block (trap, or state change the run loop must see). */
  readonly mayExit: boolean;
  /** The call has no side effects (removable when its result is unused). */
  readonly pure: boolean;
}

/** Raise an execution-level trace/instrumentation event: ev[eventId](...eventArgs). */
export interface EventOp extends OpBase {
  readonly opc: 'call_event';
  readonly eventId: number;
  /** The event's arguments in order; `args` holds the temps among them. */
  readonly eventArgs: readonly EventArg[];
  /** Raise it only when the running vCPU's scoreboard counter compares true (QEMU's exec_cond_cb). */
  readonly cond?: EventCond;
}

/** Unsigned 64-bit comparisons of a counter with a constant (QEMU's enum qemu_plugin_cond). */
export type CounterCond = 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge';

/** `counter <cond> value`, counter `slot` of the running vCPU's row in scoreboard `board`. */
export interface EventCond {
  readonly board: number;
  readonly slot: number;
  readonly counters: number;
  readonly cond: CounterCond;
  /** A safe integer (the IR travels as JSON). */
  readonly value: number;
}

/** Add `n` to counter `slot` of the running vCPU in scoreboard `board` (rows of `counters`), inline; or store `n` there (`store`). */
export interface ScoreboardOp extends OpBase {
  readonly opc: 'scoreboard_add';
  readonly args: readonly [];
  readonly board: number;
  readonly slot: number;
  readonly counters: number;
  readonly n: number;
  /** QEMU's INLINE_STORE_U64: the counter becomes `n` (else INLINE_ADD_U64). */
  readonly store?: boolean;
}

/** Leave the block for the constant guest pc `target`. */
export interface ExitOp extends OpBase {
  readonly opc: 'exit';
  readonly args: readonly [];
  readonly target: number;
}

/** Leave the block for `target` if cond(a, b) holds. */
export interface ExitIfOp extends OpBase {
  readonly opc: 'exit_if';
  readonly args: readonly [a: Temp, b: Temp];
  readonly cond: Cond;
  readonly target: number;
}

/** Leave the block for the computed guest pc in args[0]. */
export interface ExitIndirectOp extends OpBase {
  readonly opc: 'exit_indirect';
  readonly args: readonly [target: Temp];
}

/** Instruction boundary marker (the guest pc), used by -d op and helpers. */
export interface InsnStartOp extends OpBase {
  readonly opc: 'insn_start';
  readonly args: readonly [];
  readonly pc: number;
}

/** One IR op: `opc` says which kind, and each kind has exactly its fields. */
export type Op =
  | MovOp | BinaryOp | UnaryOp | SetcondOp | LoadOp | StoreOp | CallOp | EventOp | ScoreboardOp
  | ExitOp | ExitIfOp | ExitIndirectOp | InsnStartOp;

export type Opcode = Op['opc'];

/**
 * call_event: an argument is a temp (a run-time value, passed as bigint) or a
 * literal (number, bigint or string known at translation).
 */
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

/**
 * Where the vCPU goes on if its thread ends inside event `op` of `ir` (a library callback that
 * never returns; a new worker takes the hart over from its state): the pc of the instruction
 * whose event it is, which runs again from its start, and the block's instructions retired
 * before it. Every event but one comes before anything of its instruction that could not run
 * twice: before-events come first, a load's value event comes before rd is written, a store's
 * after its store (storing the same value again is harmless). The exception is an AMO's (or
 * LR's) value event, after the helper did the whole instruction: that goes on at the next one.
 */
export function eventResumePoint(ir: IrBlock, op: EventOp): { pc: number; retired: number } {
  const k = op.insnIndex;
  let done = false;
  for (const o of ir.ops) {
    if (o === op) break;
    if (o.insnIndex === k && o.opc === 'call' && o.helper === 'amo') done = true;
  }
  return done ? { pc: ir.insnPcs[k] + ir.insnLengths[k], retired: k + 1 } : { pc: ir.insnPcs[k], retired: k };
}

/** Does `cond` hold for vCPU `hart`'s counter now? (The interpreter's and WebAssembly imports' check.) */
export function counterHolds(cond: EventCond, boards: readonly BigInt64Array[], hart: number): boolean {
  const v = BigInt.asUintN(64, boards[cond.board][hart * cond.counters + cond.slot]);
  const k = BigInt.asUintN(64, BigInt(cond.value));
  switch (cond.cond) {
    case 'eq': return v === k;
    case 'ne': return v !== k;
    case 'lt': return v < k;
    case 'le': return v <= k;
    case 'gt': return v > k;
    default: return v >= k;
  }
}
