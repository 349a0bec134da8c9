/**
 * Zihintpause's pause on a real vCPU context (src/vcpu/context.ts `pause`): a vCPU that is one of
 * several threads lets its host CPU go after 256 pauses in a row (each within a few retired
 * instructions of the last, as in a spin loop), and not for pauses spread over other work or
 * when it runs alone.
 */
import { expect } from 'chai';
import { createGuestMemoryBuffers, GuestMemory } from '../../src/memory/guest-memory.js';
import { VcpuContext } from '../../src/vcpu/context.js';
import { createStateBuffer, SLOT_INSTRET, stateViews } from '../../src/abi/state-layout.js';

function context(spinYield: boolean): VcpuContext {
  const mem = new GuestMemory(createGuestMemoryBuffers(0x8000_0000, 0x10000, 0x1000, 0x1000));
  const mmio = { read: (): bigint | undefined => undefined, write: (): boolean => false };
  const ctx = new VcpuContext(stateViews(createStateBuffer()), 0, mem, mmio, { mtime: () => 0n, mtimecmp: () => -1n, ticksPerMs: 10_000 });
  ctx.resetState(0x8000_0000);
  ctx.spinYield = spinYield;
  return ctx;
}

/** Run `count` pauses, `gap` instructions retired before each; the yields they made. */
function spin(ctx: VcpuContext, count: number, gap: number): number {
  const before = ctx.spinYields;
  for (let i = 0; i < count; i++) {
    ctx.f64[SLOT_INSTRET] += gap;
    ctx.pause();
  }
  return ctx.spinYields - before;
}

describe('vcpu/spin-yield: pause lets the host CPU go in a spin loop', function () {
  it('yields once per 256 pauses in a row of a tight loop', function () {
    const ctx = context(true);
    expect(spin(ctx, 255, 7)).to.equal(0);
    expect(spin(ctx, 1, 7)).to.equal(1);
    expect(spin(ctx, 256 * 4, 7)).to.equal(4);
  });

  it('does not yield for pauses with other work between them, and a long gap starts the streak again', function () {
    const ctx = context(true);
    expect(spin(ctx, 2000, 1000)).to.equal(0);
    expect(spin(ctx, 200, 7)).to.equal(0);
    expect(spin(ctx, 1, 1000)).to.equal(0); // the gap ends the streak of 200
    expect(spin(ctx, 255, 7)).to.equal(1); // 1 + 255 pauses in a row
  });

  it('never yields when its thread runs the only vCPU', function () {
    expect(spin(context(false), 5000, 7)).to.equal(0);
  });
});
