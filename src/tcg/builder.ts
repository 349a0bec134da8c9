/**
 * Builder API for the IR, the analogue of QEMU's tcg_gen_* functions.
 *
 * Front ends (src/target/riscv) call these while decoding one guest
 * instruction after another. Constant operands are folded as the ops are
 * built, so `addi x1, x0, 5` becomes a single store of the constant 5.
 */
import { BinaryOpcode, Cond, EventArg, EventCond, IrBlock, MemOp, Op, Temp, TempType, UnaryOpcode } from './ir.js';
import type { HelperName } from '../abi/helpers.js';

const MASK64 = (1n << 64n) - 1n;

function wrap64(v: bigint): bigint {
  return BigInt.asIntN(64, v);
}

/** Evaluate a binary i64 op on constants (the same semantics the backend emits). */
export function foldBinary(opc: BinaryOpcode, a: bigint, b: bigint): bigint {
  const ua = a & MASK64;
  const ub = b & MASK64;
  switch (opc) {
    case 'add': return wrap64(a + b);
    case 'sub': return wrap64(a - b);
    case 'and': return a & b;
    case 'or': return a | b;
    case 'xor': return a ^ b;
    case 'shl': return wrap64(a << (b & 63n));
    case 'shr': return wrap64(ua >> (b & 63n));
    case 'sar': return a >> (b & 63n);
    case 'mul': return wrap64(a * b);
    case 'mulsh': return wrap64((a * b) >> 64n);
    case 'muluh': return wrap64((ua * ub) >> 64n);
    case 'mulsuh': return wrap64((a * ub) >> 64n);
    case 'div': return b === 0n ? -1n : wrap64(a / b);
    case 'divu': return ub === 0n ? -1n : wrap64(ua / ub);
    case 'rem': return b === 0n ? a : wrap64(a % b);
    case 'remu': return ub === 0n ? a : wrap64(ua % ub);
    case 'clmul': return wrap64(clmulWide(ua, ub));
    case 'clmulr': return wrap64(clmulWide(ua, ub) >> 63n);
  }
}

/**
 * The 128-bit carry-less product of two unsigned 64-bit values, from four 32x32-bit products on
 * plain numbers: a bit-by-bit loop on BigInts made ~200 BigInts per product, and the interpreter
 * runs this for every clmul (a vCPU's warm-up alone spent 15 ms and a GC in it).
 */
function clmulWide(a: bigint, b: bigint): bigint {
  const a0 = Number(a & 0xffff_ffffn), a1 = Number(a >> 32n), b0 = Number(b & 0xffff_ffffn), b1 = Number(b >> 32n);
  clmul32(a0, b0); const w0 = clmulLo, p00hi = clmulHi;
  clmul32(a0, b1); let midLo = clmulLo, midHi = clmulHi;
  clmul32(a1, b0); midLo ^= clmulLo; midHi ^= clmulHi;
  clmul32(a1, b1);
  const w1 = (p00hi ^ midLo) >>> 0, w2 = (midHi ^ clmulLo) >>> 0, w3 = clmulHi;
  return (BigInt(w3) << 96n) | (BigInt(w2) << 64n) | (BigInt(w1) << 32n) | BigInt(w0);
}

/** Result words of clmul32 (module scratch, so nothing is allocated). */
let clmulLo = 0, clmulHi = 0;
/** The 64-bit carry-less product of two unsigned 32-bit numbers, into clmulLo/clmulHi. */
function clmul32(a: number, b: number): void {
  let lo = 0, hi = 0;
  for (let i = 0; i < 32; i++) {
    if (((b >>> i) & 1) === 0) continue;
    lo ^= a << i;
    if (i > 0) hi ^= a >>> (32 - i);
  }
  clmulLo = lo >>> 0;
  clmulHi = hi >>> 0;
}

/** Evaluate a count op on a constant (the same semantics the backends emit). */
export function foldCount(opc: 'clz' | 'ctz' | 'cpop', a: bigint): bigint {
  const u = a & MASK64;
  let n = 0n;
  switch (opc) {
    case 'clz': for (let i = 63n; i >= 0n && ((u >> i) & 1n) === 0n; i--) n++; return n;
    case 'ctz': for (let i = 0n; i < 64n && ((u >> i) & 1n) === 0n; i++) n++; return n;
    case 'cpop': for (let i = 0n; i < 64n; i++) n += (u >> i) & 1n; return n;
  }
}

export function evalCond(cond: Cond, a: bigint, b: bigint): boolean {
  switch (cond) {
    case 'eq': return a === b;
    case 'ne': return a !== b;
    case 'lt': return a < b;
    case 'ge': return a >= b;
    case 'ltu': return (a & MASK64) < (b & MASK64);
    case 'geu': return (a & MASK64) >= (b & MASK64);
  }
}

