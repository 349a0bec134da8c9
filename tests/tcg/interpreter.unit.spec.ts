/**
 * The IR interpreter (src/tcg/interpreter.ts) against the JS backend: the
 * same guest code, translated once, run both ways from the same state on two
 * real vCPU contexts, must leave the same registers, memory, next pc and
 * retired-instruction count. Programs are random (seeded) RV64IM sequences:
 * ALU ops in every form (register, immediate, 32-bit), multiply and divide
 * (with zero divisors), loads and stores of every size around a base
 * register (some misaligned, some outside RAM, which fault), ending in a
 * conditional branch or an indirect jump. Then the parts the guest suite
 * cannot reach: execution-level events and scoreboard adds.
 */
import { expect } from 'chai';
import { createGuestMemoryBuffers, GuestMemory } from '../../src/memory/guest-memory.js';
import { VcpuContext } from '../../src/vcpu/context.js';
import { createStateBuffer, CsrSlot, SLOT_INSTRET, stateViews } from '../../src/abi/state-layout.js';
import { BlockCache, CachedBlock } from '../../src/vcpu/block-cache.js';
import { BLOCK_EXIT, createLoadStoreHelpers } from '../../src/vcpu/load-store.js';
import { TcgBuilder } from '../../src/tcg/builder.js';
import { encodeBlock, Interpreter } from '../../src/tcg/interpreter.js';
import { generateJs } from '../../src/tcg/backend-js.js';
import { BLOCK_PARAMS } from '../../src/abi/block-code.js';
import type { IrBlock } from '../../src/tcg/ir.js';

const RAM = 0x80000000;
const RAM_BYTES = 0x10000;
const PC = RAM + 0x1000;
const DATA = RAM + 0x8000;
const MTVEC = RAM + 0x400;
/** x20 points at the data window; random code never writes it. */
const BASE_REG = 20;

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

