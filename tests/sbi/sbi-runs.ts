/**
 * The recipe both tiers of the SBI conformance tests share: the S-mode guest
 * tests/sbi/guest/bin/sbi-test.elf at -smp 4 on the firmware tsemu-sbi (tsemu: `-bios default`,
 * which is firmware/bin/tsemu-sbi.elf; QEMU: `-bios firmware/bin/tsemu-sbi.elf`), and what of a run
 * is compared: the console output and the exit status. The QEMU side is committed as
 * tests/transcripts/sbi/sbi-test-smp4.json.
 */
import { expect } from 'chai';
import { join } from 'node:path';
import { repoRoot, type GuestRunResult } from '../support/run-guest.js';

export const SMP = 4;
export const TRANSCRIPT_KEY = `sbi/sbi-test-smp${SMP}`;

export const GUEST_DIR = join(repoRoot(), 'tests', 'sbi', 'guest');
export const GUEST_ELF = join(GUEST_DIR, 'bin', 'sbi-test.elf');
export const FIRMWARE_DIR = join(repoRoot(), 'firmware');
export const FIRMWARE_ELF = join(FIRMWARE_DIR, 'bin', 'tsemu-sbi.elf');

/** A run takes about 10 s on either emulator (a guest that waits for a hart gives up after 10 s of guest time). */
export const QEMU_TIMEOUT_MS = 60_000;
export const TSEMU_TIMEOUT_MS = 90_000;

const COMMON = ['-M', 'virt', '-smp', String(SMP), '-nographic'];

export function qemuArgs(): string[] {
  return [...COMMON, '-bios', FIRMWARE_ELF, '-kernel', GUEST_ELF];
}

/** tsemu's `-bios default` is the same file (sbi.spec.ts checks that). */
export function tsemuArgs(): string[] {
  return [...COMMON, '-kernel', GUEST_ELF];
}

/** What a transcript keeps of a run. */
export type SbiOutcome = {
  readonly stdout: string;
  readonly status: number | null;
};

export function outcome(r: GuestRunResult): SbiOutcome {
  return { stdout: r.stdout, status: r.status };
}

export function describeRun(r: GuestRunResult | SbiOutcome): string {
  const extra = 'timedOut' in r ? ` signal=${String(r.signal)} timedOut=${String(r.timedOut)} (${String(r.durationMs)} ms)\n--- stderr ---\n${r.stderr}` : '';
  return `status=${String(r.status)}${extra}\n--- stdout ---\n${r.stdout}`;
}

/**
 * The lines where `actual` differs from `reference` ("line N: ... got X, QEMU printed Y"), for a short
 * assertion message instead of two 250-line arrays.
 */
export function lineDifferences(actual: string, reference: string, who = 'tsemu'): string[] {
  const a = actual.split('\n').map(maskArchIds);
  const b = reference.split('\n').map(maskArchIds);
  const out: string[] = [];
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] === b[i]) continue;
    out.push(`line ${i + 1}: ${who} printed ${JSON.stringify(a[i] ?? '(nothing)')}, QEMU printed ${JSON.stringify(b[i] ?? '(nothing)')}`);
  }
  return out;
}

/**
 * marchid and mimpid hold QEMU's own version number on QEMU (7.2.22: 0x70216); tsemu's hart reads
 * them as 0 (a documented difference), so the comparison masks their values and the tsemu spec
 * checks its own separately.
 */
export function maskArchIds(line: string): string {
  return line.replace(/^(INFO (marchid|mimpid) )0x[0-9a-f]+$/, '$1<implementation version>');
}

/**
 * A run the guest passed: PASS lines and no FAIL line, both boots (the cold reboot happened), the
 * summary counting every PASS line and no failure, and exit status 0 (SBI SRST shutdown).
 */
export function expectPassed(r: GuestRunResult | SbiOutcome): void {
  const lines = r.stdout.split('\n');
  const passes = lines.filter((l) => l.startsWith('PASS ')).length;
  expect(lines.filter((l) => l.startsWith('FAIL ')), describeRun(r)).to.deep.equal([]);
  expect(passes, describeRun(r)).to.be.greaterThan(200);
  expect(lines, describeRun(r)).to.include('sbi-test: second boot, after the SBI cold reboot (marker at 0x80400000)');
  expect(lines, describeRun(r)).to.include(`SUMMARY ${passes} passed, 0 failed`);
  expect(r.status, describeRun(r)).to.equal(0);
}
