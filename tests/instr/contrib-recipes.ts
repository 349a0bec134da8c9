/**
 * The contrib-equivalent tools (examples/instr/contrib) and their QEMU references
 * (tests/instr/qemu-plugins/*.c, plugins on QEMU 7.2's API): one recipe per comparison, shared by
 * contrib-tools.spec.ts (tsemu against the committed QEMU transcripts) and
 * contrib-tools.oracle.spec.ts (live QEMU with the plugins built by gcc; records the transcripts).
 * Both run guests/tools.elf (one hart, deterministic).
 *
 * What a recipe's value is (the transcript holds QEMU's):
 * - `text` tools (insn, mem, hotpages, cache, hotblocks, cflow): the plugin's output lines;
 * - `bbv`: each interval line of OUTFILE.0.bb as its sorted instruction counts (block indexes are
 *   the order of first translation, which differs between the two translators);
 * - `stop` (stoptrigger): the output lines and the exit status;
 * - `drcov`: the file parsed: header lines, block count, and the guest bytes the blocks cover as
 *   merged ranges (tsemu translates some blocks twice and splits blocks elsewhere than QEMU; the
 *   covered code is what Lighthouse shows).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO, INSTR_GUESTS, linesOf } from './helpers.js';

export const TOOLS_ELF = join(INSTR_GUESTS, 'tools.elf');
export const CONTRIB = join(REPO, 'examples/instr/contrib');
export const PLUGIN_SOURCES = join(REPO, 'tests/instr/qemu-plugins');

export type RecipeKind = 'text' | 'bbv' | 'drcov' | 'stop';

export interface Recipe {
  /** Transcript key: instr/contrib-tools/NAME. */
  readonly name: string;
  /** Tool (examples/instr/contrib/TOOL.ts) and reference plugin (qemu-plugins/TOOL.c). */
  readonly tool: string;
  readonly kind: RecipeKind;
  /** key=value options given to both; OUT stands for the output file in a temporary directory. */
  readonly options: readonly string[];
}

export const RECIPES: readonly Recipe[] = [
  { name: 'insn', tool: 'insn', kind: 'text', options: [] },
  { name: 'mem', tool: 'mem', kind: 'text', options: [] },
  { name: 'hotpages', tool: 'hotpages', kind: 'text', options: ['limit=100'] },
  { name: 'cache-l2', tool: 'cache', kind: 'text', options: ['l2=on', 'limit=8'] },
  { name: 'cache-fifo', tool: 'cache', kind: 'text', options: ['evict=fifo', 'dcachesize=4096', 'dassoc=2', 'icachesize=1024', 'iassoc=2', 'l2cachesize=32768', 'l2assoc=4', 'limit=8'] },
  { name: 'hotblocks', tool: 'hotblocks', kind: 'text', options: ['limit=100'] },
  { name: 'cflow', tool: 'cflow', kind: 'text', options: ['topn=100'] },
  { name: 'stoptrigger-icount', tool: 'stoptrigger', kind: 'stop', options: ['icount=1000:7'] },
  { name: 'stoptrigger-addr', tool: 'stoptrigger', kind: 'stop', options: ['addr=0x800000b8:3'] },
  { name: 'bbv', tool: 'bbv', kind: 'bbv', options: ['interval=10000', 'outfile=OUT'] },
  { name: 'drcov', tool: 'drcov', kind: 'drcov', options: ['filename=OUT'] },
];

export function transcriptKey(r: Recipe): string {
  return `instr/contrib-tools/${r.name}`;
}

export function withOut(options: readonly string[], out: string): string[] {
  return options.map((o) => o.replace(/=OUT$/, `=${out}`));
}

/** The file a recipe's tool writes (for bbv: vCPU 0's). */
export function outputFile(r: Recipe, out: string): string {
  return r.kind === 'bbv' ? `${out}.0.bb` : out;
}

/** bbv: each line's instruction counts, sorted. */
export function bbvLines(text: string): number[][] {
  return linesOf(text).map((line) => {
    if (!line.startsWith('T')) throw new Error(`bbv: line does not start with T: ${line}`);
    return [...line.matchAll(/:(\d+):(\d+) /g)].map((m) => Number(m[2])).sort((a, b) => a - b);
  });
}

export interface Drcov {
  readonly header: string[];
  readonly blocks: number;
  /** Covered [start, end) ranges, merged, as hex strings. */
  readonly covered: string[];
}

/** Parses a drcov version 2 file as Lighthouse does: text header up to "BB Table: N bbs", then N 8-byte records. */
export function parseDrcov(bytes: Buffer): Drcov {
  const marker = bytes.indexOf('BB Table: ');
  if (marker < 0) throw new Error('drcov: no BB Table line');
  const eol = bytes.indexOf('\n', marker);
  const header = bytes.subarray(0, marker).toString('latin1').split('\n').filter((l) => l.length > 0);
  const m = /^BB Table: (\d+) bbs$/.exec(bytes.subarray(marker, eol).toString('latin1'));
  if (!m) throw new Error('drcov: bad BB Table line');
  const blocks = Number(m[1]);
  const body = bytes.subarray(eol + 1);
  if (body.length !== 8 * blocks) throw new Error(`drcov: ${body.length} bytes of records for ${blocks} blocks`);
  const ranges: [number, number][] = [];
  for (let i = 0; i < blocks; i++) {
    const start = body.readUInt32LE(8 * i);
    const size = body.readUInt16LE(8 * i + 4);
    if (body.readUInt16LE(8 * i + 6) !== 0) throw new Error('drcov: module id is not 0');
    ranges.push([start, start + size]);
  }
  ranges.sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const [s, e] of ranges) {
    const last = merged[merged.length - 1];
    if (last && s <= last[1]) last[1] = Math.max(last[1], e);
    else merged.push([s, e]);
  }
  return { header, blocks, covered: merged.map(([s, e]) => `0x${s.toString(16)}-0x${e.toString(16)}`) };
}

export interface Stop {
  readonly output: string[];
  readonly status: number | null;
}

/** The comparable value of one run: its output lines (text), lines and status (stop) or its parsed file. */
export function recipeValue(r: Recipe, stdoutOrLog: string, out: string, status: number | null): string[] | number[][] | Drcov | Stop {
  if (r.kind === 'stop') return { output: linesOf(stdoutOrLog), status };
  if (r.kind === 'bbv') return bbvLines(readFileSync(outputFile(r, out), 'latin1'));
  if (r.kind === 'drcov') return parseDrcov(readFileSync(out));
  return linesOf(stdoutOrLog);
}

/** Builds tests/instr/qemu-plugins/TOOL.c into `dir` (oracle tier). */
export function buildPlugin(tool: string, dir: string): string {
  const so = join(dir, `${tool}.so`);
  const cc = spawnSync('gcc', ['-shared', '-fPIC', '-O2', '-Wall', '-o', so, join(PLUGIN_SOURCES, `${tool}.c`)], { encoding: 'utf8', timeout: 60_000 });
  if (cc.status !== 0) throw new Error(`gcc ${tool}.c failed: ${(cc.stderr ?? '').trim().split('\n')[0] ?? ''}`);
  return so;
}
