/**
 * RAM above 2 GiB (src/memory/README.md): a machine of 3.5 GiB keeps its first 2 GiB in the
 * typed views the soft TLB maps and the rest in high RAM, two banks of views over a second
 * buffer. On a real vCPU context: loads and stores of generated code reach high RAM through the
 * slow path and its high TLB (never the shared TLB generated code reads inline), land in the
 * right bank, straddle the low/high boundary, AMOs are atomic there, and a store to a high page
 * holding code ends the block and moves the page's generation. Then the paths other than the
 * vCPU: the debugger's, monitor's and libraries' physical accesses, and device DMA.
 */
import { expect } from 'chai';
import { createGuestMemoryBuffers, GuestMemory, HIGH_BANK_BYTES, LOW_RAM_LIMIT } from '../../src/memory/guest-memory.js';
import { VcpuContext } from '../../src/vcpu/context.js';
import { createStateBuffer, CsrSlot, stateViews } from '../../src/abi/state-layout.js';
import { BLOCK_EXIT, createLoadStoreHelpers } from '../../src/vcpu/load-store.js';
import { tlbHostIndex } from '../../src/tcg/tlb-probe.js';
import { TLB_READ_TAG, TLB_WRITE_TAG } from '../../src/abi/tlb.js';
import { AMO } from '../../src/abi/ops.js';
import { guestMemoryForInstr } from '../../src/instr/memory-access.js';
import { DmaError, GuestDma } from '../../src/hw/guest-dma.js';
import type { LoadStoreHelpers } from '../../src/abi/helpers.js';

const RAM = 0x80000000;
const RAM_SIZE = 3.5 * 1024 ** 3;
const HIGH = RAM + LOW_RAM_LIMIT; // 0x100000000
const BANK1 = HIGH + HIGH_BANK_BYTES; // 0x140000000
const PC = 0x80001000;

interface Rig { ctx: VcpuContext; ls: LoadStoreHelpers; mem: GuestMemory }

/**
 * One 3.5 GiB memory for the whole file (each test touches its own addresses): a fresh one per
 * test kept gigabytes alive until a GC, and the test process could no longer spawn a child.
 */
let shared: GuestMemory | undefined;

function rig(): Rig {
  const mem = shared ??= new GuestMemory(createGuestMemoryBuffers(RAM, RAM_SIZE, 0x1000, 0x1000));
  const mmio = { read: (): bigint | undefined => undefined, write: (): boolean => false };
  const ctx = new VcpuContext(stateViews(createStateBuffer()), 0, mem, mmio, { mtime: () => 0n, mtimecmp: () => -1n, ticksPerMs: 10_000 });
  ctx.resetState(0x1000);
  ctx.setCsr(CsrSlot.mtvec, 0x80000400n);
  return { ctx, ls: createLoadStoreHelpers(ctx, ctx.state.i32, mem), mem };
}

function setX(ctx: VcpuContext, reg: number, v: number): void {
  ctx.state.i64[reg] = BigInt(v);
}

/** The shared TLB's (generated code's) view of the access at `addr`: -1 is a miss. */
function inlineHit(ctx: VcpuContext, addr: number, tag: number): number {
  return tlbHostIndex(ctx.tlb, ctx.tlbBase, tag, addr | 0, Math.floor(addr / 2 ** 32), 3);
}

