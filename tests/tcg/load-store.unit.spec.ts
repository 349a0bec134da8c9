/**
 * The loads and stores generated code calls (src/vcpu/load-store.ts) on a
 * real vCPU context in M-mode: x[rs1] + imm with carry and borrow between the
 * address words, RAM through the TLB (first access fills it, the second
 * hits), sign and zero extension, and the ways an access ends the block
 * (BLOCK_EXIT): an access fault (mcause/mtval/mepc as the privileged spec
 * says) and a device write (the block continues after the instruction).
 */
import { expect } from 'chai';
import { createGuestMemoryBuffers, GuestMemory } from '../../src/memory/guest-memory.js';
import { VcpuContext } from '../../src/vcpu/context.js';
import { createStateBuffer, CsrSlot, stateViews } from '../../src/abi/state-layout.js';
import { BLOCK_EXIT, createLoadStoreHelpers } from '../../src/vcpu/load-store.js';
import type { LoadStoreHelpers } from '../../src/abi/helpers.js';

const RAM = 0x80000000;
const PC = 0x80001000;
const MTVEC = 0x80000400;
const DEVICE = 0x10000000;

interface Rig { ctx: VcpuContext; ls: LoadStoreHelpers; mem: GuestMemory; deviceWrites: [number, number, bigint][] }

function rig(): Rig {
  const mem = new GuestMemory(createGuestMemoryBuffers(RAM, 0x10000, 0x1000, 0x1000));
  const deviceWrites: [number, number, bigint][] = [];
  const mmio = {
    read: (): bigint | undefined => undefined, // nothing mapped: access fault
    write: (pa: number, size: number, value: bigint): boolean => {
      if (pa !== DEVICE) return false;
      deviceWrites.push([pa, size, value]);
      return true;
    },
  };
  const ctx = new VcpuContext(stateViews(createStateBuffer()), 0, mem, mmio, { mtime: () => 0n, mtimecmp: () => -1n, ticksPerMs: 10_000 });
  ctx.resetState(0x1000);
  ctx.setCsr(CsrSlot.mtvec, BigInt(MTVEC));
  return { ctx, ls: createLoadStoreHelpers(ctx, ctx.state.i32, mem), mem, deviceWrites };
}

function setX(ctx: VcpuContext, reg: number, v: bigint): void {
  ctx.state.i64[reg] = BigInt.asIntN(64, v);
}

function blockExit(run: () => void): boolean {
  try {
    run();
  } catch (e) {
    if (e === BLOCK_EXIT) return true;
    throw e;
  }
  return false;
}

describe('tcg/load-store: the loads and stores of generated code', function () {
  it('stores and loads RAM at x[rs1] + imm, every size, with sign and zero extension', function () {
    const { ctx, ls } = rig();
    setX(ctx, 5, BigInt(RAM + 0x200));
    ls.st64(5, 8, -2n, PC, 0, 4);
    expect(ls.ld64(5, 8, PC, 0)).to.equal(-2n);
    ls.st32(5, 16, -5, PC, 0, 4);
    expect(ls.ld32s(5, 16, PC, 0)).to.equal(-5n);
    expect(ls.ld32u(5, 16, PC, 0)).to.equal(0xfffffffbn);
    ls.st16(5, -2, 0x8001, PC, 0, 4);
    expect(ls.ld16s(5, -2, PC, 0)).to.equal(-0x7fffn);
    expect(ls.ld16u(5, -2, PC, 0)).to.equal(0x8001n);
    ls.st8(5, 3, 0x1ff, PC, 0, 4); // only the low byte is stored
    expect(ls.ld8u(5, 3, PC, 0)).to.equal(0xffn);
    expect(ls.ld8s(5, 3, PC, 0)).to.equal(-1n);
  });

  it('reads the same value through the TLB once the first access filled it', function () {
    const { ctx, ls, mem } = rig();
    mem.m64[0x300 >> 3] = 0x1122334455667788n;
    setX(ctx, 6, BigInt(RAM + 0x300));
    const tlbBefore = Array.from(ctx.tlb).filter((w) => w !== -1).length;
    expect(ls.ld64(6, 0, PC, 0)).to.equal(0x1122334455667788n);
    expect(Array.from(ctx.tlb).filter((w) => w !== -1).length).to.be.greaterThan(tlbBefore);
    mem.m64[0x300 >> 3] = 7n;
    expect(ls.ld64(6, 0, PC, 0)).to.equal(7n);
  });

  it('borrows from the high word for a negative offset across 4 GiB, then faults with that address', function () {
    const { ctx, ls } = rig();
    setX(ctx, 7, 0x1_0000_0010n);
    expect(blockExit(() => ls.ld32u(7, -0x20, PC, 3))).to.equal(true);
    expect(ctx.csr(CsrSlot.mcause)).to.equal(5n); // load access fault
    expect(ctx.csr(CsrSlot.mtval)).to.equal(0xffff_fff0n);
    expect(ctx.csr(CsrSlot.mepc)).to.equal(BigInt(PC));
    expect(ctx.resumePc).to.equal(MTVEC);
    expect(ctx.endBlock).to.equal(false); // consumed by the helper
  });

  it('carries into the high word for a positive offset', function () {
    const { ctx, ls } = rig();
    setX(ctx, 8, 0xffff_fff8n);
    expect(blockExit(() => ls.st64(8, 0x10, 1n, PC, 0, 4))).to.equal(true);
    expect(ctx.csr(CsrSlot.mcause)).to.equal(7n); // store access fault
    expect(ctx.csr(CsrSlot.mtval)).to.equal(0x1_0000_0008n);
  });

  it('ends the block after a device write, continuing with the next instruction', function () {
    const { ctx, ls, deviceWrites } = rig();
    setX(ctx, 9, BigInt(DEVICE));
    expect(blockExit(() => ls.st8(9, 0, 0x41, PC, 2, 2))).to.equal(true);
    expect(deviceWrites).to.deep.equal([[DEVICE, 1, 0x41n]]);
    expect(ctx.resumePc).to.equal(PC + 2);
  });
});
