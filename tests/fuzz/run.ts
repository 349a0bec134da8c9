/**
 * `npm run fuzz -- --seconds N [--seed S] [--only insn|inputs] [--words W]`: the long runs of the
 * fuzzers. Each round draws a seed (or takes --seed, then --seed+1, ...), prints it, and prints
 * every problem with the command that reproduces it. At the end: the figures (random instruction
 * words run on both emulators, words per second, differences, host exceptions; mutated images).
 * Exit status 1 when anything was found.
 */
import { freshSeed } from './rng.js';
import { runInputsSeed } from './inputs-fuzz.js';
import { runInsnSeed } from './insn-fuzz.js';

interface Options { seconds: number; seed: number | undefined; only: string | undefined; words: number }

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
    else if (a === '--only' && (v === 'insn' || v === 'inputs')) { o.only = v; i++; }
    else throw new Error(`unknown or bad option '${a ?? ''}' (use --seconds N, --seed S, --only insn|inputs, --words W)`);
  }
  return o;
}

async function main(): Promise<number> {
  const o = parseArgs(process.argv.slice(2));
  const end = Date.now() + o.seconds * 1000;
  let seed = o.seed ?? freshSeed();
  let words = 0;
  let insnMs = 0;
  let images = 0;
  const problems: string[] = [];
  do {
    if (o.only !== 'inputs') {
      console.log(`insn: seed ${seed}, ${o.words} words`);
      const t = Date.now();
      const r = await runInsnSeed(seed, o.words);
      insnMs += Date.now() - t;
      if (r.problems.length === 0) words += r.steps;
      for (const p of r.problems) console.log(p);
      problems.push(...r.problems);
    }
    if (o.only !== 'insn') {
      console.log(`inputs: seed ${seed}, 10 images`);
      const r = await runInputsSeed(seed, 10);
      images += r.cases;
      for (const p of r.problems) console.log(p);
      problems.push(...r.problems);
    }
    seed = (seed + 1) >>> 0;
  } while (Date.now() < end);
  const rate = insnMs > 0 ? Math.round(words / (insnMs / 1000)) : 0;
  console.log(`insn: ${words} words compared with QEMU, ${rate} words/s (both emulators, wall clock); inputs: ${images} mutated images; problems: ${problems.length}`);
  return problems.length === 0 ? 0 : 1;
}

main().then((code) => { process.exitCode = code; }, (e: unknown) => {
  console.error(`fuzz: ${e instanceof Error ? e.message : String(e)}`);
  process.exitCode = 1;
});
