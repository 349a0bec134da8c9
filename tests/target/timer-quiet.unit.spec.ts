/**
 * Hart.pendingInterrupt reads the time only when an enabled timer interrupt can be due: once the
 * time is short of every enabled comparison, it is not read again until it can have reached the
 * nearest (mtime follows the host's clock), and a change of a comparison's inputs (stimecmp,
 * menvcfg, mie enabling another timer, a CLINT write: forgetTimerQuiet) makes it read again.
 * The interrupts taken are those of the exact comparison throughout.
 */
import { expect } from 'chai';
import { createGuestMemoryBuffers, GuestMemory } from '../../src/memory/guest-memory.js';
import { VcpuContext } from '../../src/vcpu/context.js';
import { createStateBuffer, CsrSlot, stateViews } from '../../src/abi/state-layout.js';
import { CSR_NUMBER, MENVCFG_STCE, MIP, MSTATUS, Priv } from '../../src/target/riscv/csr.js';

/** 10 s of mtime at 10 MHz: longer than any test runs. */
const FAR_TICKS = 100_000_000n;

interface Clock { time: bigint; mtimecmp: bigint; reads: number }

function sstcHart(followsHostClock: boolean): { ctx: VcpuContext; clock: Clock } {
  const mem = new GuestMemory(createGuestMemoryBuffers(0x8000_0000, 0x10000, 0x1000, 0x1000));
  const mmio = { read: (): bigint | undefined => undefined, write: (): boolean => false };
  const clock: Clock = { time: 1000n, mtimecmp: 2n ** 64n - 1n, reads: 0 };
  const timer = {
    mtime: (): bigint => { clock.reads++; return clock.time; },
    mtimecmp: (): bigint => clock.mtimecmp,
    ticksPerMs: 10_000,
    followsHostClock,
  };
  const ctx = new VcpuContext(stateViews(createStateBuffer()), 0, mem, mmio, timer);
  ctx.resetState(0x8000_0000);
  // Linux on Sstc in S-mode: STIE and SEIE enabled and delegated, SIE set
  ctx.writeCsr(CSR_NUMBER.menvcfg, MENVCFG_STCE);
  ctx.writeCsr(CSR_NUMBER.mcounteren, 2n);
  ctx.setCsr(CsrSlot.mideleg, MIP.STIP | MIP.SEIP | MIP.SSIP);
  ctx.setCsr(CsrSlot.mie, MIP.STIP | MIP.SEIP);
  ctx.setCsr(CsrSlot.mstatus, MSTATUS.SIE);
  ctx.priv = Priv.S;
  ctx.writeCsr(CSR_NUMBER.stimecmp, clock.time + FAR_TICKS);
  return { ctx, clock };
}

describe('target/riscv: timer comparisons in pendingInterrupt', () => {
  it('a far stimecmp: the time is read once, not at every check', () => {
    const { ctx, clock } = sstcHart(true);
    for (let i = 0; i < 100; i++) expect(ctx.pendingInterrupt()).to.equal(-1);
    expect(clock.reads).to.equal(1);
  });

  it('stimecmp written into the past: the next check reads the time and takes STI', () => {
    const { ctx, clock } = sstcHart(true);
    expect(ctx.pendingInterrupt()).to.equal(-1);
    ctx.writeCsr(CSR_NUMBER.stimecmp, clock.time - 1n);
    expect(ctx.pendingInterrupt()).to.equal(5);
    expect(clock.reads).to.equal(2);
  });

  it('MTIE enabled later: mtimecmp was not part of the quiet time, so it is compared at once', () => {
    const { ctx, clock } = sstcHart(true);
    expect(ctx.pendingInterrupt()).to.equal(-1);
    clock.mtimecmp = 0n; // firmware left it in the past (it passes ticks on as STIP)
    ctx.setCsr(CsrSlot.mie, MIP.STIP | MIP.SEIP | MIP.MTIP);
    expect(ctx.pendingInterrupt()).to.equal(7); // MTI, not delegated: taken in M first
  });

  it('a CLINT write (forgetTimerQuiet) makes the next check read the time', () => {
    const { ctx, clock } = sstcHart(true);
    ctx.setCsr(CsrSlot.mie, MIP.STIP | MIP.MTIP);
    expect(ctx.pendingInterrupt()).to.equal(-1);
    clock.mtimecmp = clock.time; // another thread's mtimecmp write, then its kick
    ctx.forgetTimerQuiet();
    expect(ctx.pendingInterrupt()).to.equal(7);
  });

  it('time that does not follow the host clock is read at every check', () => {
    const { ctx, clock } = sstcHart(false);
    for (let i = 0; i < 10; i++) expect(ctx.pendingInterrupt()).to.equal(-1);
    expect(clock.reads).to.equal(10);
    clock.time += FAR_TICKS;
    expect(ctx.pendingInterrupt()).to.equal(5);
  });

  it('with Sstc off, STIP is the written bit and the time is never read for it', () => {
    const { ctx, clock } = sstcHart(true);
    ctx.writeCsr(CSR_NUMBER.menvcfg, 0n);
    const before = clock.reads;
    expect(ctx.pendingInterrupt()).to.equal(-1);
    ctx.setCsr(CsrSlot.mip, MIP.STIP);
    expect(ctx.pendingInterrupt()).to.equal(5);
    expect(clock.reads).to.equal(before);
  });
});
