/**
 * Guest MIPS: the bare-metal workloads in bench/guest/ run to completion on
 * each emulator. The instruction count comes from tsemu's minstret (QEMU's is
 * not an instruction count without -icount); MIPS = that count / wall-clock
 * seconds of the whole emulator process, start-up included.
 */
import { join } from 'node:path';
import { argsFor, type EmulatorCommand } from './emulators.js';
import { describeFailure, runMeasured, stdoutTail, type RunResult } from './process-run.js';
import type { BenchContext, BenchRow, BenchSection, SectionResult } from './section.js';
import { kibToMib, median, present, ratio } from './stats.js';

interface GuestWorkload {
  /** Name the guest prints first on its report line. */
  readonly name: string;
  /** Path relative to the repository root. */
  readonly elf: string;
  readonly description: string;
}

const WORKLOADS: readonly GuestWorkload[] = [
  { name: 'int', elf: 'bench/guest/int.elf', description: 'integer' },
  { name: 'mem', elf: 'bench/guest/mem.elf', description: 'memory-bound' },
  // the same sources in S-mode with Sv39 paging on, RAM in 4 KiB pages (start-sv39.S, sv39.c)
  { name: 'int-sv39', elf: 'bench/guest/int-sv39.elf', description: 'integer, S-mode, Sv39' },
  { name: 'mem-sv39', elf: 'bench/guest/mem-sv39.elf', description: 'memory-bound, S-mode, Sv39' },
];

const TIMEOUT_MS = { tsemu: 30_000, qemu: 20_000 } as const;
export const MIPS_RATIO_TARGET = 0.10;
export const MIPS_RATIO_AIM = 0.25;

/** The line each guest prints before powering off. */
export interface GuestReport {
  readonly name: string;
  readonly instret: number;
  /** Kept as decimal text: it is a 64-bit checksum, beyond double precision. */
  readonly result: string;
}

export function parseGuestReport(stdout: string): GuestReport | null {
  const match = /^(\S+) instret=(\d+) result=(\d+)\r?$/m.exec(stdout);
  if (match === null) return null;
  return { name: match[1] as string, instret: Number(match[2]), result: match[3] as string };
}

interface GuestRun {
  readonly emulator: EmulatorCommand;
  readonly process: RunResult;
  readonly report: GuestReport | null;
}

async function runGuest(emulator: EmulatorCommand, elfPath: string): Promise<GuestRun> {
  const process = await runMeasured({
    command: emulator.command,
    args: argsFor(emulator, ['-M', 'virt', '-bios', 'none', '-nographic', '-kernel', elfPath]),
    timeoutMs: TIMEOUT_MS[emulator.id],
  });
  const report = process.timedOut ? null : parseGuestReport(process.stdout);
  return { emulator, process, report };
}

function describeRun(run: GuestRun): string {
  if (run.report === null) return `FAILED (${describeFailure(run.process)})`;
  const rss = run.process.peakRssKiB === null ? 'RSS n/a' : `${kibToMib(run.process.peakRssKiB).toFixed(1)} MiB`;
  return `${(run.process.wallMs / 1000).toFixed(3)} s, ${rss}, result=${run.report.result}`;
}

/** Runs alternate tsemu / QEMU so slow drift in host load hits both alike. */
async function runRepeated(ctx: BenchContext, workload: GuestWorkload): Promise<GuestRun[]> {
  const elfPath = join(ctx.repoRoot, workload.elf);
  const emulators = ctx.qemu === null ? [ctx.tsemu] : [ctx.tsemu, ctx.qemu];
  const runs: GuestRun[] = [];
  for (let i = 1; i <= ctx.repeats; i++) {
    for (const emulator of emulators) {
      const run = await runGuest(emulator, elfPath);
      ctx.progress(`${workload.name}: ${emulator.id} run ${i}/${ctx.repeats}: ${describeRun(run)}`);
      runs.push(run);
    }
  }
  return runs;
}

