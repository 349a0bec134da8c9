/**
 * Instrumentation overhead, tsemu's -instr libraries beside QEMU's TCG
 * plugins, on the int workload (int-timed.elf). Each figure is the guest time
 * (mtime around the workload) with instrumentation / without, so library
 * compilation and QEMU start-up stay out of it:
 *
 * (a) bench/libs/empty.mts, a library that loads and enables nothing;
 * (b) bench/libs/store-exec-count.mts, an execution-level callback on every
 *     store (gen_exec at translation time), beside bench/qemu-plugins/
 *     store-count.c, a QEMU_PLUGIN_MEM_W memory callback on every instruction;
 * (c) examples/instr/insn-count.ts, an inline add per instruction, beside
 *     bench/qemu-plugins/insn-count.c (qemu_plugin_register_vcpu_insn_exec_inline);
 * (d) bench/libs/insn-exec-count.mts, an execution-level callback on every
 *     instruction, beside bench/qemu-plugins/insn-exec-count.c
 *     (qemu_plugin_register_vcpu_insn_exec_cb);
 * (e) the cache model, examples/instr/contrib/cache.ts (L1D, L1I and L2,
 *     QEMU's cache.c defaults), beside its QEMU reference plugin
 *     tests/instr/qemu-plugins/cache.c, on int-short.elf (1/100 of the int
 *     workload: a callback per instruction and per access in both): guest time
 *     / int-short alone; both print their miss counts, which must agree;
 * (f) -smp 4: bench/guest/smp.elf (the same integer work on every hart) with
 *     examples/instr/contrib/insn.ts (inline per-vCPU counts) beside
 *     insn-count.c (QEMU 7.2 has no per-vCPU inline counters: one shared
 *     counter, added to without atomics by the four vCPU threads): guest time
 *     / smp.elf -smp 4 alone.
 */
import { join } from 'node:path';
import type { EmulatorCommand } from './emulators.js';
import {
  describeTimedRun, failureWarning, guestSeconds, runTimedGuest, succeeded, type TimedRun,
} from './guest-timing.js';
import { buildQemuPlugins, qemuPluginArgs, type QemuPlugins } from './qemu-plugins.js';
import { busyHostWarning } from './host-load.js';
import type { BenchContext, BenchRow, BenchSection, SectionResult } from './section.js';
import { median, present, ratio } from './stats.js';

const GUEST = { name: 'int', elf: 'bench/guest/int-timed.elf' } as const;
const SHORT = { name: 'int-short', elf: 'bench/guest/int-short.elf' } as const;
const SMP = { name: 'smp', elf: 'bench/guest/smp.elf' } as const;
type Guest = typeof GUEST | typeof SHORT | typeof SMP;
const TIMEOUT_MS = { tsemu: 90_000, qemu: 30_000 } as const;
export const EMPTY_LIBRARY_RATIO_TARGET = 1.02;
/** A callback on every instruction may slow tsemu down at most as much as QEMU's slows QEMU down (the performance issue's table). */
export const EXEC_CALLBACK_RATIO_TARGET = 1.0;

function withRatioTarget(row: BenchRow, target: number): BenchRow {
  return { ...row, target: { text: `tsemu/QEMU <= ${target}`, met: row.ratio === null || row.ratio === undefined ? null : row.ratio <= target } };
}
/** Instruction counts from the counting tools may exceed the guest's own (boot ROM, timing wrapper). */
const COUNT_TOLERANCE = 0.01;

/** The configurations compared; `none` (`short-none`, `smp4-none` for (e), (f)) is every ratio's denominator. */
type Config = 'none' | 'empty' | 'stores' | 'insns' | 'execs' | 'short-none' | 'cache' | 'smp4-none' | 'smp4-insns';

/** What each configuration runs, and the configuration it is compared with. */
const GUEST_OF: Readonly<Record<Config, Guest>> = {
  none: GUEST, empty: GUEST, stores: GUEST, insns: GUEST, execs: GUEST, 'short-none': SHORT, cache: SHORT, 'smp4-none': SMP, 'smp4-insns': SMP,
};
const BASE_OF: Readonly<Record<Config, Config>> = {
  none: 'none', empty: 'none', stores: 'none', insns: 'none', execs: 'none', 'short-none': 'short-none', cache: 'short-none', 'smp4-none': 'smp4-none', 'smp4-insns': 'smp4-none',
};
/** (e)'s cache parameters, on both sides: QEMU's defaults with the L2 on. */
const CACHE_OPTIONS = ['l2=on', 'limit=4'] as const;
const SMP4 = ['-smp', '4'] as const;
/** At most this many of the counted stores may differ between runs and emulators (see the check). */
const REPORT_STORES = 64;

