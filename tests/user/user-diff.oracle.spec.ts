/**
 * Oracle tier of the user-mode suite: each program of tests/user (static and, with Debian's
 * libc6-riscv64-cross under -L, dynamic) on live qemu-riscv64 matches its committed transcript,
 * and tsemu-riscv64 gives the same; the ELFs are what `make -C tests/user` builds.
 */
import { expect } from 'chai';
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { requireTool, missingPrerequisite } from '../support/tools.js';
import { verifyTranscript } from '../support/transcripts.js';
import { repoRoot } from '../support/run-guest.js';
import { BAD_INPUTS, DYNAMIC_RECIPES, execRecipe, expectedExec, QEMU_USER, runBadInput, runRecipe, runSigintRecipe, SIGINT_RECIPES, STATIC_RECIPES, SYSROOT, tsemuCommand, type UserOutcome } from './user-runs.js';

describe('user mode: qemu-riscv64 live (oracle)', function () {
  this.timeout(120_000);
  before(function () {
    requireTool(QEMU_USER, 'riscv64-linux-gnu-gcc', 'make');
    if (!existsSync(`${SYSROOT}/lib/libc.so.6`)) throw missingPrerequisite('libc6-riscv64-cross');
  });

  it('the committed ELFs are what make -C tests/user builds', function () {
    const r = spawnSync('make', ['-C', 'tests/user', '-B', '-s'], { cwd: repoRoot(), encoding: 'utf8' });
    expect(r.status, r.stderr).to.equal(0);
    const diff = spawnSync('git', ['status', '--porcelain', 'tests/user/bin'], { cwd: repoRoot(), encoding: 'utf8' });
    expect(diff.stdout, 'rebuilt ELFs differ from the committed ones').to.equal('');
  });

  for (const r of STATIC_RECIPES) {
    it(`${r.name}: QEMU matches its transcript`, function () {
      const live = runRecipe([QEMU_USER], r);
      verifyTranscript(`user/${r.name}`, live, [QEMU_USER, ...r.options, r.program, ...r.args], QEMU_USER);
    });
  }

  for (const r of SIGINT_RECIPES) {
    it(`${r.name}: QEMU matches its transcript`, async function () {
      // qemu-riscv64 7.2 sometimes runs the handler and leaves sigsuspend asleep (2-4 runs in 100
      // here: sending SIGINT again then wakes it, with the handler run twice): a run that has not
      // ended 20 s after it started is QEMU's race, not the answer, and QEMU runs again
      let live: UserOutcome | 'gave up' = 'gave up';
      for (let attempt = 0; attempt < 4 && live === 'gave up'; attempt++) live = await runSigintRecipe([QEMU_USER], r, 20_000);
      if (live === 'gave up') throw new Error(`${QEMU_USER} did not end after SIGINT in 4 runs`);
      verifyTranscript(`user/${r.name}`, live, [QEMU_USER, r.program, ...r.args, '(SIGINT after "ready")'], QEMU_USER);
    });
  }

  for (const b of BAD_INPUTS) {
    it(`bad input ${b.name}: QEMU matches its transcript`, function () {
      verifyTranscript(`user/bad-${b.name}`, runBadInput([QEMU_USER], b), [QEMU_USER, ...b.args], QEMU_USER);
    });
  }

  it('procs-exec-dynamic: the exec\'d program prints what QEMU prints running it directly', function () {
    const target = DYNAMIC_RECIPES.find((r) => r.name === 'exec-target-dynamic');
    if (target === undefined) throw new Error('no exec-target-dynamic recipe');
    expect(runRecipe(tsemuCommand(), execRecipe('dynamic'))).to.deep.equal(expectedExec(runRecipe([QEMU_USER], target)));
  });

  for (const r of DYNAMIC_RECIPES) {
    it(`${r.name}: tsemu gives what QEMU gives`, function () {
      const want = runRecipe([QEMU_USER], r);
      const got = runRecipe(tsemuCommand(), r);
      expect(got).to.deep.equal(want);
    });
  }
});
