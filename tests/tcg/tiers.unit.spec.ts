/**
 * The three tiers against each other: the IR interpreter, the JavaScript backend and the
 * WebAssembly backend (src/tcg/backend-wasm.ts) run the same guest code, translated once, from
 * the same state on real vCPU contexts, and must leave the same registers, memory, next pc,
 * retired-instruction count and trap CSRs. Programs are random (seeded) RV64IMA sequences:
 * ALU ops in every form, multiply (all four high/low forms) and divide with the interesting
 * operands (0, -1, the most negative value), loads and stores of every size (some misaligned,
 * some outside RAM: faults through the slow path), AMOs and LR/SC (helper calls that write a
 * register mid-block), ending in a branch, an indirect jump, or a CSR access (a helper that ends
 * the block). Blocks that loop on themselves run up to 256 iterations per call on both compiled
 * tiers. The WebAssembly vCPU's state lives after RAM in a shared WebAssembly.Memory, as in a
 * machine.
 */
import { expect } from 'chai';
import { createGuestMemoryBuffers, GuestMemory } from '../../src/memory/guest-memory.js';
import { VcpuContext } from '../../src/vcpu/context.js';
import { createStateBuffer, CsrSlot, SLOT_INSTRET, STATE_AREA_BYTES, stateViews } from '../../src/abi/state-layout.js';
import * as layout from '../../src/abi/state-layout.js';
import { BlockCache, CachedBlock, eventDense, Tier, WASM_BATCH_WAIT } from '../../src/vcpu/block-cache.js';
import { BLOCK_EXIT } from '../../src/vcpu/load-store.js';
import { batchRegions, compileWasmBatch, linkableExits, wasmSelfContained } from '../../src/tcg/backend-wasm.js';
import { Translator } from '../../src/vcpu/translator.js';
import { translateBlock, type BlockTranslatorHooks } from '../../src/target/riscv/block-translator.js';
import { optimize } from '../../src/tcg/optimize.js';
import type { EventSink } from '../../src/abi/helpers.js';
import { foldBinary, foldCount, TcgBuilder } from '../../src/tcg/builder.js';
import { type BinaryOpcode, type EventOp, eventResumePoint, type IrBlock } from '../../src/tcg/ir.js';
import { FunctionBody, sleb, uleb, ValType } from '../../src/tcg/wasm-encoder.js';

const RAM = 0x80000000;
const RAM_BYTES = 0x10000;
const PC = RAM + 0x1000;
const DATA = RAM + 0x8000;
const MTVEC = RAM + 0x400;
/** x20 points at the data window; random code never writes it. */
const BASE_REG = 20;
/** x21 counts a looping block's iterations down; random code never writes it. */
const COUNT_REG = 21;

/** xorshift32: the same programs on every run. */
function prng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    return s;
  };
}

