/**
 * WebAssembly backend: a batch of IR blocks becomes one module, one exported function per
 * block (`b0`, `b1`, ...), so the cost of compiling and instantiating a module is shared by
 * many blocks. The vCPU (src/vcpu/wasm-tier.ts) instantiates it with:
 *
 *   m.mem   the machine's shared WebAssembly.Memory: guest RAM from address 0, the vCPU state
 *           areas after it (src/memory/guest-memory.ts, src/abi/state-layout.ts)
 *   m.st    (i32 global) byte address of this vCPU's state area in that memory
 *   h.ld    slow path of a load:  (lo, hi, size, signed, pc, insnIndex) -> status
 *   h.st    slow path of a store: (lo, hi, size, value, pc, insnIndex, insnLength) -> status
 *   h.<helper>/<values>/<consts>  a helper of src/abi/helpers.ts: the op's values (i64), its
 *           constants and, if it may end the block, pc and instruction index (f64) -> status
 *   h.ev<k>  the k-th execution-level event of the batch: its run-time arguments (i64), nothing
 *           back (the vCPU binds the literals and the event's dispatcher)
 *   h.sb<k>  the k-th distinct scoreboard add of the batch (board, counter, amount are bound by
 *           the vCPU, which knows its row), for a scoreboard outside the memory; one in the
 *           memory's counter arena is added to inline, at the address the vCPU gives
 *
 * An import returns 1 when the helper ended the block (the vCPU then put the pc to resume at in
 * SLOT_RESUME_PC), else 0; a value it returns is in SLOT_SCRATCH.
 *
 * A block function takes nothing and returns the next guest pc (f64, as the JS backend's
 * `return`). Guest registers the block uses live in i64 locals: loaded on entry, stored back on
 * exit, and around helper calls (stored before: helpers read the state; loaded after: they may
 * write it). Loads and stores probe the soft TLB inline (its current set's address is
 * WORD_WASM_TLB of the state) and reach RAM in the same memory; a miss calls h.ld / h.st. LR, SC
 * and the AMOs but min/max are wasm atomics on the shared memory when the TLB allows the access
 * (the reservation in the state, as the `amo` helper keeps it); otherwise the helper.
 *
 * Direct links: an exit to a constant pc that is another block (`links`, chosen by the vCPU: on
 * the same guest page virtually and physically, as QEMU chains only within a page) is a tail call
 * to that block's function (of this batch, or through the vCPU's table `m.tbl`), while WORD_CHAIN_BUDGET is above 1 and no
 * exit is requested; the run loop's per-block work (the request and timer checks) is done
 * there, so the run loop sees the same boundaries. Only exits that come before anything that may
 * change what a link assumes link out (`linkableExits`): a helper that may end the block (CSR
 * accesses, system instructions: the translation regime or privilege may change) but AMOs, or an
 * execution-level event.
 *
 * The semantics of every op are those of backend-js.ts (tests/tcg/tiers.unit.spec.ts runs the
 * same IR on all tiers), instrumentation included: an instrumented block stays on this tier, so
 * loading a library does not change how fast the code it watches runs between callbacks.
 */
import { BinaryOpcode, CallOp, Cond, EventCond, EventOp, eventResumePoint, ExitIfOp, ExitOp, IrBlock, LoadOp, MemOp, Op, ScoreboardOp, StoreOp, Temp } from './ir.js';
import type { HelperName } from '../abi/helpers.js';
import { AMO } from '../abi/ops.js';
import {
  SLOT_EVENT_PC, SLOT_EVENT_RETIRED, SLOT_INSTRET, SLOT_RESERVATION_ADDR, SLOT_RESERVATION_VALUE, SLOT_RESUME_PC, SLOT_SCRATCH, WORD_CHAIN_BUDGET, WORD_EXIT_REQUEST, WORD_WASM_TLB,
} from '../abi/state-layout.js';
import { FLAT_READ, FLAT_WRITE, TLB_ENTRIES, TLB_ENTRY_WORDS, TLB_HI, TLB_RAM_OFFSET, TLB_READ_TAG, TLB_WRITE_TAG, type FlatLayout } from '../abi/tlb.js';
import { LOOP_ITERATIONS, loopSeesExitRequests } from './backend-js.js';
import { AtomicOp, FuncType, FunctionBody, MemoryOp, ModuleBuilder, SimpleOp, ValType } from './wasm-encoder.js';

/** A helper import of a batch: which helper, and how many value and constant (f64) arguments it takes. */
export interface WasmHelperImport {
  /** Field name under `h`. */
  readonly field: string;
  readonly helper: HelperName;
  readonly values: number;
  /** The op's constants, plus pc and instruction index when it may end the block. */
  readonly consts: number;
  /** The helper returns a value (put in SLOT_SCRATCH). */
  readonly result: boolean;
  /** The helper may end the block (the only ones whose `endBlock` is looked at, as in the JS backend). */
  readonly mayExit: boolean;
}

/** An execution-level event of a batch: `h.<field>(run-time args)` raises ev[eventId](args in order). */
export interface WasmEventImport {
  readonly field: string;
  readonly eventId: number;
  /** The event's arguments: the literal, or undefined where a run-time value goes. */
  readonly literals: readonly (number | bigint | string | undefined)[];
  /** Argument positions of the run-time values, in the order the import receives them. */
  readonly positions: readonly number[];
  /** A conditional callback: the import raises the event only when this holds. */
  readonly cond?: EventCond;
}

/** A scoreboard add of a batch: `h.<field>()` adds `n` to counter `slot` of the vCPU's row of `board`. */
export interface WasmScoreboardImport {
  readonly field: string;
  readonly board: number;
  readonly slot: number;
  readonly counters: number;
  readonly n: number;
  /** Store `n` rather than add it. */
  readonly store?: boolean;
}

/** A compiled batch, ready to instantiate. */
export interface WasmBatch {
  readonly bytes: Uint8Array;
  /** Export name of each block's function, in the order of the blocks given. */
  readonly exports: readonly string[];
  readonly helpers: readonly WasmHelperImport[];
  readonly events: readonly WasmEventImport[];
  readonly scoreboards: readonly WasmScoreboardImport[];
  /** The module as WAT-like text (`-d out_asm`): one `(func ...)` per block; empty unless asked for. */
  readonly text: readonly string[];
}

/**
 * Is the block's module self-contained, needing no imports but the helpers (so the translator
 * service can send it to any vCPU as bytes)? Events and scoreboard adds are bound per vCPU
 * when it instantiates the batch.
 */
export function wasmSelfContained(ir: IrBlock): boolean {
  return ir.ops.every((op) => op.opc !== 'call_event' && op.opc !== 'scoreboard_add');
}

