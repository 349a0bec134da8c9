/**
 * `-singlestep` (QEMU 7.2's option: one guest instruction per translated block) with `-d in_asm`:
 * tsemu runs the coverage guest with QEMU's own recipe (in-asm-runs.ts) and its log must hold
 * one instruction per "IN:" block and, line for line, the instructions QEMU logged
 * (tests/transcripts/disas/coverage-in-asm.json): the same blocks, translated in the same order.
 */
import { expect } from 'chai';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { readTranscript } from '../support/transcripts.js';
import { runTsemu } from '../support/run-guest.js';
import { makeTempDir } from '../support/tools.js';
import { inAsmArgs, instructionLines, transcriptKey, unpackLines, type InAsmRun } from './in-asm-runs.js';

describe('-singlestep -d in_asm against QEMU 7.2', function () {
  this.timeout(120_000);

  it('the coverage guest logs one instruction per block, the instructions QEMU logged', async function () {
    const dir = makeTempDir('singlestep');
    try {
      const log = join(dir, 'in_asm.log');
      const r = await runTsemu(inAsmArgs('coverage', log), { timeoutMs: 90_000 });
      const qemu = readTranscript<InAsmRun>(transcriptKey('coverage'));
      expect(r.status, r.stderr).to.equal(qemu.status);
      const text = readFileSync(log, 'utf8');
      const blocks = text.split('----------------\n').filter((b) => b !== '');
      expect(blocks.every((b) => instructionLines(b).length === 1), 'every block holds one instruction').to.equal(true);
      expect(instructionLines(text)).to.deep.equal(unpackLines(qemu));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
