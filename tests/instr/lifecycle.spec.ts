/**
 * A library's life from load to unload, and module state reaching one summary
 * (src/instr/README.md, "Instances", "Loading and unloading"):
 *
 * - anonymous (arrow) callbacks set in qi_init work the same loaded with `-instr` and with the
 *   monitor's `instr-load` while the guest runs at -smp 4: each vCPU's counts reach qi_merge, the
 *   spin guest's loop block counted exactly as often as the guest's own counter moved, and not one
 *   default trace line on stderr (the events are enabled only once every instance has its callbacks);
 * - `instr-unload` puts back the trace state the library changed (`info trace-events`), and so
 *   does a failed `instr-load` (qi_init enabled an event, then threw);
 * - a callback that throws: its library is unloaded with one line, and the events it enabled (one
 *   globally, one for vCPU 0 only) are restored, so nothing is traced in its place;
 * - a library that enables an event with no callback, or sets a callback for an event it never
 *   enables, is told so once (one line each, whatever the number of instances);
 * - the non-primary instances' qi_init/qi_fini output is shown prefixed with the instance,
 *   except lines the primary printed too;
 * - scoreboards created after qi_init, by the translator service's instance, reached by the
 *   primary's through creation order, count inline exactly what execution callbacks count.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { runTsemu, virtKernelArgs, type GuestRunResult } from '../support/run-guest.js';
import { makeTempDir } from '../support/tools.js';
import { HmpStdio } from '../monitor-e2e/hmp-stdio.js';
import { loadSpinGuest } from '../monitor-e2e/spin-guest.js';
import { describeRun, INSTR_LIBS, linesOf, PROGRAM, runPooled, TRACE_GUESTS } from './helpers.js';
import { COUNT_ELF } from './qemu-count.js';

const ARROW = join(INSTR_LIBS, 'arrow-blocks.ts');
/** tests/trace-e2e/guests/loop3.elf: three harts, each 1000 iterations of its store loop. */
const LOOP3_ELF = join(TRACE_GUESTS, 'loop3.elf');
const LOOP_ITERATIONS = 1000;

/** `arrow-blocks: cpu N top 0x<pc> count C` lines, by vCPU. */
function arrowTops(out: string): Map<number, { pc: bigint; count: number }> {
  const tops = new Map<number, { pc: bigint; count: number }>();
  for (const l of linesOf(out)) {
    const m = /^arrow-blocks: cpu (\d+) top 0x([0-9a-f]+) count (\d+)$/.exec(l);
    if (m) tops.set(Number(m[1]), { pc: BigInt(`0x${m[2]}`), count: Number(m[3]) });
  }
  return tops;
}

/** Start the spin guest at -smp 4 under the monitor; `extra` options first. */
async function startSpin(dir: string, extra: readonly string[]): Promise<HmpStdio> {
  const hmp = await HmpStdio.start('tsemu', [...extra, '-M', 'virt', '-bios', 'none', '-smp', '4',
    '-serial', `file:${join(dir, 'serial.txt')}`, '-monitor', 'stdio', '-kernel', loadSpinGuest().path]);
  await hmp.waitForCpus(4);
  return hmp;
}