/**
 * An exit of a batch's block that may go straight to another block (see the module comment for
 * what makes that safe): to block `block` of the same batch (a direct tail call), or to whatever
 * function entry `slot` of the vCPU's table `m.tbl` holds when the exit is taken (a block of an
 * earlier or later batch; an empty entry means "return to the run loop").
 */
export interface BlockLink {
  readonly pc: number;
  readonly block?: number;
  readonly slot?: number;
}

/** Per block of a batch, its links. */
export type BatchLinks = readonly (readonly BlockLink[])[];

/**
 * An op after which the block's exits go back to the run loop: a helper that may end the block
 * (a CSR access, a system instruction: the translation regime or the privilege may change, and
 * then the helper ends the block) but an AMO, or an execution-level event. Exits before it are
 * taken with everything a link assumes as the run loop checked it.
 */
function isLinkBarrier(op: Op): boolean {
  return op.opc === 'call_event' || (op.opc === 'call' && op.mayExit && op.helper !== 'amo');
}

/**
 * The constant pcs, other than its own start, that a block may go straight to: those of its exits
 * before its first link barrier. (A block of straight-line code that ends in a CSR access links
 * the branches before it: a loop nest whose block ran on into a `csrr` linked none.)
 */
export function linkableExits(ir: IrBlock): number[] {
  const out: number[] = [];
  for (const op of ir.ops) {
    if (isLinkBarrier(op)) break;
    if ((op.opc === 'exit' || op.opc === 'exit_if') && op.target !== ir.pc && !out.includes(op.target)) out.push(op.target);
  }
  return out;
}

/** Does the block jump back to its own start (a loop the backend keeps inside the function)? */
function loopsOnItself(ir: IrBlock): boolean {
  return ir.ops.some((op) => (op.opc === 'exit' || op.opc === 'exit_if') && op.target === ir.pc);
}

const BLOCK_TYPE: FuncType = { params: [], results: [ValType.F64] };
/** A region's function: entered at the member the argument names. */
const REGION_TYPE: FuncType = { params: [ValType.I32], results: [ValType.F64] };
const SCOREBOARD_TYPE: FuncType = { params: [], results: [] };
const BINARY_TYPE: FuncType = { params: [ValType.I64, ValType.I64], results: [ValType.I64] };
const LD_TYPE: FuncType = { params: [ValType.I32, ValType.I32, ValType.I32, ValType.I32, ValType.F64, ValType.F64], results: [ValType.I32] };
const ST_TYPE: FuncType = {
  params: [ValType.I32, ValType.I32, ValType.I32, ValType.I64, ValType.F64, ValType.F64, ValType.F64], results: [ValType.I32],
};

/**
 * The regions of a batch: groups of two or more blocks that exit to one another directly (the
 * links within the batch, in either direction). A region is one function: its blocks' guest
 * registers stay in locals from one block to the next (a jump between them is a branch back to
 * a br_table on the member to run), where a link between two functions stores the registers
 * and the next function loads them again. Members are listed in batch order.
 */
export function batchRegions(blocks: readonly IrBlock[], links: BatchLinks | undefined): number[][] {
  if (links === undefined) return [];
  const parent = blocks.map((_, k) => k);
  const root = (k: number): number => {
    while (parent[k] !== k) k = parent[k] = parent[parent[k]];
    return k;
  };
  blocks.forEach((_, k) => {
    for (const l of links[k] ?? []) {
      if (l.block !== undefined && l.block !== k && blocks[l.block]?.pc === l.pc) parent[root(k)] = root(l.block);
    }
  });
  const groups = new Map<number, number[]>();
  blocks.forEach((_, k) => {
    const r = root(k);
    const g = groups.get(r);
    if (g === undefined) groups.set(r, [k]);
    else g.push(k);
  });
  return [...groups.values()].filter((g) => g.length > 1);
}

/** IR ops that are one wasm instruction on two i64 operands. */
const NATIVE: Partial<Record<BinaryOpcode, SimpleOp>> = {
  add: 'i64.add', sub: 'i64.sub', and: 'i64.and', or: 'i64.or', xor: 'i64.xor',
  shl: 'i64.shl', shr: 'i64.shr_u', sar: 'i64.shr_s', mul: 'i64.mul', // wasm shifts take the count mod 64, as `& 63n`
};

/** IR ops done by a function of the module (high multiply words, RISC-V's division rules, carry-less products). */
type Arith = 'mulsh' | 'muluh' | 'mulsuh' | 'div' | 'divu' | 'rem' | 'remu' | 'clmul' | 'clmulr';
const ARITH: readonly Arith[] = ['mulsh', 'muluh', 'mulsuh', 'div', 'divu', 'rem', 'remu', 'clmul', 'clmulr'];

/** The bit counts: one wasm instruction each. */
const COUNT: Record<'clz' | 'ctz' | 'cpop', SimpleOp> = { clz: 'i64.clz', ctz: 'i64.ctz', cpop: 'i64.popcnt' };

const COMPARE: Record<Cond, SimpleOp> = { eq: 'i64.eq', ne: 'i64.ne', lt: 'i64.lt_s', ge: 'i64.ge_s', ltu: 'i64.lt_u', geu: 'i64.ge_u' };

const LOAD_OP: Record<string, MemoryOp> = {
  '1s': 'i64.load8_s', '1u': 'i64.load8_u', '2s': 'i64.load16_s', '2u': 'i64.load16_u',
  '4s': 'i64.load32_s', '4u': 'i64.load32_u', '8s': 'i64.load', '8u': 'i64.load',
};
const STORE_OP: Record<MemOp['size'], MemoryOp> = { 1: 'i64.store8', 2: 'i64.store16', 4: 'i64.store32', 8: 'i64.store' };

/** Byte offset of entry words, and of the TLB index bits of an address's low word (see src/tcg/tlb-probe.ts). */
const ENTRY_BYTES_MASK = (TLB_ENTRIES - 1) * TLB_ENTRY_WORDS * 4;

/** AMOs done inline on a TLB hit (wasm atomics on the shared memory), by the 64-bit form's name; min/max stay helper calls. */
const INLINE_AMO: Partial<Record<AMO, 'add' | 'and' | 'or' | 'xor' | 'xchg'>> = {
  [AMO.swap]: 'xchg', [AMO.add]: 'add', [AMO.xor]: 'xor', [AMO.and]: 'and', [AMO.or]: 'or',
};

