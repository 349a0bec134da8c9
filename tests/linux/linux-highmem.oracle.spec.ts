/**
 * Linux 6.1 (tests/linux/build.sh) with -m 8G beside QEMU 7.2: RAM above 2 GiB lives outside
 * tsemu's WebAssembly memory (src/memory/README.md), and Linux allocates from the top of memory
 * down (memblock: page tables, per-CPU areas) and user pages from ZONE_NORMAL (above 4 GiB
 * physical) first, so boot and user space run mostly in high RAM. init's lines must be QEMU's:
 * the CPUs and pinned threads (`smp`), and the stress program's atomics, futex mutex,
 * mmap/munmap and signals on every CPU (`stress`), plus the RAM the kernel reports.
 */
import { expect } from 'chai';
import { QEMU_BINARY, runQemu, runTsemu, type GuestRunResult } from '../support/run-guest.js';
import { requireTool } from '../support/tools.js';
import { buildLinuxGuest, initLines, linuxArgs, type LinuxGuest } from './linux-guest.js';

const TSEMU_TIMEOUT_MS = 300_000;
const QEMU_TIMEOUT_MS = 90_000;

function describeRun(r: GuestRunResult): string {
  return `status=${String(r.status)} signal=${String(r.signal)} timedOut=${String(r.timedOut)} (${r.durationMs} ms)\n` +
    `--- console (last 3000 chars) ---\n${r.stdout.slice(-3000)}\n--- stderr ---\n${r.stderr.slice(-2000)}`;
}

/** The kernel's "Memory: NK/MK available" line, the total (MK) only: what it found in the device tree. */
function memoryTotal(console: string): string | undefined {
  return /Memory: \d+K\/(\d+K) available/.exec(console)?.[1];
}

describe('linux: -m 8G beside QEMU 7.2 (oracle)', function () {
  this.timeout(TSEMU_TIMEOUT_MS + QEMU_TIMEOUT_MS);
  let guest: LinuxGuest | undefined;
  before(function () {
    this.timeout(30 * 60_000);
    requireTool('riscv64-linux-gnu-gcc', QEMU_BINARY);
    guest = buildLinuxGuest();
  });

  /** One emulator after the other (2 host cores: side by side, secondary CPUs can miss Linux's bring-up timeout). */
  const both = async (smp: number, scenario: string): Promise<[GuestRunResult, GuestRunResult]> => {
    if (!guest) throw new Error('no Linux guest');
    const args = linuxArgs(guest, smp, scenario).map((a, i, all) => (all[i - 1] === '-m' ? '8G' : a));
    const t = await runTsemu(args, { timeoutMs: TSEMU_TIMEOUT_MS });
    return [t, await runQemu(args, { timeoutMs: QEMU_TIMEOUT_MS })];
  };

  for (const [smp, scenario] of [[2, 'smp'], [4, 'stress']] as const) {
    it(`${scenario} at -smp ${smp} -m 8G: init's lines as on QEMU, all 8 GiB found`, async function () {
      const [t, q] = await both(smp, scenario);
      const lines = initLines(q.stdout);
      expect(q.timedOut, `QEMU: ${describeRun(q)}`).to.equal(false);
      expect(lines, `QEMU: ${describeRun(q)}`).to.include(`${scenario}: PASS`);
      expect(t.timedOut, describeRun(t)).to.equal(false);
      expect(initLines(t.stdout), describeRun(t)).to.deep.equal(lines);
      expect(t.status, describeRun(t)).to.equal(0);
      expect(memoryTotal(t.stdout), describeRun(t)).to.equal(memoryTotal(q.stdout));
      // 8 GiB less the 2 MiB below the kernel that Linux leaves to the firmware ("Ignoring memory range")
      expect(memoryTotal(t.stdout)).to.equal(`${8 * 1024 * 1024 - 2048}K`);
      console.log(`      wall time: tsemu ${(t.durationMs / 1000).toFixed(1)} s, QEMU ${(q.durationMs / 1000).toFixed(1)} s`);
    });
  }
});
