/**
 * Oracle tier of bad-input: QEMU 7.2 (same command line plus `-display none -accel
 * tcg,thread=single`) prints the expected text for every bad HMP command line of
 * bad-input-qemu.ts and quits with status 0, answers JSON nested deeper than 1024 with one error
 * and then serves the next request; and the committed transcripts
 * tests/transcripts/monitor-e2e/bad-input/*.json hold exactly that.
 */
import { rmSync } from 'node:fs';
import { expect } from 'chai';
import { QEMU_BINARY } from '../support/run-guest.js';
import { makeTempDir, requireTool } from '../support/tools.js';
import { verifyTranscript } from '../support/transcripts.js';
import { HMP_CASES, HMP_KEY, jsonError, NESTING_KEY, qemuHmpCases, qemuNesting, RUNNING } from './bad-input-qemu.js';

describe('monitor e2e: bad input, QEMU 7.2 live (oracle)', function () {
  this.timeout(120_000);
  const dirs: string[] = [];
  const dir = (tag: string): string => {
    const d = makeTempDir(`bad-${tag}`);
    dirs.push(d);
    return d;
  };
  before(function () {
    requireTool(QEMU_BINARY);
  });
  after(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('bad HMP command lines: the expected texts, then quit with status 0', async () => {
    let command: string[] = [];
    const qemu = await qemuHmpCases(dir('hmp'), (c) => { command = c; });
    HMP_CASES.forEach(([line, expected], i) => {
      expect(qemu.outputs[i], `QEMU: ${line}`).to.deep.equal([line, expected]);
    });
    expect(qemu.exitStatus).to.equal(0);
    verifyTranscript(HMP_KEY, qemu, command);
  });

  it('nesting deeper than 1024: one error, then the next request is served', async () => {
    let command: string[] = [];
    const qemu = await qemuNesting(dir('qmp'), (c) => { command = c; });
    expect(qemu.replies).to.deep.equal([jsonError('JSON nesting depth limit exceeded'), RUNNING]);
    verifyTranscript(NESTING_KEY, qemu, command);
  });
});