/** An `amo` helper call this backend does inline when the TLB allows it (LR, SC and the plain AMOs). */
function inlineAmo(op: Op): op is CallOp {
  if (op.opc !== 'call' || op.helper !== 'amo') return false;
  const amo = op.consts[0] as AMO;
  return amo === AMO.lr || amo === AMO.sc || INLINE_AMO[amo] !== undefined;
}

function helperField(op: CallOp): string {
  return `${op.helper}/${op.args.length}/${op.consts.length + (op.mayExit ? 2 : 0)}`;
}

/** What a batch imports and which module functions it needs: known before any code is written (function indices). */
class BatchPlan {
  readonly helpers = new Map<string, WasmHelperImport>();
  readonly arith = new Set<Arith>();
  /** Each event op its own import (its literals differ); scoreboard adds by what they add where. */
  readonly events = new Map<EventOp, WasmEventImport>();
  readonly scoreboards = new Map<string, WasmScoreboardImport>();
  memoryAccess = false;

  constructor(blocks: readonly IrBlock[], private readonly counterAddress: CounterAddress | undefined) {
    for (const b of blocks) for (const op of b.ops) this.note(op);
  }

  private note(op: Op): void {
    if (op.opc === 'qemu_ld' || op.opc === 'qemu_st') this.memoryAccess = true;
    else if (op.opc === 'call') {
      if (inlineAmo(op)) this.memoryAccess = true; // the miss path is the helper, below
      const field = helperField(op);
      if (!this.helpers.has(field)) {
        this.helpers.set(field, {
          field, helper: op.helper, values: op.args.length, consts: op.consts.length + (op.mayExit ? 2 : 0), result: op.dst !== undefined, mayExit: op.mayExit,
        });
      }
    } else if (op.opc === 'call_event') {
      const positions: number[] = [];
      const literals = op.eventArgs.map((a, i) => {
        if ('temp' in a) {
          positions.push(i);
          return undefined;
        }
        return a.literal;
      });
      const site: WasmEventImport = { field: `ev${this.events.size}`, eventId: op.eventId, literals, positions };
      this.events.set(op, op.cond === undefined ? site : { ...site, cond: op.cond });
    } else if (op.opc === 'scoreboard_add') {
      if (this.counterAddress?.(op.board, op.slot, op.counters) !== undefined) return; // inline
      const key = scoreboardKey(op);
      if (!this.scoreboards.has(key)) {
        this.scoreboards.set(key, { field: `sb${this.scoreboards.size}`, board: op.board, slot: op.slot, counters: op.counters, n: op.n, store: op.store === true });
      }
    } else if ((ARITH as readonly string[]).includes(op.opc)) this.arith.add(op.opc as Arith);
  }
}

function scoreboardKey(op: ScoreboardOp): string {
  return `${op.board}/${op.slot}/${op.counters}/${op.n}${op.store === true ? '/store' : ''}`;
}

/**
 * Byte address in the memory of the running vCPU's counter `slot` of scoreboard `board` (rows of
 * `counters`), or undefined when that scoreboard is not in the memory.
 */
export type CounterAddress = (board: number, slot: number, counters: number) => number | undefined;

/** Function indices of the imports and module functions of a batch. */
interface Linkage {
  counterAddress: CounterAddress | undefined;
  ld: number;
  st: number;
  helpers: Map<string, number>;
  arith: Map<Arith, number>;
  events: Map<EventOp, { index: number; field: string }>;
  scoreboards: Map<string, { index: number; field: string }>;
  /** Global index of the state area's address. */
  state: number;
  /** User mode's flat memory: accesses test its page table instead of the TLB (src/abi/tlb.ts). */
  flat: FlatLayout | undefined;
  /** Type index of a block function (for return_call_indirect). */
  blockType: number;
}

/** Where a linked exit goes: a function of the module, or an entry of the table. */
interface LinkTarget {
  readonly fn?: number;
  readonly slot?: number;
}

/**
 * Compile `blocks` into one module for a machine whose memory has `memoryPages` pages, with its
 * text when `withText` (it costs more than the bytes).
 */
export function compileWasmBatch(
  blocks: readonly IrBlock[], memoryPages: number, withText = false, counterAddress?: CounterAddress, flat?: FlatLayout, links?: BatchLinks,
): WasmBatch {
  const plan = new BatchPlan(blocks, counterAddress);
  const m = new ModuleBuilder();
  m.importSharedMemory('m', 'mem', memoryPages);
  const state = m.importGlobal('m', 'st', ValType.I32);
  const link: Linkage = {
    counterAddress, ld: -1, st: -1, helpers: new Map(), arith: new Map(), events: new Map(), scoreboards: new Map(), state, flat, blockType: m.typeIndex(BLOCK_TYPE),
  };
  if (links?.some((l) => l.some((x) => x.slot !== undefined))) m.importFuncTable('m', 'tbl');
  if (plan.memoryAccess) {
    link.ld = m.importFunction('h', 'ld', LD_TYPE);
    link.st = m.importFunction('h', 'st', ST_TYPE);
  }
  for (const h of plan.helpers.values()) {
    const type: FuncType = {
      params: [...Array<ValType>(h.values).fill(ValType.I64), ...Array<ValType>(h.consts).fill(ValType.F64)], results: [ValType.I32],
    };
    link.helpers.set(h.field, m.importFunction('h', h.field, type));
  }
  for (const [op, e] of plan.events) {
    const type: FuncType = { params: Array<ValType>(e.positions.length).fill(ValType.I64), results: [] };
    link.events.set(op, { index: m.importFunction('h', e.field, type), field: e.field });
  }
  for (const [key, sb] of plan.scoreboards) link.scoreboards.set(key, { index: m.importFunction('h', sb.field, SCOREBOARD_TYPE), field: sb.field });
  const text: string[] = [];
  for (const a of plan.arith) {
    const body = arithFunction(a, withText);
    link.arith.set(a, m.addFunction(BINARY_TYPE, body));
    if (body.text) text.push(`(func $${a} (param $p0 i64) (param $p1 i64) (result i64)`, ...body.localsText(), ...body.text, ')');
  }
  const firstBlock = m.nextFunctionIndex;
  const targetsOf = (k: number): Map<number, LinkTarget> => {
    // the vCPU made the links from linkableExits; exits after a barrier ignore them (jumpTo)
    const targets = new Map<number, LinkTarget>();
    for (const l of links?.[k] ?? []) {
      if (l.block !== undefined && blocks[l.block]?.pc === l.pc) targets.set(l.pc, { fn: firstBlock + l.block });
      else if (l.slot !== undefined && l.slot >= 0) targets.set(l.pc, { slot: l.slot });
    }
    return targets;
  };
  const regions = batchRegions(blocks, links);
  const regionOf = new Map<number, number>();
  regions.forEach((members, r) => { for (const k of members) regionOf.set(k, r); });
  // every block keeps its function at firstBlock + k (what links and the vCPU's table name); a
  // region's member is a stub that enters the region's function, added after all of them
  const firstRegion = firstBlock + blocks.length;
  const exports = blocks.map((ir, k) => {
    const name = `b${k}`;
    const r = regionOf.get(k);
    let body: FunctionBody;
    if (r === undefined) {
      body = new BlockEmitter([{ ir, targets: targetsOf(k) }], link, withText).emit();
    } else {
      body = new FunctionBody(0, withText);
      body.i32Const(regions[r].indexOf(k));
      body.returnCall(firstRegion + r, `r${r}`);
    }
    m.addFunction(BLOCK_TYPE, body, name);
    if (body.text) text.push(`(func $${name} (export "${name}") (result f64) ;; guest pc 0x${ir.pc.toString(16)}`, ...body.localsText(), ...body.text, ')');
    return name;
  });
  regions.forEach((members, r) => {
    const body = new BlockEmitter(members.map((k) => ({ ir: blocks[k], targets: targetsOf(k) })), link, withText).emit();
    m.addFunction(REGION_TYPE, body);
    const pcs = members.map((k) => `0x${blocks[k].pc.toString(16)}`).join(' ');
    if (body.text) text.push(`(func $r${r} (param $next i32) (result f64) ;; region of guest pcs ${pcs}`, ...body.localsText(), ...body.text, ')');
  });
  return {
    bytes: m.encode(), exports, helpers: [...plan.helpers.values()], events: [...plan.events.values()], scoreboards: [...plan.scoreboards.values()], text,
  };
}

