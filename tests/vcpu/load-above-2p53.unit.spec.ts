/**
 * A misaligned load from a (bare, M-mode) address above 2^53 on a real vCPU context: the page
 * offset and alignment come from the 64-bit vaddr, not from the physical address as a double
 * (inexact up there: 2^53 + 0x1001 rounds to an aligned 2^53 + 0x1000). QEMU 7.2 splits the
 * misaligned access that is not RAM into the aligned ones around it, so the access fault's mtval
 * is the aligned address below. Found by the random-instruction fuzzer (tests/fuzz).
 */
import { expect } from 'chai';
import { createGuestMemoryBuffers, GuestMemory } from '../../src/memory/guest-memory.js';
import { VcpuContext } from '../../src/vcpu/context.js';
import { createStateBuffer, CsrSlot, stateViews } from '../../src/abi/state-layout.js';
import { Cause } from '../../src/target/riscv/csr.js';

describe('vcpu: loads above 2^53 take page offset and alignment from the vaddr', function () {
  it('ld from 2^53 + 0x1001 faults at 2^53 + 0x1000 (the aligned half), as QEMU', function () {
    const mem = new GuestMemory(createGuestMemoryBuffers(0x80000000, 0x10000, 0x1000, 0x1000));
    const mmio = { read: (): bigint | undefined => undefined, write: (): boolean => false };
    const ctx = new VcpuContext(stateViews(createStateBuffer()), 0, mem, mmio, { mtime: () => 0n, mtimecmp: () => -1n, ticksPerMs: 10_000 });
    ctx.resetState(0x80000000);
    const base = 1n << 53n;
    expect(ctx.loadVirt(base + 0x1001n, 8, 0x80000000, 0)).to.equal(undefined);
    expect(ctx.csr(CsrSlot.mcause)).to.equal(BigInt(Cause.LoadAccessFault));
    expect(ctx.csr(CsrSlot.mtval)).to.equal(base + 0x1000n);
  });
});
