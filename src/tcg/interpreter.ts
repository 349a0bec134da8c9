/**
 * The IR interpreter: runs an IR block without generating JavaScript, after
 * QEMU's TCI (tcg/tci.c). It is the first tier of execution: a block runs
 * here until it proves hot, and only then is it compiled by the JS backend
 * (src/vcpu/block-cache.ts decides). Most blocks of a boot run a few times,
 * and for them `new Function` and V8's warm-up cost far more than the run.
 *
 * Values are pairs of int32 words (low, high), not bigints: one interpreter
 * function, optimized once, does 64-bit adds, logic, shifts, compares and
 * RAM accesses without allocating. Multiplication and division, helper
 * calls and 8-byte accesses use the BigInt64Array view of the same words.
 * Guest registers are read and written in place in the vCPU state; the
 * block's temporaries live in the state buffer too (WORD_TEMPS), so an
 * operand is just a word index into one Int32Array.
 *
 * The semantics of every op are those of backend-js.ts;
 * tests/tcg/interpreter.spec.ts runs the same IR through both.
 *
 * `encodeBlock` turns an IR block into a run of int32 words (in a chunk
 * shared with other blocks, see CodeArena): an opcode, then its operands.
 * Constants are immediates (the `...I` forms) or are put into their
 * temporary's words just before the op that reads them. Numbers wider than
 * 32 bits (guest pcs) live in a side table. Common pairs become one op: an
 * op whose result only a register move reads writes the register itself,
 * and an add, sub or shift whose result is only sign-extended from 32 bits
 * has a 32-bit form.
 */
import { BinaryOp, BinaryOpcode, Cond, counterHolds, EventCond, eventResumePoint, IrBlock, MovOp, Op, Opcode, Temp, UnaryOp } from './ir.js';
import type { AnyHelper, BlockContext, EventSink, HelperArg, HelperName } from '../abi/helpers.js';
import { INTERPRETER_TEMPS, SLOT_EVENT_PC, SLOT_EVENT_RETIRED, SLOT_INSTRET, WORD_TEMPS } from '../abi/state-layout.js';
import { addressHigh, flatHostIndex, tlbHostIndex } from './tlb-probe.js';
import { foldBinary } from './builder.js';
import { FLAT_READ, FLAT_WRITE, TLB_READ_TAG, TLB_WRITE_TAG } from '../abi/tlb.js';

/** What interpreted blocks reach at run time: one per vCPU. */
export interface InterpreterEnv {
  /** The vCPU context: helpers, slow paths of loads and stores, the block-exit request (src/abi/helpers.ts). */
  c: BlockContext;
  /** The vCPU state (registers, then the temporaries at WORD_TEMPS) as words, 64-bit slots and doubles. */
  w: Int32Array;
  x: BigInt64Array;
  f: Float64Array;
  /** The vCPU's soft TLB (src/tcg/tlb-probe.ts). */
  tlb: Int32Array;
  ram: {
    m8: Int8Array; mu8: Uint8Array; m16: Int16Array; mu16: Uint16Array; m32: Int32Array; m64: BigInt64Array;
  };
  ev: EventSink;
  sb: readonly BigInt64Array[];
  /**
   * No other thread runs guest code on this RAM (one vCPU, or all of them in
   * this thread): an 8-byte access may then be two 4-byte ones, which
   * allocate no BigInt. Otherwise it must be one access, as RISC-V requires
   * aligned accesses to be single-copy atomic and another vCPU could see
   * half of a store.
   */
  soleAccessor: boolean;
  /** User mode's flat memory: byte offset of its page table in `ram` (src/abi/tlb.ts FlatLayout); -1 or absent: the TLB. */
  flatTable?: number;
}

const enum Code {
  Mov, MovI, Add, AddI, Sub, And, AndI, Or, OrI, Xor, XorI, Shl, Shr, Sar,
  /** Shifts by a constant 1..31 (`Small`) or 32..63 (`Large`; by 0 is a Mov), see constantShift. */
  ShlSmall, ShlLarge, ShrSmall, ShrLarge, SarSmall, SarLarge,
  /** 32-bit forms: the low word of the result, sign-extended (see wordForm). */
  Add32, AddI32, Sub32, Shl32, ShlI32, Shr32, ShrI32,
  /** mul, mulsh, muluh, mulsuh, div, divu, rem, remu, clmul, clmulr: on the 64-bit view (kind in the 4th word). */
  MulDiv,
  Ext32s, Ext32u, Clz, Ctz, Cpop, Setcond, SetcondI,
  Ld, St, Call, Event, Scoreboard, ScoreboardAddSmall, ScoreboardStore, Exit, ExitIf, ExitIfI, ExitIndirect,
}

const enum MulDivKind { Mul, Mulsh, Muluh, Mulsuh, Div, Divu, Rem, Remu, Clmul, Clmulr }