/** The module function for an op that is not one wasm instruction: (a, b) -> result. */
function arithFunction(a: Arith, withText: boolean): FunctionBody {
  const f = new FunctionBody(2, withText);
  const A = 0;
  const B = 1;
  const get = (i: number): void => f.localOp('local.get', i);
  switch (a) {
    case 'muluh': return mulhu(f);
    case 'mulsh': case 'mulsuh': {
      // the unsigned high word, minus b when a is negative (and minus a when b is, for mulsh)
      const hu = mulhuInline(f);
      get(hu);
      get(A); f.i64Const(63n); f.op('i64.shr_s'); get(B); f.op('i64.and');
      f.op('i64.sub');
      if (a === 'mulsh') {
        get(B); f.i64Const(63n); f.op('i64.shr_s'); get(A); f.op('i64.and');
        f.op('i64.sub');
      }
      return f;
    }
    case 'clmul': case 'clmulr': return clmulFunction(f, a);
    case 'div': case 'rem': case 'divu': case 'remu': {
      // RISC-V: x / 0 = -1, x % 0 = x; wasm's div_s traps on MIN / -1, where RISC-V gives MIN (0 - a wraps to it)
      get(B); f.op('i64.eqz');
      f.open('if', undefined, ValType.I64);
      if (a === 'div' || a === 'divu') f.i64Const(-1n);
      else get(A);
      f.else();
      if (a === 'div') {
        get(B); f.i64Const(-1n); f.op('i64.eq');
        f.open('if', undefined, ValType.I64);
        f.i64Const(0n); get(A); f.op('i64.sub');
        f.else();
        get(A); get(B); f.op('i64.div_s');
        f.end();
      } else {
        get(A); get(B); f.op(a === 'divu' ? 'i64.div_u' : a === 'rem' ? 'i64.rem_s' : 'i64.rem_u'); // rem_s of MIN by -1 is 0, no trap
      }
      f.end();
      return f;
    }
  }
}

/**
 * Carry-less product of the parameters, one set bit of b at a time: for bit i, a << i (clmul) or
 * a >>> (63 - i) (clmulr: bits 126..63 of the 128-bit product). Stops when no bit of b is left.
 */
function clmulFunction(f: FunctionBody, a: 'clmul' | 'clmulr'): FunctionBody {
  const get = (i: number): void => f.localOp('local.get', i);
  const set = (i: number): void => f.localOp('local.set', i);
  const [A, B] = [0, 1];
  const [r, i] = [f.local(ValType.I64, 'r'), f.local(ValType.I64, 'i')];
  f.open('block', 'done');
  f.open('loop', 'top');
  get(B); f.op('i64.eqz');
  f.open('if'); f.br('done'); f.end();
  get(B); f.i64Const(1n); f.op('i64.and'); f.op('i64.eqz'); f.op('i32.eqz');
  f.open('if');
  get(r);
  if (a === 'clmul') { get(A); get(i); f.op('i64.shl'); } else { get(A); f.i64Const(63n); get(i); f.op('i64.sub'); f.op('i64.shr_u'); }
  f.op('i64.xor'); set(r);
  f.end();
  get(B); f.i64Const(1n); f.op('i64.shr_u'); set(B);
  get(i); f.i64Const(1n); f.op('i64.add'); set(i);
  f.br('top');
  f.end();
  f.end();
  get(r);
  return f;
}

/** High 64 bits of the unsigned 128-bit product of the parameters, left on the stack. */
function mulhu(f: FunctionBody): FunctionBody {
  f.localOp('local.get', mulhuInline(f));
  return f;
}

/** Compute the unsigned high word of p0 * p1 from 32-bit halves into a new local; its index. */
function mulhuInline(f: FunctionBody): number {
  const get = (i: number): void => f.localOp('local.get', i);
  const set = (i: number): void => f.localOp('local.set', i);
  const [al, ah, bl, bh, lh, hl, mid, hi] = ['al', 'ah', 'bl', 'bh', 'lh', 'hl', 'mid', 'hi'].map((n) => f.local(ValType.I64, n));
  const low32 = (src: number, dst: number): void => { get(src); f.i64Const(0xffffffffn); f.op('i64.and'); set(dst); };
  const high32 = (src: number, dst: number): void => { get(src); f.i64Const(32n); f.op('i64.shr_u'); set(dst); };
  low32(0, al); high32(0, ah); low32(1, bl); high32(1, bh);
  get(al); get(bh); f.op('i64.mul'); set(lh);
  get(ah); get(bl); f.op('i64.mul'); set(hl);
  // mid = (al*bl >> 32) + low32(lh) + low32(hl): below 3 * 2^32, no carry lost
  get(al); get(bl); f.op('i64.mul'); f.i64Const(32n); f.op('i64.shr_u');
  get(lh); f.i64Const(0xffffffffn); f.op('i64.and'); f.op('i64.add');
  get(hl); f.i64Const(0xffffffffn); f.op('i64.and'); f.op('i64.add');
  set(mid);
  get(ah); get(bh); f.op('i64.mul');
  get(lh); f.i64Const(32n); f.op('i64.shr_u'); f.op('i64.add');
  get(hl); f.i64Const(32n); f.op('i64.shr_u'); f.op('i64.add');
  get(mid); f.i64Const(32n); f.op('i64.shr_u'); f.op('i64.add');
  set(hi);
  return hi;
}

