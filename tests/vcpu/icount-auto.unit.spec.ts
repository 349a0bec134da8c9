/**
 * -icount shift=auto and align=on (issue 18, point 3), on the CLINT's clock with an injected real
 * clock, so nothing here depends on the host's speed:
 *  - QEMU 7.2's icount_adjust step: a guest getting ahead of real time gets a smaller shift, one
 *    falling behind a larger one, within 0..10, and nothing changes inside the wobble (100 ms);
 *  - auto starts at QEMU's shift 3, adjusts every 100 ms of virtual time (or second of real time)
 *    and virtual time stays continuous across a change;
 *  - align asks the vCPU to sleep while virtual time is more than 3 ms ahead of real time;
 *  - sleep=on|off for an idle vCPU: sleep=off jumps virtual time to the timer deadline at once;
 *    sleep=on leaves it for the real sleep, after which it moves on by the real time slept (warp);
 *  - the command line: QEMU's forms and its messages for align without a shift or with sleep=off.
 */
import { expect } from 'chai';
import { ClintShared, icountAdjustStep, MAX_ICOUNT_SHIFT } from '../../src/hw/clint.js';
import { TIMEBASE_FREQ } from '../../src/machine/virt-map.js';
import { OptionError, parseCommandLine } from '../../src/cli/options.js';
import { createGuestMemoryBuffers, GuestMemory } from '../../src/memory/guest-memory.js';
import { VcpuContext } from '../../src/vcpu/context.js';
import { RunLoop, StepResult } from '../../src/vcpu/run-loop.js';
import type { BlockCache } from '../../src/vcpu/block-cache.js';
import { createStateBuffer, CsrSlot, stateViews } from '../../src/abi/state-layout.js';
import { MIP } from '../../src/target/riscv/csr.js';

/** A vCPU in WFI with its machine timer enabled and due at `deadline`, on `clint`. */
function idleLoop(clint: ClintShared, deadline: bigint): RunLoop {
  const mem = new GuestMemory(createGuestMemoryBuffers(0x80000000, 0x10000, 0x1000, 0x1000));
  const mmio = { read: (): bigint | undefined => undefined, write: (): boolean => false };
  const ctx = new VcpuContext(stateViews(createStateBuffer()), 0, mem, mmio, clint);
  ctx.resetState(0x1000);
  ctx.setCsr(CsrSlot.mie, MIP.MTIP);
  clint.setMtimecmp(0, deadline);
  const host = { handleControl: (): boolean => true, paused: (): boolean => false, yieldRequested: (): boolean => false, debugStop: (): void => undefined };
  return new RunLoop(ctx, undefined as unknown as BlockCache, host);
}

const MS = 1_000_000n;

function icountOption(value: string): unknown {
  const r = parseCommandLine(['-M', 'virt', '-bios', 'none', '-icount', value]);
  if (r.action !== 'run') throw new Error('unexpected exit');
  return r.options.icount;
}

function icountError(value: string): string {
  try {
    icountOption(value);
  } catch (e) {
    if (e instanceof OptionError) return e.message;
    throw e;
  }
  throw new Error(`no error for -icount ${value}`);
}