const MULDIV: Partial<Record<BinaryOpcode, MulDivKind>> = {
  mul: MulDivKind.Mul, mulsh: MulDivKind.Mulsh, muluh: MulDivKind.Muluh, mulsuh: MulDivKind.Mulsuh,
  div: MulDivKind.Div, divu: MulDivKind.Divu, rem: MulDivKind.Rem, remu: MulDivKind.Remu,
  clmul: MulDivKind.Clmul, clmulr: MulDivKind.Clmulr,
};

/** The unary ops and their codes (each reads one word pair and writes one). */
const UNARY: Record<UnaryOp['opc'], Code> = { ext32s: Code.Ext32s, ext32u: Code.Ext32u, clz: Code.Clz, ctz: Code.Ctz, cpop: Code.Cpop };

/** Set bits of a 32-bit word (the classic SWAR count). */
function popcount32(v: number): number {
  v -= (v >>> 1) & 0x55555555;
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24);
}

/** Trailing zeros of a non-zero 32-bit word. */
function ctz32(v: number): number {
  return 31 - Math.clz32(v & -v);
}

/** Register-register forms, and the register-immediate form when the second operand is a constant (shifts: see constantShift). */
const BINARY: Partial<Record<BinaryOpcode, readonly [Code, Code | undefined]>> = {
  add: [Code.Add, Code.AddI], sub: [Code.Sub, undefined], and: [Code.And, Code.AndI], or: [Code.Or, Code.OrI],
  xor: [Code.Xor, Code.XorI], shl: [Code.Shl, undefined], shr: [Code.Shr, undefined], sar: [Code.Sar, undefined],
};

/** log2 of an access size. */
const SHIFT = { 1: 0, 2: 1, 4: 2, 8: 3 } as const;

const enum CondCode { Eq, Ne, Lt, Ge, Ltu, Geu }
const CONDS: Record<Cond, CondCode> = { eq: CondCode.Eq, ne: CondCode.Ne, lt: CondCode.Lt, ge: CondCode.Ge, ltu: CondCode.Ltu, geu: CondCode.Geu };

/** A helper call: which context method, its operands (word indices) and a reusable argument array. */
interface CallSite {
  helper: HelperName;
  operands: Int32Array;
  /** The helper's arguments (src/abi/helpers.ts): values filled from `operands` at each call, then the constants. */
  args: HelperArg[];
  /** Word index of the result, or -1. */
  dst: number;
  mayExit: boolean;
}

/** An execution-level event: literal arguments in place, run-time ones filled at `positions`. */
interface EventSite {
  id: number;
  operands: Int32Array;
  positions: Int32Array;
  args: unknown[];
  /** Raised only when this holds (a conditional callback). */
  cond: EventCond | undefined;
  /** Where the vCPU goes on if the callback never returns (eventResumePoint). */
  resumePc: number;
  retired: number;
}

/** An IR block ready for `Interpreter.run`. */
export interface EncodedBlock {
  /** The words live in a shared chunk (see CodeArena), from `start` on. */
  readonly code: Int32Array;
  readonly start: number;
  /** Guest pcs of instructions (for faults) and exit targets. */
  readonly numbers: number[];
  readonly calls: CallSite[];
  readonly events: EventSite[];
}

function low(v: bigint): number {
  return Number(BigInt.asIntN(32, v));
}

function high(v: bigint): number {
  return Number(BigInt.asIntN(64, v) >> 32n);
}

/**
 * An empty array of numbers whose elements V8 keeps boxed (each number its
 * own heap object): a string pushed and popped again makes the elements kind
 * generic, and V8 never narrows it back.
 */
function boxedNumbers(): number[] {
  const numbers: number[] = [];
  const sameArray: unknown[] = numbers;
  sameArray.push('boxed');
  sameArray.pop();
  return numbers;
}

/** The words of a shift of word pair `a` by the constant `n` into `d`: a move, or the form for n below or above 32. */
function constantShift(opc: 'shl' | 'shr' | 'sar', d: number, a: number, n: number): number[] {
  if (n === 0) return [Code.Mov, d, a];
  const small = n < 32;
  switch (opc) {
    case 'shl': return [small ? Code.ShlSmall : Code.ShlLarge, d, a, small ? n : n - 32];
    case 'shr': return [small ? Code.ShrSmall : Code.ShrLarge, d, a, small ? n : n - 32];
    default: return [small ? Code.SarSmall : Code.SarLarge, d, a, small ? n : n - 32];
  }
}

/** Is temporary `t` read only by `next`, and is that a sign extension from 32 bits? */
function onlySignExtended(t: Temp, next: Op | undefined): next is UnaryOp {
  return t.kind === 'temp' && t.uses === 1 && next !== undefined && next.opc === 'ext32s' && next.args[0] === t;
}

/** Is temporary `t` read only by `next`, and is that a move into a guest register? */
function onlyMovedToRegister(t: Temp, next: Op | undefined): next is MovOp {
  return t.kind === 'temp' && t.uses === 1 && next !== undefined && next.opc === 'mov' && next.args[0] === t && next.dst.kind === 'global';
}

