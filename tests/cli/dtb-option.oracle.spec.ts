/**
 * Oracle tier of dtb-option.spec.ts: QEMU 7.2's dumps of the committed trees given with -dtb,
 * recorded into (TSEMU_RECORD_TRANSCRIPTS=1) or checked against tests/transcripts/cli/dtb-option/dumps.json.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { QEMU_BINARY, runQemu } from '../support/run-guest.js';
import { makeTempDir, requireTool } from '../support/tools.js';
import { verifyTranscript } from '../support/transcripts.js';
import { BASES, dumpArgs, dumpOf, KEY, type DtbDump } from './dtb-option-cases.js';

describe('cli: -dtb FILE on QEMU 7.2 live (oracle)', function () {
  this.timeout(60_000);
  before(function () {
    requireTool(QEMU_BINARY);
  });

  it('QEMU\'s dumps of the committed trees are the transcript', async function () {
    const dir = makeTempDir('dtb-option-qemu');
    try {
      writeFileSync(join(dir, 'initrd'), Buffer.alloc(4099, 0x5a));
      const live: DtbDump[] = [];
      for (const base of BASES) {
        const out = join(dir, `${base}.out`);
        const r = await runQemu(dumpArgs(base, join(dir, 'initrd'), out), { timeoutMs: 20_000 });
        expect(r.status, r.stderr).to.equal(0);
        live.push(dumpOf(base, readFileSync(out)));
      }
      verifyTranscript(KEY, live, [QEMU_BINARY, 'ARGS (dtb-option-cases.ts dumpArgs)']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
