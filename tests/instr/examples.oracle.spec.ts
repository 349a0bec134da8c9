/**
 * Oracle tier of the instruction counts: qemu-system-riscv64 7.2, live, executes the number of
 * instructions for guests/count.elf that tests/transcripts/instr/qemu-insn-count/count.json holds
 * (the count insn-count in examples.spec.ts, and scaled-count in two-libraries.spec.ts and
 * load-unload.spec.ts, must reach on tsemu).
 */
import { expect } from 'chai';
import { QEMU_BINARY } from '../support/run-guest.js';
import { requireTool } from '../support/tools.js';
import { verifyTranscript } from '../support/transcripts.js';
import { COUNT_ELF, measureQemuInstructionCount, qemuCountKey } from './qemu-count.js';

/** HOT_ITERATIONS in guests/count.S: four instructions each. */
const HOT_ITERATIONS = 1000;

describe('instr: instructions QEMU executes for count.elf (oracle)', function () {
  before(function () {
    requireTool(QEMU_BINARY);
  });

  it('one instruction per TB with -d exec,nochain counts the guest, as the transcript holds', function () {
    this.timeout(90_000);
    const measured = measureQemuInstructionCount(COUNT_ELF);
    if (measured === undefined) throw new Error(`${QEMU_BINARY} ran neither with -singlestep nor with -accel tcg,one-insn-per-tb=on`);
    // the loop's four instructions per iteration, plus the reset vector and a few before and after
    expect(measured.value.instructions).to.be.within(4 * HOT_ITERATIONS, 4 * HOT_ITERATIONS + 100);
    verifyTranscript(qemuCountKey(COUNT_ELF), measured.value, measured.command);
  });
});