/** Ops that have a 32-bit form (low word, sign-extended): what RV64's W instructions need. */
const WORD_FORMS: Partial<Record<Opcode, true>> = { add: true, sub: true, shl: true, shr: true };

/**
 * The words of the 32-bit form of `op` (add, sub, shl, shr) into `d`; `b` is
 * the second operand's word index, or undefined when it is a constant.
 */
function wordForm(op: BinaryOp, d: number, a: number, b: number | undefined): number[] {
  const k = op.args[1].value;
  switch (op.opc) {
    case 'add': return b === undefined ? [Code.AddI32, d, a, low(k)] : [Code.Add32, d, a, b];
    case 'sub': return b === undefined ? [Code.AddI32, d, a, low(-k)] : [Code.Sub32, d, a, b];
    case 'shl': return b === undefined ? [Code.ShlI32, d, a, Number(k & 63n)] : [Code.Shl32, d, a, b];
    default: return b === undefined ? [Code.ShrI32, d, a, Number(k & 63n)] : [Code.Shr32, d, a, b];
  }
}

/** Words per chunk of encoded code: some thousand blocks. */
const CHUNK_WORDS = 1 << 18;

/**
 * Where the words of encoded blocks live: large Int32Arrays filled one block
 * after the other. A typed array of its own for each block cost more than
 * the whole rest of the encoding (each is a separate allocation outside the
 * JS heap, which the GC must track). A full chunk is left to the blocks that
 * use it and freed with the last of them.
 */
class CodeArena {
  private chunk = new Int32Array(0); // the first block allocates a chunk: a thread that never interprets pays nothing
  private used = 0;

  place(words: readonly number[]): { chunk: Int32Array; start: number } {
    if (this.used + words.length > this.chunk.length) {
      this.chunk = new Int32Array(Math.max(CHUNK_WORDS, words.length));
      this.used = 0;
    }
    const start = this.used;
    const chunk = this.chunk;
    for (let i = 0; i < words.length; i++) chunk[start + i] = words[i];
    this.used += words.length;
    return { chunk: this.chunk, start };
  }
}

/** The code arena of this thread (every vCPU it runs encodes into it). */
const arena = new CodeArena();

/** Can `ir` be interpreted (its temporaries fit the state buffer)? */
export function interpretable(ir: IrBlock): boolean {
  return ir.temps.length <= INTERPRETER_TEMPS;
}