describe('-icount shift=auto and align=on', function () {
  it('one icount_adjust step: ahead shifts down, behind shifts up, within 0..10 and the wobble', function () {
    expect(icountAdjustStep(3, 0n, 0n, 500n * MS)).to.deep.equal({ shift: 2, lastDelta: 500n * MS }); // 0.5 s ahead
    expect(icountAdjustStep(3, 0n, 500n * MS, 0n)).to.deep.equal({ shift: 4, lastDelta: -500n * MS }); // 0.5 s behind
    expect(icountAdjustStep(3, 0n, 0n, 40n * MS).shift).to.equal(3); // 2 * 40 ms is within the 100 ms wobble
    expect(icountAdjustStep(3, 900n * MS, 0n, 500n * MS).shift).to.equal(3); // ahead, but less than last time
    expect(icountAdjustStep(0, 0n, 0n, 500n * MS).shift).to.equal(0);
    expect(icountAdjustStep(MAX_ICOUNT_SHIFT, 0n, 500n * MS, 0n).shift).to.equal(MAX_ICOUNT_SHIFT);
  });

  it('auto starts at shift 3, adjusts after 100 ms of virtual time, and virtual time stays where it was', function () {
    let real = 0n;
    let instructions = 0;
    const clint = ClintShared.create(TIMEBASE_FREQ, () => real, { shift: 3, sleep: true, auto: true });
    clint.useInstructionClock(() => instructions);
    expect(clint.icount).to.deep.equal({ shift: 3, sleep: true, auto: true });
    instructions = 12_500_000; // << 3 = 100 ms of virtual time while no real time passed: far ahead
    const before = clint.mtime();
    expect(before).to.equal(1_000_000n); // 100 ms at 10 MHz
    expect(clint.icountTick()).to.equal(0); // no align: never sleeps
    expect(clint.icount?.shift).to.equal(2);
    expect(clint.mtime()).to.equal(before);
    instructions += 1000; // now 1000 << 2 ns = 40 ticks more
    expect(clint.mtime()).to.equal(before + 40n);
    // the next adjustment waits for 100 ms more of virtual time (or a second of real time)
    real = 10n * MS;
    clint.icountTick();
    expect(clint.icount?.shift).to.equal(2);
  });

  it('a guest behind real time gets a larger shift at the one-second real-time adjustment', function () {
    let real = 0n;
    const clint = ClintShared.create(TIMEBASE_FREQ, () => real, { shift: 3, sleep: true, auto: true });
    clint.useInstructionClock(() => 1000);
    real = 1000n * MS;
    clint.icountTick();
    expect(clint.icount?.shift).to.equal(4);
  });

  it('align=on: sleep while more than 3 ms ahead of real time; a fixed shift never changes', function () {
    let real = 0n;
    let instructions = 0;
    const clint = ClintShared.create(TIMEBASE_FREQ, () => real, { shift: 0, sleep: true, align: true });
    clint.useInstructionClock(() => instructions);
    instructions = 2_000_000; // 2 ms ahead
    expect(clint.icountTick()).to.equal(0);
    instructions = 10_000_000; // 10 ms ahead
    expect(clint.icountTick()).to.equal(10);
    real = 9n * MS;
    expect(clint.icountTick()).to.equal(0);
    expect(clint.icount).to.deep.equal({ shift: 0, sleep: true, align: true });
  });

  it('an idle vCPU: sleep=off jumps to the deadline; sleep=on sleeps, then warps by the real time slept', function () {
    const off = ClintShared.create(TIMEBASE_FREQ, () => 0n, { shift: 4, sleep: false });
    off.useInstructionClock(() => 0);
    expect(idleLoop(off, 50_000n).sleepBudgetMs(StepResult.Halted)).to.equal(0);
    expect(off.mtime()).to.equal(50_000n);

    const on = ClintShared.create(TIMEBASE_FREQ, () => 0n, { shift: 4, sleep: true });
    on.useInstructionClock(() => 0);
    const loop = idleLoop(on, 50_000n); // 5 ms away
    const ms = loop.sleepBudgetMs(StepResult.Halted);
    expect(ms).to.equal(5);
    expect(on.mtime()).to.equal(0n); // nothing moved before the sleep
    on.warp(2_000_000n); // woken after 2 ms of real time
    expect(on.mtime()).to.equal(20_000n);
    loop.sleepHalted(loop.wakeSeq(), 1); // a real sleep: virtual time moves on by what it took
    expect(on.mtime() > 20_000n).to.equal(true);
  });

  it('the command line: QEMU\'s forms and messages', function () {
    expect(icountOption('auto')).to.deep.equal({ shift: 3, sleep: true, auto: true });
    expect(icountOption('shift=auto,sleep=off')).to.deep.equal({ shift: 3, sleep: false, auto: true });
    expect(icountOption('shift=4,align=on')).to.deep.equal({ shift: 4, sleep: true, align: true });
    expect(icountOption('shift=4,align=off')).to.deep.equal({ shift: 4, sleep: true });
    expect(icountOption('sleep=off')).to.equal(undefined);
    // QEMU 7.2's texts (qemu-system-riscv64 -icount ...), with tsemu's name
    expect(icountError('align=on')).to.equal('tsemu-system-riscv64: -icount align=on: Please specify shift option when using align');
    expect(icountError('shift=4,align=on,sleep=off')).to.equal('tsemu-system-riscv64: -icount shift=4,align=on,sleep=off: align=on and sleep=off are incompatible');
  });
});