interface Variant {
  readonly emulator: EmulatorCommand;
  readonly config: Config;
  readonly extraArgs: readonly string[];
}

function variants(ctx: BenchContext, plugins: QemuPlugins): Variant[] {
  const lib = (path: string, args: readonly string[] = []): string[] => ['-instr', [`file=${join(ctx.repoRoot, path)}`, ...args.map((a) => `arg=${a}`)].join(',')];
  const list: Variant[] = [
    { emulator: ctx.tsemu, config: 'none', extraArgs: [] },
    { emulator: ctx.tsemu, config: 'empty', extraArgs: lib('bench/libs/empty.mts') },
    { emulator: ctx.tsemu, config: 'stores', extraArgs: lib('bench/libs/store-exec-count.mts') },
    { emulator: ctx.tsemu, config: 'insns', extraArgs: lib('examples/instr/insn-count.ts') },
    { emulator: ctx.tsemu, config: 'execs', extraArgs: lib('bench/libs/insn-exec-count.mts') },
    { emulator: ctx.tsemu, config: 'short-none', extraArgs: [] },
    { emulator: ctx.tsemu, config: 'cache', extraArgs: lib('examples/instr/contrib/cache.ts', CACHE_OPTIONS) },
    { emulator: ctx.tsemu, config: 'smp4-none', extraArgs: SMP4 },
    { emulator: ctx.tsemu, config: 'smp4-insns', extraArgs: [...SMP4, ...lib('examples/instr/contrib/insn.ts')] },
  ];
  if (ctx.qemu !== null) {
    list.push({ emulator: ctx.qemu, config: 'none', extraArgs: [] }, { emulator: ctx.qemu, config: 'short-none', extraArgs: [] },
      { emulator: ctx.qemu, config: 'smp4-none', extraArgs: SMP4 });
  }
  if (ctx.qemu !== null && plugins.kind === 'built') {
    const cachePlugin = ['-plugin', [plugins.paths.cache, ...CACHE_OPTIONS].join(','), '-d', 'plugin'];
    list.push(
      { emulator: ctx.qemu, config: 'stores', extraArgs: qemuPluginArgs(plugins.paths['store-count']) },
      { emulator: ctx.qemu, config: 'insns', extraArgs: qemuPluginArgs(plugins.paths['insn-count']) },
      { emulator: ctx.qemu, config: 'execs', extraArgs: qemuPluginArgs(plugins.paths['insn-exec-count']) },
      { emulator: ctx.qemu, config: 'cache', extraArgs: cachePlugin },
      { emulator: ctx.qemu, config: 'smp4-insns', extraArgs: [...SMP4, ...qemuPluginArgs(plugins.paths['insn-count'])] },
    );
  }
  return list;
}

async function runAll(ctx: BenchContext, list: readonly Variant[]): Promise<TimedRun[]> {
  const runs: TimedRun[] = [];
  for (let i = 1; i <= ctx.repeats; i++) {
    for (const v of list) {
      const guest = GUEST_OF[v.config];
      const run = await runTimedGuest({
        emulator: v.emulator, config: v.config, name: guest.name, elf: join(ctx.repoRoot, guest.elf),
        extraArgs: v.extraArgs, timeoutMs: TIMEOUT_MS[v.emulator.id],
      });
      ctx.progress(`${guest.name}, ${v.emulator.id} ${v.config}: run ${i}/${ctx.repeats}: ${describeTimedRun(run)}${countNote(run)}`);
      runs.push(run);
    }
  }
  return runs;
}

/** What a counting tool printed at exit, if anything. */
function reportedCount(run: TimedRun): number | null {
  const text = `${run.process.stdout}\n${run.process.stderrTail}`;
  const match = (run.config === 'stores' ? /store-count: (\d+) stores/ : /(?:insn-count: total (\d+) instructions|^total insns: (\d+)$)/m).exec(text);
  return match === null ? null : Number(match[1] ?? match[2]);
}