/** Encode an (optimized) IR block; see `interpretable`. */
export function encodeBlock(ir: IrBlock): EncodedBlock {
  if (!interpretable(ir)) throw new Error(`interpreter: block at 0x${ir.pc.toString(16)} has too many temporaries`);
  const words: number[] = [];
  // Kept as V8 "generic" elements, each number its own heap object: run() returns exit
  // targets from here, and returning a number above 2^30 from unboxed storage would
  // allocate a new heap number for every block run (most guest pcs are that large).
  const numbers: number[] = boxedNumbers();
  const calls: CallSite[] = [];
  const events: EventSite[] = [];
  const number = (n: number): number => numbers.push(n) - 1;
  const slot = (t: Temp): number => (t.kind === 'global' ? 2 * t.index : WORD_TEMPS + 2 * t.id);
  /** Word index of an operand; a constant is written into its temporary first. */
  const operand = (t: Temp): number => {
    if (t.kind === 'const') words.push(Code.MovI, slot(t), low(t.value), high(t.value));
    return slot(t);
  };
  const pcOf = (op: Op): number => number(ir.insnPcs[op.insnIndex]);
  /** The words of binary op `op` into word pair `d`, in its 32-bit form when `word`. */
  const binary = (op: BinaryOp, d: number, word: boolean): void => {
    // indexed, not destructured: destructuring goes through the array iterator, whose result
    // objects made this function deoptimize ("wrong map") and TurboFan compile it again, ~70 ms each time
    const a = op.args[0], b = op.args[1];
    if (word) {
      words.push(...wordForm(op, d, operand(a), b.isConst ? undefined : operand(b)));
      return;
    }
    if ((op.opc === 'shl' || op.opc === 'shr' || op.opc === 'sar') && b.isConst) {
      words.push(...constantShift(op.opc, d, operand(a), Number(b.value & 63n)));
      return;
    }
    const forms = BINARY[op.opc];
    if (forms !== undefined) {
      const rr = forms[0], ri = forms[1];
      if (ri !== undefined && b.isConst) {
        words.push(ri, d, operand(a), low(b.value), high(b.value));
      } else {
        const x = operand(a);
        const y = operand(b);
        words.push(rr, d, x, y);
      }
      return;
    }
    const kind = MULDIV[op.opc];
    if (kind === undefined) throw new Error(`interpreter: no encoding for op ${op.opc}`);
    const x = operand(a);
    const y = operand(b);
    words.push(Code.MulDiv, d, x, y, kind);
  };
  const ops = ir.ops;
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i];
    switch (op.opc) {
      case 'insn_start':
        break;
      case 'qemu_st': {
        const value = operand(op.args[0]);
        const base = operand(op.args[1]);
        words.push(Code.St, value, base, op.offset, SHIFT[op.mem.size], pcOf(op), op.insnIndex, ir.insnLengths[op.insnIndex]);
        break;
      }
      case 'call': {
        const operands = op.args.map(operand);
        const args: HelperArg[] = op.args.map(() => 0n);
        // an index loop: for-of's iterator met arrays of both Smi and double elements here
        // (constants above 2^30) and deoptimized this function ("wrong map")
        for (let k = 0; k < op.consts.length; k++) args.push(op.consts[k]);
        if (op.mayExit) args.push(ir.insnPcs[op.insnIndex], op.insnIndex);
        calls.push({ helper: op.helper, operands: Int32Array.from(operands), args, dst: op.dst ? slot(op.dst) : -1, mayExit: op.mayExit });
        words.push(Code.Call, calls.length - 1);
        break;
      }
      case 'call_event': {
        const operands: number[] = [];
        const positions: number[] = [];
        const args = op.eventArgs.map((arg, i) => {
          if (!('temp' in arg)) return arg.literal;
          operands.push(operand(arg.temp));
          positions.push(i);
          return 0n;
        });
        const at = eventResumePoint(ir, op);
        events.push({
          id: op.eventId, operands: Int32Array.from(operands), positions: Int32Array.from(positions), args, cond: op.cond, resumePc: at.pc, retired: at.retired,
        });
        words.push(Code.Event, events.length - 1);
        break;
      }
      case 'scoreboard_add':
        if (op.store !== true && Number.isInteger(op.n) && op.n >= 0 && op.n <= 0x7fffffff) words.push(Code.ScoreboardAddSmall, op.board, op.slot, op.counters, op.n);
        else words.push(op.store === true ? Code.ScoreboardStore : Code.Scoreboard, op.board, op.slot, op.counters, number(op.n));
        break;
      case 'exit':
        words.push(Code.Exit, number(op.target), op.insnIndex + 1);
        break;
      case 'exit_if': {
        const a = op.args[0], b = op.args[1];
        const x = operand(a);
        if (b.isConst) words.push(Code.ExitIfI, x, low(b.value), high(b.value), CONDS[op.cond], number(op.target), op.insnIndex + 1);
        else words.push(Code.ExitIf, x, operand(b), CONDS[op.cond], number(op.target), op.insnIndex + 1);
        break;
      }
      case 'exit_indirect':
        words.push(Code.ExitIndirect, operand(op.args[0]), op.insnIndex + 1);
        break;
      default: {
        // an op computing a value into op.dst
        let dst = op.dst;
        // `t = a + b; u = ext32s t` with t read nowhere else (the W instructions): one op
        // computing the low word and sign-extending it
        const extension = ops[i + 1];
        const word = WORD_FORMS[op.opc] === true && onlySignExtended(dst, extension);
        if (word) {
          dst = extension.dst;
          i++;
        }
        // `t = a + b; x5 = t` with t read nowhere else: compute straight into x5 (every op
        // reads its operands before it writes, so x5 may be one of them)
        const move = ops[i + 1];
        if (onlyMovedToRegister(dst, move)) {
          dst = move.dst;
          i++;
        }
        const d = slot(dst);
        switch (op.opc) {
          case 'mov': {
            const a = op.args[0];
            if (a.isConst) words.push(Code.MovI, d, low(a.value), high(a.value));
            else words.push(Code.Mov, d, slot(a));
            break;
          }
          case 'ext32s': case 'ext32u': case 'clz': case 'ctz': case 'cpop': {
            const x = operand(op.args[0]);
            words.push(UNARY[op.opc], d, x);
            break;
          }
          case 'setcond': {
            const a = op.args[0], b = op.args[1];
            const x = operand(a);
            if (b.isConst) words.push(Code.SetcondI, d, x, low(b.value), high(b.value), CONDS[op.cond]);
            else words.push(Code.Setcond, d, x, operand(b), CONDS[op.cond]);
            break;
          }
          case 'qemu_ld': {
            const base = operand(op.args[0]);
            words.push(Code.Ld, d, base, op.offset, SHIFT[op.mem.size], op.mem.signed ? 1 : 0, pcOf(op), op.insnIndex);
            break;
          }
          default:
            binary(op, d, word);
        }
      }
    }
  }
  const { chunk, start } = arena.place(words);
  return { code: chunk, start, numbers, calls, events };
}

/** Compare the 64-bit values al:ah and bl:bh. */
function compare(cond: number, al: number, ah: number, bl: number, bh: number): boolean {
  switch (cond) {
    case CondCode.Eq: return al === bl && ah === bh;
    case CondCode.Ne: return al !== bl || ah !== bh;
    case CondCode.Lt: return ah < bh || (ah === bh && (al >>> 0) < (bl >>> 0));
    case CondCode.Ge: return ah > bh || (ah === bh && (al >>> 0) >= (bl >>> 0));
    case CondCode.Ltu: return (ah >>> 0) < (bh >>> 0) || (ah === bh && (al >>> 0) < (bl >>> 0));
    default: return (ah >>> 0) > (bh >>> 0) || (ah === bh && (al >>> 0) >= (bl >>> 0));
  }
}

