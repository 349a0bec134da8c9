/**
 * Linux 6.1 (tests/linux/build.sh) as on QEMU: each scenario of tests/linux/init/init.c runs on tsemu
 * (bundled firmware) and on QEMU 7.2 (QEMU's OpenSBI), and init's lines must be identical and end
 * in PASS: CPUs and per-CPU placement at -smp 1/2/4/8 and -smp 2,maxcpus=4, CPU offline/online
 * through SBI HSM, a stress program on every CPU (several runs in a row), the vDSO, an ext2 root
 * on virtio-blk written and synced (the host then finds the file in the image; -snapshot leaves
 * it unchanged), and reboot with -no-reboot.
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { QEMU_BINARY, runQemu, runTsemu, type GuestRunResult } from '../support/run-guest.js';
import { hasTool, makeTempDir, missingPrerequisite, requireTool } from '../support/tools.js';
import { buildLinuxGuest, initLines, linuxArgs, type LinuxGuest } from './linux-guest.js';

const TSEMU_TIMEOUT_MS = 240_000;
const QEMU_TIMEOUT_MS = 90_000;
const STRESS_RUNS = 3;

function describeRun(r: GuestRunResult): string {
  return `status=${String(r.status)} signal=${String(r.signal)} timedOut=${String(r.timedOut)} (${r.durationMs} ms)\n` +
    `--- console (last 3000 chars) ---\n${r.stdout.slice(-3000)}\n--- stderr ---\n${r.stderr.slice(-2000)}`;
}

/** Both emulators ran `scenario` to its end: same init lines, PASS, powered off (or rebooted) with status 0. */
function expectSame(t: GuestRunResult, q: GuestRunResult, scenario: string): string[] {
  const lines = initLines(q.stdout);
  expect(q.timedOut, `QEMU: ${describeRun(q)}`).to.equal(false);
  expect(lines, `QEMU: ${describeRun(q)}`).to.include(`${scenario}: PASS`);
  expect(t.timedOut, describeRun(t)).to.equal(false);
  expect(initLines(t.stdout), describeRun(t)).to.deep.equal(lines);
  expect(t.status, describeRun(t)).to.equal(0);
  expect(q.status, `QEMU: ${describeRun(q)}`).to.equal(0);
  return lines;
}

