/**
 * SMP scaling: bench/guest/smp.elf at -smp 1, 2 and 4, where every hart does
 * the same independent integer work (nothing shared), so -smp N does N times
 * the work of -smp 1. Throughput = all harts' instructions / the guest-timed
 * interval (hart 0 starts the clock when every hart has arrived and stops it
 * when the last has finished); speedup = throughput / throughput at -smp 1.
 * On a 2-core host, -smp 2 can at best double and -smp 4 cannot go further;
 * -smp 4 shows that oversubscribed vCPUs still make progress.
 *
 * Then bench/guest/locks.elf at -smp 4: every hart increments two shared
 * counters under an LR/SC and an amoswap spinlock; time beside QEMU's.
 */
import { join } from 'node:path';
import type { EmulatorCommand } from './emulators.js';
import {
  describeTimedRun, failureWarning, guestSeconds, runTimedGuest, succeeded, type TimedRun,
} from './guest-timing.js';
import { busyHostWarning } from './host-load.js';
import type { BenchContext, BenchRow, BenchSection, SectionResult } from './section.js';
import { median, present, ratio } from './stats.js';

const SMP_ELF = 'bench/guest/smp.elf';
const LOCKS_ELF = 'bench/guest/locks.elf';
const SMP_COUNTS = [1, 2, 4] as const;
const LOCKS_HARTS = 4;
/** ITERS in bench/guest/locks.c: each hart takes each of the two locks this often. */
const LOCK_ITERS_PER_HART = 20_000;
const TIMEOUT_MS = { tsemu: 30_000, qemu: 20_000 } as const;
export const SMP2_SPEEDUP_TARGET = 1.8;

/** The configuration name runs carry, and back. */
function smpConfig(harts: number): string {
  return `-smp ${harts}`;
}
function hartsOf(config: string): number {
  return Number(config.replace('-smp ', ''));
}

function emulatorsOf(ctx: BenchContext): EmulatorCommand[] {
  return ctx.qemu === null ? [ctx.tsemu] : [ctx.tsemu, ctx.qemu];
}

/** Every repetition runs each configuration on each emulator, alternating. */
async function runAll(ctx: BenchContext, name: string, elf: string, counts: readonly number[]): Promise<TimedRun[]> {
  const runs: TimedRun[] = [];
  for (let i = 1; i <= ctx.repeats; i++) {
    for (const harts of counts) {
      for (const emulator of emulatorsOf(ctx)) {
        const run = await runTimedGuest({
          emulator, config: smpConfig(harts), name, elf: join(ctx.repoRoot, elf),
          extraArgs: ['-smp', String(harts)], timeoutMs: TIMEOUT_MS[emulator.id],
        });
        ctx.progress(`${name} -smp ${harts}: ${emulator.id} run ${i}/${ctx.repeats}: ${describeTimedRun(run)}`);
        runs.push(run);
      }
    }
  }
  return runs;
}

function select(runs: readonly TimedRun[], id: string, config: string): TimedRun[] {
  return runs.filter((r) => r.emulator.id === id && r.config === config && succeeded(r));
}

/** Failures, wrong hart counts, harts that disagree, checksums that differ between emulators. */
function checkRuns(name: string, runs: readonly TimedRun[], expectedResult: (harts: number) => string | null): string[] {
  const warnings: string[] = [];
  for (const run of runs) {
    if (!succeeded(run)) { warnings.push(failureWarning(name, run)); continue; }
    const harts = hartsOf(run.config);
    const timing = run.timing;
    if (timing?.harts !== harts) warnings.push(`${name} ${run.config}: ${run.emulator.id} guest saw ${String(timing?.harts)} harts`);
    if (timing?.agree === false) warnings.push(`${name} ${run.config}: ${run.emulator.id}: the harts computed different checksums`);
    const expected = expectedResult(harts);
    if (expected !== null && run.report?.result !== expected) {
      warnings.push(`!!! ${name} ${run.config}: ${run.emulator.id} result=${String(run.report?.result)}, expected ${expected} ` +
        '-- mutual exclusion broken !!!');
    }
  }
  for (const config of new Set(runs.map((r) => r.config))) {
    const results = (id: string): Set<string> => new Set(select(runs, id, config).map((r) => r.report?.result ?? ''));
    const all = new Set([...results('tsemu'), ...results('qemu')]);
    if (all.size > 1) warnings.push(`!!! CHECKSUM MISMATCH on ${name} ${config}: results ${[...all].join(', ')} (tsemu ${[...results('tsemu')].join('/')}) !!!`);
  }
  return warnings;
}