const r = (f7: number, rs2: number, rs1: number, f3: number, rd: number, op: number): number =>
  ((f7 << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | op) >>> 0;
const i = (imm: number, rs1: number, f3: number, rd: number, op: number): number =>
  (((imm & 0xfff) << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | op) >>> 0;
const s = (imm: number, rs2: number, rs1: number, f3: number): number =>
  ((((imm >> 5) & 0x7f) << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | ((imm & 0x1f) << 7) | 0x23) >>> 0;
const b = (offset: number, rs2: number, rs1: number, f3: number): number =>
  ((((offset >> 12) & 1) << 31) | (((offset >> 5) & 0x3f) << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) |
    (((offset >> 1) & 0xf) << 8) | (((offset >> 11) & 1) << 7) | 0x63) >>> 0;

/** Zba/Zbb/Zbc/Zbs register forms: [funct7, funct3, opcode]. */
const ZB_RR: readonly (readonly [number, number, number])[] = [
  [0x04, 0, 0x3b], [0x10, 2, 0x33], [0x10, 4, 0x33], [0x10, 6, 0x33], [0x10, 2, 0x3b], [0x10, 4, 0x3b], [0x10, 6, 0x3b],
  [0x20, 7, 0x33], [0x20, 6, 0x33], [0x20, 4, 0x33], [0x05, 6, 0x33], [0x05, 7, 0x33], [0x05, 4, 0x33], [0x05, 5, 0x33],
  [0x30, 1, 0x33], [0x30, 5, 0x33], [0x30, 1, 0x3b], [0x30, 5, 0x3b], [0x05, 1, 0x33], [0x05, 3, 0x33], [0x05, 2, 0x33],
  [0x24, 1, 0x33], [0x24, 5, 0x33], [0x34, 1, 0x33], [0x14, 1, 0x33],
];
/** Zbb one-operand forms (clz ctz cpop sext.b sext.h, the W counts, orc.b, rev8, zext.h): [imm12, funct3, opcode]. */
const ZB_R1: readonly (readonly [number, number, number])[] = [
  [0x600, 1, 0x13], [0x601, 1, 0x13], [0x602, 1, 0x13], [0x604, 1, 0x13], [0x605, 1, 0x13],
  [0x600, 1, 0x1b], [0x601, 1, 0x1b], [0x602, 1, 0x1b], [0x287, 5, 0x13], [0x6b8, 5, 0x13], [0x080, 4, 0x3b],
];
/** Immediate shifts (rori roriw slli.uw bclri bexti binvi bseti): [imm12 base, shamt bits, funct3, opcode]. */
const ZB_SHIFT: readonly (readonly [number, number, number, number])[] = [
  [0x600, 64, 5, 0x13], [0x600, 32, 5, 0x1b], [0x080, 64, 1, 0x1b], [0x480, 64, 1, 0x13], [0x480, 64, 5, 0x13],
  [0x680, 64, 1, 0x13], [0x280, 64, 1, 0x13],
];

/** One random Zba/Zbb/Zbc/Zbs instruction. */
function randomZbInsn(next: () => number, reg: () => number): number {
  switch (next() % 3) {
    case 0: { const [f7, f3, op] = ZB_RR[next() % ZB_RR.length]; return r(f7, reg(), reg(), f3, reg(), op); }
    case 1: { const [imm, f3, op] = ZB_R1[next() % ZB_R1.length]; return i(imm, reg(), f3, reg(), op); }
    default: { const [base, n, f3, op] = ZB_SHIFT[next() % ZB_SHIFT.length]; return i(base | (next() % n), reg(), f3, reg(), op); }
  }
}

/** One random instruction that does not branch. */
function randomInsn(next: () => number): number {
  const reg = (): number => 1 + (next() % 15);
  const imm12 = (): number => (next() % 4096) - 2048;
  switch (next() % 12) {
    case 10: case 11: return randomZbInsn(next, reg);
    case 0: { // OP: add sub sll slt sltu xor srl sra or and
      const f3 = next() % 8;
      const f7 = f3 === 0 || f3 === 5 ? (next() % 2) * 0x20 : 0;
      return r(f7, reg(), reg(), f3, reg(), 0x33);
    }
    case 1: return r(1, reg(), reg(), next() % 8, reg(), 0x33); // mul mulh mulhsu mulhu div divu rem remu
    case 2: { // OP-32: addw subw sllw srlw sraw mulw divw divuw remw remuw
      const pick = [[0, 0], [0x20, 0], [0, 1], [0, 5], [0x20, 5], [1, 0], [1, 4], [1, 5], [1, 6], [1, 7]][next() % 10];
      return r(pick[0], reg(), reg(), pick[1], reg(), 0x3b);
    }
    case 3: { // OP-IMM: addi slti sltiu xori ori andi slli srli srai
      const f3 = next() % 8;
      if (f3 === 1) return i(next() % 64, reg(), 1, reg(), 0x13);
      if (f3 === 5) return i((next() % 64) | ((next() % 2) << 10), reg(), 5, reg(), 0x13);
      return i(imm12(), reg(), f3, reg(), 0x13);
    }
    case 4: { // OP-IMM-32: addiw slliw srliw sraiw
      const f3 = [0, 1, 5][next() % 3];
      if (f3 === 0) return i(imm12(), reg(), 0, reg(), 0x1b);
      return i((next() % 32) | (f3 === 5 ? (next() % 2) << 10 : 0), reg(), f3, reg(), 0x1b);
    }
    case 5: return ((next() & 0xfffff) << 12 | (reg() << 7) | 0x37) >>> 0; // lui
    case 6: { // AMOs and LR/SC on the data window (x20 + 0: aligned for both sizes)
      const funct5 = [0b00000, 0b00001, 0b00100, 0b01100, 0b01000, 0b10000, 0b10100, 0b11000, 0b11100, 0b00010, 0b00011][next() % 11];
      return r(funct5 << 2, funct5 === 0b00010 ? 0 : reg(), BASE_REG, 2 + (next() % 2), reg(), 0x2f);
    }
    case 7: { // loads around the data window: lb lh lw ld lbu lhu lwu (mostly aligned)
      const f3 = next() % 7;
      const size = 1 << (f3 & 3);
      const offset = ((next() % 64) - 32) * 8 + (next() % 8 === 0 ? 1 : 0) * (size > 1 ? 1 : 0);
      return i(offset, next() % 10 === 0 ? reg() : BASE_REG, f3, reg(), 0x03); // a random base may fault
    }
    default: { // stores: sb sh sw sd
      const f3 = next() % 4;
      const offset = ((next() % 64) - 32) * 8 + (next() % 8 === 0 ? 1 : 0) * (f3 > 0 ? 1 : 0);
      return s(offset, reg(), BASE_REG, f3);
    }
  }
}

/** A block of `n` instructions, ending in a branch (either way), an indirect jump or a CSR access. */
function randomProgram(next: () => number, n: number): number[] {
  const words = Array.from({ length: n }, () => randomInsn(next));
  switch (next() % 5) {
    case 0: words.push(i(0, 1 + (next() % 15), 0, 0, 0x67)); break; // jalr x0, 0(rs1)
    case 1: words.push(i(0x340, 1 + (next() % 15), 1 + (next() % 3), 1 + (next() % 15), 0x73)); break; // csrrw/s/c rd, mscratch, rs1
    default: words.push(b(64, 1 + (next() % 15), 1 + (next() % 15), [0, 1, 4, 5, 6, 7][next() % 6]));
  }
  return words;
}

/** A block that loops on itself: random code, then `addi x21, x21, -1; bne x21, x0, start`. */
function loopingProgram(next: () => number, n: number): number[] {
  const words = Array.from({ length: n }, () => randomInsn(next)).filter((w) => (w & 0x7f) !== 0x03 || ((w >> 15) & 31) === BASE_REG);
  words.push(i(-1, COUNT_REG, 0, COUNT_REG, 0x13));
  words.push(b(-4 * words.length, 0, COUNT_REG, 1));
  return words;
}

/** One WebAssembly memory for every wasm rig (a memory reserves much address space): RAM, then one state area. */
const wasmBuffers = createGuestMemoryBuffers(RAM, RAM_BYTES, 0x1000, 0x1000, { count: 1, bytes: STATE_AREA_BYTES, arenaBytes: 0x1000 });

interface Rig {
  ctx: VcpuContext;
  mem: GuestMemory;
  cache: BlockCache;
}

/** Instrumentation for `rig`: blocks come from a translator with these hooks, as from the translator service. */
interface Instrumented {
  hooks: BlockTranslatorHooks;
  events: EventSink;
  boards: BigInt64Array[];
}

/** A vCPU in M-mode whose blocks go to `tier` at once (or after `hot` interpreted runs, in batches). */
function rig(program: number[], registers: bigint[], tier: Tier, instrumented?: Instrumented, hot = tier === 'interp' ? 1 : 0): Rig {
  const wasm = tier === 'wasm';
  const buffers = wasm ? wasmBuffers : createGuestMemoryBuffers(RAM, RAM_BYTES, 0x1000, 0x1000);
  new Uint8Array(buffers.ram).fill(0);
  const mem = new GuestMemory(buffers);
  program.forEach((w, k) => { mem.m32[(PC - RAM) / 4 + k] = w | 0; });
  for (let k = 0; k < 0x800; k++) mem.m32[(DATA - RAM - 0x400) / 4 + k] = Math.imul(k + 1, 0x9e3779b1);
  const state = stateViews(wasm ? { buffer: buffers.ram, byteOffset: buffers.stateAreasOffset } : createStateBuffer());
  const ctx = new VcpuContext(state, 0, mem, { read: () => undefined, write: () => false }, { mtime: () => 0n, mtimecmp: () => -1n, ticksPerMs: 10_000 });
  ctx.resetState(PC);
  ctx.setCsr(CsrSlot.mtvec, BigInt(MTVEC));
  ctx.setCsr(CsrSlot.mscratch, 0x1234_5678_9abcn);
  registers.forEach((v, k) => { if (k > 0) ctx.state.i64[k] = v; });
  ctx.state.i64[BASE_REG] = BigInt(DATA);
  const translator = instrumented && new Translator(mem, undefined, () => instrumented.hooks, 0, true);
  const source = translator === undefined
    ? { fetch: (): never => { throw new Error('no translator service here'); }, mayTranslateHere: () => true }
    : {
      fetch: (pc: number, pa: number, pa2: number, priv: number) => translator.translate(pc, pa, pa2, 0, priv),
      refetch: (pc: number, pa: number, pa2: number) => translator.cachedTranslation(pc, pa, pa2),
      mayTranslateHere: () => false,
    };
  const cache = new BlockCache(ctx, mem, source, instrumented?.events ?? [], instrumented?.boards ?? [], hot, false, tier);
  return { ctx, mem, cache };
}

function runOnce(rig: Rig): number {
  const block = rig.cache.lookup(PC) as CachedBlock;
  try {
    return block.fn();
  } catch (e) {
    if (e !== BLOCK_EXIT) throw e;
    return rig.ctx.resumePc;
  }
}

function snapshot(rig: Rig, next: number): unknown {
  const { ctx, mem } = rig;
  return {
    next,
    x: Array.from(ctx.state.i64.subarray(0, 32)),
    instret: ctx.state.f64[SLOT_INSTRET],
    mcause: ctx.csr(CsrSlot.mcause), mtval: ctx.csr(CsrSlot.mtval), mepc: ctx.csr(CsrSlot.mepc), mscratch: ctx.csr(CsrSlot.mscratch),
    data: Array.from(mem.m32.subarray((DATA - RAM - 0x400) / 4, (DATA - RAM + 0x400) / 4)),
  };
}

function randomRegisters(next: () => number): bigint[] {
  const interesting = [0n, 1n, -1n, 0x7fffffffn, -0x80000000n, 0xffffffffn, -(1n << 63n), (1n << 63n) - 1n];
  return Array.from({ length: 32 }, () =>
    next() % 3 === 0 ? interesting[next() % interesting.length] : BigInt.asIntN(64, (BigInt(next()) << 32n) | BigInt(next())));
}

const hex = (program: number[]): string => program.map((w) => w.toString(16)).join(' ');

describe('tcg tiers: interpreter, JavaScript and WebAssembly give the same results', function () {
  it('on 500 random RV64IMA + Zba/Zbb/Zbc/Zbs blocks, each tier from the same state', function () {
    const next = prng(0xc0ffee);
    let wasmBlocks = 0;
    for (let n = 0; n < 500; n++) {
      const program = randomProgram(next, 1 + (next() % 24));
      const registers = randomRegisters(next);
      const results = (['interp', 'js', 'wasm'] as const).map((tier) => {
        const one = rig(program, registers, tier);
        const result = snapshot(one, runOnce(one));
        if (tier === 'wasm') wasmBlocks += one.cache.wasm?.blocks ?? 0;
        return result;
      });
      expect(results[1], `JS, program ${hex(program)}`).to.deep.equal(results[0]);
      expect(results[2], `wasm, program ${hex(program)}`).to.deep.equal(results[0]);
    }
    expect(wasmBlocks).to.equal(500); // every one of them ran as WebAssembly
  });

  it('on 100 random blocks that loop on themselves (up to 256 iterations per call on both compiled tiers)', function () {
    const next = prng(0x5eed);
    for (let n = 0; n < 100; n++) {
      const program = loopingProgram(next, 1 + (next() % 12));
      const registers = randomRegisters(next);
      registers[COUNT_REG] = BigInt(1 + (next() % 400));
      const [js, wasm] = (['js', 'wasm'] as const).map((tier) => {
        const one = rig(program, registers, tier);
        return snapshot(one, runOnce(one));
      });
      expect(wasm, `program ${hex(program)}`).to.deep.equal(js);
    }
  });

  it('runs a block in the interpreter until it is hot, then in a WebAssembly batch with the other hot blocks', function () {
    const program = [i(1, 5, 0, 5, 0x13), i(0, 1, 0, 0, 0x67)]; // addi x5, x5, 1; jr x1
    const one = rig(program, Array.from({ length: 32 }, () => 0n), 'wasm');
    const cache = new BlockCache(one.ctx, one.mem, { fetch: (): never => { throw new Error('none'); }, mayTranslateHere: () => true }, [], [], 3, false, 'wasm');
    one.ctx.state.i64[1] = BigInt(PC);
    one.ctx.state.i64[5] = 0n;
    const fns = new Set<unknown>();
    for (let k = 0; k < 3 + 200 + 2; k++) {
      const block = cache.lookup(PC) as CachedBlock;
      fns.add(block.fn);
      expect(cache.run(block)).to.equal(PC);
    }
    expect(one.ctx.state.i64[5]).to.equal(205n);
    expect(cache.wasm?.blocks).to.equal(1); // a lone hot block is compiled when its batch wait is over
    expect(fns.size).to.equal(2); // the interpreter's function, then the WebAssembly export
  });

  it('computes every binary op as the builder folds constants, on the edge values (MIN / -1, x / 0, high words)', function () {
    const ops: BinaryOpcode[] = ['add', 'sub', 'and', 'or', 'xor', 'shl', 'shr', 'sar', 'mul', 'mulsh', 'muluh', 'mulsuh', 'div', 'divu', 'rem', 'remu', 'clmul', 'clmulr'];
    const values = [0n, 1n, -1n, 2n, -2n, 63n, 64n, 0x7fffffffn, -0x80000000n, 0xffffffffn, 0x1_0000_0000n, -(1n << 63n), (1n << 63n) - 1n, 0x123456789abcdef0n, -0x0fedcba987654321n];
    const one = rig([], [], 'wasm');
    const irs = ops.map((opc) => {
      const t = new TcgBuilder(PC);
      t.insnStart(PC, 4);
      t.setReg(5, t.binary(opc, t.reg(6), t.reg(7)));
      t.exit(PC + 4);
      return t.finish();
    });
    const fns = (one.cache.wasm as NonNullable<typeof one.cache.wasm>).compile(irs);
    const x = one.ctx.state.i64;
    ops.forEach((opc, k) => {
      for (const a of values) {
        for (const v of values) {
          x[6] = a;
          x[7] = v;
          expect(fns[k]()).to.equal(PC + 4);
          expect(x[5], `${opc} ${a} ${v}`).to.equal(foldBinary(opc, a, v));
        }
      }
    });
  });

  it('on 300 random blocks instrumented as a library would: the same events, arguments and scoreboard counts on every tier', function () {
    const next = prng(0xfeed);
    // the vCPU's state, once its rig is made: each event also records where the vCPU would go on if its callback never returned
    let state: Float64Array | undefined;
    const instrumented = (tier: Tier): Instrumented & { log: string[] } => {
      const log: string[] = [];
      const record = (name: string) => (...args: unknown[]): void => {
        const at = state === undefined ? '' : ` at 0x${state[layout.SLOT_EVENT_PC].toString(16)}, ${state[layout.SLOT_EVENT_RETIRED]} retired`;
        log.push(`${name}(${args.map((a) => `${typeof a}:${String(a)}`).join(',')})${at}`);
      };
      // board 0 in the WebAssembly memory's counter arena (added to inline), board 1 in a buffer of its own (an import)
      const arena = new BigInt64Array(wasmBuffers.ram, wasmBuffers.arenaOffset, 4);
      arena.fill(0n);
      const boards = [tier === 'wasm' ? arena : new BigInt64Array(4), new BigInt64Array(new SharedArrayBuffer(8 * 6))];
      const hooks: BlockTranslatorHooks = {
        blockStart: (b, pc) => b.callEvent(0, [{ literal: 'tb' }, { literal: BigInt(pc) }]),
        beforeInsn: (b, pc, length) => {
          b.scoreboardAdd(0, 1, 4, 1);
          if (pc % 64 === 0) b.callEvent(1, [{ literal: pc }, { temp: b.reg(5) }, { literal: length }, { temp: b.reg(6) }]);
          // inline stores (board 0: in the arena on WebAssembly; board 1: an import) and conditional
          // events on the instruction counter (every comparison, unsigned: -1 is the largest value)
          if (pc % 48 === 16) b.scoreboardStore(pc % 96 === 16 ? 0 : 1, 3, pc % 96 === 16 ? 4 : 6, -1 - (pc % 5));
          if (pc % 64 === 40) {
            const conds = ['eq', 'ne', 'lt', 'le', 'gt', 'ge'] as const;
            b.callEvent(4, [{ literal: pc }, { temp: b.reg(7) }], { board: 0, slot: 1, counters: 4, cond: conds[(pc >>> 2) % 6], value: (pc >>> 3) % 9 });
          }
        },
        beforeMemAccess: (b, pc, base, offset, info) => {
          b.scoreboardAdd(1, 2, 6, 3);
          if ((info & 16) !== 0 && pc % 8 === 0) b.callEvent(2, [{ temp: base }, { literal: offset }, { literal: info }]); // some stores
        },
        // the value of one access in sixteen once it is done (guest_mem_after: loads, stores, LR, AMOs), as
        // src/instr/translation-hooks.ts asks for it: the address kept across the access, the value masked to its size
        memValueAddress: (b, pc, base, offset) => (pc % 64 === 4 ? b.materialize(b.addi(base, offset)) : undefined),
        afterMemAccess: (b, _pc, vaddr, info, value) => {
          const bits = 8 << (info & 3);
          const v = bits === 64 ? b.materialize(value) : b.and(value, b.const64((1n << BigInt(bits)) - 1n));
          b.callEvent(3, [{ temp: vaddr }, { literal: info }, { temp: v }]);
        },
      };
      return { hooks, events: [record('tb'), record('insn'), record('mem'), record('memv'), record('cond')], boards, log };
    };
    let wasmBlocks = 0;
    let sparse = 0;
    let memValues = 0;
    let condEvents = 0;
    for (let n = 0; n < 300; n++) {
      const program = randomProgram(next, 4 + (next() % 16));
      const registers = randomRegisters(next);
      const results = (['interp', 'js', 'wasm'] as const).map((tier) => {
        const lib = instrumented(tier);
        const one = rig(program, registers, tier, lib);
        state = one.ctx.state.f64;
        const result = snapshot(one, runOnce(one));
        expect(state[layout.SLOT_EVENT_PC], 'no event in progress after the block').to.equal(-1);
        state = undefined;
        if (tier === 'wasm') {
          wasmBlocks += one.cache.wasm?.blocks ?? 0;
          const ir = translateBlock(one.mem, { pc: PC, pa: PC, pa2: -1 }, lib.hooks).ir;
          optimize(ir);
          if (!eventDense(ir)) sparse++;
        }
        return { state: result, events: lib.log, counts: lib.boards.map((b) => Array.from(b)) };
      });
      expect(results[0].events.length).to.be.greaterThan(0);
      // an instruction's event resumes at that instruction, the instructions before it retired
      for (const e of results[0].events.filter((x) => x.startsWith('insn('))) {
        const m = /^insn\(number:(\d+),.* at 0x([0-9a-f]+), (\d+) retired$/.exec(e);
        expect(m, e).to.not.equal(null);
        const [pc, at, retired] = [Number((m as RegExpExecArray)[1]), parseInt((m as RegExpExecArray)[2], 16), Number((m as RegExpExecArray)[3])];
        expect(at, e).to.equal(pc);
        expect(retired, e).to.equal((pc - PC) / 4);
      }
      memValues += results[0].events.filter((e) => e.startsWith('memv(')).length;
      condEvents += results[0].events.filter((e) => e.startsWith('cond(')).length;
      expect(results[1], `JS, program ${hex(program)}`).to.deep.equal(results[0]);
      expect(results[2], `wasm, program ${hex(program)}`).to.deep.equal(results[0]);
    }
    // instrumented blocks stay on the WebAssembly tier, unless more than every other instruction raises an event
    expect(wasmBlocks).to.equal(sparse);
    expect(sparse).to.be.greaterThan(250);
    expect(memValues, 'guest_mem_after events').to.be.greaterThan(20);
    expect(condEvents, 'conditional events that ran').to.be.greaterThan(20);
  });

  it('resumes after an AMO\'s value event (the helper did the whole instruction), at the instruction for every other event', function () {
    const t = new TcgBuilder(PC);
    t.insnStart(PC, 4);
    t.callEvent(0, [{ literal: 'before' }]);
    t.insnStart(PC + 4, 4);
    t.call('amo', [t.reg(5), t.reg(6)], [0, 8, 7], { mayExit: true });
    t.callEvent(0, [{ literal: 'after the AMO' }]);
    t.insnStart(PC + 8, 2);
    t.callEvent(0, [{ literal: 'before a compressed one' }]);
    t.exit(PC + 10);
    const ir = t.finish();
    const events = ir.ops.filter((op): op is EventOp => op.opc === 'call_event');
    expect(events.map((e) => eventResumePoint(ir, e))).to.deep.equal([{ pc: PC, retired: 0 }, { pc: PC + 8, retired: 2 }, { pc: PC + 8, retired: 2 }]);
  });

  it('a new worker taking a hart over goes on where its event said, counting the instructions before it', function () {
    const one = rig([i(0, 0, 0, 0, 0x13)], Array.from({ length: 32 }, () => 0n), 'js');
    const f = one.ctx.state.f64;
    f[layout.SLOT_INSTRET] = 10;
    f[layout.SLOT_EVENT_PC] = PC + 8;
    f[layout.SLOT_EVENT_RETIRED] = 2;
    one.ctx.resumeFromState();
    expect([one.ctx.pc, f[layout.SLOT_INSTRET], f[layout.SLOT_EVENT_PC]]).to.deep.equal([PC + 8, 12, -1]);
    one.ctx.pc = PC + 4;
    one.ctx.resumeFromState(); // no event was running: the pc stays
    expect([one.ctx.pc, f[layout.SLOT_INSTRET]]).to.deep.equal([PC + 4, 12]);
  });

  it('counts bits (clz, ctz, cpop) in WebAssembly as the builder folds constants', function () {
    const ops = ['clz', 'ctz', 'cpop'] as const;
    const values = [0n, 1n, -1n, 0x80000000n, 0x1_0000_0000n, -(1n << 63n), (1n << 63n) - 1n, 0x00f0_0000_0000_0f00n, -0x0fedcba987654321n];
    const one = rig([], [], 'wasm');
    const irs = ops.map((opc) => {
      const t = new TcgBuilder(PC);
      t.insnStart(PC, 4);
      t.setReg(5, t[opc](t.reg(6)));
      t.exit(PC + 4);
      return t.finish();
    });
    const fns = (one.cache.wasm as NonNullable<typeof one.cache.wasm>).compile(irs);
    const x = one.ctx.state.i64;
    ops.forEach((opc, k) => {
      for (const a of values) {
        x[6] = a;
        expect(fns[k]()).to.equal(PC + 4);
        expect(x[5], `${opc} ${a}`).to.equal(foldCount(opc, a));
      }
    });
    expect(foldCount('clz', 0n)).to.equal(64n);
    expect(foldCount('ctz', 0x1_0000_0000n)).to.equal(32n);
    expect(foldCount('cpop', -1n)).to.equal(64n);
  });

  it('tells which blocks the translator service may send as bytes: not those with events or scoreboard adds (bound per vCPU)', function () {
    const t = new TcgBuilder(PC);
    t.insnStart(PC, 4);
    t.scoreboardAdd(0, 1, 2, 3);
    t.exit(PC + 4);
    expect(wasmSelfContained(t.finish())).to.equal(false);
    const u = new TcgBuilder(PC);
    u.insnStart(PC, 4);
    u.callEvent(0, [{ literal: 1 }]);
    u.exit(PC + 4);
    expect(wasmSelfContained(u.finish())).to.equal(false);
    const v = new TcgBuilder(PC);
    v.insnStart(PC, 4);
    v.exit(PC + 4);
    expect(wasmSelfContained(v.finish())).to.equal(true);
  });

  it('prints a batch as text: one function per block, named by its guest pc', function () {
    const t = new TcgBuilder(PC);
    t.insnStart(PC, 4);
    t.setReg(5, t.add(t.reg(6), t.const64(7n)));
    t.exit(PC + 4);
    const batch = compileWasmBatch([t.finish()], 1, true);
    expect(WebAssembly.validate(batch.bytes)).to.equal(true);
    expect(batch.exports).to.deep.equal(['b0']);
    const text = batch.text.join('\n');
    expect(text).to.contain(`(func $b0 (export "b0") (result f64) ;; guest pc 0x${PC.toString(16)}`);
    expect(text).to.contain('i64.add');
    expect(text).to.contain(`f64.const ${PC + 4}`);
  });
});

/**
 * Direct links between WebAssembly blocks (backend-wasm.ts, BlockCache.linksOf): blocks that go
 * straight to one another run the same code with the same results as blocks that return to the
 * run loop each time, and stop linking when the run loop's budget is spent, when an exit is
 * requested, or when the target is on another page.
 */
describe('tcg/wasm links: blocks that go straight to one another', function () {
  const ITERATIONS = 1000;
  /** A two-block loop, A at `aAt` bytes from PC: A (x5 += 1, then on to B), B (x6 += 2, count x21 down, back to A, else jr x1). */
  function twoBlockLoop(aAt: number): { program: number[]; exit: number } {
    const words: number[] = [];
    const put = (offset: number, w: number): void => {
      while (words.length < offset / 4) words.push(0);
      words[offset / 4] = w;
    };
    const a = aAt;
    const bAt = a + 8;
    put(a, i(1, 5, 0, 5, 0x13)); // addi x5, x5, 1
    put(a + 4, b(bAt - (a + 4), 0, 5, 1)); // bne x5, x0, B (x5 is never 0 here)
    put(bAt, i(2, 6, 0, 6, 0x13)); // addi x6, x6, 2
    put(bAt + 4, i(-1, COUNT_REG, 0, COUNT_REG, 0x13)); // addi x21, x21, -1
    put(bAt + 8, b(a - (bAt + 8), 0, COUNT_REG, 1)); // bne x21, x0, A
    put(bAt + 12, i(0, 1, 0, 0, 0x67)); // jr x1
    return { program: words, exit: PC + 0x8000 };
  }

  /** Run from `start` to `stop` as the run loop does (the budget counted down per call, refilled when spent); the calls it took. */
  function drive(one: Rig, start: number, stop: number, budget: number, exitRequest = 0): number {
    const w = one.ctx.state.i32;
    let pc = start;
    let calls = 0;
    w[layout.WORD_EXIT_REQUEST] = exitRequest;
    w[layout.WORD_CHAIN_BUDGET] = budget;
    while (pc !== stop) {
      if (--w[layout.WORD_CHAIN_BUDGET] <= 0) w[layout.WORD_CHAIN_BUDGET] = budget;
      pc = one.cache.run(one.cache.lookup(pc) as CachedBlock);
      if (++calls > 10 * ITERATIONS) throw new Error(`no way out of the loop (pc 0x${pc.toString(16)})`);
    }
    return calls;
  }

  function run(aAt: number, tier: Tier, budget: number, exitRequest = 0, hot?: number): { calls: number; state: unknown } {
    const { program, exit } = twoBlockLoop(aAt);
    const registers = Array.from({ length: 32 }, () => 0n);
    registers[1] = BigInt(exit);
    registers[COUNT_REG] = BigInt(ITERATIONS);
    const one = rig(program, registers, tier, undefined, hot);
    const calls = drive(one, PC + aAt, exit, budget, exitRequest);
    return { calls, state: snapshot(one, exit) };
  }

  it('a loop of two blocks runs in a few calls, with the registers and retired count of one call per block', function () {
    const js = run(0, 'js', 2048);
    const wasm = run(0, 'wasm', 2048);
    expect(js.calls).to.equal(2 * ITERATIONS); // B ends in the jr
    expect(wasm.state).to.deep.equal(js.state);
    expect(wasm.calls).to.be.below(10); // the first trips find B not compiled yet; then A and B go straight to each other
  });

  it('stops at the run loop\'s budget, so the timers are looked at as often as without links', function () {
    const wasm = run(0, 'wasm', 100);
    expect(wasm.state).to.deep.equal(run(0, 'js', 100).state);
    // 2000 blocks, at most 100 per call once linked (the call's own and 99 links)
    expect(wasm.calls).to.be.within((2 * ITERATIONS) / 100, 30);
    expect(run(0, 'wasm', 1).calls).to.equal(2 * ITERATIONS); // a budget of 1: never a link
  });

  it('does not link while an exit is requested', function () {
    expect(run(0, 'wasm', 2048, 1).calls).to.equal(2 * ITERATIONS);
  });

  // hot after 2 runs each: A and B wait in the same batch (WASM_BATCH_WAIT more runs), which makes them one region
  it('a loop of two blocks compiled in one batch runs as one function (a region), with the same registers and retired count', function () {
    const js = run(0, 'js', 2048);
    const region = run(0, 'wasm', 2048, 0, 2);
    expect(region.state).to.deep.equal(js.state);
    // interpreted until the batch is compiled (2 calls an iteration for ~200 iterations), then the region to the end
    expect(region.calls).to.be.below(2 * (WASM_BATCH_WAIT + 10));
    expect(region.calls).to.be.above(2 * WASM_BATCH_WAIT - 10);
  });

  it('a region stops at the run loop\'s budget and while an exit is requested, as links between functions do', function () {
    const js = run(0, 'js', 100);
    const region = run(0, 'wasm', 100, 0, 2);
    expect(region.state).to.deep.equal(js.state);
    const compiledIterations = ITERATIONS - WASM_BATCH_WAIT;
    expect(region.calls).to.be.within(2 * WASM_BATCH_WAIT + (2 * compiledIterations) / 100 - 10, 2 * WASM_BATCH_WAIT + 60);
    expect(run(0, 'wasm', 2048, 1, 2).calls).to.equal(2 * ITERATIONS);
  });

  it('finds the regions of a batch: blocks that link within it, in either direction, two or more', function () {
    const blockAt = (pc: number, to: number): IrBlock => {
      const t = new TcgBuilder(pc);
      t.insnStart(pc, 4);
      t.setReg(5, t.add(t.reg(5), t.const64(1n)));
      t.exit(to);
      return t.finish();
    };
    // 0 -> 1 -> 0 (a loop), 2 -> 3 -> out of the batch, 4 loops on itself (alone), 5 -> 0 (joins the loop's region)
    const pcs = [0x100, 0x200, 0x300, 0x400, 0x500, 0x600].map((o) => PC + o);
    const OUT = -1;
    const to = [1, 0, 3, OUT, 4, 0];
    const blocks = pcs.map((pc, k) => blockAt(pc, to[k] === OUT ? PC + 0x700 : pcs[to[k]]));
    const links = to.map((t, k) => (t === k || t === OUT ? [] : [{ pc: pcs[t], block: t }]));
    expect(batchRegions(blocks, links)).to.deep.equal([[0, 1, 5], [2, 3]]);
    const batch = compileWasmBatch(blocks, 1, true, undefined, undefined, links);
    expect(WebAssembly.validate(batch.bytes)).to.equal(true);
    const text = batch.text.join('\n');
    expect(text).to.contain(`(func $r0 (param $next i32) (result f64) ;; region of guest pcs 0x${pcs[0].toString(16)} 0x${pcs[1].toString(16)} 0x${pcs[5].toString(16)}`);
    expect(text).to.contain('br_table $m0 $m1 $m2 $m0');
    expect(text).to.contain('return_call $r1');
    expect(batch.exports).to.deep.equal(['b0', 'b1', 'b2', 'b3', 'b4', 'b5']);
  });

  it('links the exits before a helper that may end the block (a CSR access), not those after it', function () {
    const t = new TcgBuilder(PC);
    t.insnStart(PC, 4);
    t.exitIf('ne', t.reg(5), t.const64(0n), PC + 0x40); // before: the regime is the one the run loop checked
    t.insnStart(PC + 4, 4);
    t.call('csrAccess', [t.const64(0n)], [0, 0xc02, 10, 0, 0, 4], { mayExit: true });
    t.insnStart(PC + 8, 4);
    t.exitIf('ne', t.reg(6), t.const64(0n), PC + 0x80); // after: the helper may have changed it (it would have ended the block)
    t.exit(PC + 12);
    const ir = t.finish();
    expect(linkableExits(ir)).to.deep.equal([PC + 0x40]);
    // a block whose first op is such a helper links nothing
    const u = new TcgBuilder(PC);
    u.insnStart(PC, 4);
    u.call('csrAccess', [u.const64(0n)], [0, 0xc02, 10, 0, 0, 4], { mayExit: true });
    u.exit(PC + 4);
    expect(linkableExits(u.finish())).to.deep.equal([]);
  });

  it('does not link to a block on another page (its mapping is not the one the run loop checked)', function () {
    const aAt = 0xff8; // A ends its page, B starts the next
    const js = run(aAt, 'js', 2048);
    const wasm = run(aAt, 'wasm', 2048);
    expect(js.calls).to.equal(2 * ITERATIONS);
    expect(wasm.state).to.deep.equal(js.state);
    expect(wasm.calls).to.equal(js.calls);
  });
});

describe('abi/state-layout: what WebAssembly blocks read in the state', function () {
  it('gives every shared word and every slot its own place (WORD_WASM_TLB, SLOT_RESUME_PC among them)', function () {
    const named = Object.entries(layout).filter(([k, v]) => typeof v === 'number' && k !== 'WORD_BASE' && k !== 'WORD_TEMPS');
    const words = named.filter(([k]) => k.startsWith('WORD_')).map(([, v]) => v);
    const slots = named.filter(([k]) => k.startsWith('SLOT_') && k !== 'SLOT_X' && k !== 'SLOT_F' && k !== 'SLOT_CSR' && k !== 'SLOT_PMPCFG' && k !== 'SLOT_PMPADDR').map(([, v]) => v);
    expect(words).to.include(layout.WORD_WASM_TLB);
    expect(slots).to.include(layout.SLOT_RESUME_PC);
    expect(new Set(words).size).to.equal(words.length);
    expect(new Set(slots).size).to.equal(slots.length);
    for (const w of words) expect(w).to.be.within(layout.WORD_BASE, layout.WORD_TEMPS - 1);
    for (const v of slots) expect(v).to.be.within(64, layout.SLOT_CSR - 1); // between the FP registers and the CSRs
  });
});

describe('tcg/wasm-encoder: LEB128 and bodies', function () {
  it('encodes LEB128 as the WebAssembly spec\'s examples', function () {
    const u = (n: number): number[] => { const o: number[] = []; uleb(o, n); return o; };
    const sl = (n: bigint): number[] => { const o: number[] = []; sleb(o, n); return o; };
    expect(u(0)).to.deep.equal([0]);
    expect(u(624485)).to.deep.equal([0xe5, 0x8e, 0x26]);
    expect(u(0xffffffff)).to.deep.equal([0xff, 0xff, 0xff, 0xff, 0x0f]);
    expect(sl(-123456n)).to.deep.equal([0xc0, 0xbb, 0x78]);
    expect(sl(63n)).to.deep.equal([0x3f]);
    expect(sl(64n)).to.deep.equal([0xc0, 0x00]);
    expect(sl(-64n)).to.deep.equal([0x40]);
    expect(sl(-(1n << 63n))).to.deep.equal([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7f]);
  });

  it('resolves a branch to its label\'s depth and refuses an unknown label', function () {
    const f = new FunctionBody(0);
    f.local(ValType.I32, 'k');
    f.open('block', 'out');
    f.open('loop', 'top');
    f.open('if');
    f.br('out');
    f.end();
    expect(() => f.br('nowhere')).to.throw('no enclosing label nowhere');
    f.end();
    f.end();
    expect(f.text).to.include('        br $out');
    // block, loop, if (no result: 0x40), br 2 (out of the if and the loop), three ends and the function's
    expect(Array.from(f.encode().slice(-12))).to.deep.equal([0x02, 0x40, 0x03, 0x40, 0x04, 0x40, 0x0c, 0x02, 0x0b, 0x0b, 0x0b, 0x0b]);
  });
});
