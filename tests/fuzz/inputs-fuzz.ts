/**
 * Mutated boot images: the ELF of a guest of the suite and uImages (plain and gzip) built like
 * tests/cli's, with bytes flipped, fields overwritten (ELF and program headers, uImage header),
 * cut short or extended, given to tsemu as -kernel. Each run must end in a one-line error or run
 * the guest (a guest that runs for ever is stopped with SIGTERM and must exit): no stack trace,
 * no wedged process.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { uImages } from '../cli/elf-cases.js';
import { repoRoot, runQemu } from '../support/run-guest.js';
import { boundedRunProblem, guestFailureExit, runTsemuBounded } from './process.js';
import { Rng } from './rng.js';

export interface InputsRun {
  seed: number;
  cases: number;
  problems: string[];
}

function bases(): Record<string, Buffer> {
  const out: Record<string, Buffer> = { 'rv64i.elf': readFileSync(join(repoRoot(), 'tests', 'guest', 'bin', 'rv64i.elf')) };
  for (const [name, bytes] of Object.entries(uImages())) out[name] = Buffer.from(bytes);
  return out;
}

/** One mutation of `base`: a few edits, most of them in the headers where the loader looks. */
export function mutate(base: Buffer, rng: Rng): Buffer {
  let b = Buffer.from(base);
  const edits = rng.range(1, 6);
  for (let e = 0; e < edits; e++) {
    const headerEnd = Math.min(b.length, rng.chance(0.5) ? 64 : 0x200);
    const at = rng.chance(0.8) ? rng.below(Math.max(1, headerEnd)) : rng.below(Math.max(1, b.length));
    switch (rng.below(6)) {
      case 0: b[at] = (b[at] ?? 0) ^ (1 << rng.below(8)); break;
      case 1: b[at] = rng.u32() & 0xff; break;
      case 2: if (at + 8 <= b.length) b.writeBigUInt64LE(rng.pick([0n, (1n << 64n) - 1n, 0x8000_0000n, 1n << 63n, rng.u64()]), at); break;
      case 3: if (at + 4 <= b.length) b.writeUInt32BE(rng.pick([0, 0xffffffff, 0x80000000, rng.u32()]), at); break;
      case 4: b = b.subarray(0, rng.below(b.length + 1)); break;
      default: b = Buffer.concat([b, rng.bytes(rng.below(4096))]);
    }
  }
  return b;
}

/**
 * A mutated guest that asked the test finisher for a failure exit must do the same on QEMU 7.2
 * (same image, same command line): tsemu's exit status then is QEMU's.
 */
async function qemuDisagrees(args: readonly string[], status: number | null): Promise<string | undefined> {
  const q = await runQemu(args, { timeoutMs: 10_000 });
  if (q.status === status) return undefined;
  return `the guest asked for a failure exit (status ${status ?? 'none'}, nothing on stderr); QEMU 7.2 ${q.timedOut ? 'was still running after 10 s' : `exited with ${q.status ?? q.signal}: ${q.stderr.trim().split('\n')[0] ?? ''}`}`;
}

export async function runInputsSeed(seed: number, cases: number): Promise<InputsRun> {
  const rng = new Rng(seed);
  const dir = mkdtempSync(join(tmpdir(), 'tsemu-fuzz-inputs-'));
  const problems: string[] = [];
  try {
    const all = Object.entries(bases());
    for (let i = 0; i < cases; i++) {
      const [name, base] = rng.pick(all);
      const file = join(dir, `case-${i}-${name}`);
      writeFileSync(file, mutate(base, rng));
      const args = ['-M', 'virt', '-bios', 'none', '-display', 'none', '-serial', 'null', '-no-reboot', '-kernel', file];
      const r = await runTsemuBounded(args, 4_000);
      const p = boundedRunProblem(r) ?? (guestFailureExit(r) ? await qemuDisagrees(args, r.status) : undefined);
      if (p !== undefined) problems.push(`seed ${seed}, case ${i} (mutated ${name}): ${p}\n  reproduce: npm run fuzz -- --only inputs --seed ${seed}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return { seed, cases, problems };
}
