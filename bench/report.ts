/**
 * Presentation: the human table and the machine-readable `BENCH_JSON {...}`
 * line that ends the output (later tooling greps for that prefix).
 */
import type { BenchRow, SectionResult } from './section.js';

export interface SectionReport extends SectionResult {
  readonly id: string;
  readonly title: string;
}

export interface HostInfo {
  readonly node: string;
  readonly cpu: string;
  readonly cpus: number;
  readonly loadAverage: readonly number[];
  readonly qemu: string | null;
  readonly rssMethod: string;
}

export interface BenchReport {
  readonly schema: 1;
  readonly startedAt: string;
  readonly durationSeconds: number;
  readonly repeats: number;
  readonly statistic: 'median';
  readonly host: HostInfo;
  readonly sections: readonly SectionReport[];
}

export const JSON_PREFIX = 'BENCH_JSON ';
const NA = 'n/a';

function formatNumber(value: number | null, decimals: number): string {
  return value === null || !Number.isFinite(value) ? NA : value.toFixed(decimals);
}

/** Ratios span 0.01 .. 100: three significant digits read best. */
function formatRatio(value: number | null): string {
  if (value === null || !Number.isFinite(value)) return NA;
  return value >= 100 ? value.toFixed(0) : value.toPrecision(3);
}

function formatTarget(row: BenchRow): string {
  if (row.target === undefined) return '';
  const verdict = row.target.met === null ? '?' : row.target.met ? 'MET' : 'MISSED';
  return `${row.target.text} ${verdict}`;
}

const HEADER = ['metric', 'unit', 'tsemu', 'QEMU', 'tsemu/QEMU', 'target'] as const;
/** Numbers align right, words left. */
const RIGHT_ALIGNED = [false, false, true, true, true, false] as const;

function rowCells(row: BenchRow): string[] {
  return [row.label, row.unit, formatNumber(row.tsemu, row.decimals), formatNumber(row.qemu, row.decimals),
    formatRatio(row.ratio), formatTarget(row)];
}

function pad(cell: string, width: number, right: boolean): string {
  return right ? cell.padStart(width) : cell.padEnd(width);
}

/** One table for all sections so the columns line up across them. */
export function renderTable(sections: readonly SectionReport[]): string {
  const body = sections.map((s) => ({ title: s.title, cells: s.rows.map(rowCells) }));
  const widths = HEADER.map((h, col) =>
    Math.max(h.length, ...body.flatMap((s) => s.cells.map((cells) => (cells[col] as string).length))));
  const line = (cells: readonly string[]): string =>
    cells.map((c, col) => pad(c, widths[col] as number, RIGHT_ALIGNED[col] as boolean)).join('  ').trimEnd();
  const rule = '-'.repeat(widths.reduce((sum, w) => sum + w + 2, -2));
  const out: string[] = [line(HEADER), rule];
  for (const section of body) {
    out.push(`[${section.title}]`);
    for (const cells of section.cells) out.push(line(cells));
    out.push('');
  }
  return out.join('\n');
}

/** Warnings framed so they cannot be missed in a scroll of numbers. */
export function renderWarnings(sections: readonly SectionReport[]): string {
  const warnings = sections.flatMap((s) => s.warnings);
  if (warnings.length === 0) return '';
  const bar = '!'.repeat(78);
  return [bar, `!!! ${warnings.length} WARNING(S):`, ...warnings.map((w) => `!!! ${w}`), bar].join('\n');
}

export function renderJsonLine(report: BenchReport): string {
  return JSON_PREFIX + JSON.stringify(report);
}
