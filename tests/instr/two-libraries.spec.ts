/**
 * Two libraries at once (`-instr` repeated): each gets its callbacks and its
 * own scoreboards.
 *
 * - libs/scaled-count.ts twice, adding 1 and 2 per executed instruction on a
 *   scoreboard each: the totals are N and 2N (one shared scoreboard would show
 *   3N twice), N being the instruction count QEMU measures (the transcript
 *   tests/transcripts/instr/qemu-insn-count/count.json, qemu-count.ts).
 * - examples ldst-count and mem-trace hook the same event
 *   (guest_mem_before_trans): both see every access.
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { runTsemu, virtKernelArgs, type GuestRunResult } from '../support/run-guest.js';
import { makeTempDir } from '../support/tools.js';
import { EXAMPLES, INSTR_LIBS, describeRun, linesOf, runPooled } from './helpers.js';
import { COUNT_ELF, qemuInstructionCount } from './qemu-count.js';
/** guests/count.S: HOT_ITERATIONS iterations of one store and one load, the reset vector's 2 loads, the finisher store. */
const HOT_ITERATIONS = 1000;

describe('instr: two libraries loaded at once', function () {
  let dir = '';
  let scaled: GuestRunResult;
  let sameEvent: GuestRunResult;
  let memLog = '';

  before(async function () {
    this.timeout(120_000);
    dir = makeTempDir('instr-two');
    const lib = join(INSTR_LIBS, 'scaled-count.ts');
    const memFile = join(dir, 'mem.log');
    [scaled, sameEvent] = await runPooled([
      () => runTsemu(virtKernelArgs(COUNT_ELF, ['-instr', `file=${lib},arg=1`, '-instr', `file=${lib},arg=2`]), { timeoutMs: 60_000 }),
      () => runTsemu(virtKernelArgs(COUNT_ELF, [
        '-instr', `file=${join(EXAMPLES, 'ldst-count.ts')}`, '-instr', `file=${join(EXAMPLES, 'mem-trace.ts')},arg=${memFile}`,
      ]), { timeoutMs: 60_000 }),
    ]);
    memLog = readFileSync(memFile, 'utf8');
  });

  after(function () {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('the same library twice: separate instances and scoreboards (totals N and 2N)', function () {
    expect(scaled.status, describeRun(scaled)).to.equal(0);
    expect(scaled.stderr, describeRun(scaled)).to.equal('');
    const total = (step: number): number[] =>
      linesOf(scaled.stdout).flatMap((l) => {
        const m = new RegExp(`^scaled-count\\[${step}\\]: (\\d+)$`).exec(l);
        return m ? [Number(m[1])] : [];
      });
    const [one] = total(1);
    expect(total(1), scaled.stdout).to.have.lengthOf(1);
    expect(total(2), scaled.stdout).to.deep.equal([2 * one]);
    expect(one).to.equal(qemuInstructionCount(COUNT_ELF));
  });

  it('two libraries on the same event: both receive every access', function () {
    expect(sameEvent.status, describeRun(sameEvent)).to.equal(0);
    const loads = HOT_ITERATIONS + 2;
    const stores = HOT_ITERATIONS + 1;
    expect(linesOf(sameEvent.stdout)).to.include(`ldst-count: cpu 0: loads ${loads} stores ${stores}`);
    const lines = linesOf(memLog);
    expect(lines.filter((l) => l.includes(' load ')), 'mem-trace loads').to.have.lengthOf(loads);
    expect(lines.filter((l) => l.includes(' store ')), 'mem-trace stores').to.have.lengthOf(stores);
  });
});
