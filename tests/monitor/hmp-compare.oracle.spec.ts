/**
 * Oracle tier of the HMP comparison: the commands of hmp-cases.ts run through a live
 * `qemu-system-riscv64 -monitor stdio` (QEMU 7.2) give exactly what the committed transcripts
 * tests/transcripts/monitor/hmp/*.json hold (hmp-compare.spec.ts holds tsemu to them), and so do
 * the MROM bytes tsemu's fake target is given.
 */
import { expect } from 'chai';
import { QEMU_BINARY } from '../support/run-guest.js';
import { requireTool } from '../support/tools.js';
import { verifyTranscript } from '../support/transcripts.js';
import { HMP_CASES, MROM, readQemuMrom, runQemuCase, type MromRecord } from './hmp-cases.js';

describe('monitor/hmp: QEMU 7.2 live matches the transcripts (oracle)', function () {
  this.timeout(60_000);
  before(function () {
    requireTool(QEMU_BINARY);
  });

  for (const c of Object.values(HMP_CASES)) {
    it(`${c.key}: ${c.commands.length} command lines`, () => {
      const { record, command } = runQemuCase(c);
      expect(record.banner).to.match(/^QEMU 7\.2\.\d+ monitor - type 'help' for more information\r\n$/);
      verifyTranscript(c.key, record, command);
    });
  }

  it(`${MROM.key}: QEMU's MROM bytes`, () => {
    const { bytes, command } = readQemuMrom();
    expect(bytes.length).to.equal(MROM.length);
    const record: MromRecord = { base64: Buffer.from(bytes).toString('base64') };
    verifyTranscript(MROM.key, record, command);
  });
});