/** A block of a function: its IR and where its constant exits may go straight to. */
interface Member {
  readonly ir: IrBlock;
  readonly targets: ReadonlyMap<number, LinkTarget>;
}

/**
 * The code of one function: one block, or a region of blocks (batchRegions) entered at the
 * member its parameter names, each member's code after its own label of a br_table dispatch.
 * Guest registers any member uses are locals, loaded on entry and stored on the way out (and
 * around helper calls); a jump to another member goes back to the dispatch with them in place.
 */
class BlockEmitter {
  private readonly f: FunctionBody;
  /** Local of each guest register a member reads or writes. */
  private readonly regs = new Map<number, number>();
  /** Guest registers a member writes (stored back on exit and before helper calls). */
  private readonly written = new Set<number>();
  private readonly temps = new Map<number, number>();
  private readonly pc: number;
  private readonly n: number;
  /**
   * Instructions retired and not yet added to SLOT_INSTRET: those of loop iterations and of jumps
   * between a region's members. Counted in a local and added on the way out and before anything
   * that reads the count (a helper, a slow path, an event): a tight loop counting in the state
   * carried an f64 load, add and store from one iteration to the next.
   */
  private readonly ret: number;
  private tlb = -1;
  private lo = -1;
  private hi = -1;
  private entry = -1;
  private status = -1;
  private iterations = -1;
  /** The member being emitted, and where its exits may go straight to. */
  private ir: IrBlock;
  private targets: ReadonlyMap<number, LinkTarget>;
  /** Member index by start pc (a region's), empty for one block. */
  private readonly siblings = new Map<number, number>();
  /** A link barrier of the member has been emitted: its exits from here on go to the run loop. */
  private pastBarrier = false;

  constructor(private readonly members: readonly Member[], private readonly link: Linkage, withText: boolean) {
    const region = members.length > 1;
    const f = (this.f = new FunctionBody(region ? 1 : 0, withText));
    for (const { ir } of members) {
      for (const op of ir.ops) {
        for (const a of op.args) if (a.kind === 'global') this.regLocal(a.index);
        if ('dst' in op && op.dst !== undefined && op.dst.kind === 'global') {
          this.regLocal(op.dst.index);
          this.written.add(op.dst.index);
        }
        // an inline AMO writes rd itself (the helper writes the state, which the call path reloads)
        const rd = inlineAmo(op) ? op.consts[2] : 0;
        if (rd !== 0) {
          this.regLocal(rd);
          this.written.add(rd);
        }
      }
    }
    if (region) members.forEach((m, k) => this.siblings.set(m.ir.pc, k));
    this.pc = f.local(ValType.F64, 'pc');
    this.n = f.local(ValType.I32, 'n');
    this.ret = f.local(ValType.I32, 'ret');
    this.ir = members[0].ir;
    this.targets = members[0].targets;
  }

  private regLocal(index: number): number {
    let l = this.regs.get(index);
    if (l === undefined) {
      l = this.f.local(ValType.I64, `x${index}`);
      this.regs.set(index, l);
    }
    return l;
  }

  emit(): FunctionBody {
    const { f, members } = this;
    const ops = (pred: (op: Op) => boolean): boolean => members.some((m) => m.ir.ops.some(pred));
    if (ops((op) => op.opc === 'qemu_ld' || op.opc === 'qemu_st' || inlineAmo(op))) {
      this.tlb = f.local(ValType.I32, 'tlb');
      this.lo = f.local(ValType.I32, 'lo');
      this.hi = f.local(ValType.I32, 'hi');
      this.entry = f.local(ValType.I32, 'e');
      this.stateAddress();
      f.memory('i32.load', WORD_WASM_TLB * 4);
      f.localOp('local.set', this.tlb);
    }
    if (ops((op) => op.opc === 'call' || op.opc === 'qemu_ld' || op.opc === 'qemu_st')) this.status = f.local(ValType.I32, 'status');
    if (members.some((m) => loopsOnItself(m.ir))) this.iterations = f.local(ValType.I32, 'it');
    this.loadRegisters();
    f.open('block', 'exit');
    if (members.length === 1) {
      this.emitMember(members[0], false);
    } else {
      f.open('loop', 'dispatch');
      for (let k = members.length - 1; k >= 0; k--) f.open('block', `m${k}`);
      f.localOp('local.get', 0);
      f.brTable(members.map((_, k) => `m${k}`), 'm0');
      members.forEach((m, k) => {
        f.end();
        f.comment(`member ${k}: guest pc 0x${m.ir.pc.toString(16)}`);
        this.emitMember(m, true);
      });
      f.end();
    }
    f.end();
    // the one way out: registers back to the state, instructions retired, the next pc
    f.comment('exit');
    this.storeRegisters();
    this.addInstret(() => {
      f.localOp('local.get', this.n);
      f.localOp('local.get', this.ret);
      f.op('i32.add');
      f.op('f64.convert_i32_u');
    });
    f.localOp('local.get', this.pc);
    return f;
  }

  /** One member's code; it leaves only by a branch (every block ends in an exit). */
  private emitMember(m: Member, inRegion: boolean): void {
    const f = this.f;
    this.ir = m.ir;
    this.targets = m.targets;
    this.pastBarrier = false;
    const loops = loopsOnItself(m.ir);
    if (loops && inRegion) { // another member may have left the count where its loop stopped
      f.i32Const(0);
      f.localOp('local.set', this.iterations);
    }
    if (loops) f.open('loop', 'top');
    for (const op of m.ir.ops) {
      if (isLinkBarrier(op)) this.pastBarrier = true;
      this.emitOp(op);
    }
    f.op('unreachable');
    if (loops) f.end();
  }

  private stateAddress(): void {
    this.f.globalGet(this.link.state, 'st');
  }

  private loadRegisters(): void {
    for (const [index, local] of this.regs) {
      this.stateAddress();
      this.f.memory('i64.load', index * 8);
      this.f.localOp('local.set', local);
    }
  }

  private storeRegisters(): void {
    for (const index of this.written) {
      this.stateAddress();
      this.f.localOp('local.get', this.regs.get(index) as number);
      this.f.memory('i64.store', index * 8);
    }
  }