function checkRuns(workload: GuestWorkload, runs: readonly GuestRun[]): string[] {
  const warnings: string[] = [];
  for (const run of runs) {
    if (run.report === null) {
      warnings.push(`${workload.name}: a ${run.emulator.id} run failed: ${describeFailure(run.process)}; ` +
        `console ended with ${stdoutTail(run.process)}`);
    } else if (run.report.name !== workload.name) {
      warnings.push(`${workload.name}: ${run.emulator.id} reported workload "${run.report.name}"`);
    } else if (run.process.exitCode !== 0) {
      warnings.push(`${workload.name}: ${run.emulator.id} exited with ${describeFailure(run.process)} after reporting`);
    }
  }
  const results = (id: string): Set<string> =>
    new Set(runs.filter((r) => r.emulator.id === id && r.report !== null).map((r) => (r.report as GuestReport).result));
  const tsemuResults = results('tsemu');
  const qemuResults = results('qemu');
  if (tsemuResults.size > 1) warnings.push(`${workload.name}: tsemu checksums differ between runs: ${[...tsemuResults].join(', ')}`);
  const all = new Set([...tsemuResults, ...qemuResults]);
  if (tsemuResults.size > 0 && qemuResults.size > 0 && all.size > 1) {
    warnings.push(`!!! CHECKSUM MISMATCH on ${workload.name}: tsemu result=${[...tsemuResults].join('/')} ` +
      `but QEMU result=${[...qemuResults].join('/')} -- tsemu computes something different from QEMU !!!`);
  }
  const counts = new Set(runs.filter((r) => r.emulator.id === 'tsemu' && r.report !== null).map((r) => r.report?.instret));
  if (counts.size > 1) warnings.push(`${workload.name}: tsemu instret differs between runs: ${[...counts].join(', ')}`);
  return warnings;
}

function successfulRuns(runs: readonly GuestRun[], id: string): GuestRun[] {
  return runs.filter((r) => r.emulator.id === id && r.report !== null);
}

function workloadRows(workload: GuestWorkload, runs: readonly GuestRun[]): BenchRow[] {
  const tsemuRuns = successfulRuns(runs, 'tsemu');
  const qemuRuns = successfulRuns(runs, 'qemu');
  const instret = median(tsemuRuns.map((r) => (r.report as GuestReport).instret));
  const wallSeconds = (rs: GuestRun[]): number[] => rs.map((r) => r.process.wallMs / 1000);
  const tsemuWall = median(wallSeconds(tsemuRuns));
  const qemuWall = median(wallSeconds(qemuRuns));
  const mips = (seconds: number | null): number | null => (instret === null || seconds === null ? null : instret / seconds / 1e6);
  const tsemuMips = mips(tsemuWall);
  const qemuMips = mips(qemuWall);
  const mipsRatio = ratio(tsemuMips, qemuMips);
  const rssMib = (rs: GuestRun[]): number[] => present(rs.map((r) => r.process.peakRssKiB)).map(kibToMib);
  const tsemuRss = median(rssMib(tsemuRuns));
  const qemuRss = median(rssMib(qemuRuns));
  const name = `${workload.name} (${workload.description})`;
  return [
    { id: `${workload.name}.instret`, label: `${name}: instructions (from tsemu)`, unit: 'insns', decimals: 0,
      tsemu: instret, qemu: null, ratio: null },
    { id: `${workload.name}.wall`, label: `${name}: process wall time`, unit: 's', decimals: 3,
      tsemu: tsemuWall, qemu: qemuWall, ratio: ratio(tsemuWall, qemuWall),
      samples: { tsemu: wallSeconds(tsemuRuns), qemu: wallSeconds(qemuRuns) } },
    { id: `${workload.name}.mips`, label: `${name}: guest MIPS`, unit: 'MIPS', decimals: 1,
      tsemu: tsemuMips, qemu: qemuMips, ratio: mipsRatio,
      samples: { tsemu: present(wallSeconds(tsemuRuns).map(mips)), qemu: present(wallSeconds(qemuRuns).map(mips)) },
      target: { text: `>= ${MIPS_RATIO_TARGET.toFixed(2)} (aim ${MIPS_RATIO_AIM.toFixed(2)})`,
        met: mipsRatio === null ? null : mipsRatio >= MIPS_RATIO_TARGET } },
    { id: `${workload.name}.rss`, label: `${name}: peak RSS`, unit: 'MiB', decimals: 1,
      tsemu: tsemuRss, qemu: qemuRss, ratio: ratio(tsemuRss, qemuRss),
      samples: { tsemu: rssMib(tsemuRuns), qemu: rssMib(qemuRuns) } },
  ];
}

export const guestMipsSection: BenchSection = {
  id: 'guest-mips',
  title: 'Guest MIPS: bare-metal workloads (-M virt -bios none -nographic -kernel ELF)',
  async run(ctx: BenchContext): Promise<SectionResult> {
    const rows: BenchRow[] = [];
    const warnings: string[] = [];
    for (const workload of WORKLOADS) {
      const runs = await runRepeated(ctx, workload);
      rows.push(...workloadRows(workload, runs));
      warnings.push(...checkRuns(workload, runs));
    }
    return { rows, warnings };
  },
};
