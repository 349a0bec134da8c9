/**
 * `npm run fuzz -- --seconds N [--seed S] [--only insn|inputs|dtb|rings|monitor|libs] [--words W]`: the
 * long runs of the fuzzers. Each round draws a seed (or takes --seed, then --seed+1, ...), prints it, and prints
 * every problem with the command that reproduces it. At the end: the figures (random instruction
 * words run on both emulators, words per second, differences, host exceptions; mutated images).
 * Exit status 1 when anything was found.
 */
import { freshSeed } from './rng.js';
import { runDiskSeed, runInputsSeed } from './inputs-fuzz.js';
import { runDtbSeed } from './dtb-fuzz.js';
import { runInsnSeed } from './insn-fuzz.js';
import { runLibrarySeed } from './library-fuzz.js';
import { runMonitorSeed } from './monitor-fuzz.js';
import { runVirtqueueSeed } from './virtqueue-fuzz.js';

const ONLY = ['insn', 'inputs', 'dtb', 'rings', 'monitor', 'libs'] as const;
type Only = (typeof ONLY)[number];

interface Options { seconds: number; seed: number | undefined; only: Only | undefined; words: number }

function parseArgs(argv: readonly string[]): Options {
  const o: Options = { seconds: 60, seed: undefined, only: undefined, words: 10_000 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = argv[i + 1];
    const num = (): number => {
      const n = Number(v);
      if (v === undefined || !Number.isInteger(n) || n < 0) throw new Error(`${a} needs a non-negative integer, got '${v ?? ''}'`);
      i++;
      return n;
    };
    if (a === '--seconds') o.seconds = num();
    else if (a === '--seed') o.seed = num();
    else if (a === '--words') o.words = num();
    else if (a === '--only' && (ONLY as readonly string[]).includes(v ?? '')) { o.only = v as Only; i++; }
    else throw new Error(`unknown or bad option '${a ?? ''}' (use --seconds N, --seed S, --only ${ONLY.join('|')}, --words W)`);
  }
  return o;
}

interface Figures { words: number; insnMs: number; images: number; dtbs: number; dtbsTaken: number; rings: number; ringsMs: number; rounds: number; rssMaxMiB: number; libs: number }

/** One round of every fuzzer --only allows, with `seed`; problems are printed as found. */
async function roundOf(o: Options, seed: number, f: Figures, problems: string[]): Promise<void> {
  const want = (k: Only): boolean => o.only === undefined || o.only === k;
  const found = (list: string[]): void => { for (const p of list) console.log(p); problems.push(...list); };
  if (want('insn')) {
    console.log(`insn: seed ${seed}, ${o.words} words`);
    const t = Date.now();
    const r = await runInsnSeed(seed, o.words);
    f.insnMs += Date.now() - t;
    if (r.problems.length === 0) f.words += r.steps;
    found(r.problems);
  }
  if (want('inputs')) {
    console.log(`inputs: seed ${seed}, 10 images, 5 disk images`);
    const r = await runInputsSeed(seed, 10);
    const d = await runDiskSeed(seed, 5);
    f.images += r.cases + d.cases;
    found([...r.problems, ...d.problems]);
  }
  if (want('dtb')) {
    console.log(`dtb: seed ${seed}, 10 mutated device trees (against QEMU 7.2)`);
    const r = await runDtbSeed(seed, 10, { oracle: true, keep: process.env.TSEMU_FUZZ_KEEP });
    f.dtbs += r.cases;
    f.dtbsTaken += r.taken;
    found(r.problems);
  }
  if (want('rings')) {
    console.log(`rings: seed ${seed}, 2000 mutated descriptor rings`);
    const t = Date.now();
    const r = runVirtqueueSeed(seed, 2000);
    f.ringsMs += Date.now() - t;
    f.rings += r.cases;
    found(r.problems);
  }
  if (want('monitor')) {
    console.log(`monitor: seed ${seed}, 20 rounds`);
    const r = await runMonitorSeed(seed, 20);
    f.rounds += r.rounds;
    f.rssMaxMiB = Math.max(f.rssMaxMiB, r.rssMaxMiB - r.rssStartMiB);
    found(r.problems);
  }
  if (want('libs')) {
    console.log(`libs: seed ${seed}, 4 misbehaving libraries`);
    const r = await runLibrarySeed(seed, 4);
    f.libs += r.cases;
    found(r.problems);
  }
}

async function main(): Promise<number> {
  const o = parseArgs(process.argv.slice(2));
  const end = Date.now() + o.seconds * 1000;
  let seed = o.seed ?? freshSeed();
  const f: Figures = { words: 0, insnMs: 0, images: 0, dtbs: 0, dtbsTaken: 0, rings: 0, ringsMs: 0, rounds: 0, rssMaxMiB: 0, libs: 0 };
  const problems: string[] = [];
  do {
    await roundOf(o, seed, f, problems);
    seed = (seed + 1) >>> 0;
  } while (Date.now() < end);
  const rate = f.insnMs > 0 ? Math.round(f.words / (f.insnMs / 1000)) : 0;
  const ringRate = f.ringsMs > 0 ? Math.round(f.rings / (f.ringsMs / 1000)) : 0;
  console.log(`insn: ${f.words} words compared with QEMU, ${rate} words/s (both emulators, wall clock); inputs: ${f.images} mutated boot and disk images; ` +
    `dtb: ${f.dtbs} mutated device trees (${f.dtbsTaken} taken, the guest run on them); ` +
    `rings: ${f.rings} mutated descriptor rings, ${ringRate} cases/s; monitor: ${f.rounds} rounds, RSS at most ${f.rssMaxMiB.toFixed(0)} MiB over start-up; ` +
    `libs: ${f.libs} misbehaving libraries; problems: ${problems.length}`);
  return problems.length === 0 ? 0 : 1;
}

main().then((code) => { process.exitCode = code; }, (e: unknown) => {
  console.error(`fuzz: ${e instanceof Error ? e.message : String(e)}`);
  process.exitCode = 1;
});
