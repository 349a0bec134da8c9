/**
 * Tracing overhead.
 *
 * 1. What compiled-in but disabled trace events cost: the int workload
 *    (int-timed.elf) on the normal build vs a build with every event compiled
 *    out (untraced-build.ts), alternating which goes first, MIPS from the
 *    guest-timed interval.
 * 2. What tracing every executed memory access into a `simple` trace file
 *    costs: `-trace guest_mem_before_exec,file=F` on int-short.elf (1/100 of
 *    the int workload: the full one would write gigabytes), as guest time with
 *    / without, and the size of the file.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EmulatorCommand } from './emulators.js';
import {
  describeTimedRun, failureWarning, guestSeconds, runTimedGuest, succeeded, type TimedRun,
} from './guest-timing.js';
import { busyHostWarning } from './host-load.js';
import type { BenchContext, BenchRow, BenchSection, SectionResult } from './section.js';
import { median, present, ratio } from './stats.js';
import { untracedBuild } from './untraced-build.js';

const INT_TIMED = { name: 'int', elf: 'bench/guest/int-timed.elf' } as const;
const INT_SHORT = { name: 'int-short', elf: 'bench/guest/int-short.elf' } as const;
const TRACED_EVENT = 'guest_mem_before_exec';
/** The two builds differ by a few per cent at most: take more samples than elsewhere. */
const MIN_REPEATS = 5;
const TIMEOUT_MS = 60_000;
export const DISABLED_EVENTS_RATIO_TARGET = 0.98;

const COMPILED_IN = 'events compiled in';
const COMPILED_OUT = 'events compiled out';

async function runBuild(ctx: BenchContext, tsemu: EmulatorCommand, config: string, round: string): Promise<TimedRun> {
  const run = await runTimedGuest({
    emulator: tsemu, config, name: INT_TIMED.name, elf: join(ctx.repoRoot, INT_TIMED.elf), timeoutMs: TIMEOUT_MS,
  });
  ctx.progress(`int, ${config}: run ${round}: ${describeTimedRun(run)}`);
  return run;
}

/** ABBA order: whichever build runs second each round gets no systematic advantage. */
async function compareBuilds(ctx: BenchContext, untraced: EmulatorCommand): Promise<TimedRun[]> {
  const repeats = Math.max(ctx.repeats, MIN_REPEATS);
  const runs: TimedRun[] = [];
  for (let i = 1; i <= repeats; i++) {
    const pair: [EmulatorCommand, string][] = [[ctx.tsemu, COMPILED_IN], [untraced, COMPILED_OUT]];
    if (i % 2 === 0) pair.reverse();
    for (const [tsemu, config] of pair) runs.push(await runBuild(ctx, tsemu, config, `${i}/${repeats}`));
  }
  return runs;
}

interface TraceFileRun {
  readonly run: TimedRun;
  /** Bytes in the trace file; null when the run wrote none. */
  readonly fileBytes: number | null;
}