export class TcgBuilder {
  private readonly ops: Op[] = [];
  private readonly temps: Temp[] = [];
  /** The temp of each guest register read or written so far (indexed by register number). */
  private readonly globals: (Temp | undefined)[] = [];
  private insnIndex = -1;
  private readonly insnPcs: number[] = [];
  private readonly insnLengths: number[] = [];
  private constZero: Temp | undefined;

  constructor(readonly pc: number) {}

  // ---- temporaries -------------------------------------------------------

  temp(type: TempType = 'i64'): Temp {
    const t = new Temp(this.temps.length, type, 'temp');
    this.temps.push(t);
    return t;
  }

  const64(value: bigint): Temp {
    const v = wrap64(value);
    if (v === 0n && this.constZero) return this.constZero;
    const t = new Temp(this.temps.length, 'i64', 'const', v);
    this.temps.push(t);
    if (v === 0n) this.constZero = t;
    return t;
  }

  /** Guest integer register `index` (x0 reads as the constant 0). */
  reg(index: number): Temp {
    if (index === 0) return this.const64(0n);
    let g = this.globals[index];
    if (!g) {
      g = new Temp(this.temps.length, 'i64', 'global', 0n, index);
      this.temps.push(g);
      this.globals[index] = g;
    }
    return g;
  }

  // ---- instruction boundaries -------------------------------------------

  insnStart(pc: number, length: number): void {
    this.insnIndex++;
    this.insnPcs.push(pc);
    this.insnLengths.push(length);
    this.emit({ opc: 'insn_start', args: [], pc, insnIndex: this.insnIndex });
  }

  get currentInsnIndex(): number {
    return this.insnIndex;
  }

  // ---- arithmetic ---------------------------------------------------------

  /** Write `src` to `dst` (a temp or a guest register; writes to x0 are dropped by the caller). */
  mov(dst: Temp, src: Temp): void {
    this.emit({ opc: 'mov', dst, args: [src], insnIndex: this.insnIndex });
  }

  /** Set guest register rd to `value` (no-op for x0). */
  setReg(rd: number, value: Temp): void {
    if (rd !== 0) this.mov(this.reg(rd), value);
  }

  binary(opc: BinaryOpcode, a: Temp, b: Temp): Temp {
    if (a.isConst && b.isConst) return this.const64(foldBinary(opc, a.value, b.value));
    const simplified = this.simplifyIdentity(opc, a, b);
    if (simplified) return simplified;
    const dst = this.temp();
    this.emit({ opc, dst, args: [a, b], insnIndex: this.insnIndex });
    return dst;
  }

  /** x + 0, x | 0, x ^ 0, x << 0 ... are x itself: no op needed. */
  private simplifyIdentity(opc: BinaryOpcode, a: Temp, b: Temp): Temp | undefined {
    const bZero = b.isConst && b.value === 0n;
    const aZero = a.isConst && a.value === 0n;
    switch (opc) {
      case 'add': case 'or': case 'xor':
        if (bZero) return this.materialize(a);
        if (aZero) return this.materialize(b);
        return undefined;
      case 'sub': case 'shl': case 'shr': case 'sar':
        return bZero ? this.materialize(a) : undefined;
      case 'and': case 'mul':
        return aZero || bZero ? this.const64(0n) : undefined;
      default:
        return undefined;
    }
  }

  add(a: Temp, b: Temp): Temp { return this.binary('add', a, b); }
  addi(a: Temp, imm: number | bigint): Temp { return this.binary('add', a, this.const64(BigInt(imm))); }
  sub(a: Temp, b: Temp): Temp { return this.binary('sub', a, b); }
  and(a: Temp, b: Temp): Temp { return this.binary('and', a, b); }
  or(a: Temp, b: Temp): Temp { return this.binary('or', a, b); }
  xor(a: Temp, b: Temp): Temp { return this.binary('xor', a, b); }
  shl(a: Temp, b: Temp): Temp { return this.binary('shl', a, b); }
  shr(a: Temp, b: Temp): Temp { return this.binary('shr', a, b); }
  sar(a: Temp, b: Temp): Temp { return this.binary('sar', a, b); }

  /**
   * A value that keeps its meaning when guest registers are written later:
   * globals are read in place, so a result that *is* a global is copied.
   */
  materialize(t: Temp): Temp {
    if (t.kind !== 'global') return t;
    const dst = this.temp();
    this.emit({ opc: 'mov', dst, args: [t], insnIndex: this.insnIndex });
    return dst;
  }

