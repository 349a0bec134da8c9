/**
 * Warms up the IR interpreter (src/tcg/interpreter.ts) before a guest runs.
 *
 * V8 optimizes `Interpreter.run` after a few thousand ops. Any path that has
 * not run by then has no type feedback, and the first time the guest takes
 * it V8 throws the optimized code away ("insufficient type feedback") and
 * runs the slow tiers until it has optimized again, tens of milliseconds
 * later. A boot meets a new op kind or access size every few milliseconds at
 * first, so that happened a dozen times per boot.
 *
 * So each vCPU thread first runs a set of IR blocks that together take every
 * path: every value op and exit, loads and stores of every size that hit and
 * miss the TLB, and an access fault. They run on a private vCPU (its own
 * state, 64 KiB of RAM, no devices) built from the same classes as the real
 * one, so the feedback V8 keeps is the feedback the guest will produce.
 */
import { TcgBuilder } from '../tcg/builder.js';
import { BinaryOpcode, Cond, IrBlock, MemOp, Temp } from '../tcg/ir.js';
import { encodeBlock, Interpreter } from '../tcg/interpreter.js';
import { createGuestMemoryBuffers, GuestMemory } from '../memory/guest-memory.js';
import { createStateBuffer, stateViews } from '../abi/state-layout.js';
import { VcpuContext } from './context.js';
import { AMO } from '../abi/ops.js';

const RAM_BASE = 0x8000_0000;
const RAM_BYTES = 64 * 1024;
/** Address of nothing at all: a load from it is an access fault. */
const UNMAPPED = 0x10;
/** Times the blocks run: V8 allocates a function's feedback vector only after it has run a while. */
const ROUNDS = 50;
const PC = RAM_BASE;

let primed = false;

/**
 * Prime the interpreter of this thread (once; later calls do nothing). Both
 * ways of 8-byte accesses run (InterpreterEnv.soleAccessor), so it does not
 * matter which the real vCPUs use.
 */
export function primeInterpreter(): void {
  if (primed) return;
  primed = true;
  const mem = new GuestMemory(createGuestMemoryBuffers(RAM_BASE, RAM_BYTES, 0x1000, 0x1000));
  const state = stateViews(createStateBuffer());
  const ctx = new VcpuContext(state, 0, mem, { read: () => undefined, write: () => false }, { mtime: () => 0n, mtimecmp: () => -1n, ticksPerMs: 10_000 });
  ctx.resetState(PC);
  const blocks = [valueBlock(), ...exitBlocks(), memoryBlock(), faultBlock(false), faultBlock(true), helperBlock(), wideConstantBlock()].map(encodeBlock);
  for (const soleAccessor of [false, true]) {
    const interpreter = new Interpreter({ c: ctx, w: state.i32, x: state.i64, f: state.f64, tlb: ctx.tlb, ram: mem, ev: [], sb: [], soleAccessor });
    for (let i = 0; i < ROUNDS; i++) for (const block of blocks) interpreter.run(block);
  }
}

/** A temporary holding `v` (a mov, so nothing folds it away). */
function wide(b: TcgBuilder, v: bigint): Temp {
  const t = b.temp();
  b.mov(t, b.const64(v));
  return t;
}

function start(): TcgBuilder {
  const b = new TcgBuilder(PC);
  b.insnStart(PC, 4);
  return b;
}