  private push(t: Temp): void {
    switch (t.kind) {
      case 'const': this.f.i64Const(t.value); return;
      case 'global': this.f.localOp('local.get', this.regs.get(t.index) as number); return;
      default: this.f.localOp('local.get', this.tempLocal(t));
    }
  }

  private tempLocal(t: Temp): number {
    let l = this.temps.get(t.id);
    if (l === undefined) {
      l = this.f.local(ValType.I64, `t${t.id}`);
      this.temps.set(t.id, l);
    }
    return l;
  }

  private pop(dst: Temp): void {
    this.f.localOp('local.set', dst.kind === 'global' ? this.regs.get(dst.index) as number : this.tempLocal(dst));
  }

  /** Leave for the constant `pc`, having retired `retired` instructions. */
  private exitTo(pc: number, retired: number): void {
    this.f.f64Const(pc);
    this.f.localOp('local.set', this.pc);
    this.f.i32Const(retired);
    this.f.localOp('local.set', this.n);
    this.f.br('exit');
  }

  /** A helper ended the block: continue where it says (it retired the instructions itself). */
  private exitResume(): void {
    const f = this.f;
    this.stateAddress();
    f.memory('f64.load', SLOT_RESUME_PC * 8);
    f.localOp('local.set', this.pc);
    f.i32Const(0);
    f.localOp('local.set', this.n);
    f.br('exit');
  }

  /** The status of a slow path or helper is on the stack: leave if it ended the block. */
  private leaveIfEnded(): void {
    this.f.open('if');
    this.exitResume();
    this.f.end();
  }

  /** An exit to a constant target; back to the top when it is this block's own start (at most LOOP_ITERATIONS more times). */
  private jumpTo(op: ExitOp | ExitIfOp): void {
    const f = this.f;
    const retired = op.insnIndex + 1;
    if (op.target !== this.ir.pc) {
      const sibling = this.pastBarrier ? undefined : this.siblings.get(op.target);
      if (sibling !== undefined) {
        this.dispatchTo(op.target, sibling, retired);
        return;
      }
      const to = this.pastBarrier ? undefined : this.targets.get(op.target);
      if (to !== undefined) this.linkTo(op.target, to, retired);
      else this.exitTo(op.target, retired);
      return;
    }
    this.countRetired(retired);
    f.localOp('local.get', this.iterations);
    f.i32Const(LOOP_ITERATIONS);
    f.op('i32.lt_u');
    if (loopSeesExitRequests(this.ir)) { // a callback may have stopped the vCPU (see backend-js.ts)
      this.stateAddress();
      f.memory('i32.load', WORD_EXIT_REQUEST * 4);
      f.op('i32.eqz');
      f.op('i32.and');
    }
    f.open('if');
    f.localOp('local.get', this.iterations);
    f.i32Const(1);
    f.op('i32.add');
    f.localOp('local.set', this.iterations);
    f.br('top');
    f.end();
    this.exitTo(op.target, 0);
  }

  /**
   * Leave for the block at `pc` directly, as the run loop would go on: the registers and retired
   * count to the state, then, if no exit is requested, the budget allows one more block and
   * (through the table) the block is there, count it and tail-call it; else leave as exitTo does.
   */
  private linkTo(pc: number, to: LinkTarget, retired: number): void {
    const f = this.f;
    const label = `b@0x${pc.toString(16)}`;
    this.storeRegisters();
    this.countRetired(retired);
    this.flushRetired(); // the next function starts from the state's count
    this.mayGoOn();
    if (to.slot !== undefined) {
      f.i32Const(to.slot);
      f.tableEntryIsNull();
      f.op('i32.eqz');
      f.op('i32.and');
    }
    f.open('if');
    this.spendBudget();
    if (to.fn !== undefined) {
      f.returnCall(to.fn, label);
    } else {
      f.i32Const(to.slot as number);
      f.returnCallIndirect(this.link.blockType, label);
    }
    f.end();
    this.exitTo(pc, 0); // retired above
  }

  /**
   * Go on at member `k` of this region, as linkTo goes on at another function: the retired count
   * (in the local), then, if no exit is requested and the budget allows one more block, count it
   * and branch back to the dispatch (the registers stay in their locals); else leave as exitTo does.
   */
  private dispatchTo(pc: number, k: number, retired: number): void {
    const f = this.f;
    this.countRetired(retired);
    this.mayGoOn();
    f.open('if');
    this.spendBudget();
    f.i32Const(k);
    f.localOp('local.set', 0);
    f.br('dispatch');
    f.end();
    this.exitTo(pc, 0); // retired above
  }

  /** Push whether the run loop would go on to another block now: no exit requested, and budget for one more. */
  private mayGoOn(): void {
    const f = this.f;
    this.stateAddress();
    f.memory('i32.load', WORD_EXIT_REQUEST * 4);
    f.op('i32.eqz');
    f.i32Const(1);
    this.stateAddress();
    f.memory('i32.load', WORD_CHAIN_BUDGET * 4);
    f.op('i32.lt_u');
    f.op('i32.and');
  }

  /** One block of the run loop's budget spent (WORD_CHAIN_BUDGET -= 1). */
  private spendBudget(): void {
    const f = this.f;
    this.stateAddress();
    this.stateAddress();
    f.memory('i32.load', WORD_CHAIN_BUDGET * 4);
    f.i32Const(1);
    f.op('i32.sub');
    f.memory('i32.store', WORD_CHAIN_BUDGET * 4);
  }

  /** `retired` more instructions in the local count. */
  private countRetired(retired: number): void {
    const f = this.f;
    f.localOp('local.get', this.ret);
    f.i32Const(retired);
    f.op('i32.add');
    f.localOp('local.set', this.ret);
  }

  /** The local count into SLOT_INSTRET (helpers and slow paths count from the state's). */
  private flushRetired(): void {
    const f = this.f;
    this.addInstret(() => {
      f.localOp('local.get', this.ret);
      f.op('f64.convert_i32_u');
    });
    f.i32Const(0);
    f.localOp('local.set', this.ret);
  }

  /** SLOT_INSTRET += the f64 that `count` pushes. */
  private addInstret(count: () => void): void {
    const f = this.f;
    this.stateAddress();
    this.stateAddress();
    f.memory('f64.load', SLOT_INSTRET * 8);
    count();
    f.op('f64.add');
    f.memory('f64.store', SLOT_INSTRET * 8);
  }