describe('linux: scenarios beside QEMU 7.2 (oracle)', function () {
  this.timeout(TSEMU_TIMEOUT_MS + QEMU_TIMEOUT_MS);
  let guest: LinuxGuest | undefined;
  before(function () {
    this.timeout(30 * 60_000);
    requireTool('riscv64-linux-gnu-gcc', QEMU_BINARY);
    guest = buildLinuxGuest();
  });
  const g = (): LinuxGuest => {
    if (!guest) throw new Error('no Linux guest');
    return guest;
  };
  /*
   * One emulator after the other: run side by side on 2 host cores, a guest's secondary CPUs can
   * miss Linux's one-second bring-up timeout (seen with QEMU: "3 cpus online" at -smp 4).
   */
  const both = async (smp: string, scenario: string, extra: string[] = []): Promise<[GuestRunResult, GuestRunResult]> => {
    const args = linuxArgs(g(), 1, scenario, extra).map((a, i, all) => (all[i - 1] === '-smp' ? smp : a));
    const t = await runTsemu(args, { timeoutMs: TSEMU_TIMEOUT_MS });
    return [t, await runQemu(args, { timeoutMs: QEMU_TIMEOUT_MS })];
  };

  for (const smp of ['1', '2', '4', '8', '2,maxcpus=4']) {
    it(`smp at -smp ${smp}: CPUs online, /proc/cpuinfo, a thread pinned to each CPU runs there`, async function () {
      const [t, q] = await both(smp, 'smp');
      const cpus = Number(smp.split(',')[0]);
      const lines = expectSame(t, q, 'smp');
      expect(lines).to.include(`${cpus} cpus online`);
      for (let c = 0; c < cpus; c++) expect(lines).to.include(`ok thread pinned to cpu ${c} ran on cpu ${c}, after its sleeps on cpu ${c}`);
    });
  }

  it('hotplug at -smp 4: cpu1 offline (SBI hart_stop) and back (hart_start), then used', async function () {
    const [t, q] = await both('4', 'hotplug');
    expect(expectSame(t, q, 'hotplug')).to.include('ok cpu1 brought back online');
  });

  for (let run = 1; run <= STRESS_RUNS; run++) {
    it(`stress at -smp 4, run ${run} of ${STRESS_RUNS}: atomics, futex mutex, mmap, signals between threads give QEMU's results`, async function () {
      const [t, q] = await both('4', 'stress');
      expectSame(t, q, 'stress');
    });
  }

  it('vdso: clock_gettime and sched_getcpu through the vDSO', async function () {
    const [t, q] = await both('2', 'vdso');
    expectSame(t, q, 'vdso');
  });

  it('reboot with -no-reboot: the guest asks SBI SRST for a reboot and the emulator exits 0', async function () {
    const [t, q] = await both('1', 'reboot', ['-no-reboot']);
    expectSame(t, q, 'reboot');
    expect(t.stdout).to.include('reboot: Restarting system');
  });

  describe('disk: an ext2 image on virtio-blk', function () {
    let dir = '';
    before(function () {
      for (const tool of ['mke2fs', 'debugfs']) if (!hasTool(tool, '-V')) throw missingPrerequisite(tool);
      dir = makeTempDir('linux-disk');
    });
    after(function () {
      rmSync(dir, { recursive: true, force: true });
    });

    /** A fresh 8 MiB ext2 image holding hello.txt (mke2fs -d), like a root file system image. */
    const image = (name: string): string => {
      const content = join(dir, `${name}-content`);
      mkdirSync(content, { recursive: true });
      writeFileSync(join(content, 'hello.txt'), 'hello from the host\n');
      const path = join(dir, `${name}.img`);
      const r = spawnSync('mke2fs', ['-q', '-t', 'ext2', '-d', content, path, '8M'], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`mke2fs failed: ${r.stderr}`);
      return path;
    };
    const debugfsCat = (img: string, file: string): string =>
      spawnSync('debugfs', ['-R', `cat /${file}`, img], { encoding: 'utf8' }).stdout;
    const disk = (img: string): string[] => ['-drive', `file=${img},format=raw,if=none,id=hd0`, '-device', 'virtio-blk-device,drive=hd0'];

    it('mounted read-write: the guest reads a file, writes and syncs one; the host finds it in the image', async function () {
      const [timg, qimg] = [image('tsemu'), image('qemu')];
      const args = (img: string): string[] => linuxArgs(g(), 2, 'disk', disk(img));
      const t = await runTsemu(args(timg), { timeoutMs: TSEMU_TIMEOUT_MS });
      const q = await runQemu(args(qimg), { timeoutMs: QEMU_TIMEOUT_MS });
      expect(expectSame(t, q, 'disk')).to.include('ok read /mnt/hello.txt: hello from the host');
      expect(debugfsCat(timg, 'written-by-guest.txt')).to.equal("written by tsemu's Linux guest\n");
      expect(debugfsCat(qimg, 'written-by-guest.txt')).to.equal("written by tsemu's Linux guest\n");
    });

    it('-snapshot: the guest writes, the image is unchanged', async function () {
      const img = image('snapshot');
      const before = readFileSync(img);
      const t = await runTsemu([...linuxArgs(g(), 1, 'disk', disk(img)), '-snapshot'], { timeoutMs: TSEMU_TIMEOUT_MS });
      expect(initLines(t.stdout), describeRun(t)).to.include('disk: PASS');
      expect(readFileSync(img).equals(before), 'image bytes after the run').to.equal(true);
    });
  });
});
