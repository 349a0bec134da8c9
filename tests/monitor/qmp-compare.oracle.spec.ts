/**
 * Oracle tier of the QMP comparison: the requests of qmp-cases.ts sent to a live
 * `qemu-system-riscv64 -qmp stdio` (QEMU 7.2) get exactly the lines the committed transcripts
 * tests/transcripts/monitor/qmp/*.json hold (qmp-compare.spec.ts holds tsemu to them).
 */
import { expect } from 'chai';
import { QEMU_BINARY } from '../support/run-guest.js';
import { requireTool } from '../support/tools.js';
import { verifyTranscript } from '../support/transcripts.js';
import { QMP_CASES, runQemuCase } from './qmp-cases.js';

describe('monitor/qmp: QEMU 7.2 live matches the transcripts (oracle)', function () {
  this.timeout(60_000);
  before(function () {
    requireTool(QEMU_BINARY);
  });

  for (const c of Object.values(QMP_CASES)) {
    it(`${c.key}: ${c.requests.length} requests`, async () => {
      const { record, command } = await runQemuCase(c);
      expect(record.lines[0], 'the greeting').to.match(/^\{"QMP": \{"version": \{"qemu": \{"micro": \d+, "minor": 2, "major": 7\}/);
      if (c.unordered) expect(record.lines.some((l) => l.includes('"id": "last"')), 'QEMU answered the last request').to.equal(true);
      verifyTranscript(c.key, record, command);
    });
  }
});
