/**
 * Which pending interrupt a hart takes (Hart.pendingInterrupt) when interrupts for M-mode and for
 * S-mode are both pending and enabled. The random-instruction fuzzer found tsemu taking the
 * lowest-numbered one of all (STI, 5, delegated to S) where QEMU 7.2 takes SEI (9, not delegated)
 * in M-mode first: riscv_cpu_local_irq_pending checks the M-mode set before the S-mode one, and
 * the lowest number only within a set (seed 1, step 17 of tests/fuzz: U-mode, mip = STIP|SEIP,
 * mideleg = STIP, QEMU's mcause = 0x8000000000000009).
 */
import { expect } from 'chai';
import { createGuestMemoryBuffers, GuestMemory } from '../../src/memory/guest-memory.js';
import { VcpuContext } from '../../src/vcpu/context.js';
import { createStateBuffer, CsrSlot, stateViews } from '../../src/abi/state-layout.js';
import { MIP, MSTATUS, Priv } from '../../src/target/riscv/csr.js';

function hart(priv: Priv, mip: bigint, mie: bigint, mideleg: bigint, mstatus = 0n): VcpuContext {
  const mem = new GuestMemory(createGuestMemoryBuffers(0x80000000, 0x10000, 0x1000, 0x1000));
  const mmio = { read: (): bigint | undefined => undefined, write: (): boolean => false };
  const ctx = new VcpuContext(stateViews(createStateBuffer()), 0, mem, mmio, { mtime: () => 0n, mtimecmp: () => -1n, ticksPerMs: 10_000 });
  ctx.resetState(0x1000);
  ctx.setCsr(CsrSlot.mip, mip);
  ctx.setCsr(CsrSlot.mie, mie);
  ctx.setCsr(CsrSlot.mideleg, mideleg);
  ctx.setCsr(CsrSlot.mstatus, mstatus);
  ctx.priv = priv;
  return ctx;
}

describe('target/riscv: the interrupt taken when several are pending (QEMU 7.2 order)', function () {
  it('U-mode, STI delegated to S and SEI for M both pending: SEI to M first', function () {
    const ctx = hart(Priv.U, MIP.STIP | MIP.SEIP, MIP.STIP | MIP.SEIP, MIP.STIP);
    expect(ctx.pendingInterrupt()).to.equal(9);
  });

  it('S-mode with SIE set: an M-mode interrupt beats a lower-numbered S-mode one', function () {
    const ctx = hart(Priv.S, MIP.SSIP | MIP.MTIP, MIP.SSIP | MIP.MTIP, MIP.SSIP, MSTATUS.SIE);
    expect(ctx.pendingInterrupt()).to.equal(7);
  });

  it('within one mode the lowest number wins (STI before SEI, both delegated)', function () {
    const ctx = hart(Priv.U, MIP.STIP | MIP.SEIP, MIP.STIP | MIP.SEIP, MIP.STIP | MIP.SEIP);
    expect(ctx.pendingInterrupt()).to.equal(5);
  });

  it('M-mode with MIE clear: M interrupts wait, S-delegated ones are never taken in M', function () {
    const ctx = hart(Priv.M, MIP.STIP | MIP.MTIP, MIP.STIP | MIP.MTIP, MIP.STIP);
    expect(ctx.pendingInterrupt()).to.equal(-1);
  });
});
