/**
 * AMOs, LR and SC through the soft TLB (src/vcpu/context.ts `amo`), on a real vCPU context in
 * S-mode under Sv39: the first AMO on a page walks the page table (setting A and D) and fills
 * both sides of the page's entry, the next ones go through the entry without walking (a PTE
 * cleared without sfence.vma is not seen until the flush, as with loads and stores); an LR fills
 * the read side only, so the SC after it still walks and sets D; a page that turns into code loses
 * the write side, and an AMO there ends the block again.
 */
import { expect } from 'chai';
import { createGuestMemoryBuffers, GuestMemory } from '../../src/memory/guest-memory.js';
import { VcpuContext } from '../../src/vcpu/context.js';
import { createStateBuffer, stateViews } from '../../src/abi/state-layout.js';
import { tlbHostIndex } from '../../src/tcg/tlb-probe.js';
import { TLB_READ_TAG, TLB_WRITE_TAG } from '../../src/abi/tlb.js';
import { AMO, CsrOp } from '../../src/abi/ops.js';
import { Cause, CSR_NUMBER, Priv } from '../../src/target/riscv/csr.js';

const RAM = 0x80000000;
const ROOT = RAM + 0x1000; // the Sv39 root table
const DATA = RAM + 0x2000; // identity-mapped by a 1 GiB leaf
const PC = RAM + 0x100;
const PTE_VRWXA = 0x4fn; // V R W X A, D clear
const PTE_D = 0x80n;

interface Rig { ctx: VcpuContext; mem: GuestMemory }

/** S-mode under Sv39 with one gigapage leaf (A set, D clear) mapping RAM at its own address; `value` at DATA. */
function rig(value: bigint): Rig {
  const mem = new GuestMemory(createGuestMemoryBuffers(RAM, 0x10000, 0x1000, 0x1000));
  const mmio = { read: (): bigint | undefined => undefined, write: (): boolean => false };
  const ctx = new VcpuContext(stateViews(createStateBuffer()), 0, mem, mmio, { mtime: () => 0n, mtimecmp: () => -1n, ticksPerMs: 10_000 });
  ctx.resetState(RAM);
  // PMP entry 0 over everything, RWX: with no entry S-mode may access nothing
  expect(ctx.csrInstruction(CsrOp.Write, CSR_NUMBER.pmpaddr0, 0, -1n, true, 0)).to.equal(true);
  expect(ctx.csrInstruction(CsrOp.Write, CSR_NUMBER.pmpcfg0, 0, 0x1fn, true, 0)).to.equal(true);
  mem.m64[pteIndex()] = ((BigInt(RAM) >> 12n) << 10n) | PTE_VRWXA;
  mem.m64[(DATA - RAM) / 8] = value;
  expect(ctx.csrInstruction(CsrOp.Write, CSR_NUMBER.satp, 0, (8n << 60n) | BigInt(ROOT >>> 12), true, 0)).to.equal(true);
  ctx.priv = Priv.S;
  return { ctx, mem };
}

/** Index in the RAM's 64-bit view of the root table's entry for DATA (VPN[2] = 2). */
function pteIndex(): number {
  return (ROOT - RAM) / 8 + ((DATA >>> 30) & 0x1ff);
}

/** Generated code's view of the TLB entry for DATA (-1: a miss). */
function inlineHit(ctx: VcpuContext, tag: number): number {
  return tlbHostIndex(ctx.tlb, ctx.tlbBase, tag, DATA | 0, 0, 3);
}

function x(ctx: VcpuContext, reg: number): bigint {
  return ctx.state.i64[reg];
}

describe('vcpu/amo-tlb: AMOs, LR and SC through the soft TLB', function () {
  it('walks once (setting D, filling both sides), then goes through the TLB until a flush', function () {
    const { ctx, mem } = rig(7n);
    ctx.amo(BigInt(DATA), 5n, AMO.add, 8, 10, PC, 0);
    expect(ctx.endBlock).to.equal(false);
    expect(x(ctx, 10)).to.equal(7n);
    expect(mem.m64[(DATA - RAM) / 8]).to.equal(12n);
    expect(mem.m64[pteIndex()] & PTE_D).to.equal(PTE_D);
    expect(inlineHit(ctx, TLB_READ_TAG)).to.be.at.least(0);
    expect(inlineHit(ctx, TLB_WRITE_TAG)).to.be.at.least(0);
    // the mapping goes away without sfence.vma: a walk would fault, the TLB entry still serves
    mem.m64[pteIndex()] = 0n;
    ctx.amo(BigInt(DATA), 0xffn, AMO.or, 4, 11, PC, 0);
    expect(ctx.endBlock).to.equal(false);
    expect(x(ctx, 11)).to.equal(12n);
    expect(mem.m64[(DATA - RAM) / 8]).to.equal(0xffn);
    // after the flush the AMO walks again, and faults (store/AMO page fault, taken in M-mode: nothing is delegated)
    expect(ctx.csrInstruction(CsrOp.Write, CSR_NUMBER.satp, 0, (8n << 60n) | BigInt(ROOT >>> 12), true, 0)).to.equal(true);
    ctx.amo(BigInt(DATA), 1n, AMO.add, 8, 12, PC, 0);
    expect(ctx.endBlock).to.equal(true);
    expect(ctx.readCsr(CSR_NUMBER.mcause)).to.equal(BigInt(Cause.StorePageFault));
    expect(mem.m64[(DATA - RAM) / 8]).to.equal(0xffn);
  });

  it('LR fills the read side only: the SC after it walks and sets D', function () {
    const { ctx, mem } = rig(3n);
    ctx.amo(BigInt(DATA), 0n, AMO.lr, 8, 10, PC, 0);
    expect(x(ctx, 10)).to.equal(3n);
    expect(inlineHit(ctx, TLB_READ_TAG)).to.be.at.least(0);
    expect(inlineHit(ctx, TLB_WRITE_TAG)).to.equal(-1);
    expect(mem.m64[pteIndex()] & PTE_D).to.equal(0n);
    ctx.amo(BigInt(DATA), 9n, AMO.sc, 8, 11, PC, 0);
    expect(x(ctx, 11)).to.equal(0n); // success
    expect(mem.m64[(DATA - RAM) / 8]).to.equal(9n);
    expect(mem.m64[pteIndex()] & PTE_D).to.equal(PTE_D);
    expect(inlineHit(ctx, TLB_WRITE_TAG)).to.be.at.least(0);
  });

  it('an AMO on a page that became code ends the block, as a store there does', function () {
    const { ctx, mem } = rig(1n);
    ctx.amo(BigInt(DATA), 1n, AMO.add, 8, 10, PC, 0);
    expect(inlineHit(ctx, TLB_WRITE_TAG)).to.be.at.least(0);
    const page = mem.ramPage(DATA);
    mem.markCode(DATA - RAM, 8);
    ctx.codePageAdded(page);
    expect(inlineHit(ctx, TLB_WRITE_TAG)).to.equal(-1);
    const gen = Atomics.load(mem.pageGen, page);
    ctx.amo(BigInt(DATA), 1n, AMO.add, 8, 10, PC, 0);
    expect(ctx.endBlock).to.equal(true);
    expect(x(ctx, 10)).to.equal(2n);
    expect(mem.m64[(DATA - RAM) / 8]).to.equal(3n);
    expect(Atomics.load(mem.pageGen, page)).to.not.equal(gen);
  });
});