async function traceFileRuns(ctx: BenchContext): Promise<TraceFileRun[]> {
  const dir = mkdtempSync(join(tmpdir(), 'tsemu-bench-trace-'));
  const elf = join(ctx.repoRoot, INT_SHORT.elf);
  const runs: TraceFileRun[] = [];
  try {
    for (let i = 1; i <= ctx.repeats; i++) {
      const file = join(dir, `run${i}.trace`);
      const configs: [string, string[]][] = [['no trace', []], [`-trace ${TRACED_EVENT}`, ['-trace', `${TRACED_EVENT},file=${file}`]]];
      for (const [config, extraArgs] of configs) {
        const run = await runTimedGuest({ emulator: ctx.tsemu, config, name: INT_SHORT.name, elf, extraArgs, timeoutMs: TIMEOUT_MS });
        const fileBytes = extraArgs.length === 0 ? null : sizeOf(file);
        const size = fileBytes === null ? '' : `, trace file ${(fileBytes / 2 ** 20).toFixed(1)} MiB`;
        ctx.progress(`int-short, ${config}: run ${i}/${ctx.repeats}: ${describeTimedRun(run)}${size}`);
        runs.push({ run, fileBytes });
        rmSync(file, { force: true });
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return runs;
}

function sizeOf(file: string): number | null {
  try {
    return statSync(file).size;
  } catch {
    return null;
  }
}

function secondsOf(runs: readonly TimedRun[], config: string): number[] {
  return present(runs.filter((r) => r.config === config && succeeded(r)).map(guestSeconds));
}

function buildRows(runs: readonly TimedRun[]): BenchRow[] {
  const instret = median(runs.filter(succeeded).map((r) => r.report?.instret ?? 0));
  const mips = (seconds: number): number | null => (instret === null ? null : instret / seconds / 1e6);
  const mipsSamples = (config: string): number[] => present(secondsOf(runs, config).map(mips));
  const inMips = median(mipsSamples(COMPILED_IN));
  const outMips = median(mipsSamples(COMPILED_OUT));
  const overhead = ratio(inMips, outMips);
  return [
    { id: 'trace.in.mips', label: 'int: MIPS, normal build (every event compiled in, all disabled)', unit: 'MIPS',
      decimals: 1, tsemu: inMips, qemu: null, ratio: null, samples: { tsemu: mipsSamples(COMPILED_IN), qemu: [] } },
    { id: 'trace.out.mips', label: 'int: MIPS, tracing compiled out (tracetool --disable-all)', unit: 'MIPS',
      decimals: 1, tsemu: outMips, qemu: null, ratio: null, samples: { tsemu: mipsSamples(COMPILED_OUT), qemu: [] } },
    { id: 'trace.disabled.ratio', label: 'int: MIPS compiled in / compiled out (1 = disabled events free)', unit: 'x',
      decimals: 3, tsemu: overhead, qemu: null, ratio: null,
      target: { text: `>= ${DISABLED_EVENTS_RATIO_TARGET} (within 2%)`, met: overhead === null ? null : overhead >= DISABLED_EVENTS_RATIO_TARGET } },
  ];
}

function traceFileRows(runs: readonly TraceFileRun[]): BenchRow[] {
  const timed = runs.map((r) => r.run);
  const traced = `-trace ${TRACED_EVENT}`;
  const tracedSeconds = median(secondsOf(timed, traced));
  const plainSeconds = median(secondsOf(timed, 'no trace'));
  const sizes = present(runs.filter((r) => r.run.config === traced && succeeded(r.run)).map((r) => r.fileBytes));
  const mib = sizes.map((b) => b / 2 ** 20);
  return [
    { id: 'trace.file.slowdown', label: `int-short: guest time with ${TRACED_EVENT} into a simple trace file / without`,
      unit: 'x', decimals: 2, tsemu: ratio(tracedSeconds, plainSeconds), qemu: null, ratio: null,
      samples: { tsemu: secondsOf(timed, traced), qemu: [] } },
    { id: 'trace.file.size', label: `int-short: trace file size (${TRACED_EVENT}, simple backend)`, unit: 'MiB',
      decimals: 1, tsemu: median(mib), qemu: null, ratio: null, samples: { tsemu: mib, qemu: [] } },
  ];
}

function checkRuns(buildRuns: readonly TimedRun[], fileRuns: readonly TraceFileRun[]): string[] {
  const warnings: string[] = [];
  for (const run of [...buildRuns, ...fileRuns.map((r) => r.run)]) {
    if (!succeeded(run)) warnings.push(failureWarning('trace-overhead', run));
  }
  for (const [name, runs] of [['int', buildRuns], ['int-short', fileRuns.map((r) => r.run)]] as const) {
    const results = new Set(runs.filter(succeeded).map((r) => r.report?.result));
    if (results.size > 1) warnings.push(`!!! trace-overhead: ${name} results differ between builds/configurations: ${[...results].join(', ')} !!!`);
  }
  for (const r of fileRuns) {
    if (r.run.config !== 'no trace' && succeeded(r.run) && !(r.fileBytes !== null && r.fileBytes > 0)) {
      warnings.push(`trace-overhead: -trace ${TRACED_EVENT},file=... wrote no trace file`);
    }
  }
  return warnings;
}

export const traceOverheadSection: BenchSection = {
  id: 'trace-overhead',
  title: 'Tracing overhead (tsemu only): disabled events, and tracing every memory access to a file',
  async run(ctx: BenchContext): Promise<SectionResult> {
    const build = untracedBuild(ctx.repoRoot, ctx.progress);
    const busy = busyHostWarning('trace-overhead');
    const buildRuns = await compareBuilds(ctx, build.tsemu);
    const fileRuns = await traceFileRuns(ctx);
    return {
      rows: [...buildRows(buildRuns), ...traceFileRows(fileRuns)],
      warnings: [...(busy === null ? [] : [busy]), ...build.warnings, ...new Set(checkRuns(buildRuns, fileRuns))],
    };
  },
};
