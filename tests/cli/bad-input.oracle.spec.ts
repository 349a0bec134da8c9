/**
 * Oracle tier of the bad-input tests: QEMU 7.2 live on the same command lines (bad-input-cases.ts).
 * For every case where QEMU has a message, it stops with status 1 (and, where tsemu puts QEMU's two
 * lines in one, with exactly two lines); the guest touching unmapped memory finishes on QEMU as the
 * guest expects. Both are recorded into and checked against tests/transcripts/cli/bad-input/*.
 */
import { expect } from 'chai';
import { QEMU_BINARY, runQemu } from '../support/run-guest.js';
import { requireTool } from '../support/tools.js';
import { verifyTranscript } from '../support/transcripts.js';
import {
  CASES, describeRun, KEYS, makeFixtures, qemuMessage, removeFixtures, RUN_TIMEOUT_MS, unmappedAccessArgs,
  type ConsoleOutcome, type Fixtures, type QemuMessage,
} from './bad-input-cases.js';

describe('cli/bad-input: QEMU 7.2 live (oracle)', function () {
  let files: Fixtures;

  before(function () {
    requireTool(QEMU_BINARY);
    files = makeFixtures();
  });

  after(function () {
    removeFixtures(files);
  });

  it('QEMU stops with status 1 and its message for each case that has one', async function () {
    this.timeout(CASES.length * RUN_TIMEOUT_MS + 10_000);
    const live: QemuMessage[] = [];
    for (const c of CASES) {
      if (c.qemu.kind === 'none') continue;
      const r = await runQemu(c.args(files), { timeoutMs: RUN_TIMEOUT_MS });
      expect(r.status, `${c.title}: QEMU\n${describeRun(r)}`).to.equal(1);
      if (c.qemu.kind === 'last-line-then-reason') {
        expect(r.stderr.replace(/\n$/, '').split('\n'), `${c.title}: QEMU’s two lines`).to.have.length(2);
      }
      live.push(qemuMessage(c, files, r));
    }
    verifyTranscript(KEYS.messages, live, [QEMU_BINARY, 'ARGS (each entry)']);
  });

  it('a guest access to unmapped physical memory: the guest finishes on QEMU (status 0, "done")', async function () {
    this.timeout(RUN_TIMEOUT_MS + 5_000);
    const args = unmappedAccessArgs();
    const r = await runQemu(args, { timeoutMs: RUN_TIMEOUT_MS });
    expect(r.status, describeRun(r)).to.equal(0);
    expect(r.stdout, describeRun(r)).to.match(/^done$/m);
    const live: ConsoleOutcome = { stdout: r.stdout, status: r.status };
    verifyTranscript(KEYS.unmappedAccess, live, [QEMU_BINARY, ...args]);
  });
});