  private emitOp(op: Op): void {
    const f = this.f;
    switch (op.opc) {
      case 'insn_start':
        f.comment(`0x${op.pc.toString(16)}`);
        return;
      case 'mov':
        this.push(op.args[0]);
        this.pop(op.dst);
        return;
      case 'ext32s': case 'ext32u':
        this.push(op.args[0]);
        f.op('i32.wrap_i64');
        f.op(op.opc === 'ext32s' ? 'i64.extend_i32_s' : 'i64.extend_i32_u');
        this.pop(op.dst);
        return;
      case 'clz': case 'ctz': case 'cpop':
        this.push(op.args[0]);
        f.op(COUNT[op.opc]);
        this.pop(op.dst);
        return;
      case 'setcond':
        this.push(op.args[0]);
        this.push(op.args[1]);
        f.op(COMPARE[op.cond]);
        f.op('i64.extend_i32_u');
        this.pop(op.dst);
        return;
      case 'qemu_ld': return this.emitLoad(op);
      case 'qemu_st': return this.emitStore(op);
      case 'call': return inlineAmo(op) ? this.emitAmo(op) : this.emitCall(op);
      case 'call_event': return this.emitEvent(op);
      case 'scoreboard_add': return this.emitScoreboardAdd(op);
      case 'exit':
        this.jumpTo(op);
        return;
      case 'exit_if':
        this.push(op.args[0]);
        this.push(op.args[1]);
        f.op(COMPARE[op.cond]);
        f.open('if');
        this.jumpTo(op);
        f.end();
        return;
      case 'exit_indirect':
        this.push(op.args[0]);
        f.op('f64.convert_i64_s'); // rounds as Number(bigint) does
        f.localOp('local.set', this.pc);
        f.i32Const(op.insnIndex + 1);
        f.localOp('local.set', this.n);
        f.br('exit');
        return;
      default: {
        this.push(op.args[0]);
        this.push(op.args[1]);
        const native = NATIVE[op.opc];
        if (native !== undefined) f.op(native);
        else f.call(this.link.arith.get(op.opc as Arith) as number, op.opc);
        this.pop(op.dst);
      }
    }
  }

  /**
   * lo/hi = words of base + offset; e = the TLB entry's address; leaves on the stack whether the
   * entry allows the access (tag word `tagWord`, aligned, same high word): tlb-probe.ts's test.
   */
  private probe(base: Temp, offset: number, mem: MemOp, tagWord: number): void {
    const f = this.f;
    this.push(base);
    if (offset !== 0) {
      f.i64Const(BigInt(offset));
      f.op('i64.add');
    }
    const a = this.scratch64();
    f.localOp('local.tee', a);
    f.op('i32.wrap_i64');
    f.localOp('local.set', this.lo);
    f.localOp('local.get', a);
    f.i64Const(32n);
    f.op('i64.shr_u');
    f.op('i32.wrap_i64');
    f.localOp('local.set', this.hi);
    if (this.link.flat !== undefined) return this.flatProbe(this.link.flat.table, mem, tagWord === TLB_READ_TAG ? FLAT_READ : FLAT_WRITE);
    f.localOp('local.get', this.tlb);
    f.localOp('local.get', this.lo);
    f.i32Const(8);
    f.op('i32.shr_u');
    f.i32Const(ENTRY_BYTES_MASK);
    f.op('i32.and');
    f.op('i32.add');
    f.localOp('local.tee', this.entry);
    f.memory('i32.load', tagWord * 4);
    f.localOp('local.get', this.lo);
    f.i32Const(~0xfff | (mem.size - 1));
    f.op('i32.and');
    f.op('i32.eq');
    f.localOp('local.get', this.entry);
    f.memory('i32.load', TLB_HI * 4);
    f.localOp('local.get', this.hi);
    f.op('i32.eq');
    f.op('i32.and');
  }

  /** User mode's flat memory: hi == 0, aligned, and the page's byte in the table has `bit` (tlb-probe.ts flatHostIndex). */
  private flatProbe(table: number, mem: MemOp, bit: number): void {
    const f = this.f;
    f.localOp('local.get', this.hi);
    f.op('i32.eqz');
    f.localOp('local.get', this.lo);
    f.i32Const(mem.size - 1);
    f.op('i32.and');
    f.op('i32.eqz');
    f.op('i32.and');
    f.localOp('local.get', this.lo);
    f.i32Const(12);
    f.op('i32.shr_u');
    f.memory('i32.load8_u', table);
    f.i32Const(bit);
    f.op('i32.and');
    f.i32Const(0);
    f.op('i32.ne');
    f.op('i32.and');
  }

  private address64 = -1;
  private scratch64(): number {
    if (this.address64 < 0) this.address64 = this.f.local(ValType.I64, 'a');
    return this.address64;
  }

  /** The RAM address of the access that hit: the page's offset from the entry plus the offset in the page. */
  private hostAddress(): void {
    const f = this.f;
    if (this.link.flat !== undefined) { // address = offset
      f.localOp('local.get', this.lo);
      return;
    }
    f.localOp('local.get', this.entry);
    f.memory('i32.load', TLB_RAM_OFFSET * 4);
    f.localOp('local.get', this.lo);
    f.i32Const(4095);
    f.op('i32.and');
    f.op('i32.add');
  }

  private insnPc(op: Op): number {
    return this.ir.insnPcs[op.insnIndex];
  }

  private emitLoad(op: LoadOp): void {
    const f = this.f;
    this.probe(op.args[0], op.offset, op.mem, TLB_READ_TAG);
    f.open('if', undefined, ValType.I64);
    this.hostAddress();
    f.memory(LOAD_OP[`${op.mem.size}${op.mem.signed ? 's' : 'u'}`], 0);
    f.else();
    this.flushRetired();
    f.localOp('local.get', this.lo);
    f.localOp('local.get', this.hi);
    f.i32Const(op.mem.size);
    f.i32Const(op.mem.signed ? 1 : 0);
    f.f64Const(this.insnPc(op));
    f.f64Const(op.insnIndex);
    f.call(this.link.ld, 'ld');
    this.leaveIfEnded();
    this.stateAddress();
    f.memory('i64.load', SLOT_SCRATCH * 8);
    f.end();
    this.pop(op.dst);
  }

  private emitStore(op: StoreOp): void {
    const f = this.f;
    const [value, base] = op.args;
    this.probe(base, op.offset, op.mem, TLB_WRITE_TAG);
    f.open('if');
    this.hostAddress();
    this.push(value);
    f.memory(STORE_OP[op.mem.size], 0);
    f.else();
    this.flushRetired();
    f.localOp('local.get', this.lo);
    f.localOp('local.get', this.hi);
    f.i32Const(op.mem.size);
    this.push(value);
    f.f64Const(this.insnPc(op));
    f.f64Const(op.insnIndex);
    f.f64Const(this.ir.insnLengths[op.insnIndex]);
    f.call(this.link.st, 'st');
    this.leaveIfEnded();
    f.end();
  }