/** Low word of word pair `a` shifted left (or right, logically) by `n` (0..63). */
function shiftedLow(w: Int32Array, a: number, n: number, left: boolean): number {
  const lo = w[a];
  if (n === 0) return lo;
  if (left) return n < 32 ? lo << n : 0;
  return n < 32 ? (lo >>> n) | (w[a + 1] << (32 - n)) : w[a + 1] >>> (n - 32);
}

function mulDiv(kind: number, a: bigint, b: bigint): bigint {
  switch (kind) {
    case MulDivKind.Mul: return BigInt.asIntN(64, a * b);
    case MulDivKind.Mulsh: return BigInt.asIntN(64, (a * b) >> 64n);
    case MulDivKind.Muluh: return BigInt.asIntN(64, (BigInt.asUintN(64, a) * BigInt.asUintN(64, b)) >> 64n);
    case MulDivKind.Mulsuh: return BigInt.asIntN(64, (a * BigInt.asUintN(64, b)) >> 64n);
    case MulDivKind.Div: return b === 0n ? -1n : BigInt.asIntN(64, a / b);
    case MulDivKind.Divu: return b === 0n ? -1n : BigInt.asIntN(64, BigInt.asUintN(64, a) / BigInt.asUintN(64, b));
    case MulDivKind.Rem: return b === 0n ? a : BigInt.asIntN(64, a % b);
    case MulDivKind.Clmul: return foldBinary('clmul', a, b);
    case MulDivKind.Clmulr: return foldBinary('clmulr', a, b);
    default: return b === 0n ? a : BigInt.asIntN(64, BigInt.asUintN(64, a) % BigInt.asUintN(64, b));
  }
}

/** Runs encoded blocks for one vCPU. */
export class Interpreter {
  private readonly flatTable: number;
  /** Int32Array views of the scoreboards (boardWords), and the boards they view. */
  private readonly boardViews: Int32Array[] = [];
  private readonly boardsViewed: BigInt64Array[] = [];

  constructor(private readonly env: InterpreterEnv) {
    this.flatTable = env.flatTable ?? -1;
  }

