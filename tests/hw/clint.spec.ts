/*
 * Values marked "QEMU" were measured on qemu-system-riscv64 7.2 -M virt with
 * tests/hw/qemu-probe; the rest follows the ACLINT spec and the design
 * described in src/hw/clint.ts.
 */
import { expect } from 'chai';
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { Clint, ClintShared, hostTicks } from '../../src/hw/clint.js';
import {
  createStateBuffer,
  ExitReason,
  Irq,
  stateViews,
  type VcpuStateViews,
  WORD_EXIT_REASONS,
  WORD_EXIT_REQUEST,
  WORD_IRQ_LINES,
  WORD_WAKE,
} from '../../src/vcpu/state-layout.js';

const MTIMECMP = 0x4000;
const MTIME = 0xbff8;

function setup(harts = 2): { shared: ClintShared; clint: Clint; states: VcpuStateViews[] } {
  const shared = ClintShared.create();
  const states = Array.from({ length: harts }, () => stateViews(createStateBuffer()));
  const clint = new Clint(shared, harts, (h) => states[h]);
  return { shared, clint, states };
}

function sleepMs(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

describe('hw/clint', () => {
  it('starts mtime at 0 and counts at 10 MHz', () => {
    const { clint } = setup();
    // Each read is bracketed by host clock readings, so the thread being descheduled between a
    // read and a host reading (a loaded machine) widens the bounds instead of failing the test.
    const before0 = hostTicks();
    const t0 = clint.read(MTIME, 8);
    const after0 = hostTicks();
    expect(t0 < 10_000n).to.equal(true); // created moments ago
    sleepMs(50);
    const before1 = hostTicks();
    const t1 = clint.read(MTIME, 8);
    const after1 = hostTicks();
    // mtime counts host ticks (10 MHz): t1 - t0 lies between the shortest and longest host interval
    expect(Number(t1 - t0)).to.be.within(Number(before1 - after0) - 10, Number(after1 - before0) + 10);
    expect(Number(t1 - t0)).to.be.within(450_000, 5_000_000); // >= 45 ms at 10 MHz
  });

  it('boots with mtimecmp 0, so MTIP is pending (QEMU)', () => {
    const { clint, shared } = setup();
    expect(clint.read(MTIMECMP, 8)).to.equal(0n);
    expect(clint.read(MTIMECMP + 8, 8)).to.equal(0n);
    expect(shared.timerPending(0)).to.equal(true);
    clint.write(MTIMECMP, 8, 0xffffffffffffffffn);
    expect(shared.timerPending(0)).to.equal(false);
    expect(shared.nextDeadlineMs(0)).to.equal(Infinity);
  });

  it('accesses 64-bit registers as halves (QEMU)', () => {
    const { clint } = setup();
    clint.write(MTIMECMP, 8, 0xffffffffffffffffn);
    clint.write(MTIMECMP, 4, 0n);
    expect(clint.read(MTIMECMP, 8)).to.equal(0xffffffff00000000n); // QEMU
    expect(clint.read(MTIMECMP + 4, 4)).to.equal(0xffffffffn); // QEMU
    clint.write(MTIMECMP + 4, 4, 0x12n);
    expect(clint.read(MTIMECMP, 8)).to.equal(0x1200000000n);
    clint.write(MTIMECMP + 4, 8, 0n); // QEMU rejects 64-bit writes to the high half
    expect(clint.read(MTIMECMP, 8)).to.equal(0x1200000000n);
  });

  it('lets the guest set mtime, which then keeps counting (QEMU)', () => {
    const { clint } = setup();
    clint.write(MTIME, 8, 0x100000000n);
    const v = clint.read(MTIME, 8);
    expect(v >= 0x100000000n && v < 0x100000000n + 100_000n).to.equal(true);
    expect(clint.read(MTIME + 4, 4)).to.equal(1n); // QEMU
    clint.write(MTIME + 4, 4, 0n);
    expect(clint.read(MTIME, 8) < 0x100000000n).to.equal(true);
  });

  it('sets and clears MSIP in the hart state word and kicks the hart (QEMU values)', () => {
    const { clint, states } = setup();
    const hart1 = states[1];
    if (!hart1) throw new Error('no hart 1');
    clint.write(4, 4, 1n);
    expect(clint.read(4, 4)).to.equal(1n); // QEMU
    expect(Atomics.load(hart1.i32, WORD_IRQ_LINES) & (1 << Irq.MSIP)).to.not.equal(0);
    expect(Atomics.load(hart1.i32, WORD_EXIT_REQUEST)).to.equal(1);
    expect(Atomics.load(hart1.i32, WORD_EXIT_REASONS) & ExitReason.Interrupt).to.not.equal(0);
    expect(Atomics.load(hart1.i32, WORD_WAKE)).to.be.greaterThan(0);
    expect(Atomics.load(states[0]?.i32 ?? new Int32Array(1), WORD_IRQ_LINES)).to.equal(0);
    clint.write(4, 4, 2n); // QEMU: only bit 0 counts
    expect(clint.read(4, 4)).to.equal(0n);
    expect(Atomics.load(hart1.i32, WORD_IRQ_LINES) & (1 << Irq.MSIP)).to.equal(0);
  });

  it('keeps other interrupt line bits when changing MSIP', () => {
    const { clint, states } = setup();
    const hart0 = states[0];
    if (!hart0) throw new Error('no hart 0');
    Atomics.store(hart0.i32, WORD_IRQ_LINES, 1 << Irq.MEIP);
    clint.write(0, 4, 1n);
    clint.write(0, 4, 0n);
    expect(Atomics.load(hart0.i32, WORD_IRQ_LINES)).to.equal(1 << Irq.MEIP);
  });

  it('reads 0 and ignores writes for harts that do not exist (QEMU)', () => {
    const { clint } = setup(1);
    clint.write(4, 4, 1n);
    expect(clint.read(4, 4)).to.equal(0n);
    clint.write(MTIMECMP + 8, 8, 5n);
    expect(clint.read(MTIMECMP + 8, 8)).to.equal(0n);
  });

  it('reports the time left until mtimecmp', () => {
    const { clint, shared } = setup();
    const now = clint.read(MTIME, 8);
    clint.write(MTIMECMP + 8, 8, now + 200_000n); // 20 ms ahead
    expect(shared.nextDeadlineMs(1)).to.be.within(10, 20);
    expect(shared.timerPending(1)).to.equal(false);
    expect(shared.msUntil(now)).to.equal(0);
    clint.write(MTIMECMP + 8, 8, now);
    expect(shared.nextDeadlineMs(1)).to.equal(0);
    expect(shared.timerPending(1)).to.equal(true);
  });

  it('kicks a hart whose mtimecmp changes so it can recompute its sleep', () => {
    const { clint, states } = setup();
    const before = Atomics.load(states[1]?.i32 ?? new Int32Array(1), WORD_WAKE);
    clint.write(MTIMECMP + 8, 8, 1234n);
    expect(Atomics.load(states[1]?.i32 ?? new Int32Array(1), WORD_WAKE)).to.equal(before + 1);
  });

  it('freezes mtime while paused and resumes from the same value', () => {
    const { shared, clint } = setup();
    clint.write(MTIMECMP, 8, 1n << 40n);
    shared.pause();
    const frozen = shared.mtime();
    sleepMs(20);
    expect(shared.mtime()).to.equal(frozen);
    expect(shared.nextDeadlineMs(0)).to.equal(Infinity);
    shared.setMtime(frozen + 5n); // a guest write while stopped (e.g. from the monitor)
    expect(shared.mtime()).to.equal(frozen + 5n);
    shared.resume();
    const after = shared.mtime();
    expect(after >= frozen + 5n && after < frozen + 5n + 50_000n).to.equal(true);
  });

  it('drops MSIP of every hart on reset', () => {
    const { clint, states } = setup();
    clint.write(0, 4, 1n);
    clint.write(4, 4, 1n);
    clint.reset();
    expect([clint.read(0, 4), clint.read(4, 4)]).to.deep.equal([0n, 0n]);
    for (const s of states) expect(Atomics.load(s.i32, WORD_IRQ_LINES)).to.equal(0);
  });

  describe('across threads', () => {
    let worker: Worker;
    let shared: ClintShared;
    let states: VcpuStateViews[];

    before(async () => {
      shared = ClintShared.create();
      states = [stateViews(createStateBuffer()), stateViews(createStateBuffer())];
      worker = new Worker(new URL('./clint-worker.js', import.meta.url), {
        workerData: { clint: shared.buffer, states: states.map((s) => s.buffer) },
      });
      await once(worker, 'online');
    });

    after(async () => {
      await worker.terminate();
    });

    async function ask(msg: string): Promise<unknown> {
      worker.postMessage(msg);
      const [answer] = (await once(worker, 'message')) as unknown[];
      return answer;
    }

    it('sees the same mtime in every thread', async () => {
      for (let i = 0; i < 5; i++) {
        const before = shared.mtime();
        const there = await ask('mtime');
        const after = shared.mtime();
        expect(typeof there).to.equal('bigint');
        expect((there as bigint) >= before && (there as bigint) <= after).to.equal(true);
      }
    });

    it('sees a pause made by another thread', async () => {
      shared.pause();
      const frozen = shared.mtime();
      expect(await ask('mtime')).to.equal(frozen);
      shared.resume();
    });

    it('raises MSIP from a worker into the main thread view', async () => {
      expect(await ask('msip1')).to.equal('done');
      expect(shared.msip(1)).to.equal(true);
      expect(Atomics.load(states[1]?.i32 ?? new Int32Array(1), WORD_IRQ_LINES) & (1 << Irq.MSIP)).to.not.equal(0);
    });

    it('wakes a hart sleeping on WORD_WAKE when its MSIP is raised', async () => {
      const clint = new Clint(shared, 2, (h) => states[h]);
      worker.postMessage('wfi0');
      const [sleeping] = (await once(worker, 'message')) as unknown[];
      expect(sleeping).to.equal('sleeping');
      await new Promise((r) => setTimeout(r, 20)); // let it block in Atomics.wait
      const woke = once(worker, 'message');
      clint.write(0, 4, 1n);
      const [result] = (await woke) as unknown[];
      expect(result).to.be.oneOf(['ok', 'not-equal']); // woken (or kicked just before it slept), never timed out
    });
  });
});