/** One random instruction that does not branch. */
function randomInsn(next: () => number): number {
  const reg = (): number => 1 + (next() % 15);
  const imm12 = (): number => (next() % 4096) - 2048;
  const kind = next() % 9;
  switch (kind) {
    case 0: { // OP: add sub sll slt sltu xor srl sra or and
      const f3 = next() % 8;
      const f7 = f3 === 0 || f3 === 5 ? (next() % 2) * 0x20 : 0;
      return r(f7, reg(), reg(), f3, reg(), 0x33);
    }
    case 1: return r(1, reg(), reg(), next() % 8, reg(), 0x33); // mul mulh mulhsu mulhu div divu rem remu
    case 2: { // OP-32: addw subw sllw srlw sraw mulw divw...
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
    case 6: case 7: { // loads around the data window: lb lh lw ld lbu lhu lwu (mostly aligned)
      const f3 = [0, 1, 2, 3, 4, 5, 6][next() % 7];
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

/** A block of `n` instructions, ending in a branch (either way) or an indirect jump. */
function randomProgram(next: () => number, n: number): number[] {
  const words = Array.from({ length: n }, () => randomInsn(next));
  if (next() % 4 === 0) words.push(i(0, 1 + (next() % 15), 0, 0, 0x67)); // jalr x0, 0(rs1)
  else words.push(b(64, 1 + (next() % 15), 1 + (next() % 15), [0, 1, 4, 5, 6, 7][next() % 6]));
  return words;
}

interface Rig {
  ctx: VcpuContext;
  mem: GuestMemory;
  cache: BlockCache;
}

/** A vCPU in M-mode whose blocks are interpreted (`hot` huge) or compiled at once (`hot` 0). */
function rig(program: number[], registers: bigint[], hot: number, soleAccessor: boolean): Rig {
  const mem = new GuestMemory(createGuestMemoryBuffers(RAM, RAM_BYTES, 0x1000, 0x1000));
  program.forEach((w, k) => { mem.m32[(PC - RAM) / 4 + k] = w | 0; });
  for (let k = 0; k < 0x800; k++) mem.m32[(DATA - RAM - 0x400) / 4 + k] = Math.imul(k + 1, 0x9e3779b1);
  const ctx = new VcpuContext(stateViews(createStateBuffer()), 0, mem, { read: () => undefined, write: () => false }, { mtime: () => 0n, mtimecmp: () => -1n, ticksPerMs: 10_000 });
  ctx.resetState(PC);
  ctx.setCsr(CsrSlot.mtvec, BigInt(MTVEC));
  registers.forEach((v, k) => { if (k > 0) ctx.state.i64[k] = v; });
  ctx.state.i64[BASE_REG] = BigInt(DATA);
  const source = { fetch: (): never => { throw new Error('no translator service here'); }, mayTranslateHere: () => true };
  return { ctx, mem, cache: new BlockCache(ctx, mem, source, [], [], hot, soleAccessor) };
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
    mcause: ctx.csr(CsrSlot.mcause), mtval: ctx.csr(CsrSlot.mtval), mepc: ctx.csr(CsrSlot.mepc),
    data: Array.from(mem.m32.subarray((DATA - RAM - 0x400) / 4, (DATA - RAM + 0x400) / 4)),
  };
}

describe('tcg/interpreter: runs IR as the JS backend does', function () {
  for (const soleAccessor of [false, true]) {
    it(`gives the compiled code's results on 400 random RV64IM blocks (8-byte accesses ${soleAccessor ? 'as two words' : 'whole'})`, function () {
      const next = prng(soleAccessor ? 0xbeef : 0x1234);
      for (let n = 0; n < 400; n++) {
        const program = randomProgram(next, 1 + (next() % 24));
        const interesting = [0n, 1n, -1n, 0x7fffffffn, -0x80000000n, 0xffffffffn, -(1n << 63n), (1n << 63n) - 1n];
        const registers = Array.from({ length: 32 }, () =>
          next() % 3 === 0 ? interesting[next() % interesting.length] : BigInt.asIntN(64, (BigInt(next()) << 32n) | BigInt(next())));
        const interpreted = rig(program, registers, 1_000_000, soleAccessor);
        const compiled = rig(program, registers, 0, soleAccessor);
        const a = snapshot(interpreted, runOnce(interpreted));
        const c = snapshot(compiled, runOnce(compiled));
        expect(a, `program ${program.map((w) => w.toString(16)).join(' ')}`).to.deep.equal(c);
      }
    });
  }

  it('runs a block in the interpreter until it is hot, then compiled code', function () {
    const program = [i(1, 5, 0, 5, 0x13), i(0, 1, 0, 0, 0x67)]; // addi x5, x5, 1; jr x1
    const one = rig(program, Array.from({ length: 32 }, () => 0n), 3, false);
    one.ctx.state.i64[1] = BigInt(PC);
    const seen = new Set<unknown>();
    for (let k = 0; k < 6; k++) {
      seen.add(one.cache.lookup(PC)?.fn);
      expect(runOnce(one)).to.equal(PC);
    }
    expect(one.ctx.state.i64[5]).to.equal(6n);
    expect(one.cache.promoted).to.equal(1);
    expect(seen.size).to.equal(2); // the interpreter's function, then the compiled one
  });

  describe('ops guest code alone never produces here', function () {
    /** Run `ir` with both backends on fresh state; return what each left. */
    function both(ir: () => IrBlock, counters: readonly bigint[] = [0n, 0n, 0n, 0n]): { events: unknown[][]; board: bigint[]; next: number }[] {
      return ['interpreted', 'compiled'].map((how) => {
        const events: unknown[][] = [];
        const board = BigInt64Array.from(counters);
        const ev = [(...args: unknown[]): void => { events.push(args); }];
        const { ctx, mem } = rig([], [], 0, false);
        ctx.state.i64[7] = -5n;
        let next: number;
        if (how === 'interpreted') {
          const interp = new Interpreter({ c: ctx, w: ctx.state.i32, x: ctx.state.i64, f: ctx.state.f64, tlb: ctx.tlb, ram: mem, ev, sb: [board], soleAccessor: false });
          next = interp.run(encodeBlock(ir()));
        } else {
          const s = ctx.state;
          const factory = new Function(...BLOCK_PARAMS, generateJs(ir())) as (...args: unknown[]) => () => number;
          next = factory(ctx, s.i64, s.i32, s.f64, ctx.tlb, mem.m8, mem.mu8, mem.m16, mem.mu16, mem.m32, mem.mu32, mem.m64, ev, [board],
            createLoadStoreHelpers(ctx, s.i32, mem))();
        }
        return { events, board: Array.from(board), next };
      });
    }

    it('raises execution-level events with run-time values as uint64 and literals as given', function () {
      const [interpreted, compiled] = both(() => {
        const t = new TcgBuilder(PC);
        t.insnStart(PC, 4);
        const v = t.add(t.reg(7), t.const64(2n));
        t.callEvent(0, [{ literal: 7 }, { temp: v }, { literal: 'text' }, { temp: t.reg(7) }, { literal: 5n }]);
        t.exit(PC + 4);
        return t.finish();
      });
      expect(interpreted.events).to.deep.equal([[7, (1n << 64n) - 3n, 'text', (1n << 64n) - 5n, 5n]]);
      expect(interpreted).to.deep.equal(compiled);
    });

    it('adds to the running vCPU\'s scoreboard counter inline, and leaves by an indirect jump', function () {
      const [interpreted, compiled] = both(() => {
        const t = new TcgBuilder(PC);
        t.insnStart(PC, 4);
        t.scoreboardAdd(0, 1, 2, 3);
        t.scoreboardAdd(0, 1, 2, 4);
        t.exitIndirect(t.add(t.reg(7), t.const64(BigInt(RAM + 5))));
        return t.finish();
      });
      expect(interpreted.board).to.deep.equal([0n, 7n, 0n, 0n]);
      expect(interpreted.next).to.equal(RAM);
      expect(interpreted).to.deep.equal(compiled);
    });

    it('carries a scoreboard add into the counter\'s high word, and adds and stores wide values', function () {
      const [interpreted, compiled] = both(() => {
        const t = new TcgBuilder(PC);
        t.insnStart(PC, 4);
        t.scoreboardAdd(0, 0, 4, 3); // 0xffff_fffe + 3 carries
        t.scoreboardAdd(0, 1, 4, 2 ** 40); // wider than the small form
        t.scoreboardAdd(0, 2, 4, 0x7fffffff); // -1 + (2^31 - 1)
        t.exit(PC + 4);
        return t.finish();
      }, [0xfffffffen, 5n, -1n, 9n]);
      expect(interpreted.board).to.deep.equal([0x100000001n, 5n + (1n << 40n), 0x7ffffffen, 9n]);
      expect(interpreted).to.deep.equal(compiled);
    });
  });
});