  /** Run `block` once; returns the next guest pc. */
  run(block: EncodedBlock): number {
    const { code, numbers, start } = block;
    const { w, f } = this.env;
    for (let p = start; ;) {
      switch (code[p]) {
        case Code.Mov: {
          const d = code[p + 1], a = code[p + 2];
          w[d] = w[a];
          w[d + 1] = w[a + 1];
          p += 3;
          break;
        }
        case Code.MovI: {
          const d = code[p + 1];
          w[d] = code[p + 2];
          w[d + 1] = code[p + 3];
          p += 4;
          break;
        }
        case Code.Add: {
          const d = code[p + 1], a = code[p + 2], b = code[p + 3];
          const al = w[a];
          const lo = (al + w[b]) | 0;
          w[d + 1] = (((w[a + 1] + w[b + 1]) | 0) + ((lo >>> 0) < (al >>> 0) ? 1 : 0)) | 0; // each sum truncated: no overflow check to deoptimize on
          w[d] = lo;
          p += 4;
          break;
        }
        case Code.AddI: {
          const d = code[p + 1], a = code[p + 2];
          const al = w[a];
          const lo = (al + code[p + 3]) | 0;
          w[d + 1] = (((w[a + 1] + code[p + 4]) | 0) + ((lo >>> 0) < (al >>> 0) ? 1 : 0)) | 0;
          w[d] = lo;
          p += 5;
          break;
        }
        case Code.Sub: {
          const d = code[p + 1], a = code[p + 2], b = code[p + 3];
          const al = w[a], bl = w[b];
          const lo = (al - bl) | 0;
          w[d + 1] = (((w[a + 1] - w[b + 1]) | 0) - ((al >>> 0) < (bl >>> 0) ? 1 : 0)) | 0;
          w[d] = lo;
          p += 4;
          break;
        }
        case Code.And: {
          const d = code[p + 1], a = code[p + 2], b = code[p + 3];
          const lo = w[a] & w[b];
          w[d + 1] = w[a + 1] & w[b + 1];
          w[d] = lo;
          p += 4;
          break;
        }
        case Code.AndI: {
          const d = code[p + 1], a = code[p + 2];
          const lo = w[a] & code[p + 3];
          w[d + 1] = w[a + 1] & code[p + 4];
          w[d] = lo;
          p += 5;
          break;
        }
        case Code.Or: {
          const d = code[p + 1], a = code[p + 2], b = code[p + 3];
          const lo = w[a] | w[b];
          w[d + 1] = w[a + 1] | w[b + 1];
          w[d] = lo;
          p += 4;
          break;
        }
        case Code.OrI: {
          const d = code[p + 1], a = code[p + 2];
          const lo = w[a] | code[p + 3];
          w[d + 1] = w[a + 1] | code[p + 4];
          w[d] = lo;
          p += 5;
          break;
        }
        case Code.Xor: {
          const d = code[p + 1], a = code[p + 2], b = code[p + 3];
          const lo = w[a] ^ w[b];
          w[d + 1] = w[a + 1] ^ w[b + 1];
          w[d] = lo;
          p += 4;
          break;
        }
        case Code.XorI: {
          const d = code[p + 1], a = code[p + 2];
          const lo = w[a] ^ code[p + 3];
          w[d + 1] = w[a + 1] ^ code[p + 4];
          w[d] = lo;
          p += 5;
          break;
        }
        case Code.Shl: this.shl(code[p + 1], code[p + 2], w[code[p + 3]] & 63); p += 4; break;
        case Code.ShlSmall: {
          const d = code[p + 1], a = code[p + 2], n = code[p + 3];
          const lo = w[a];
          w[d + 1] = (w[a + 1] << n) | (lo >>> (32 - n));
          w[d] = lo << n;
          p += 4;
          break;
        }
        case Code.ShlLarge: {
          const d = code[p + 1];
          w[d + 1] = w[code[p + 2]] << code[p + 3];
          w[d] = 0;
          p += 4;
          break;
        }
        case Code.ShrSmall: {
          const d = code[p + 1], a = code[p + 2], n = code[p + 3];
          const hi = w[a + 1];
          w[d] = (w[a] >>> n) | (hi << (32 - n));
          w[d + 1] = hi >>> n;
          p += 4;
          break;
        }
        case Code.ShrLarge: {
          const d = code[p + 1];
          w[d] = w[code[p + 2] + 1] >>> code[p + 3];
          w[d + 1] = 0;
          p += 4;
          break;
        }
        case Code.SarSmall: {
          const d = code[p + 1], a = code[p + 2], n = code[p + 3];
          const hi = w[a + 1];
          w[d] = (w[a] >>> n) | (hi << (32 - n));
          w[d + 1] = hi >> n;
          p += 4;
          break;
        }
        case Code.SarLarge: {
          const d = code[p + 1], hi = w[code[p + 2] + 1];
          w[d] = hi >> code[p + 3];
          w[d + 1] = hi >> 31;
          p += 4;
          break;
        }
        case Code.Shr: this.shr(code[p + 1], code[p + 2], w[code[p + 3]] & 63); p += 4; break;
        case Code.Sar: this.sar(code[p + 1], code[p + 2], w[code[p + 3]] & 63); p += 4; break;
        // `| 0` here, not only in setWord: a sum out of int32 range made this function and
        // setWord deoptimize ("overflow", "not a Smi") and be compiled again
        case Code.Add32: this.setWord(code[p + 1], (w[code[p + 2]] + w[code[p + 3]]) | 0); p += 4; break;
        case Code.AddI32: this.setWord(code[p + 1], (w[code[p + 2]] + code[p + 3]) | 0); p += 4; break;
        case Code.Sub32: this.setWord(code[p + 1], (w[code[p + 2]] - w[code[p + 3]]) | 0); p += 4; break;
        case Code.Shl32: this.setWord(code[p + 1], shiftedLow(w, code[p + 2], w[code[p + 3]] & 63, true)); p += 4; break;
        case Code.ShlI32: this.setWord(code[p + 1], shiftedLow(w, code[p + 2], code[p + 3], true)); p += 4; break;
        case Code.Shr32: this.setWord(code[p + 1], shiftedLow(w, code[p + 2], w[code[p + 3]] & 63, false)); p += 4; break;
        case Code.ShrI32: this.setWord(code[p + 1], shiftedLow(w, code[p + 2], code[p + 3], false)); p += 4; break;
        case Code.MulDiv: {
          const x = this.env.x;
          x[code[p + 1] >> 1] = mulDiv(code[p + 4], x[code[p + 2] >> 1], x[code[p + 3] >> 1]);
          p += 5;
          break;
        }
        case Code.Ext32s: {
          const d = code[p + 1], v = w[code[p + 2]];
          w[d] = v;
          w[d + 1] = v >> 31;
          p += 3;
          break;
        }
        case Code.Ext32u: {
          const d = code[p + 1];
          w[d] = w[code[p + 2]];
          w[d + 1] = 0;
          p += 3;
          break;
        }
        case Code.Clz: {
          const d = code[p + 1], a = code[p + 2];
          const hi = w[a + 1];
          w[d] = hi !== 0 ? Math.clz32(hi) : 32 + Math.clz32(w[a]);
          w[d + 1] = 0;
          p += 3;
          break;
        }
        case Code.Ctz: {
          const d = code[p + 1], a = code[p + 2];
          const lo = w[a], hi = w[a + 1];
          w[d] = lo !== 0 ? ctz32(lo) : hi !== 0 ? 32 + ctz32(hi) : 64;
          w[d + 1] = 0;
          p += 3;
          break;
        }
        case Code.Cpop: {
          const d = code[p + 1], a = code[p + 2];
          w[d] = popcount32(w[a]) + popcount32(w[a + 1]);
          w[d + 1] = 0;
          p += 3;
          break;
        }
        case Code.Setcond: {
          const a = code[p + 2], b = code[p + 3];
          const d = code[p + 1];
          w[d] = compare(code[p + 4], w[a], w[a + 1], w[b], w[b + 1]) ? 1 : 0;
          w[d + 1] = 0;
          p += 5;
          break;
        }
        case Code.SetcondI: {
          const a = code[p + 2];
          const d = code[p + 1];
          w[d] = compare(code[p + 5], w[a], w[a + 1], code[p + 3], code[p + 4]) ? 1 : 0;
          w[d + 1] = 0;
          p += 6;
          break;
        }
        case Code.Ld:
          if (!this.load(code[p + 1], code[p + 2], code[p + 3], code[p + 4], code[p + 5], numbers[code[p + 6]], code[p + 7])) return this.leave();
          p += 8;
          break;
        case Code.St:
          if (!this.store(code[p + 1], code[p + 2], code[p + 3], code[p + 4], numbers[code[p + 5]], code[p + 6], code[p + 7])) return this.leave();
          p += 8;
          break;
        case Code.Call:
          if (this.call(block.calls[code[p + 1]])) return this.leave();
          p += 2;
          break;
        case Code.Event:
          this.event(block.events[code[p + 1]]);
          p += 2;
          break;
        case Code.Scoreboard:
          this.env.sb[code[p + 1]][this.env.c.hartId * code[p + 3] + code[p + 2]] += BigInt(numbers[code[p + 4]]);
          p += 5;
          break;
        case Code.ScoreboardAddSmall: {
          // an inline count (n in 0..2^31-1) adds to the counter's low word when that does not
          // carry: one 32-bit store, so a reader never sees half an update, and no BigInt made
          // (the BigInt add made three, on every interpreted block of an instrumented boot)
          const board = code[p + 1], n = code[p + 4];
          const at = this.env.c.hartId * code[p + 3] + code[p + 2];
          const words = this.boardWords(board);
          const lo = words[2 * at];
          const sum = (lo + n) | 0;
          if ((sum >>> 0) >= (lo >>> 0)) words[2 * at] = sum;
          else this.env.sb[board][at] += BigInt(n);
          p += 5;
          break;
        }
        case Code.ScoreboardStore:
          this.env.sb[code[p + 1]][this.env.c.hartId * code[p + 3] + code[p + 2]] = BigInt(numbers[code[p + 4]]);
          p += 5;
          break;
        case Code.Exit:
          f[SLOT_INSTRET] += code[p + 2];
          return numbers[code[p + 1]];
        case Code.ExitIf: {
          const a = code[p + 1], b = code[p + 2];
          if (compare(code[p + 3], w[a], w[a + 1], w[b], w[b + 1])) {
            f[SLOT_INSTRET] += code[p + 5];
            return numbers[code[p + 4]];
          }
          p += 6;
          break;
        }
        case Code.ExitIfI: {
          const a = code[p + 1];
          if (compare(code[p + 4], w[a], w[a + 1], code[p + 2], code[p + 3])) {
            f[SLOT_INSTRET] += code[p + 6];
            return numbers[code[p + 5]];
          }
          p += 7;
          break;
        }
        case Code.ExitIndirect: {
          const a = code[p + 1];
          f[SLOT_INSTRET] += code[p + 2];
          return w[a + 1] * 4294967296 + (w[a] >>> 0); // the signed 64-bit value, rounded once as Number(bigint) does
        }
        default:
          throw new Error(`interpreter: bad code ${code[p]} at ${p}`);
      }
    }
  }

