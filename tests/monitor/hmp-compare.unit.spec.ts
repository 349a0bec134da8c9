/**
 * HMP commands run through tsemu's monitor (on a fake target holding the same memory, vCPUs and
 * trace events as `qemu-system-riscv64 -M virt -S -smp 2`) must print what QEMU 7.2 printed for
 * them: the committed transcripts tests/transcripts/monitor/hmp/*.json (hmp-compare.oracle.spec.ts
 * checks them against a live QEMU). Covers argument parsing and every error text of the commands
 * both have, trace events, run state, and x/xp in every format and size, on QEMU's MROM bytes.
 */
import { expect } from 'chai';
import { readTranscript } from '../support/transcripts.js';
import { qemuLikeTarget } from './fake-target.js';
import { HMP_CASES, imageTarget, MROM, testImage, type HmpCase, type HmpRecord, type MromRecord } from './hmp-cases.js';
import { tsemuHmp } from './transcript.js';

/** QEMU's record of a case, checked to be of the same command lines as the recipe. */
function qemuRecord(c: HmpCase): HmpRecord {
  const record = readTranscript<HmpRecord>(c.key);
  expect(record.outputs.map(([cmd]) => cmd), `the command lines of tests/transcripts/${c.key}.json`).to.deep.equal([...c.commands]);
  return record;
}

function compare(qemu: HmpRecord, ours: { outputs: string[] }): void {
  qemu.outputs.forEach(([cmd, output], i) => {
    expect(ours.outputs[i], `output of ${JSON.stringify(cmd)}`).to.equal(output);
  });
}

describe('monitor/hmp: commands compared with QEMU 7.2 (transcripts)', function () {
  this.timeout(60_000);

  it('prints the same banner (with QEMU as the product name)', async () => {
    const qemu = qemuRecord(HMP_CASES.banner);
    const ours = await tsemuHmp(qemuLikeTarget(), []);
    expect(ours.banner).to.equal(qemu.banner);
  });

  it('parses arguments and reports errors with the same texts', async () => {
    const qemu = qemuRecord(HMP_CASES.parsing);
    const ours = await tsemuHmp(qemuLikeTarget(), HMP_CASES.parsing.commands);
    compare(qemu, ours);
  });

  describe('x and xp', () => {
    const image = testImage();
    const mrom = (): Uint8Array => {
      const bytes = new Uint8Array(Buffer.from(readTranscript<MromRecord>(MROM.key).base64, 'base64'));
      expect(bytes.length, 'QEMU MROM bytes in the transcript').to.equal(MROM.length);
      return bytes;
    };

    it('dumps memory in every format and size like QEMU', async () => {
      const qemu = qemuRecord(HMP_CASES.dumps);
      const ours = await tsemuHmp(imageTarget(image, mrom()), HMP_CASES.dumps.commands);
      compare(qemu, ours);
    });

    it('disassembles like QEMU (x/i, xp/i)', async () => {
      const qemu = qemuRecord(HMP_CASES.disas);
      const ours = await tsemuHmp(imageTarget(image, mrom()), HMP_CASES.disas.commands);
      compare(qemu, ours);
    });
  });
});