/** The cache model's first table row (core 0): L1D accesses and misses, L1I accesses and misses. */
function cacheCounts(run: TimedRun): number[] | null {
  const text = `${run.process.stdout}\n${run.process.stderrTail}`;
  const m = /^0\s+(\d+)\s+(\d+)\s+[\d.]+%\s+(\d+)\s+(\d+)\s+[\d.]+%/m.exec(text);
  return m === null ? null : m.slice(1, 5).map(Number);
}

function countNote(run: TimedRun): string {
  if (run.config === 'cache') {
    const c = cacheCounts(run);
    return c === null ? ', no cache table printed' : `, L1D ${c[1]}/${c[0]} misses, L1I ${c[3]}/${c[2]}`;
  }
  if (run.config !== 'insns' && run.config !== 'stores' && run.config !== 'smp4-insns') return '';
  const count = reportedCount(run);
  return count === null ? ', no count printed' : `, counted ${count}`;
}

function pick(runs: readonly TimedRun[], id: string, config: Config): TimedRun[] {
  return runs.filter((r) => r.emulator.id === id && r.config === config && succeeded(r));
}

function medianGuestSeconds(runs: readonly TimedRun[], id: string, config: Config): number | null {
  return median(present(pick(runs, id, config).map(guestSeconds)));
}

function overhead(runs: readonly TimedRun[], id: string, config: Config): number | null {
  return ratio(medianGuestSeconds(runs, id, config), medianGuestSeconds(runs, id, BASE_OF[config]));
}

function wallOverhead(runs: readonly TimedRun[], id: string, config: Config): number | null {
  const wall = (c: Config): number | null => median(pick(runs, id, c).map((r) => r.process.wallMs / 1000));
  return ratio(wall(config), wall('none'));
}

function rows(runs: readonly TimedRun[], plugins: QemuPlugins): BenchRow[] {
  const seconds = (id: string, config: Config): number[] => present(pick(runs, id, config).map(guestSeconds));
  const qemu = (config: Config): number | null => (plugins.kind === 'built' ? overhead(runs, 'qemu', config) : null);
  const versus = (config: Config, label: string, id: string): BenchRow => {
    const t = overhead(runs, 'tsemu', config);
    const q = qemu(config);
    const qemuNote = plugins.kind === 'unavailable' ? ` [QEMU: ${plugins.reason}]` : '';
    return { id, label: `${label}${qemuNote}`, unit: 'x', decimals: 2, tsemu: t, qemu: q, ratio: ratio(t, q),
      samples: { tsemu: seconds('tsemu', config), qemu: seconds('qemu', config) } };
  };
  const tBase = medianGuestSeconds(runs, 'tsemu', 'none');
  const qBase = medianGuestSeconds(runs, 'qemu', 'none');
  const empty = overhead(runs, 'tsemu', 'empty');
  return [
    { id: 'instr.none.time', label: 'int, no library / no plugin: guest time', unit: 's', decimals: 3,
      tsemu: tBase, qemu: qBase, ratio: ratio(tBase, qBase), samples: { tsemu: seconds('tsemu', 'none'), qemu: seconds('qemu', 'none') } },
    { id: 'instr.empty.overhead', label: '(a) empty library (loads, enables nothing): guest time / none', unit: 'x', decimals: 3,
      tsemu: empty, qemu: null, ratio: null, samples: { tsemu: seconds('tsemu', 'empty'), qemu: [] },
      target: { text: `<= ${EMPTY_LIBRARY_RATIO_TARGET}`, met: empty === null ? null : empty <= EMPTY_LIBRARY_RATIO_TARGET } },
    { id: 'instr.empty.wall', label: '(a) empty library: process wall / none (compiling the library included)', unit: 'x',
      decimals: 2, tsemu: wallOverhead(runs, 'tsemu', 'empty'), qemu: null, ratio: null },
    versus('stores', '(b) callback on every store (tsemu gen_exec | QEMU mem_cb W): guest time / none', 'instr.stores.overhead'),
    versus('insns', '(c) inline count of every insn (insn-count.ts | insn_exec_inline): guest time / none', 'instr.insns.overhead'),
    withRatioTarget(versus('execs', '(d) callback on every insn (gen_exec | insn_exec_cb): guest time / none', 'instr.execs.overhead'), EXEC_CALLBACK_RATIO_TARGET),
    { id: 'instr.cache.time', label: '(e) cache model L1D/L1I/L2 (contrib/cache.ts | cache.c), int-short: guest time', unit: 's', decimals: 3,
      tsemu: medianGuestSeconds(runs, 'tsemu', 'cache'), qemu: medianGuestSeconds(runs, 'qemu', 'cache'),
      ratio: ratio(medianGuestSeconds(runs, 'tsemu', 'cache'), medianGuestSeconds(runs, 'qemu', 'cache')) },
    versus('cache', '(e) cache model L1D/L1I/L2 (contrib/cache.ts | cache.c), int-short: guest time / int-short alone', 'instr.cache.overhead'),
    versus('smp4-insns', '(f) -smp 4, inline insn count (contrib/insn.ts | insn-count.c), smp.elf: guest time / -smp 4 alone', 'instr.smp4.insns.overhead'),
  ];
}