  /** Scoreboard `board` as 32-bit words (little-endian: a counter's low word first), made once per board. */
  private boardWords(board: number): Int32Array {
    const counters = this.env.sb[board];
    let words = this.boardViews[board];
    if (words === undefined || this.boardsViewed[board] !== counters) {
      words = new Int32Array(counters.buffer, counters.byteOffset, counters.length * 2);
      this.boardViews[board] = words;
      this.boardsViewed[board] = counters;
    }
    return words;
  }

  /** Word pair `d` = the 32-bit value `v` (any number: its low 32 bits are taken), sign-extended. */
  private setWord(d: number, v: number): void {
    const lo = v | 0;
    this.env.w[d] = lo;
    this.env.w[d + 1] = lo >> 31;
  }

  private set(d: number, lo: number, hi: number): void {
    this.env.w[d] = lo;
    this.env.w[d + 1] = hi;
  }

  private shl(d: number, a: number, n: number): void {
    const { w } = this.env;
    const lo = w[a], hi = w[a + 1];
    if (n === 0) this.set(d, lo, hi);
    else if (n < 32) this.set(d, lo << n, (hi << n) | (lo >>> (32 - n)));
    else this.set(d, 0, lo << (n - 32));
  }

  private shr(d: number, a: number, n: number): void {
    const { w } = this.env;
    const lo = w[a], hi = w[a + 1];
    if (n === 0) this.set(d, lo, hi);
    else if (n < 32) this.set(d, (lo >>> n) | (hi << (32 - n)), hi >>> n);
    else this.set(d, hi >>> (n - 32), 0);
  }

