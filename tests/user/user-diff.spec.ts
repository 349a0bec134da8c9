/**
 * tsemu-riscv64 against committed qemu-riscv64 7.2 transcripts (tests/transcripts/user/NAME.json):
 * the static programs of tests/user give the same stdout and exit status (or signal), and
 * -strace the same lines. The dynamic ones need Debian's riscv64 libc and run in the oracle tier.
 */
import { expect } from 'chai';
import { readTranscript } from '../support/transcripts.js';
import { spawnSync } from 'node:child_process';
import { repoRoot } from '../support/run-guest.js';
import { BAD_INPUTS, LOST_LOADING_ERRORS, execRecipe, expectedExec, runBadInput, runRecipe, runSigintRecipe, SIGINT_RECIPES, STATIC_RECIPES, tsemuCommand, type UserOutcome, type UserRecipe } from './user-runs.js';

describe('user mode: tsemu-riscv64 against QEMU transcripts', function () {
  this.timeout(60_000);
  for (const r of STATIC_RECIPES) {
    it(`${r.name}: same output and exit as qemu-riscv64`, function () {
      const want = readTranscript<UserOutcome>(`user/${r.name}`);
      const got = runRecipe(tsemuCommand(), r);
      expect(got).to.deep.equal(want);
    });
  }
});

describe('user mode: -R\'s flat memory on every tier (each block compiled at once)', function () {
  this.timeout(60_000);
  // the interpreter, the JavaScript tier (its ls helpers and, in loops, inline accesses) and the
  // WebAssembly tier each test the flat table themselves: stores to read-only pages, guard pages
  // and PROT_NONE still fault (memory), handlers and si_addr (signals), threads share the table
  for (const tier of ['interp', 'js', 'wasm']) {
    for (const name of ['memory-reserved-static', 'signals-reserved-static', 'threads-4-reserved-static']) {
      it(`${name} with TSEMU_TIER=${tier}: what qemu-riscv64 -R gives`, function () {
        const r = STATIC_RECIPES.find((x) => x.name === name) as UserRecipe;
        expect(runRecipe(tsemuCommand(), r, { TSEMU_TIER: tier, TSEMU_HOT: '0' })).to.deep.equal(readTranscript<UserOutcome>(`user/${name}`));
      });
    }
  }
});

describe('user mode: SIGINT from the terminal', function () {
  this.timeout(60_000);
  for (const r of SIGINT_RECIPES) {
    it(`${r.name}: the guest's handler runs, or the emulator dies of SIGINT, as on qemu-riscv64`, async function () {
      const want = readTranscript<UserOutcome>(`user/${r.name}`);
      expect(await runSigintRecipe(tsemuCommand(), r)).to.deep.equal(want);
    });
  }
});

describe('user mode: execve of a RISC-V program (binfmt-like)', function () {
  this.timeout(60_000);
  it('procs-exec-static: the exec\'d program prints what QEMU prints running it directly', function () {
    const want = expectedExec(readTranscript<UserOutcome>('user/exec-target-static'));
    expect(runRecipe(tsemuCommand(), execRecipe('static'))).to.deep.equal(want);
  });
});

describe('user mode: bad input against QEMU transcripts', function () {
  this.timeout(60_000);
  for (const b of BAD_INPUTS) {
    it(`${b.name}: QEMU's exit status and message`, function () {
      const want = readTranscript<UserOutcome>(`user/bad-${b.name}`);
      const got = runBadInput(tsemuCommand(), b);
      expect(got.status).to.equal(want.status);
      expect(got.signal).to.equal(want.signal);
      // QEMU prints "Error while loading" on stdout and loses it through a pipe; tsemu says it on stderr
      const lost = LOST_LOADING_ERRORS[b.name];
      if (lost !== undefined) {
        expect(want.strace).to.equal(''); // QEMU's line went to stdout and was lost
        expect(got.strace).to.equal(lost);
      } else expect(got.strace).to.equal(want.strace);
    });
  }
});

describe('user mode: guest_user_syscall events', function () {
  this.timeout(60_000);
  it('fire once per system call, with its number, and _ret with its result, as -strace lists them on QEMU', function () {
    const p = spawnSync(process.execPath, [...tsemuCommand().slice(1), '-trace', 'guest_user_syscall*', 'tests/user/bin/hello-static'],
      { cwd: repoRoot(), env: {}, encoding: 'utf8' });
    expect(p.status).to.equal(0);
    const calls = [...p.stderr.matchAll(/^guest_user_syscall cpu=0x0 num=0x([0-9a-f]{16})/gm)].map((m) => parseInt(m[1], 16));
    const rets = [...p.stderr.matchAll(/^guest_user_syscall_ret cpu=0x0 num=0x([0-9a-f]{16}) ret=0x([0-9a-f]{16})/gm)];
    const qemu = readTranscript<UserOutcome>('user/hello-strace-static').strace as string;
    const qemuCalls = qemu.split('\n').filter((l) => l !== '').map((l) => /^PID (\w+)\(/.exec(l)?.[1]);
    // brk=214, set_tid_address=96, ..., exit_group=94: the numbers of QEMU's names
    const NUMBERS: Record<string, number> = { brk: 214, set_tid_address: 96, set_robust_list: 99, prlimit64: 261, readlinkat: 78, getrandom: 278, mprotect: 226, newfstatat: 79, write: 64, exit_group: 94 };
    expect(calls).to.deep.equal(qemuCalls.map((n) => NUMBERS[n as string]));
    expect(rets.length).to.equal(calls.length - 1); // exit_group does not return
    expect(BigInt(`0x${rets[0][2]}`)).to.equal(0x7d000n); // brk(NULL), as QEMU's -strace shows
  });
});