  /**
   * LR, SC and the plain AMOs as the `amo` helper does them (src/vcpu/context.ts), inline when the
   * TLB allows the access (a misaligned address, a miss, MMIO, a code page: the helper): an atomic
   * access of the shared memory, the reservation in the state (its address as a Number, as the
   * helper compares it: SC checks it before anything else), the old value or SC's result in rd.
   */
  private emitAmo(op: CallOp): void {
    const f = this.f;
    const [base, src] = op.args;
    const amo = op.consts[0] as AMO;
    const size = op.consts[1] as 4 | 8;
    const rd = op.consts[2];
    const wide = size === 8;
    if (amo === AMO.sc) {
      this.stateAddress();
      f.memory('f64.load', SLOT_RESERVATION_ADDR * 8);
      this.push(base);
      f.op('f64.convert_i64_s');
      f.op('f64.ne');
      f.open('if');
      this.clearReservation();
      this.setRd(rd, () => f.i64Const(1n));
      f.else();
    }
    this.probe(base, 0, { size, signed: true }, amo === AMO.lr ? TLB_READ_TAG : TLB_WRITE_TAG);
    f.open('if');
    if (amo === AMO.lr) {
      this.stateAddress();
      this.push(base);
      f.op('f64.convert_i64_s');
      f.memory('f64.store', SLOT_RESERVATION_ADDR * 8);
      this.stateAddress();
      this.hostAddress();
      f.atomic(wide ? 'i64.atomic.load' : 'i32.atomic.load', 0);
      if (!wide) f.op('i64.extend_i32_s');
      f.localOp('local.tee', this.scratch64());
      f.memory('i64.store', SLOT_RESERVATION_VALUE * 8);
      this.setRd(rd, () => f.localOp('local.get', this.scratch64()));
    } else if (amo === AMO.sc) {
      this.clearReservation();
      // CAS(expected: the value LR read, new: rs2); rd = 0 when it stored
      const expected = this.scratch64();
      this.stateAddress();
      f.memory('i64.load', SLOT_RESERVATION_VALUE * 8);
      f.localOp('local.set', expected);
      this.hostAddress();
      f.localOp('local.get', expected);
      if (!wide) f.op('i32.wrap_i64');
      this.push(src);
      if (!wide) f.op('i32.wrap_i64');
      f.atomic(wide ? 'i64.atomic.rmw.cmpxchg' : 'i32.atomic.rmw.cmpxchg', 0);
      f.localOp('local.get', expected);
      if (!wide) f.op('i32.wrap_i64');
      f.op(wide ? 'i64.ne' : 'i32.ne');
      f.op('i64.extend_i32_u');
      if (rd !== 0) this.f.localOp('local.set', this.regs.get(rd) as number);
      else f.op('drop');
    } else {
      const name = INLINE_AMO[amo] as string;
      this.hostAddress();
      this.push(src);
      if (!wide) f.op('i32.wrap_i64');
      f.atomic(`${wide ? 'i64' : 'i32'}.atomic.rmw.${name}` as AtomicOp, 0);
      if (!wide) f.op('i64.extend_i32_s');
      if (rd !== 0) this.f.localOp('local.set', this.regs.get(rd) as number);
      else f.op('drop');
    }
    f.else();
    this.emitCall(op);
    f.end();
    if (amo === AMO.sc) f.end();
  }

  private clearReservation(): void {
    this.stateAddress();
    this.f.f64Const(-1);
    this.f.memory('f64.store', SLOT_RESERVATION_ADDR * 8);
  }

  /** rd = the value `value` pushes (nothing for x0). */
  private setRd(rd: number, value: () => void): void {
    if (rd === 0) return;
    value();
    this.f.localOp('local.set', this.regs.get(rd) as number);
  }

  /**
   * An execution-level event: registers to the state first, as a callback may read them (the
   * JavaScript tier keeps them there all along); its run-time arguments as i64 (the import makes
   * them unsigned, as the JavaScript tier passes them).
   */
  private emitEvent(op: EventOp): void {
    const at = eventResumePoint(this.ir, op);
    this.flushRetired();
    this.storeRegisters();
    this.storeF64(SLOT_EVENT_PC, at.pc);
    this.storeF64(SLOT_EVENT_RETIRED, at.retired);
    for (const a of op.eventArgs) if ('temp' in a) this.push(a.temp);
    const ev = this.link.events.get(op) as { index: number; field: string };
    this.f.call(ev.index, ev.field);
    this.storeF64(SLOT_EVENT_PC, -1);
  }

  /** State slot `slot` = the constant `value`. */
  private storeF64(slot: number, value: number): void {
    this.stateAddress();
    this.f.f64Const(value);
    this.f.memory('f64.store', slot * 8);
  }

  /** counter += n: inline when the scoreboard is in the memory, else its import. */
  private emitScoreboardAdd(op: ScoreboardOp): void {
    const f = this.f;
    const address = this.link.counterAddress?.(op.board, op.slot, op.counters);
    if (address === undefined) {
      const sb = this.link.scoreboards.get(scoreboardKey(op)) as { index: number; field: string };
      f.call(sb.index, sb.field);
      return;
    }
    if (op.store === true) {
      f.comment(`scoreboard ${op.board} counter ${op.slot} = ${op.n}`);
      f.i32Const(address);
      f.i64Const(BigInt(op.n));
      f.memory('i64.store', 0);
      return;
    }
    f.comment(`scoreboard ${op.board} counter ${op.slot} += ${op.n}`);
    f.i32Const(address);
    f.i32Const(address);
    f.memory('i64.load', 0);
    f.i64Const(BigInt(op.n));
    f.op('i64.add');
    f.memory('i64.store', 0);
  }

  /** A helper call: registers to the state first (helpers read it), back from it after (they may write it). */
  private emitCall(op: CallOp): void {
    const f = this.f;
    this.flushRetired();
    this.storeRegisters();
    for (const a of op.args) this.push(a);
    for (const k of op.consts) f.f64Const(k);
    if (op.mayExit) {
      f.f64Const(this.insnPc(op));
      f.f64Const(op.insnIndex);
    }
    const field = helperField(op);
    f.call(this.link.helpers.get(field) as number, field);
    f.localOp('local.set', this.status);
    this.loadRegisters();
    f.localOp('local.get', this.status);
    this.leaveIfEnded();
    if (op.dst) {
      this.stateAddress();
      f.memory('i64.load', SLOT_SCRATCH * 8);
      this.pop(op.dst);
    }
  }
}