  private sar(d: number, a: number, n: number): void {
    const { w } = this.env;
    const lo = w[a], hi = w[a + 1];
    if (n === 0) this.set(d, lo, hi);
    else if (n < 32) this.set(d, (lo >>> n) | (hi << (32 - n)), hi >> n);
    else this.set(d, hi >> (n - 32), hi >> 31);
  }

  /** A helper asked the block to end: the run loop continues at resumePc. */
  private leave(): number {
    const c = this.env.c;
    c.endBlock = false;
    return c.resumePc;
  }

  /** Load `1 << shift` bytes into word pair `d` from base + imm; false when the access ended the block. */
  private load(d: number, base: number, imm: number, shift: number, signed: number, pc: number, insn: number): boolean {
    const { w, ram, c } = this.env;
    const bl = w[base];
    const lo = (bl + imm) | 0;
    const hi = addressHigh(bl, w[base + 1], imm, lo);
    const i = this.flatTable >= 0 ? flatHostIndex(ram.mu8, this.flatTable, FLAT_READ, lo, hi, shift) : tlbHostIndex(this.env.tlb, c.tlbBase, TLB_READ_TAG, lo, hi, shift);
    if (i >= 0) {
      let v: number;
      switch (shift) {
        case 0: v = signed ? ram.m8[i] : ram.mu8[i]; break;
        case 1: v = signed ? ram.m16[i] : ram.mu16[i]; break;
        case 2: v = ram.m32[i]; if (!signed) { w[d] = v; w[d + 1] = 0; return true; } break;
        default:
          if (this.env.soleAccessor) {
            w[d] = ram.m32[2 * i];
            w[d + 1] = ram.m32[2 * i + 1];
          } else this.env.x[d >> 1] = ram.m64[i]; // one 64-bit access: another vCPU's store cannot tear it
          return true;
      }
      w[d] = v;
      w[d + 1] = v >> 31;
      return true;
    }
    const value = c.ld(lo, hi, 1 << shift, signed, pc, insn);
    if (c.endBlock) return false;
    this.env.x[d >> 1] = value;
    return true;
  }

  /** Store `1 << shift` bytes of word pair `value` to base + imm; false when the access ended the block. */
  private store(value: number, base: number, imm: number, shift: number, pc: number, insn: number, length: number): boolean {
    const { w, ram, c } = this.env;
    const bl = w[base];
    const lo = (bl + imm) | 0;
    const hi = addressHigh(bl, w[base + 1], imm, lo);
    const i = this.flatTable >= 0 ? flatHostIndex(ram.mu8, this.flatTable, FLAT_WRITE, lo, hi, shift) : tlbHostIndex(this.env.tlb, c.tlbBase, TLB_WRITE_TAG, lo, hi, shift);
    if (i >= 0) {
      switch (shift) {
        case 0: ram.m8[i] = w[value]; return true;
        case 1: ram.m16[i] = w[value]; return true;
        case 2: ram.m32[i] = w[value]; return true;
        default:
          if (this.env.soleAccessor) {
            ram.m32[2 * i] = w[value];
            ram.m32[2 * i + 1] = w[value + 1];
          } else ram.m64[i] = this.env.x[value >> 1];
          return true;
      }
    }
    c.st(lo, hi, 1 << shift, this.env.x[value >> 1], pc, insn, length);
    return !c.endBlock;
  }

  /** Call a helper; true when it asked the block to end. */
  private call(site: CallSite): boolean {
    const { operands, args } = site;
    const x = this.env.x;
    for (let i = 0; i < operands.length; i++) args[i] = x[operands[i] >> 1];
    const c = this.env.c;
    const helper: AnyHelper = c[site.helper];
    const result = helper.apply(c, args);
    if (site.dst >= 0 && typeof result === 'bigint') x[site.dst >> 1] = result;
    return site.mayExit && c.endBlock;
  }

  private event(site: EventSite): void {
    const { operands, positions, args } = site;
    if (site.cond !== undefined && !counterHolds(site.cond, this.env.sb, this.env.c.hartId)) return;
    const x = this.env.x;
    for (let i = 0; i < operands.length; i++) args[positions[i]] = BigInt.asUintN(64, x[operands[i] >> 1]);
    const f = this.env.f;
    f[SLOT_EVENT_PC] = site.resumePc;
    f[SLOT_EVENT_RETIRED] = site.retired;
    this.env.ev[site.id](...args);
    f[SLOT_EVENT_PC] = -1;
  }
}
