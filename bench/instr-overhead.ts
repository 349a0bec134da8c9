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
 *     (qemu_plugin_register_vcpu_insn_exec_cb).
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
const TIMEOUT_MS = { tsemu: 90_000, qemu: 30_000 } as const;
export const EMPTY_LIBRARY_RATIO_TARGET = 1.02;
/** A callback on every instruction may slow tsemu down at most as much as QEMU's slows QEMU down (the performance issue's table). */
export const EXEC_CALLBACK_RATIO_TARGET = 1.0;

function withRatioTarget(row: BenchRow, target: number): BenchRow {
  return { ...row, target: { text: `tsemu/QEMU <= ${target}`, met: row.ratio === null || row.ratio === undefined ? null : row.ratio <= target } };
}
/** Instruction counts from the counting tools may exceed the guest's own (boot ROM, timing wrapper). */
const COUNT_TOLERANCE = 0.01;

/** The configurations compared; `none` is every ratio's denominator. */
type Config = 'none' | 'empty' | 'stores' | 'insns' | 'execs';

interface Variant {
  readonly emulator: EmulatorCommand;
  readonly config: Config;
  readonly extraArgs: readonly string[];
}

function variants(ctx: BenchContext, plugins: QemuPlugins): Variant[] {
  const lib = (path: string): string[] => ['-instr', `file=${join(ctx.repoRoot, path)}`];
  const list: Variant[] = [
    { emulator: ctx.tsemu, config: 'none', extraArgs: [] },
    { emulator: ctx.tsemu, config: 'empty', extraArgs: lib('bench/libs/empty.mts') },
    { emulator: ctx.tsemu, config: 'stores', extraArgs: lib('bench/libs/store-exec-count.mts') },
    { emulator: ctx.tsemu, config: 'insns', extraArgs: lib('examples/instr/insn-count.ts') },
    { emulator: ctx.tsemu, config: 'execs', extraArgs: lib('bench/libs/insn-exec-count.mts') },
  ];
  if (ctx.qemu !== null) list.push({ emulator: ctx.qemu, config: 'none', extraArgs: [] });
  if (ctx.qemu !== null && plugins.kind === 'built') {
    list.push(
      { emulator: ctx.qemu, config: 'stores', extraArgs: qemuPluginArgs(plugins.paths['store-count']) },
      { emulator: ctx.qemu, config: 'insns', extraArgs: qemuPluginArgs(plugins.paths['insn-count']) },
      { emulator: ctx.qemu, config: 'execs', extraArgs: qemuPluginArgs(plugins.paths['insn-exec-count']) },
    );
  }
  return list;
}

async function runAll(ctx: BenchContext, list: readonly Variant[]): Promise<TimedRun[]> {
  const runs: TimedRun[] = [];
  for (let i = 1; i <= ctx.repeats; i++) {
    for (const v of list) {
      const run = await runTimedGuest({
        emulator: v.emulator, config: v.config, name: GUEST.name, elf: join(ctx.repoRoot, GUEST.elf),
        extraArgs: v.extraArgs, timeoutMs: TIMEOUT_MS[v.emulator.id],
      });
      ctx.progress(`int, ${v.emulator.id} ${v.config}: run ${i}/${ctx.repeats}: ${describeTimedRun(run)}${countNote(run)}`);
      runs.push(run);
    }
  }
  return runs;
}

/** What a counting tool printed at exit, if anything. */
function reportedCount(run: TimedRun): number | null {
  const text = `${run.process.stdout}\n${run.process.stderrTail}`;
  const match = (run.config === 'stores' ? /store-count: (\d+) stores/ : /insn-count: total (\d+) instructions/).exec(text);
  return match === null ? null : Number(match[1]);
}

function countNote(run: TimedRun): string {
  if (run.config !== 'insns' && run.config !== 'stores') return '';
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
  return ratio(medianGuestSeconds(runs, id, config), medianGuestSeconds(runs, id, 'none'));
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
  ];
}

function checkRuns(runs: readonly TimedRun[], plugins: QemuPlugins, qemu: EmulatorCommand | null): string[] {
  const warnings: string[] = [];
  if (plugins.kind === 'unavailable' && qemu !== null) warnings.push(`instr-overhead: QEMU plugin columns ${plugins.reason}`);
  const instret = median(pick(runs, 'tsemu', 'none').map((r) => r.report?.instret ?? 0));
  for (const run of runs) {
    if (!succeeded(run)) { warnings.push(failureWarning('instr-overhead', run)); continue; }
    const counts = run.config === 'insns' || run.config === 'stores';
    if (!counts) continue;
    const count = reportedCount(run);
    const tool = `${run.emulator.id} ${run.config}`;
    if (count === null) {
      warnings.push(`instr-overhead: ${tool} printed no count; stderr ends with ${JSON.stringify(run.process.stderrTail.slice(-200))}`);
    } else if (run.config === 'insns' && instret !== null && Math.abs(count - instret) > COUNT_TOLERANCE * instret) {
      warnings.push(`instr-overhead: ${tool} counted ${count} instructions, the guest retired ${instret}`);
    }
  }
  // both sides count the same guest's stores: the counts must agree
  const storeCounts = new Set(runs.filter((r) => succeeded(r) && r.config === 'stores').map(reportedCount).filter((c) => c !== null));
  if (storeCounts.size > 1) warnings.push(`!!! instr-overhead: store counts differ between tsemu and QEMU: ${[...storeCounts].join(', ')} !!!`);
  const results = new Set(runs.filter(succeeded).map((r) => r.report?.result));
  if (results.size > 1) warnings.push(`!!! instr-overhead: int results differ between configurations: ${[...results].join(', ')} !!!`);
  return warnings;
}

export const instrOverheadSection: BenchSection = {
  id: 'instr-overhead',
  title: 'Instrumentation overhead: tsemu -instr libraries vs QEMU TCG plugins (int workload)',
  async run(ctx: BenchContext): Promise<SectionResult> {
    const plugins = buildQemuPlugins(ctx.repoRoot, ctx.qemu);
    if (plugins.kind === 'unavailable') ctx.progress(`QEMU plugins: ${plugins.reason}`);
    const busy = busyHostWarning('instr-overhead');
    const runs = await runAll(ctx, variants(ctx, plugins));
    return { rows: rows(runs, plugins), warnings: [...(busy === null ? [] : [busy]), ...new Set(checkRuns(runs, plugins, ctx.qemu))] };
  },
};