describe('instr: library lifecycle and state that reaches the summary', function () {
  this.timeout(240_000);
  let dir = '';

  before(function () {
    dir = makeTempDir('instr-lifecycle');
  });

  after(function () {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  for (const how of ['-instr', 'instr-load'] as const) {
    it(`anonymous callbacks loaded with ${how} at -smp 4: the loop block counted once per iteration on each spinning vCPU, no stray trace line`, async function () {
      const spin = loadSpinGuest().spin;
      const hmp = await startSpin(dir, how === '-instr' ? ['-S', '-instr', `file=${ARROW}`] : []);
      try {
        if (how === 'instr-load') {
          await hmp.waitForLoops([0, 1], 10n);
          expect(await hmp.run('stop')).to.equal('');
        }
        const from = [await hmp.counter(0), await hmp.counter(1)];
        const id = how === '-instr' ? '0' : (await hmp.run(`instr-load ${ARROW}`)).trim();
        expect(await hmp.run('cont')).to.equal('');
        await hmp.waitForLoops([0, 1], 2000n);
        expect(await hmp.run('stop')).to.equal('');
        const to = [await hmp.counter(0), await hmp.counter(1)];
        const out = await hmp.run(`instr-unload ${id}`);
        const tops = arrowTops(out);
        for (const hart of [0, 1]) {
          const top = tops.get(hart);
          expect(top, out).to.not.equal(undefined);
          expect(top?.pc, `vCPU ${hart}'s most executed block`).to.equal(spin);
          const iterations = Number(to[hart] - from[hart]);
          // loaded on a stopped machine: every iteration is the loop's own block; from reset (-S)
          // the first iteration may run in the block that falls into the loop
          if (how === 'instr-load') expect(top?.count, out).to.equal(iterations);
          else expect(top?.count, out).to.be.within(iterations - 1, iterations);
        }
        // main, translator service, one worker per vCPU
        expect(out, out).to.include('arrow-blocks: instances 6\n');
        for (const ev of ['guest_bbl_before_trans', 'guest_bbl_before_exec']) {
          expect(await hmp.run(`info trace-events ${ev}`), 'the state before the library came').to.equal(`${ev} : state 0\n`);
        }
        expect(await hmp.run('cont')).to.equal('');
        await hmp.waitForLoops([0, 1], 100n);
        const exit = await hmp.quit();
        expect(exit.stderr, 'stray lines on stderr').to.equal('');
      } finally {
        hmp.kill();
      }
    });
  }

  it('instr-load of a library whose qi_init enables an event, then throws: one error line, the state put back, nothing traced', async function () {
    const hmp = await startSpin(dir, []);
    try {
      await hmp.waitForLoops([0, 1], 10n);
      const out = await hmp.run(`instr-load ${join(INSTR_LIBS, 'init-enables-throws.ts')}`);
      expect(out).to.match(/qi_init failed: init-enables-throws: giving up after enabling\n$/);
      expect(linesOf(out), out).to.have.length(1);
      expect(await hmp.run('info trace-events guest_mem_before_exec')).to.equal('guest_mem_before_exec : state 0\n');
      await hmp.waitForLoops([0, 1], 1000n); // the guest runs on, its accesses untraced
      const exit = await hmp.quit();
      expect(exit.stderr, 'stray lines on stderr').to.equal('');
    } finally {
      hmp.kill();
    }
  });

  describe('-instr runs', function () {
    let throws: GuestRunResult;
    let forgets: GuestRunResult;
    let moduleState: GuestRunResult;
    let lateBoards: GuestRunResult;
    let uncopyable: GuestRunResult;

    before(async function () {
      [throws, forgets, moduleState, lateBoards, uncopyable] = await runPooled([
        () => runTsemu(virtKernelArgs(COUNT_ELF, ['-instr', `file=${join(INSTR_LIBS, 'throws-keeps-enabled.ts')}`]), { timeoutMs: 60_000 }),
        () => runTsemu(virtKernelArgs(LOOP3_ELF, ['-smp', '3', '-D', join(dir, 'forgets.log'), '-instr', `file=${join(INSTR_LIBS, 'forgets.ts')}`]), { timeoutMs: 60_000 }),
        () => runTsemu(virtKernelArgs(LOOP3_ELF, ['-smp', '3', '-instr', `file=${join(INSTR_LIBS, 'module-state.ts')}`]), { timeoutMs: 60_000 }),
        () => runTsemu(virtKernelArgs(LOOP3_ELF, ['-smp', '3', '-instr', `file=${join(INSTR_LIBS, 'late-boards.ts')}`]), { timeoutMs: 60_000 }),
        () => runTsemu(virtKernelArgs(LOOP3_ELF, ['-smp', '3', '-instr', `file=${join(INSTR_LIBS, 'uncopyable.ts')}`]), { timeoutMs: 60_000 }),
      ]);
    });

    it('a callback throws: one line, then nothing traced in place of the failed library (its trace states restored)', function () {
      expect(throws.status, describeRun(throws)).to.equal(0);
      const lines = linesOf(throws.stderr);
      expect(lines, describeRun(throws)).to.have.length(1);
      expect(lines[0]).to.match(new RegExp(`^${PROGRAM}: instrumentation library 0 .*callback for guest_mem_before_exec threw: throws-keeps-enabled: store at 0x`));
    });

    it('an event enabled with no callback and a callback whose event is never enabled: told once each', function () {
      expect(forgets.status, describeRun(forgets)).to.equal(0);
      const lines = linesOf(forgets.stderr);
      expect(lines, describeRun(forgets)).to.have.length(2);
      expect(lines[0]).to.match(new RegExp(`^${PROGRAM}: instrumentation library 0 .*forgets\\.ts'\\): enables guest_mem_before_exec but sets no callback for it`));
      expect(lines[1]).to.match(new RegExp(`^${PROGRAM}: instrumentation library 0 .*forgets\\.ts'\\): sets a callback for guest_bbl_before_exec but does not enable it`));
    });

    it('scoreboards created after qi_init (in a translation callback; one of 1,000,000 counters) count inline what the execution callbacks count', function () {
      expect(lateBoards.status, describeRun(lateBoards)).to.equal(0);
      expect(lateBoards.stderr, describeRun(lateBoards)).to.equal('');
      for (const hart of [0, 1, 2]) {
        const m = linesOf(lateBoards.stdout).map((l) => new RegExp(`^late-boards: cpu ${hart} inline (\\d+) wide (\\d+) callbacks (\\d+)$`).exec(l)).find((r) => r !== null);
        expect(m, lateBoards.stdout).to.not.equal(undefined);
        const [inline, wide, callbacks] = [Number(m?.[1]), Number(m?.[2]), Number(m?.[3])];
        expect(callbacks, `vCPU ${hart}: the guest's iterations`).to.be.at.least(LOOP_ITERATIONS);
        expect(inline, `vCPU ${hart} inline`).to.equal(callbacks);
        expect(wide, `vCPU ${hart} wide`).to.equal(callbacks);
      }
    });

    it('a qi_fini value that cannot be copied: one line naming the instances, qi_merge runs with the rest', function () {
      expect(uncopyable.status, describeRun(uncopyable)).to.equal(0);
      expect(linesOf(uncopyable.stderr), describeRun(uncopyable)).to.deep.equal([
        `${PROGRAM}: instrumentation library 0: the value qi_fini returned cannot be copied to qi_merge (translator, vcpu 0, vcpu 1, vcpu 2): () => 1 could not be cloned.`,
      ]);
      expect(linesOf(uncopyable.stdout), describeRun(uncopyable)).to.include('uncopyable: merge got main');
    });

    it("the other instances' output is shown prefixed; qi_init's banner, the same everywhere, once", function () {
      expect(moduleState.status, describeRun(moduleState)).to.equal(0);
      expect(moduleState.stderr, describeRun(moduleState)).to.equal('');
      const out = linesOf(moduleState.stdout);
      expect(out.filter((l) => l === 'module-state: loaded'), moduleState.stdout).to.have.length(1);
      // the primary (main thread) executes no guest code: its count is 0
      expect(out, moduleState.stdout).to.include('module-state: 0 blocks');
      for (const hart of [0, 1, 2]) {
        const line = out.find((l) => l.startsWith(`[vcpu ${hart}] module-state: `));
        const n = Number(/(\d+) blocks$/.exec(line ?? '')?.[1]);
        expect(n, moduleState.stdout).to.be.at.least(LOOP_ITERATIONS);
      }
    });
  });
});
