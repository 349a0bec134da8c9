/**
 * Oracle tier of log-format.spec.ts's printf cases: glibc's printf, live (a static riscv64
 * program built by riscv64-linux-gnu-gcc, run with qemu-riscv64; recipe: printf-cases.ts), must
 * print what tests/transcripts/trace/log-format/glibc-printf.json holds.
 */
import { rmSync } from 'node:fs';
import { expect } from 'chai';
import { makeTempDir, requireTool } from '../support/tools.js';
import { verifyTranscript } from '../support/transcripts.js';
import { CASES, CROSS_GCC, GLIBC_PRINTF_KEY, glibcPrintf, QEMU_USER } from './printf-cases.js';

describe('trace/log backend: glibc printf live (oracle)', function () {
  let dir = '';
  before(function () {
    requireTool(CROSS_GCC, QEMU_USER);
    dir = makeTempDir('trace-printf');
  });
  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('glibc prints one line per case, as the transcript holds', function () {
    this.timeout(60_000);
    const { value, command } = glibcPrintf(dir, CASES);
    expect(value).to.have.length(CASES.length);
    // a few answers known without glibc, so that a broken build or run cannot pass for glibc
    expect(value[0].glibc).to.equal('-5');
    expect(value[CASES.length - 1].glibc).to.equal('100% 1');
    verifyTranscript(GLIBC_PRINTF_KEY, value, command, CROSS_GCC);
  });
});
