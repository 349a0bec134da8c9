/**
 * Oracle tier of the SBI conformance tests:
 *   - the guest tests/sbi/guest/bin/sbi-test.elf on a live QEMU 7.2 with
 *     `-bios firmware/bin/tsemu-sbi.elf` passes every check and gives exactly what the committed
 *     transcript (tests/transcripts/sbi/sbi-test-smp4.json) holds, which sbi.spec.ts holds tsemu to;
 *   - the committed binaries are what their sources build: `make` in a temporary copy of
 *     tests/sbi/guest and of firmware gives the committed ELFs byte for byte (both builds are
 *     reproducible: no debug info, no build id, no paths).
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { cpSync, readFileSync, rmSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { QEMU_BINARY, runQemu } from '../support/run-guest.js';
import { makeTempDir, requireTool } from '../support/tools.js';
import { verifyTranscript } from '../support/transcripts.js';
import {
  describeRun, expectPassed, FIRMWARE_DIR, FIRMWARE_ELF, GUEST_DIR, GUEST_ELF, outcome, QEMU_TIMEOUT_MS, qemuArgs, TRANSCRIPT_KEY,
} from './sbi-runs.js';

describe('SBI conformance guest: QEMU 7.2 live on tsemu-sbi (oracle)', function () {
  this.timeout(QEMU_TIMEOUT_MS + 10_000);
  before(function () {
    requireTool(QEMU_BINARY);
  });

  it('passes every check on QEMU and matches its transcript', async function () {
    const args = qemuArgs();
    const q = await runQemu(args, { timeoutMs: QEMU_TIMEOUT_MS });
    expect(q.timedOut, describeRun(q)).to.equal(false);
    expectPassed(q);
    verifyTranscript(TRANSCRIPT_KEY, outcome(q), [QEMU_BINARY, ...args]);
  });
});

/** Copies `dir` without its bin/ to a temporary directory, runs make there, returns the rebuilt `elf`. */
function rebuild(dir: string, elf: string, tag: string): Buffer {
  const tmp = makeTempDir(tag);
  try {
    cpSync(dir, tmp, { recursive: true, filter: (path) => relative(dir, path).split('/')[0] !== 'bin' });
    const make = spawnSync('make', ['-C', tmp], { encoding: 'utf8', timeout: 120_000 });
    expect(make.status, `make -C ${tmp} failed:\n${make.stdout}${make.stderr}`).to.equal(0);
    return readFileSync(join(tmp, 'bin', basename(elf)));
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

describe('SBI conformance: the committed ELFs are built from their sources (oracle)', function () {
  this.timeout(150_000);
  before(function () {
    requireTool('riscv64-unknown-elf-gcc', 'make');
  });

  for (const [what, dir, elf] of [['tests/sbi/guest', GUEST_DIR, GUEST_ELF], ['firmware', FIRMWARE_DIR, FIRMWARE_ELF]] as const) {
    it(`make -C ${what} in a temporary copy gives ${relative(dir, elf)} byte for byte`, function () {
      const built = rebuild(dir, elf, `sbi-make-${basename(dir)}`);
      const committed = readFileSync(elf);
      expect(built.equals(committed), `${what}/${relative(dir, elf)} is not what its sources build ` +
        `(${built.length} bytes built, ${committed.length} committed): run make -C ${what} and commit the ELF`).to.equal(true);
    });
  }
});