/** Every value op in register and immediate form, on values too wide for V8's small integers (as guest addresses are). */
function valueBlock(): IrBlock {
  const b = start();
  const A = -0x789abcdef0123457n;
  const a = wide(b, A);
  const c = wide(b, 0x1234_5678_9abc_def1n);
  const zero = wide(b, 0n);
  const binary: BinaryOpcode[] = ['add', 'sub', 'and', 'or', 'xor', 'shl', 'shr', 'sar', 'mul', 'mulsh', 'muluh', 'mulsuh', 'div', 'divu', 'rem', 'remu', 'clmul', 'clmulr'];
  for (const opc of binary) {
    b.binary(opc, a, c);
    b.binary(opc, a, b.const64(-0x1_0000_0005n));
    b.binary(opc, c, zero);
  }
  for (const shift of [0n, 5n, 33n]) for (const opc of ['shl', 'shr', 'sar'] as const) b.binary(opc, a, b.const64(shift));
  b.ext32s(a);
  b.ext32u(a);
  for (const v of [a, zero]) { b.clz(v); b.ctz(v); b.cpop(v); }
  for (const opc of ['add', 'sub', 'shl', 'shr'] as const) { // the 32-bit forms (W instructions)
    b.ext32s(b.binary(opc, a, c));
    b.ext32s(b.binary(opc, a, b.const64(5n)));
  }
  b.setReg(5, b.add(b.reg(6), a)); // a register written and read in place
  const conds: Cond[] = ['eq', 'ne', 'lt', 'ge', 'ltu', 'geu'];
  for (const cond of conds) {
    b.setcond(cond, a, c);
    b.setcond(cond, c, a);
    b.setcond(cond, a, b.const64(1n));
  }
  for (const cond of ['ne', 'lt', 'ltu'] as const) {
    b.exitIf(cond, a, a, PC); // not taken
    b.exitIf(cond, a, b.const64(A), PC); // not taken, register-immediate
  }
  b.exitIndirect(c);
  return b.finish();
}

/** An exit taken in register and immediate form, and the plain exit. */
function exitBlocks(): IrBlock[] {
  return (['register', 'immediate', 'none'] as const).map((form) => {
    const b = start();
    const a = wide(b, -0x789abcdef0123457n);
    if (form === 'register') b.exitIf('ne', a, wide(b, 7n), PC);
    else if (form === 'immediate') b.exitIf('ne', a, b.const64(1n), PC);
    b.exit(PC + 4);
    return b.finish();
  });
}

/** Loads of every size and sign, and stores of every size, into RAM (the first round misses the TLB). */
function memoryBlock(): IrBlock {
  const b = start();
  const base = wide(b, BigInt(RAM_BASE + 0x100));
  const value = wide(b, -0x0123_4567_89ab_cdefn);
  const sizes: MemOp['size'][] = [1, 2, 4, 8];
  for (const size of sizes) {
    b.qemuSt(value, base, 8 * size, { size, signed: false });
    b.qemuLd(base, 8 * size, { size, signed: true });
    b.qemuLd(base, -8, { size, signed: false });
  }
  b.exit(PC + 4);
  return b.finish();
}

/** Helper calls: an atomic add in RAM that goes on, and an illegal instruction that ends the block. */
function helperBlock(): IrBlock {
  const b = start();
  b.call('amo', [wide(b, BigInt(RAM_BASE + 0x200)), wide(b, 3n)], [AMO.add, 8, 6], { mayExit: true });
  b.call('raiseIllegal', [], [0], { mayExit: true });
  b.exit(PC + 4);
  return b.finish();
}

/**
 * A helper that returns a value, and one whose constants include one above 2^30 (an
 * instruction's bits, as most calls carry): a call op with a destination, and a constant array
 * of doubles rather than small integers. The encoder and the interpreter met those shapes for
 * the first time in the guest's code otherwise, and were compiled again.
 */
function wideConstantBlock(): IrBlock {
  const b = start();
  const bits = b.call('fregValue', [], [1], { result: true });
  if (bits !== undefined) b.setReg(5, bits);
  b.call('fenceI', [], [0x0000_100f | 0x8000_0000, 4], { mayExit: true });
  b.exit(PC + 4);
  return b.finish();
}

/** A load or store to nowhere: the access fault ends the block early. */
function faultBlock(store: boolean): IrBlock {
  const b = start();
  const nowhere = wide(b, BigInt(UNMAPPED));
  if (store) b.qemuSt(nowhere, nowhere, 0, { size: 4, signed: false });
  else b.qemuLd(nowhere, 0, { size: 4, signed: true });
  b.exit(PC + 4);
  return b.finish();
}
