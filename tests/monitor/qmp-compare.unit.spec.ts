/**
 * QMP requests (well-formed, malformed, badly typed, before and after negotiation, split and
 * glued together) sent to tsemu's QMP session on a fake target must get every reply and event
 * line QEMU 7.2 on `-qmp stdio` wrote for them, timestamps and thread ids aside: the committed
 * transcripts tests/transcripts/monitor/qmp/*.json (qmp-compare.oracle.spec.ts checks them
 * against a live QEMU).
 */
import { expect } from 'chai';
import { readTranscript } from '../support/transcripts.js';
import { QMP_CASES, targetLike, type QmpCase, type QmpRecord } from './qmp-cases.js';
import { tsemuQmp } from './transcript.js';

async function compareWithQemu(c: QmpCase): Promise<void> {
  const record = readTranscript<QmpRecord>(c.key);
  expect(record.requests, `the requests of tests/transcripts/${c.key}.json`).to.deep.equal([...c.requests]);
  const qemu = record.lines;
  const ours = await tsemuQmp(targetLike(qemu[0] ?? ''), c.requests, qemu.length);
  if (c.unordered) {
    // out-of-band replies may overtake in-band ones (on QEMU too, depending on timing): every
    // reply QEMU gave must be among ours, in any order, and ours must answer the final request
    for (const line of qemu) expect(ours, line).to.include(line);
    expect(ours.some((l) => l.includes('"id": "last"'))).to.equal(true);
    return;
  }
  for (let i = 0; i < Math.max(qemu.length, ours.length); i++) {
    expect(ours[i], `line ${i}: ${qemu.slice(Math.max(0, i - 3), i).join('\n')}`).to.equal(qemu[i]);
  }
}

describe('monitor/qmp: replies compared with QEMU 7.2 (transcripts)', function () {
  this.timeout(60_000);

  it('negotiates capabilities like QEMU', async () => {
    await compareWithQemu(QMP_CASES.negotiation);
  });

  it('runs commands, checks arguments and sends events like QEMU', async () => {
    await compareWithQemu(QMP_CASES.commands);
  });

  it('parses JSON and reports JSON errors like QEMU', async () => {
    await compareWithQemu(QMP_CASES.json);
  });

  it('applies the nesting limit like QEMU, and goes on', async () => {
    await compareWithQemu(QMP_CASES.nesting);
  });
});
