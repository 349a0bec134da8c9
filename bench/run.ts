/**
 * `npm run bench`: tsemu and QEMU side by side in one run. Progress goes to
 * stderr; stdout gets the table, any warnings, and one `BENCH_JSON {...}` line.
 *
 *   node dist/bench/run.js [--repeats N] [--only id,id] [--no-qemu | --qemu PATH]
 */
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { findQemu, tsemuCommand } from './emulators.js';
import { rssMethodDescription } from './peak-rss.js';
import { renderJsonLine, renderTable, renderWarnings, type BenchReport, type SectionReport } from './report.js';
import type { BenchContext, BenchSection } from './section.js';
import { SECTIONS } from './sections.js';

interface Options {
  readonly repeats: number;
  readonly only: readonly string[] | null;
  readonly useQemu: boolean;
  /** QEMU binary to compare against (default: qemu-system-riscv64 on PATH). */
  readonly qemuBinary: string | undefined;
}

const DEFAULT_REPEATS = 3;
const USAGE = `usage: node dist/bench/run.js [--repeats N] [--only ${SECTIONS.map((s) => s.id).join(',')}] [--no-qemu | --qemu PATH]`;

function parseOptions(argv: readonly string[]): Options {
  let repeats = DEFAULT_REPEATS;
  let only: string[] | null = null;
  let useQemu = true;
  let qemuBinary: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${String(arg)} needs a value\n${USAGE}`);
      return v;
    };
    if (arg === '--repeats') repeats = Number(value());
    else if (arg === '--only') only = value().split(',').filter((s) => s.length > 0);
    else if (arg === '--no-qemu') useQemu = false;
    else if (arg === '--qemu') qemuBinary = value();
    else if (arg === '--help' || arg === '-h') { process.stdout.write(`${USAGE}\n`); process.exit(0); }
    else throw new Error(`unknown option ${String(arg)}\n${USAGE}`);
  }
  if (!Number.isInteger(repeats) || repeats < 1) throw new Error(`--repeats must be a positive integer\n${USAGE}`);
  const unknown = (only ?? []).filter((id) => !SECTIONS.some((s) => s.id === id));
  if (unknown.length > 0) throw new Error(`unknown section(s) ${unknown.join(', ')}\n${USAGE}`);
  return { repeats, only, useQemu, qemuBinary };
}

function progress(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

/** A crashing section must not cost the figures of the others. */
async function runSection(section: BenchSection, ctx: BenchContext): Promise<SectionReport> {
  progress(`== ${section.title}`);
  try {
    const result = await section.run(ctx);
    return { id: section.id, title: section.title, ...result };
  } catch (err) {
    const message = err instanceof Error ? err.stack ?? err.message : String(err);
    return { id: section.id, title: section.title, rows: [], warnings: [`section ${section.id} crashed: ${message}`] };
  }
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
  const qemu = options.useQemu ? findQemu(options.qemuBinary) : null;
  if (qemu === null) progress(options.useQemu ? `${options.qemuBinary ?? 'qemu-system-riscv64'} not usable: QEMU columns will read n/a` : 'QEMU disabled (--no-qemu)');
  const ctx: BenchContext = { repoRoot, repeats: options.repeats, tsemu: tsemuCommand(repoRoot), qemu, progress };
  const startedAt = new Date().toISOString();
  const loadAverage = loadavg().map((l) => Number(l.toFixed(2)));
  const t0 = performance.now();
  const selected = SECTIONS.filter((s) => options.only === null || options.only.includes(s.id));
  const sections: SectionReport[] = [];
  for (const section of selected) sections.push(await runSection(section, ctx));
  const report: BenchReport = {
    schema: 1,
    startedAt,
    durationSeconds: Number(((performance.now() - t0) / 1000).toFixed(1)),
    repeats: options.repeats,
    statistic: 'median',
    host: {
      node: process.version,
      cpu: cpus()[0]?.model ?? 'unknown',
      cpus: cpus().length,
      loadAverage,
      qemu: qemu?.version ?? null,
      rssMethod: rssMethodDescription(),
    },
    sections,
  };
  printReport(report);
}

function printReport(report: BenchReport): void {
  const host = report.host;
  const lines = [
    '',
    `tsemu vs QEMU -- median of ${report.repeats} run(s) each, ${report.durationSeconds} s total`,
    `host: ${host.cpu} x${host.cpus}, ${host.node}, load average at start ${host.loadAverage.join(' ')}`,
    `QEMU: ${host.qemu ?? 'not available (n/a)'}; peak RSS via ${host.rssMethod}`,
    '',
    renderTable(report.sections),
  ];
  const warnings = renderWarnings(report.sections);
  if (warnings.length > 0) lines.push(warnings, '');
  lines.push(renderJsonLine(report));
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
