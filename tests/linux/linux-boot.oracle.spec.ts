/**
 * Linux 6.1 (tests/linux/build.sh) boots on tsemu's bundled firmware to its first user-space
 * program at -smp 1 and -smp 4 and powers off through SBI SRST, and does the same on tsemu with
 * Debian's OpenSBI, and on QEMU 7.2 with the same firmware ELF and with QEMU's own OpenSBI: init's
 * lines must be identical.
 */
import { expect } from 'chai';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { QEMU_BINARY, repoRoot, runQemu, runTsemu, type GuestRunResult } from '../support/run-guest.js';
import { missingPrerequisite, requireTool } from '../support/tools.js';
import { buildLinuxGuest, initLines, linuxArgs, type LinuxGuest } from './linux-guest.js';

const FIRMWARE = join(repoRoot(), 'firmware/bin/tsemu-sbi.elf');
/** QEMU 7.2's default -bios for virt, as Debian ships it (package opensbi). */
const OPENSBI = '/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin';
const TSEMU_TIMEOUT_MS = 180_000;
const QEMU_TIMEOUT_MS = 60_000;

function describeRun(r: GuestRunResult): string {
  return `status=${String(r.status)} signal=${String(r.signal)} timedOut=${String(r.timedOut)} (${r.durationMs} ms)\n` +
    `--- console (last 3000 chars) ---\n${r.stdout.slice(-3000)}\n--- stderr ---\n${r.stderr.slice(-2000)}`;
}

function expectBootedAndPoweredOff(r: GuestRunResult, cpus: number): void {
  expect(r.timedOut, describeRun(r)).to.equal(false);
  expect(initLines(r.stdout), describeRun(r)).to.deep.equal([
    'init started, scenario boot', `${cpus} cpus online`, 'boot: PASS', 'power off',
  ]);
  expect(r.stdout, describeRun(r)).to.include('reboot: Power down');
  expect(r.status, describeRun(r)).to.equal(0);
}

describe('linux: Linux 6.1 boots to user space and powers off (oracle)', function () {
  let guest: LinuxGuest | undefined;
  before(function () {
    this.timeout(30 * 60_000);
    requireTool('riscv64-linux-gnu-gcc', QEMU_BINARY);
    if (!existsSync(OPENSBI)) throw missingPrerequisite(OPENSBI);
    guest = buildLinuxGuest();
  });
  const g = (): LinuxGuest => {
    if (!guest) throw new Error('no Linux guest');
    return guest;
  };

  for (const smp of [1, 4]) {
    describe(`-smp ${smp}`, function () {
      this.timeout(TSEMU_TIMEOUT_MS + 10_000);

      it('boots on tsemu-sbi (-bios default): the kernel finds SBI v2.0 with HSM, SRST; init runs; SRST powers off', async function () {
        const r = await runTsemu(linuxArgs(g(), smp, 'boot'), { timeoutMs: TSEMU_TIMEOUT_MS });
        expectBootedAndPoweredOff(r, smp);
        expect(r.stdout).to.include('tsemu-sbi v1.0 (SBI v2.0)');
        expect(r.stdout).to.match(/SBI specification v2\.0 detected/);
        expect(r.stdout).to.match(/SBI implementation ID=0x7473 Version=0x10000/);
        expect(r.stdout).to.match(/SBI SRST extension detected/);
        expect(r.stdout).to.match(/SBI HSM extension detected/);
        if (smp > 1) expect(r.stdout).to.include(`smp: Brought up 1 node, ${smp} CPUs`);
      });

      it("boots on tsemu with Debian's OpenSBI (-bios fw_dynamic.bin), as QEMU's default firmware", async function () {
        const r = await runTsemu(linuxArgs(g(), smp, 'boot', ['-bios', OPENSBI]), { timeoutMs: TSEMU_TIMEOUT_MS });
        expectBootedAndPoweredOff(r, smp);
        expect(r.stdout).to.match(/OpenSBI v\d+\.\d+/);
        if (smp > 1) expect(r.stdout).to.include(`smp: Brought up 1 node, ${smp} CPUs`);
      });

      it('prints the same init lines on QEMU with the same firmware ELF', async function () {
        const r = await runQemu(linuxArgs(g(), smp, 'boot', ['-bios', FIRMWARE]), { timeoutMs: QEMU_TIMEOUT_MS });
        expectBootedAndPoweredOff(r, smp);
      });

      it("prints the same init lines on QEMU with QEMU's OpenSBI", async function () {
        const r = await runQemu(linuxArgs(g(), smp, 'boot'), { timeoutMs: QEMU_TIMEOUT_MS });
        expectBootedAndPoweredOff(r, smp);
      });
    });
  }
});
