/**
 * How long a vCPU halted in WFI sleeps (RunLoop.sleepBudgetMs), on a real vCPU context: until the
 * next deadline of a timer whose interrupt is enabled in mie, since only those can end WFI. A
 * timer left in the past with its mie bit clear must not make the sleep zero-length: firmware
 * (OpenSBI, tsemu-sbi) leaves mtimecmp behind with MTIE off after passing a tick on as STIP, and
 * Linux on Sstc never writes mtimecmp; counting them made every idle vCPU of a Linux guest spin at
 * 100% (Linux -smp 4 boot: 3x slower on 2 host cores).
 */
import { expect } from 'chai';
import { createGuestMemoryBuffers, GuestMemory } from '../../src/memory/guest-memory.js';
import { VcpuContext } from '../../src/vcpu/context.js';
import { RunLoop, StepResult } from '../../src/vcpu/run-loop.js';
import type { BlockCache } from '../../src/vcpu/block-cache.js';
import { createStateBuffer, CsrSlot, stateViews } from '../../src/abi/state-layout.js';
import { MENVCFG_STCE, MIP } from '../../src/target/riscv/csr.js';

const TICKS_PER_MS = 10_000; // virt's 10 MHz timebase
const NOW = 5_000_000n;
/** RunLoop's longest single sleep: what it uses when no enabled timer is armed. */
const MAX_SLEEP_MS = 1000;

function halted(mtimecmp: bigint, mie: bigint, stimecmp?: bigint): number {
  const mem = new GuestMemory(createGuestMemoryBuffers(0x80000000, 0x10000, 0x1000, 0x1000));
  const mmio = { read: (): bigint | undefined => undefined, write: (): boolean => false };
  const ctx = new VcpuContext(stateViews(createStateBuffer()), 0, mem, mmio, { mtime: () => NOW, mtimecmp: () => mtimecmp, ticksPerMs: TICKS_PER_MS });
  ctx.resetState(0x1000);
  ctx.setCsr(CsrSlot.mie, mie);
  if (stimecmp !== undefined) {
    ctx.setCsr(CsrSlot.menvcfg, MENVCFG_STCE);
    ctx.setCsr(CsrSlot.stimecmp, stimecmp);
  }
  const host = { handleControl: (): boolean => true, paused: (): boolean => false, yieldRequested: (): boolean => false, debugStop: (): void => undefined };
  // sleepBudgetMs reads the context only; no block is run here
  const loop = new RunLoop(ctx, undefined as unknown as BlockCache, host);
  return loop.sleepBudgetMs(StepResult.Halted);
}

describe('vcpu/run-loop: how long a vCPU in WFI sleeps', function () {
  it('MTIE set, mtimecmp 3 ms ahead: sleeps 3 ms', function () {
    expect(halted(NOW + 3n * BigInt(TICKS_PER_MS), MIP.MTIP)).to.equal(3);
  });

  it('MTIE clear, mtimecmp in the past (firmware passed the tick on as STIP): sleeps until woken, not zero', function () {
    expect(halted(0n, MIP.SSIP | MIP.STIP | MIP.SEIP)).to.equal(MAX_SLEEP_MS);
  });

  it('Sstc: STIE set, stimecmp 2 ms ahead, mtimecmp (unused, MTIE clear) at 0: sleeps 2 ms', function () {
    expect(halted(0n, MIP.STIP | MIP.SSIP, NOW + 2n * BigInt(TICKS_PER_MS))).to.equal(2);
  });

  it('Sstc with STIE clear: stimecmp does not count', function () {
    expect(halted(-1n, MIP.SSIP, NOW + 2n * BigInt(TICKS_PER_MS))).to.equal(MAX_SLEEP_MS);
  });

  it('the nearer of two enabled deadlines wins', function () {
    expect(halted(NOW + 7n * BigInt(TICKS_PER_MS), MIP.MTIP | MIP.STIP, NOW + 4n * BigInt(TICKS_PER_MS))).to.equal(4);
  });

  it('an enabled deadline already passed: no sleep (the interrupt is about to be taken)', function () {
    expect(halted(NOW - 1n, MIP.MTIP)).to.equal(0);
  });
});
