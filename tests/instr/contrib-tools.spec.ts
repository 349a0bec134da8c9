/**
 * The contrib-equivalent tools (examples/instr/contrib) on guests/tools.elf against what QEMU 7.2
 * gives with the reference plugins (tests/instr/qemu-plugins/*.c), as committed in
 * tests/transcripts/instr/contrib-tools/ (contrib-tools.oracle.spec.ts re-measures them live).
 * Equal, but for the documented differences:
 *
 * - QEMU's memory callbacks run after the access, so the finisher store that ends QEMU is never
 *   seen; tsemu's guest_mem_before runs before it: one store more (mem), one written page more
 *   (hotpages: the finisher's page 0x100000, written once by vCPU 0);
 * - QEMU 7.2 gives the reset-vector ROM's page (0x1000) as its RAM-block offset 0x8001000
 *   (hotpages);
 * - blocks: bbv compares each interval's sorted instruction counts (block indexes follow the
 *   order of first translation, which differs), drcov the code bytes covered (tsemu translates some
 *   blocks twice).
 *
 * Also: every tool leaves stderr empty, hotpages and cache write their HTML pages.
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { runTsemu, virtKernelArgs, type GuestRunResult } from '../support/run-guest.js';
import { makeTempDir } from '../support/tools.js';
import { elfSymbols, symbol } from '../support/elf-symbols.js';
import { readTranscript, type Json } from '../support/transcripts.js';
import { TRACE_GUESTS, describeRun, linesOf, runPooled } from './helpers.js';
import { COUNT_ELF, qemuInstructionCount } from './qemu-count.js';
import { CONTRIB, RECIPES, TOOLS_ELF, recipeValue, transcriptKey, withOut, type Drcov, type Recipe } from './contrib-recipes.js';

/** tests/trace-e2e's loop guest for 3 harts: each stores (sd, sw, sb) 1000 times into its slot, then one amoadd.w on `done`. */
const LOOP3_ELF = join(TRACE_GUESTS, 'loop3.elf');
/** Bad options and the one line each must give (the library fails to load, status 1). */
const BAD_OPTIONS: readonly (readonly [string, string])[] = [
  ['cache.ts,arg=evict=bogus', 'cache: invalid eviction policy: bogus'],
  ['cache.ts,arg=dcachesize=1000', 'cache: dcache cannot be constructed from given parameters: cache size must be divisible by block size'],
  ['bbv.ts', 'bbv: outfile unspecified'],
  ['stoptrigger.ts,arg=icount=-3', "stoptrigger: icount parsing failed: '-3' must be a positive integer"],
  ['hotpages.ts,arg=colour=red', 'hotpages: option parsing failed: colour=red (known: sortby, pagesize, limit, html, json)'],
];
/** ips's limit for count.elf (about 4,000 instructions: two seconds of throttling). */
const IPS = 2000;
const FINISHER_PAGE = '0x0000000000100000, 0x0000, 0, 0x0001, 1';
/** tsemu-only extras: an HTML page and a Chrome/Perfetto trace where the tool writes them. */
const HTML_TOOLS = new Set(['hotpages', 'cache-l2', 'hotblocks']);

/** QEMU's value, as tsemu must give it (the documented differences applied). */
function expected(r: Recipe): unknown {
  const qemu = readTranscript<Json>(transcriptKey(r));
  if (r.name === 'mem') {
    // the finisher store: one store (and access) more on vCPU 0
    return (qemu as string[]).map((l) => l.replace(/(stores: |mem accesses: )(\d+)/, (_m, k: string, n: string) => `${k}${Number(n) + 1}`));
  }
  if (r.name === 'hotpages') {
    const lines = (qemu as string[]).map((l) => l.replace(/^0x0000000008001000,/, '0x0000000000001000,'));
    return [...lines, FINISHER_PAGE];
  }
  if (r.name === 'hotblocks') return hotblocksColumns(qemu as string[], true);
  return qemu;
}

/**
 * hotblocks without tcount (tsemu translates some blocks again when they get hot: its tiers); for
 * QEMU's lines, the block that holds the finisher store ends one instruction later (past the wfi
 * at `park`, as in drcov).
 */