describe('vcpu/high-ram: RAM above 2 GiB', function () {
  after(() => { shared = undefined; }); // the rest of the run gets its memory back

  it('splits RAM into the low views and high banks', function () {
    const { mem } = rig();
    expect(mem.lowSize).to.equal(LOW_RAM_LIMIT);
    expect(mem.m64.length).to.equal(LOW_RAM_LIMIT / 8);
    expect(mem.highU8.map((b) => b.length)).to.deep.equal([HIGH_BANK_BYTES, RAM_SIZE - LOW_RAM_LIMIT - HIGH_BANK_BYTES]);
    expect(mem.ramOffset(HIGH - 1)).to.equal(LOW_RAM_LIMIT - 1);
    expect(mem.ramOffset(HIGH)).to.equal(-1);
    expect(mem.highOffset(HIGH)).to.equal(0);
    expect(mem.highOffset(RAM + RAM_SIZE)).to.equal(-1);
    expect(mem.isRam(RAM + RAM_SIZE - 1)).to.equal(true);
    expect(mem.ramPage(BANK1)).to.equal((BANK1 - RAM) / 4096);
  });

  it('keeps machines of 2 GiB or less in the low views alone', function () {
    const mem = new GuestMemory(createGuestMemoryBuffers(RAM, LOW_RAM_LIMIT, 0x1000, 0x1000));
    expect(mem.lowSize).to.equal(LOW_RAM_LIMIT);
    expect(mem.highU8).to.have.length(0);
    expect(mem.buffers.high).to.equal(undefined);
    expect(mem.m64.length).to.equal(LOW_RAM_LIMIT / 8);
  });

  it('stores and loads high RAM through the slow path and its high TLB, never the inline TLB', function () {
    const { ctx, ls, mem } = rig();
    setX(ctx, 5, BANK1 + 0x100);
    ls.st64(5, 8, 0x1122334455667788n, PC, 0, 4);
    expect(ls.ld64(5, 8, PC, 0)).to.equal(0x1122334455667788n);
    ls.st32(5, 16, -5, PC, 0, 4);
    expect(ls.ld32s(5, 16, PC, 0)).to.equal(-5n);
    expect(ls.ld32u(5, 16, PC, 0)).to.equal(0xfffffffbn);
    ls.st8(5, 20, 0x80, PC, 0, 4);
    expect(ls.ld8s(5, 20, PC, 0)).to.equal(-128n);
    // the bytes are in the second bank, at the address's offset in it
    expect(mem.highU8[1][0x108]).to.equal(0x88);
    expect(mem.highU8[1][0x10f]).to.equal(0x11);
    expect(mem.highU8[0][0x108]).to.equal(0);
    expect(inlineHit(ctx, BANK1 + 0x108, TLB_READ_TAG)).to.equal(-1);
    expect(inlineHit(ctx, BANK1 + 0x108, TLB_WRITE_TAG)).to.equal(-1);
    // a low page does enter the inline TLB
    setX(ctx, 6, RAM + 0x2000);
    ls.st64(6, 0, 7n, PC, 0, 4);
    expect(inlineHit(ctx, RAM + 0x2000, TLB_WRITE_TAG)).to.be.at.least(0);
  });

  it('splits a misaligned access across the low/high boundary into both', function () {
    const { ctx, ls, mem } = rig();
    setX(ctx, 5, HIGH - 4);
    ls.st64(5, 0, 0x0807060504030201n, PC, 0, 4);
    expect([...mem.mu8.subarray(LOW_RAM_LIMIT - 4)]).to.deep.equal([1, 2, 3, 4]);
    expect([...mem.highU8[0].subarray(0, 4)]).to.deep.equal([5, 6, 7, 8]);
    expect(ls.ld64(5, 0, PC, 0)).to.equal(0x0807060504030201n);
    expect(ls.ld32u(5, 2, PC, 0)).to.equal(0x06050403n);
  });

  it('runs AMOs and LR/SC on high RAM', function () {
    const { ctx, mem } = rig();
    const a = BANK1 + 0x40;
    mem.writeHigh(a - HIGH, 8, 40n);
    ctx.amo(BigInt(a), 2n, AMO.add, 8, 10, PC, 0);
    expect(ctx.state.i64[10]).to.equal(40n);
    expect(mem.readHigh(a - HIGH, 8)).to.equal(42n);
    ctx.amo(BigInt(a + 4), -1n, AMO.swap, 4, 11, PC, 0);
    expect(mem.readHigh(a - HIGH, 8)).to.equal(0xffffffff0000002an);
    ctx.amo(BigInt(a), 0n, AMO.lr, 8, 12, PC, 0);
    ctx.amo(BigInt(a), 9n, AMO.sc, 8, 13, PC, 0);
    expect(ctx.state.i64[13]).to.equal(0n);
    expect(mem.readHigh(a - HIGH, 8)).to.equal(9n);
  });

  it('ends the block on a store to a high page holding code and moves its generation', function () {
    const { ctx, ls, mem } = rig();
    const code = BANK1 + 0x3000;
    const page = mem.ramPage(code);
    mem.markCode(mem.ramIndex(code), 4);
    const gen = mem.pageGen[page];
    setX(ctx, 5, code);
    expect(() => ls.st32(5, 0, 0x13, PC, 0, 4)).to.throw().that.equals(BLOCK_EXIT);
    expect(mem.pageGen[page]).to.equal(gen + 1);
    expect(mem.readHigh(code - HIGH, 4)).to.equal(0x13n);
    expect(mem.holdsCode(code, [0, 0x13])).to.equal(true);
    mem.writeHigh(code - HIGH, 4, 0x6fn); // as DMA would: no generation move, the bits tell
    expect(mem.holdsCode(code, [0, 0x13])).to.equal(false);
  });

  it('gives the debugger, the monitor and libraries physical access across low and high RAM', function () {
    const { mem } = rig();
    const access = guestMemoryForInstr(mem, () => [], () => false);
    const bytes = Uint8Array.from({ length: 24 }, (_, i) => i + 1);
    expect(access.writePhys(BigInt(HIGH - 8), bytes)).to.equal(true);
    expect([...(access.readPhys(BigInt(HIGH - 8), 24) ?? [])]).to.deep.equal([...bytes]);
    expect(mem.mu8[LOW_RAM_LIMIT - 1]).to.equal(8);
    expect(mem.highU8[0][15]).to.equal(24);
    expect(access.writePhys(BigInt(BANK1 - 4), bytes.subarray(0, 8))).to.equal(true);
    expect([...mem.highU8[1].subarray(0, 4)]).to.deep.equal([5, 6, 7, 8]);
    expect(access.readPhys(BigInt(RAM + RAM_SIZE - 4), 8)).to.equal(undefined);
    expect(access.writePhys(BigInt(RAM + RAM_SIZE - 4), bytes.subarray(0, 8))).to.equal(false);
  });

  it('lets devices DMA to and from high RAM, refusing a buffer across two banks', function () {
    const { mem } = rig();
    const dma = new GuestDma({
      base: mem.ramBase, size: mem.lowSize, bytes: mem.mu8,
      high: { base: mem.highBase, size: mem.ramSize - mem.lowSize, banks: mem.highU8, bankBytes: HIGH_BANK_BYTES },
    });
    dma.writeU32(BANK1 + 0x10, 0xdeadbeef);
    expect(mem.readHigh(BANK1 - HIGH + 0x10, 4)).to.equal(0xdeadbeefn);
    expect(dma.readU32(BANK1 + 0x10)).to.equal(0xdeadbeef);
    dma.storeU16Atomic(HIGH + 2, 0xabcd);
    expect(dma.loadU16Atomic(HIGH + 2)).to.equal(0xabcd);
    expect(dma.readU16(HIGH + 2)).to.equal(0xabcd);
    mem.writeHigh(0x20, 8, 0x0102030405060708n);
    expect(dma.readU64(HIGH + 0x20)).to.equal(0x0102030405060708n);
    dma.write(HIGH + 0x100, Uint8Array.of(9, 8, 7));
    expect([...dma.read(HIGH + 0x100, 3)]).to.deep.equal([9, 8, 7]);
    expect(dma.contains(RAM + RAM_SIZE - 8, 8)).to.equal(true);
    expect(dma.contains(RAM + RAM_SIZE - 8, 9)).to.equal(false);
    expect(() => dma.bytes(BANK1 - 4, 8)).to.throw(DmaError);
    // low RAM as before
    dma.writeU32(RAM + 0x40, 0x12345678);
    expect(mem.m32[0x10]).to.equal(0x12345678);
  });
});