  ext32s(a: Temp): Temp { return this.unary('ext32s', a, (v) => BigInt.asIntN(32, v)); }
  ext32u(a: Temp): Temp { return this.unary('ext32u', a, (v) => BigInt.asUintN(32, v)); }
  clz(a: Temp): Temp { return this.unary('clz', a, (v) => foldCount('clz', v)); }
  ctz(a: Temp): Temp { return this.unary('ctz', a, (v) => foldCount('ctz', v)); }
  cpop(a: Temp): Temp { return this.unary('cpop', a, (v) => foldCount('cpop', v)); }

  private unary(opc: UnaryOpcode, a: Temp, fold: (v: bigint) => bigint): Temp {
    if (a.isConst) return this.const64(fold(a.value));
    const dst = this.temp();
    this.emit({ opc, dst, args: [a], insnIndex: this.insnIndex });
    return dst;
  }

  setcond(cond: Cond, a: Temp, b: Temp): Temp {
    if (a.isConst && b.isConst) return this.const64(evalCond(cond, a.value, b.value) ? 1n : 0n);
    const dst = this.temp();
    this.emit({ opc: 'setcond', dst, args: [a, b], cond, insnIndex: this.insnIndex });
    return dst;
  }

  // ---- memory -------------------------------------------------------------

  /** Load from guest virtual address base + offset. */
  qemuLd(base: Temp, offset: number, mem: MemOp): Temp {
    const dst = this.temp();
    this.emit({ opc: 'qemu_ld', dst, args: [base], offset, mem, insnIndex: this.insnIndex });
    return dst;
  }

  /** Store `value` to guest virtual address base + offset. */
  qemuSt(value: Temp, base: Temp, offset: number, mem: MemOp): void {
    this.emit({ opc: 'qemu_st', args: [value, base], offset, mem, insnIndex: this.insnIndex });
  }

  // ---- helpers and exits ----------------------------------------------------

  /**
   * Call helper `name` of the vCPU context with value args and constant args
   * (src/abi/helpers.ts: the helper's parameters are the values, the constants,
   * then pc and instruction index when `mayExit`). `mayExit` helpers may raise
   * a trap or ask the run loop to look at new state, ending the block.
   */
  call(name: HelperName, args: Temp[], consts: number[], opts: { result?: boolean; mayExit?: boolean; pure?: boolean } = {}): Temp | undefined {
    const dst = opts.result ? this.temp() : undefined;
    this.emit({
      opc: 'call', dst, args, consts, helper: name,
      mayExit: opts.mayExit ?? false, pure: opts.pure ?? false, insnIndex: this.insnIndex,
    });
    return dst;
  }

  /**
   * Raise execution-level event `eventId` when this code runs, with `args`
   * (temps become their run-time values). The vCPU's event sink receives it.
   */
  callEvent(eventId: number, args: EventArg[], cond?: EventCond): void {
    const temps = args.flatMap((a) => ('temp' in a ? [a.temp] : []));
    const op = { opc: 'call_event' as const, args: temps, eventId, eventArgs: args, insnIndex: this.insnIndex };
    this.emit(cond === undefined ? op : { ...op, cond });
  }

  /** Store `n` into counter `slot` of the running vCPU in scoreboard `board` (rows of `counters`), inline. */
  scoreboardStore(board: number, slot: number, counters: number, n: number): void {
    this.emit({ opc: 'scoreboard_add', args: [], board, slot, counters, n, store: true, insnIndex: this.insnIndex });
  }

  /** Add `n` to counter `slot` of the running vCPU in scoreboard `board` (rows of `counters`), inline. */
  scoreboardAdd(board: number, slot: number, counters: number, n: number): void {
    this.emit({ opc: 'scoreboard_add', args: [], board, slot, counters, n, insnIndex: this.insnIndex });
  }

  /** Leave the block and continue at the constant guest pc. */
  exit(pc: number): void {
    this.emit({ opc: 'exit', args: [], target: pc, insnIndex: this.insnIndex });
  }

  /** Leave the block for `pc` if `cond(a, b)` holds. */
  exitIf(cond: Cond, a: Temp, b: Temp, pc: number): void {
    this.emit({ opc: 'exit_if', args: [a, b], cond, target: pc, insnIndex: this.insnIndex });
  }

  /** Leave the block and continue at the computed address `target` (low bit already cleared). */
  exitIndirect(target: Temp): void {
    this.emit({ opc: 'exit_indirect', args: [target], insnIndex: this.insnIndex });
  }

  private emit(op: Op): void {
    for (const a of op.args) a.uses++;
    this.ops.push(op);
  }

  finish(): IrBlock {
    return { pc: this.pc, ops: this.ops, temps: this.temps, insnCount: this.insnIndex + 1, insnPcs: this.insnPcs, insnLengths: this.insnLengths };
  }
}
