/**
 * Oracle tier of the disassembler tests: the committed guests of tests/disas/guest run on a live
 * QEMU 7.2 with `-singlestep -d in_asm` (in-asm-runs.ts); each must run to the end, the coverage
 * guest must make QEMU print every RV64GC mnemonic, the fuzz guest every 16-bit encoding, and the
 * instruction lines must be what the committed transcript (tests/transcripts/disas/*-in-asm.json)
 * holds, which disas.spec.ts holds tsemu's disassembler to. Also checks that the committed guest
 * ELFs are what their sources build to (tests/disas/guest/Makefile).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { QEMU_BINARY, runQemu } from '../support/run-guest.js';
import { makeTempDir, requireTool } from '../support/tools.js';
import { readTranscriptFile, recording, verifyTranscript } from '../support/transcripts.js';
import {
  expectCoverageRanToEnd, expectEveryMnemonic, expectFuzzRanToEnd, GUEST_DIR, GUESTS, guestElf, inAsmArgs, instructionLines, packRun,
  QEMU_TIMEOUT_MS, transcriptKey, unpackLines, type Guest, type InAsmRun,
} from './in-asm-runs.js';

const CROSS = process.env.RISCV_GCC?.replace(/gcc$/, '') ?? 'riscv64-unknown-elf-';

/**
 * The value to verify: the committed one when it holds exactly these lines and status (gzip's
 * bytes may differ between zlib builds for the same text), else the lines packed afresh.
 */
function canonical(guest: Guest, status: number | null, lines: readonly string[]): InAsmRun {
  const live = packRun(status, lines);
  if (recording()) return live;
  try {
    const committed = readTranscriptFile<InAsmRun>(transcriptKey(guest)).value;
    const same = committed.status === status && JSON.stringify(unpackLines(committed)) === JSON.stringify(lines);
    return same ? committed : live;
  } catch {
    return live;
  }
}

describe('RISC-V disassembler (-d in_asm): QEMU 7.2 live (oracle)', function () {
  this.timeout(QEMU_TIMEOUT_MS + 30_000);
  let tmp = '';

  before(function () {
    requireTool(QEMU_BINARY);
    tmp = makeTempDir('disas');
  });
  after(function () {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  async function qemuInAsm(guest: Guest): Promise<{ status: number | null; lines: string[]; command: string[] }> {
    const log = join(tmp, `${guest}.in_asm.txt`);
    const args = inAsmArgs(guest, log);
    const run = await runQemu(args, { timeoutMs: QEMU_TIMEOUT_MS });
    expect(run.timedOut, run.stderr).to.equal(false);
    const lines = existsSync(log) ? instructionLines(readFileSync(log, 'utf8')) : [];
    return { status: run.status, lines, command: [QEMU_BINARY, ...inAsmArgs(guest, '$TMP/disas-XXXXXX/' + `${guest}.in_asm.txt`)] };
  }

  it('coverage guest: runs to the end, prints every RV64GC mnemonic, matches its transcript', async function () {
    const { status, lines, command } = await qemuInAsm('coverage');
    expectCoverageRanToEnd(status, lines, 'QEMU coverage');
    expectEveryMnemonic(lines);
    verifyTranscript(transcriptKey('coverage'), canonical('coverage', status, lines), command);
  });

  it('fuzz guest: runs to the end, logs every 16-bit encoding, matches its transcript', async function () {
    const { status, lines, command } = await qemuInAsm('fuzz');
    expectFuzzRanToEnd(status, lines, 'QEMU fuzz');
    verifyTranscript(transcriptKey('fuzz'), canonical('fuzz', status, lines), command);
  });

  it('the committed guest ELFs are what tests/disas/guest/*.S build to (make O=TMP)', function () {
    this.timeout(120_000);
    requireTool(`${CROSS}gcc`, 'make');
    const out = join(tmp, 'rebuilt');
    const r = spawnSync('make', ['-s', '-C', GUEST_DIR, `CROSS=${CROSS}`, `O=${out}`], { encoding: 'utf8' });
    expect(r.status, r.stderr).to.equal(0);
    for (const guest of GUESTS) {
      expect(readFileSync(join(out, `${guest}.elf`)).equals(readFileSync(guestElf(guest))), `${guest}: rebuild differs from the committed bin/${guest}.elf (make -C tests/disas/guest)`).to.equal(true);
    }
  });
});
