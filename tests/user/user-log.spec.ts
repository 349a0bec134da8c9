/**
 * User mode's `-d in_asm` against qemu-riscv64 7.2's log of the same run (user-log-runs.ts):
 * line for line, with -singlestep; -one-insn-per-tb (QEMU 8.1's name, which 7.2 lacks) is the same.
 */
import { expect } from 'chai';
import { readTranscript } from '../support/transcripts.js';
import { unpackLines } from '../disas/in-asm-runs.js';
import { tsemuCommand } from './user-runs.js';
import { CPU_KEY, CPU_LINES, IN_ASM_KEY, runCpuLog, runInAsm, type UserInAsmRun } from './user-log-runs.js';

describe('user mode: -d in_asm against qemu-riscv64', function () {
  this.timeout(120_000);

  it('-singlestep -d in_asm on hello-static: the log QEMU writes, line for line (IN: symbol, no Priv line)', function () {
    const want = readTranscript<UserInAsmRun>(IN_ASM_KEY);
    const got = runInAsm(tsemuCommand(), ['-singlestep']);
    expect(got.stdout).to.equal(want.stdout);
    expect(got.status).to.equal(want.status);
    const lines = unpackLines(got);
    expect(lines.length).to.equal(want.lineCount);
    expect(lines).to.deep.equal(unpackLines(want));
  });

  it('-singlestep -d cpu: QEMU\'s user-mode dumps (pc and registers, no CSRs), one per instruction, no second one after a first touch', function () {
    const want = readTranscript<UserInAsmRun>(CPU_KEY);
    const got = runCpuLog(tsemuCommand());
    expect(got.lineCount).to.equal(CPU_LINES);
    expect(unpackLines(got)).to.deep.equal(unpackLines(want));
  });

  it('-one-insn-per-tb gives the same log as -singlestep', function () {
    const want = unpackLines(readTranscript<UserInAsmRun>(IN_ASM_KEY));
    expect(unpackLines(runInAsm(tsemuCommand(), ['-one-insn-per-tb']))).to.deep.equal(want);
  });

  it('without -singlestep: longer blocks under their IN: headers, holding every instruction the program ran', function () {
    const lines = unpackLines(runInAsm(tsemuCommand(), []));
    const insns = new Set(lines.filter((l) => l.startsWith('0x')));
    // tsemu's blocks go on past a conditional branch and follow a jal (QEMU's end there), so they
    // hold more than ran: the check is that nothing that ran is missing, and that blocks are long
    const ran = unpackLines(readTranscript<UserInAsmRun>(IN_ASM_KEY)).filter((l) => l.startsWith('0x'));
    expect(ran.filter((l) => !insns.has(l))).to.deep.equal([]);
    expect(lines.filter((l) => l.startsWith('IN: ')).length).to.be.lessThan(insns.size / 2);
    expect(lines.some((l) => l.startsWith('Priv:'))).to.equal(false);
  });
});