function checkRuns(runs: readonly TimedRun[], plugins: QemuPlugins, qemu: EmulatorCommand | null): string[] {
  const warnings: string[] = [];
  if (plugins.kind === 'unavailable' && qemu !== null) warnings.push(`instr-overhead: QEMU plugin columns ${plugins.reason}`);
  const instret = median(pick(runs, 'tsemu', 'none').map((r) => r.report?.instret ?? 0));
  for (const run of runs) {
    if (!succeeded(run)) { warnings.push(failureWarning('instr-overhead', run)); continue; }
    const counts = run.config === 'insns' || run.config === 'stores' || run.config === 'smp4-insns';
    if (!counts) continue;
    const count = reportedCount(run);
    const tool = `${run.emulator.id} ${run.config}`;
    if (count === null) {
      warnings.push(`instr-overhead: ${tool} printed no count; stderr ends with ${JSON.stringify(run.process.stderrTail.slice(-200))}`);
    } else if (run.config === 'insns' && instret !== null && Math.abs(count - instret) > COUNT_TOLERANCE * instret) {
      warnings.push(`instr-overhead: ${tool} counted ${count} instructions, the guest retired ${instret}`);
    }
  }
  // both sides model the same caches on the same accesses: the miss counts must agree (accesses may
  // differ by the few instructions of the UART wait loops after the workload)
  const misses = new Set(runs.filter((r) => succeeded(r) && r.config === 'cache').map(cacheCounts).map((c) => (c === null ? 'none' : `${c[1]}/${c[3]}`)));
  if (misses.size > 1) warnings.push(`!!! instr-overhead: cache model L1D/L1I misses differ between runs or emulators: ${[...misses].join(', ')} !!!`);
  // both sides count the same guest's stores: the counts must agree, but for a few: the report's
  // numbers (ticks) have as many digits as the run's speed gives them (two stores a digit: with
  // -icount shift=0 every tier counts the same), and QEMU's callback, after the access, never sees
  // the finisher store that ends it (tsemu's, before the access, does)
  const storeCounts = [...new Set(runs.filter((r) => succeeded(r) && r.config === 'stores').map(reportedCount).filter((c): c is number => c !== null))];
  if (storeCounts.length > 1 && Math.max(...storeCounts) - Math.min(...storeCounts) > REPORT_STORES) {
    warnings.push(`!!! instr-overhead: store counts differ between tsemu and QEMU by more than the report's ${REPORT_STORES}: ${storeCounts.join(', ')} !!!`);
  }
  for (const guest of [GUEST, SHORT, SMP]) {
    const results = new Set(runs.filter((r) => succeeded(r) && GUEST_OF[r.config as Config] === guest).map((r) => r.report?.result));
    if (results.size > 1) warnings.push(`!!! instr-overhead: ${guest.name} results differ between configurations: ${[...results].join(', ')} !!!`);
  }
  return warnings;
}

export const instrOverheadSection: BenchSection = {
  id: 'instr-overhead',
  title: 'Instrumentation overhead: tsemu -instr libraries vs QEMU TCG plugins (int workload; the cache model on int-short; -smp 4 on smp.elf)',
  async run(ctx: BenchContext): Promise<SectionResult> {
    const plugins = buildQemuPlugins(ctx.repoRoot, ctx.qemu);
    if (plugins.kind === 'unavailable') ctx.progress(`QEMU plugins: ${plugins.reason}`);
    const busy = busyHostWarning('instr-overhead');
    const runs = await runAll(ctx, variants(ctx, plugins));
    return { rows: rows(runs, plugins), warnings: [...(busy === null ? [] : [busy]), ...new Set(checkRuns(runs, plugins, ctx.qemu))] };
  },
};