/** Median guest-timed seconds of an emulator's successful runs of one configuration. */
function medianSeconds(runs: readonly TimedRun[], id: string, config: string): { median: number | null; samples: number[] } {
  const samples = present(select(runs, id, config).map(guestSeconds));
  return { median: median(samples), samples };
}

/** tsemu's instruction count (QEMU's minstret is not one without -icount). */
function instructions(runs: readonly TimedRun[], config: string): number | null {
  return median(select(runs, 'tsemu', config).map((r) => r.report?.instret ?? 0));
}

function scalingRows(runs: readonly TimedRun[]): BenchRow[] {
  const mipsOf = (id: string, harts: number): { value: number | null; samples: number[] } => {
    const config = smpConfig(harts);
    const insns = instructions(runs, config);
    const seconds = medianSeconds(runs, id, config);
    const mips = (s: number): number | null => (insns === null ? null : insns / s / 1e6);
    return { value: seconds.median === null ? null : mips(seconds.median), samples: present(seconds.samples.map(mips)) };
  };
  const rows: BenchRow[] = [];
  for (const harts of SMP_COUNTS) {
    const t = mipsOf('tsemu', harts);
    const q = mipsOf('qemu', harts);
    rows.push({
      id: `smp${harts}.mips`, label: `smp -smp ${harts}: throughput (insns of all harts / guest time)`, unit: 'MIPS',
      decimals: 1, tsemu: t.value, qemu: q.value, ratio: ratio(t.value, q.value), samples: { tsemu: t.samples, qemu: q.samples },
    });
  }
  for (const harts of SMP_COUNTS.filter((n) => n > 1)) {
    const speedup = (id: string): number | null => ratio(mipsOf(id, harts).value, mipsOf(id, 1).value);
    const tsemu = speedup('tsemu');
    const completed = runs.filter((r) => r.emulator.id === 'tsemu' && r.config === smpConfig(harts));
    const target = harts === 2
      ? { text: `>= ${SMP2_SPEEDUP_TARGET.toFixed(1)}x (tsemu)`, met: tsemu === null ? null : tsemu >= SMP2_SPEEDUP_TARGET }
      : { text: 'completes (no livelock)', met: completed.length > 0 && completed.every(succeeded) };
    rows.push({
      id: `smp${harts}.speedup`, label: `smp -smp ${harts}: speedup vs -smp 1 (throughput ratio)`, unit: 'x',
      decimals: 2, tsemu, qemu: speedup('qemu'), ratio: ratio(tsemu, speedup('qemu')), target,
    });
  }
  return rows;
}

function lockRows(runs: readonly TimedRun[]): BenchRow[] {
  const config = smpConfig(LOCKS_HARTS);
  const t = medianSeconds(runs, 'tsemu', config);
  const q = medianSeconds(runs, 'qemu', config);
  const wall = (id: string): number[] => select(runs, id, config).map((r) => r.process.wallMs / 1000);
  const tWall = median(wall('tsemu'));
  const qWall = median(wall('qemu'));
  const what = `locks -smp ${LOCKS_HARTS} (${LOCK_ITERS_PER_HART} LR/SC + ${LOCK_ITERS_PER_HART} amoswap lock rounds per hart)`;
  return [
    { id: 'locks.time', label: `${what}: guest time`, unit: 's', decimals: 3, tsemu: t.median, qemu: q.median,
      ratio: ratio(t.median, q.median), samples: { tsemu: t.samples, qemu: q.samples } },
    { id: 'locks.wall', label: `${what}: process wall time`, unit: 's', decimals: 3, tsemu: tWall, qemu: qWall,
      ratio: ratio(tWall, qWall), samples: { tsemu: wall('tsemu'), qemu: wall('qemu') } },
  ];
}

export const smpScalingSection: BenchSection = {
  id: 'smp-scaling',
  title: 'SMP scaling: independent work per hart (smp.elf), shared spinlocks (locks.elf)',
  async run(ctx: BenchContext): Promise<SectionResult> {
    const busy = busyHostWarning('smp-scaling');
    const smpRuns = await runAll(ctx, 'smp', SMP_ELF, SMP_COUNTS);
    const lockRuns = await runAll(ctx, 'locks', LOCKS_ELF, [LOCKS_HARTS]);
    const expectedLockTotal = (harts: number): string => String(2 * LOCK_ITERS_PER_HART * harts);
    return {
      rows: [...scalingRows(smpRuns), ...lockRows(lockRuns)],
      warnings: [...(busy === null ? [] : [busy]), ...new Set([
        ...checkRuns('smp', smpRuns, () => null), ...checkRuns('locks', lockRuns, expectedLockTotal)])],
    };
  },
};