function hotblocksColumns(lines: readonly string[], qemu: boolean): string[] {
  const park = symbol(elfSymbols(TOOLS_ELF), 'park');
  return lines.map((l) => {
    const m = /^(0x[0-9a-f]{16}), (\d+), (\d+), (\d+)$/.exec(l);
    if (!m) return l;
    const pc = BigInt(m[1]);
    let icount = Number(m[3]);
    if (qemu && pc <= park && park < pc + 4n * BigInt(icount)) icount -= 1; // .option norvc: 4-byte instructions
    return `${m[1]}, ${icount}, ${m[4]}`;
  });
}

describe('instr: contrib tools against QEMU 7.2 references (transcripts)', function () {
  let dir = '';
  const runs = new Map<string, GuestRunResult>();
  let ips: GuestRunResult;
  let smpCache: GuestRunResult;
  let smpPages: GuestRunResult;
  let bad: GuestRunResult[] = [];

  before(async function () {
    this.timeout(300_000);
    dir = makeTempDir('contrib-tools');
    const results = await runPooled(RECIPES.map((r) => () => {
      const opts = withOut(r.options, join(dir, `${r.name}.out`));
      if (HTML_TOOLS.has(r.name)) opts.push(`html=${join(dir, `${r.name}.html`)}`, `json=${join(dir, `${r.name}.json`)}`);
      const lib = [`file=${join(CONTRIB, `${r.tool}.ts`)}`, ...opts.map((o) => `arg=${o}`)].join(',');
      return runTsemu(virtKernelArgs(TOOLS_ELF, ['-instr', lib]), { timeoutMs: 120_000 });
    }));
    RECIPES.forEach((r, i) => runs.set(r.name, results[i]));
    // ips has no QEMU 7.2 reference: checked against QEMU's instruction count and its own clock
    ips = await runTsemu(virtKernelArgs(COUNT_ELF, ['-instr', `file=${join(CONTRIB, 'ips.ts')},arg=ips=${IPS}`]), { timeoutMs: 120_000 });
    // several vCPUs: per-vCPU state merged in qi_merge (one tool generating mem execution events per run: see the README)
    const smp = (libs: string[]) => runTsemu(virtKernelArgs(LOOP3_ELF, ['-smp', '3', ...libs.flatMap((l) => ['-instr', `file=${join(CONTRIB, l)}`])]), { timeoutMs: 120_000 });
    bad = await runPooled(BAD_OPTIONS.map(([lib]) => () => runTsemu(virtKernelArgs(TOOLS_ELF, ['-instr', `file=${join(CONTRIB, lib)}`]), { timeoutMs: 60_000 })));
    [smpCache, smpPages] = await runPooled([() => smp(['insn.ts', 'cache.ts,arg=limit=2']), () => smp(['hotpages.ts'])]);
  });

  after(function () {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  for (const recipe of RECIPES) {
    it(`${recipe.name}: runs cleanly and gives QEMU's ${recipe.kind === 'text' ? 'output' : recipe.kind === 'stop' ? 'output and exit status' : 'file'}`, function () {
      const run = runs.get(recipe.name)!;
      if (recipe.kind !== 'stop') expect(run.status, describeRun(run)).to.equal(0);
      expect(run.timedOut, describeRun(run)).to.equal(false);
      expect(run.stderr, describeRun(run)).to.equal('');
      const out = join(dir, `${recipe.name}.out`);
      const lines = linesOf(run.stdout);
      if (recipe.kind === 'text') {
        const actual = recipe.name === 'hotpages' ? [...lines.filter((l) => l !== FINISHER_PAGE), ...lines.filter((l) => l === FINISHER_PAGE)]
          : recipe.name === 'hotblocks' ? hotblocksColumns(lines, false) : lines;
        expect(actual).to.deep.equal(expected(recipe));
        return;
      }
      const value = recipeValue(recipe, run.stdout, out, run.status);
      if (recipe.kind === 'drcov') {
        const d = value as Drcov;
        const q = expected(recipe) as unknown as Drcov;
        expect(d.header).to.deep.equal(q.header);
        // QEMU's block holding the finisher store goes on past the `wfi` at `park` to the `j park`
        // after it, which never runs but is covered as part of a block that started; tsemu's block
        // ends at the wfi
        const park = Number(symbol(elfSymbols(TOOLS_ELF), 'park')) + 4;
        const hex = (n: number) => `0x${n.toString(16)}`;
        const split = q.covered.flatMap((range) => {
          const [s, e] = range.split('-').map(Number);
          return s <= park && park + 4 <= e ? [`${hex(s)}-${hex(park)}`, `${hex(park + 4)}-${hex(e)}`].filter((x) => !/^(0x[0-9a-f]+)-\1$/.test(x)) : [range];
        });
        expect(d.covered).to.deep.equal(split);
        expect(d.blocks).to.be.at.least(q.blocks);
        return;
      }
      expect(value).to.deep.equal(expected(recipe));
    });
  }

  it('bbv: the k-th line closes once k intervals of instructions ran, the first block is numbered 0', function () {
    const text = readFileSync(join(dir, 'bbv.out.0.bb'), 'latin1');
    const first = linesOf(text)[0];
    expect(first.startsWith('T:0:'), first).to.equal(true);
    let total = 0;
    linesOf(text).forEach((line, k) => {
      total += [...line.matchAll(/:(\d+):(\d+) /g)].reduce((s, m) => s + Number(m[2]), 0);
      // the total drops by `interval` at each line, the rest carries over: at most one block's worth past it
      expect(total, line).to.be.within(10_000 * (k + 1), 10_000 * (k + 1) + 100);
    });
  });

  it('ips: runs every instruction QEMU runs, no faster than the limit (it sleeps the difference)', function () {
    expect(ips.status, describeRun(ips)).to.equal(0);
    expect(ips.stderr, describeRun(ips)).to.equal('');
    const m = /^ips: cpu 0: (\d+) instructions in ([\d.]+) s \((\d+) per second, limit (\d+)\), slept ([\d.]+) s$/.exec(linesOf(ips.stdout)[0] ?? '');
    expect(m, ips.stdout).to.not.equal(null);
    const [insns, secs, , limit, slept] = m!.slice(1).map(Number);
    // counted up to the last block's start: all but that block's few instructions
    expect(insns).to.be.within(qemuInstructionCount(COUNT_ELF) - 10, qemuInstructionCount(COUNT_ELF));
    expect(limit).to.equal(IPS);
    // a lower bound the throttle guarantees (sleeps are never shorter than asked), not a timing:
    // the instructions counted when the last block started, all but one time slice (1% of a
    // second's budget) of them, waited for their turn; the last block's own (at most the 10 the
    // count may lack above) run after the clock's last reading; the seconds are printed to 3
    // places, so they may read up to half a millisecond low
    const lastBlock = 10;
    expect(secs + 0.0005).to.be.at.least((insns - lastBlock - IPS / 100) / IPS);
    expect(slept).to.be.greaterThan(0);
  });

  it('-smp 3: cache has a core per vCPU and a sum row; its fetches are the instructions insn counts inline', function () {
    expect(smpCache.status, describeRun(smpCache)).to.equal(0);
    expect(smpCache.stderr, describeRun(smpCache)).to.equal('');
    const lines = linesOf(smpCache.stdout);
    const row = (label: string) => {
      const m = new RegExp(`^${label}\\s+(\\d+)\\s+(\\d+)\\s+[\\d.]+%\\s+(\\d+)\\s+(\\d+)\\s+[\\d.]+%$`).exec(lines.find((l) => l.startsWith(`${label} `)) ?? '');
      expect(m, `${label}: ${smpCache.stdout}`).to.not.equal(null);
      return m!.slice(1).map(Number);
    };
    const cores = [row('0'), row('1'), row('2')];
    expect(row('sum')).to.deep.equal([0, 1, 2, 3].map((k) => cores.reduce((s, c) => s + c[k], 0)));
    // harts 1 and 2: the reset vector's two loads, 3000 stores, the amoadd (hart 0 also polls `done`)
    expect(cores[1][0]).to.equal(3003);
    expect(cores[2][0]).to.equal(3003);
    for (const cpu of [0, 1, 2]) {
      const insns = lines.find((l) => l.startsWith(`cpu ${cpu} insns: `));
      expect(Number(insns?.split(': ')[1]), smpCache.stdout).to.equal(cores[cpu][2]);
    }
  });

  it('-smp 3: hotpages sums the vCPUs\' maps: the slots page written 9,003 times by vCPUs 0-2, read by vCPU 0', function () {
    expect(smpPages.status, describeRun(smpPages)).to.equal(0);
    expect(smpPages.stderr, describeRun(smpPages)).to.equal('');
    const slots = symbol(elfSymbols(LOOP3_ELF), 'slots') & ~0xfffn;
    const line = linesOf(smpPages.stdout).find((l) => l.startsWith(`0x${slots.toString(16).padStart(16, '0')},`));
    const m = /^0x[0-9a-f]+, 0x0001, (\d+), 0x0007, 9003$/.exec(line ?? '');
    expect(m, smpPages.stdout).to.not.equal(null);
    expect(Number(m![1])).to.be.greaterThan(0); // hart 0's polls of `done`, as many as it took
  });

  it('a bad option fails the load with one line naming the tool and the option (status 1)', function () {
    BAD_OPTIONS.forEach(([lib, message], i) => {
      const run = bad[i];
      expect(run.status, `${lib}: ${describeRun(run)}`).to.equal(1);
      const lines = linesOf(run.stderr);
      expect(lines, lib).to.have.length(1);
      expect(lines[0], lib).to.match(new RegExp(`^tsemu-system-riscv64: -instr: .*qi_init failed: ${message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`));
    });
  });

  it('hotpages, cache and hotblocks write an HTML page with a row per listed page, instruction or block', function () {
    const blocks = readFileSync(join(dir, 'hotblocks.html'), 'utf8');
    expect(blocks.match(/<tr><td><code>0x/g)?.length).to.equal(linesOf(runs.get('hotblocks')!.stdout).length - 2);
    const pages = readFileSync(join(dir, 'hotpages.html'), 'utf8');
    expect(pages.match(/<tr><td><code>0x/g)?.length).to.equal(linesOf(runs.get('hotpages')!.stdout).length - 1);
    const cache = readFileSync(join(dir, 'cache-l2.html'), 'utf8');
    expect(cache).to.contain('<pre>core #, data accesses');
    expect(cache.match(/<h2>/g)?.length).to.equal(3);
  });

  it('hotblocks, hotpages and cache write a Chrome/Perfetto trace (json=) that agrees with their text summary', function () {
    const trace = (name: string) => {
      const t = JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8')) as { traceEvents: TraceEvent[]; otherData: { tool: string } };
      expect(Array.isArray(t.traceEvents)).to.equal(true);
      return t.traceEvents;
    };
    // per track (pid, tid, in order): its name and its complete events' [name, ts, dur]
    const tracks = (events: readonly TraceEvent[], pid = 1) => {
      const names = events.filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.pid === pid).sort((a, b) => a.tid - b.tid);
      return names.map((n) => ({
        name: String(n.args?.name), args: events.find((e) => e.ph === 'X' && e.pid === pid && e.tid === n.tid)?.args,
        slices: events.filter((e) => e.ph === 'X' && e.pid === pid && e.tid === n.tid).map((e) => [e.name, e.ts, e.dur]),
      }));
    };
    const blocks = linesOf(runs.get('hotblocks')!.stdout).slice(2).map((l) => l.split(', '));
    expect(tracks(trace('hotblocks'))).to.deep.equal(blocks.map(([pc, t, i, e]) => ({
      name: pc, args: { pc, tcount: Number(t), icount: Number(i), ecount: Number(e) }, slices: [[pc, 0, Number(i) * Number(e)]],
    })));
    const pages = linesOf(runs.get('hotpages')!.stdout).slice(1).map((l) => l.split(', '));
    expect(tracks(trace('hotpages'))).to.deep.equal(pages.map(([page, rcpus, reads, wcpus, writes]) => ({
      name: page, args: { page, rcpus, reads: Number(reads), wcpus, writes: Number(writes) },
      slices: [['reads', 0, Number(reads)], ['writes', Number(reads), Number(writes)]].filter((s) => s[2] !== 0),
    })));
    // cache: a process per list (data, fetch, L2 misses), a track per instruction as the list prints it
    const text = linesOf(runs.get('cache-l2')!.stdout);
    const cache = trace('cache-l2');
    ['data misses', 'fetch misses', 'L2 misses'].forEach((title, k) => {
      const at = text.indexOf(`address, ${title}, instruction`);
      const rows: string[][] = [];
      for (let i = at + 1; i < text.length && /^0x/.test(text[i]); i++) rows.push(text[i].split(', '));
      expect(cache.find((e) => e.ph === 'M' && e.name === 'process_name' && e.pid === k + 1)?.args?.name).to.equal(title);
      expect(tracks(cache, k + 1), title).to.deep.equal(rows.map(([pc, n]) => ({ name: pc, args: { address: pc, [title]: Number(n) }, slices: [[pc, 0, Number(n)]] })));
    });
  });
});

interface TraceEvent { ph: string; name: string; pid: number; tid: number; ts?: number; dur?: number; args?: Record<string, unknown> }
