/**
 * User mode's `-d in_asm` against qemu-riscv64 7.2's log of the same run (user-log-runs.ts):
 * line for line, with -singlestep and without (QEMU's blocks); -one-insn-per-tb (QEMU 8.1's name,
 * which 7.2 lacks) is the same; `-d exec` in QEMU's linux-user form, line for line with -singlestep.
 */
import { expect } from 'chai';
import { readTranscript } from '../support/transcripts.js';
import { unpackLines } from '../disas/in-asm-runs.js';
import { tsemuCommand } from './user-runs.js';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../support/run-guest.js';
import { CPU_KEY, CPU_LINES, EXEC_KEY, IN_ASM_BLOCKS_KEY, IN_ASM_KEY, runCpuLog, runExecLog, runInAsm, type UserInAsmRun } from './user-log-runs.js';

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

  it('without -singlestep: QEMU\'s blocks (a jump or branch, the page end or 512 instructions end one), line for line', function () {
    const want = readTranscript<UserInAsmRun>(IN_ASM_BLOCKS_KEY);
    const got = runInAsm(tsemuCommand(), []);
    expect(got.stdout).to.equal(want.stdout);
    expect(unpackLines(got)).to.deep.equal(unpackLines(want));
  });

  it('with -R (flat memory, no first-touch traps): the same blocks', function () {
    expect(unpackLines(runInAsm(tsemuCommand(), ['-R', '1G']))).to.deep.equal(unpackLines(readTranscript<UserInAsmRun>(IN_ASM_BLOCKS_KEY)));
  });
});

describe('user mode: -d exec against qemu-riscv64', function () {
  this.timeout(120_000);

  it('-singlestep -d exec on hello-static: QEMU\'s linux-user Trace lines (cs_base, pc, TB flags, cflags, symbol), line for line', function () {
    const want = readTranscript<UserInAsmRun>(EXEC_KEY);
    const got = runExecLog(tsemuCommand(), ['-singlestep']);
    expect(got.stdout).to.equal(want.stdout);
    expect(unpackLines(got)).to.deep.equal(unpackLines(want));
  });

  it('without -singlestep: every line in QEMU\'s form, the blocks QEMU\'s log names among them', function () {
    const lines = unpackLines(runExecLog(tsemuCommand(), [])).filter((l) => l !== '');
    for (const l of lines) expect(l).to.match(/^Trace 0: PTR \[0{16}\/[0-9a-f]{16}\/00207600\/00000000\] \S*$/);
    // QEMU chains blocks (a chained block logs nothing) and ends them elsewhere, so only the
    // first block is certainly the same: QEMU's (from the -singlestep log, its cflags 0x201 aside)
    const qemu = unpackLines(readTranscript<UserInAsmRun>(EXEC_KEY)).filter((l) => l !== '');
    expect(lines[0]).to.equal(qemu[0].replace('/00000201] ', '/00000000] '));
    expect(lines[0]).to.match(/\/0000000000010544\/.* _start$/);
    expect(lines.filter((l) => l.endsWith(' __libc_start_main_impl')).length).to.be.greaterThan(0);
  });

  it('a thread\'s blocks carry CF_PARALLEL (cflags 00080000), as QEMU\'s once the process has threads', function () {
    const cmd = tsemuCommand();
    const dir = mkdtempSync(join(tmpdir(), 'tsemu-exec-'));
    try {
      const log = join(dir, 'log');
      const p = spawnSync(cmd[0], [...cmd.slice(1), '-d', 'exec', '-D', log, 'tests/user/bin/threads-static', '2'], { cwd: repoRoot(), env: {}, encoding: 'utf8', timeout: 120_000 });
      expect(p.status).to.equal(3);
      const lines = readFileSync(log, 'utf8').split('\n').filter((l) => l.startsWith('Trace '));
      expect(lines[0]).to.match(/\/00000000\] _start$/);
      const others = lines.filter((l) => !l.startsWith('Trace 0:'));
      expect(others.length).to.be.greaterThan(0);
      for (const l of others) expect(l).to.match(/\/00207600\/00080000\] /);
      expect(lines[lines.length - 1]).to.match(/\/00080000\] /); // the main thread too, after its clone
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
