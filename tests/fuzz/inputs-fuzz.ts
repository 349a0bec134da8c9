/**
 * Mutated boot images: the ELF of a guest of the suite and uImages (plain and gzip) built like
 * tests/cli's, with bytes flipped, fields overwritten (ELF and program headers, uImage header),
 * cut short or extended, given to tsemu as -kernel. Each run must end in a one-line error or run
 * the guest (a guest that runs for ever is stopped with SIGTERM and must exit): no stack trace,
 * no wedged process.
 */
import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { uImages } from '../cli/elf-cases.js';
import { diskImageBytes } from '../support/guest-manifest.js';
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

/**
 * Mutated disk images under the xv6-style virtio-blk guest (tests/guest/src/xv6_disk.c, xv6's
 * command line, modern or legacy transport): sizes that are no multiple of a sector, empty,
 * one byte, cut short, sparse and huge (2^40 bytes), bytes flipped or random. The guest reads
 * and writes sectors; tsemu must end with a one-line error (a size QEMU refuses), run the guest
 * or let it fail as it does on QEMU (same status); no stack trace, no wedged process.
 */
export async function runDiskSeed(seed: number, cases: number): Promise<InputsRun> {
  const rng = new Rng(seed);
  const dir = mkdtempSync(join(tmpdir(), 'tsemu-fuzz-disks-'));
  const problems: string[] = [];
  const base = diskImageBytes({ sizeBytes: 1 << 20, pattern: 'sector-tag' });
  const kernel = join(repoRoot(), 'tests', 'guest', 'bin', 'xv6_disk.elf');
  try {
    for (let i = 0; i < cases; i++) {
      const file = join(dir, `disk-${i}.img`);
      writeFileSync(file, mutateDisk(base, rng));
      if (rng.chance(0.1)) truncateSync(file, rng.pick([2 ** 40, 2 ** 40 + 7, 2 ** 33 - 512]));
      const transport = rng.chance(0.5) ? ['-global', 'virtio-mmio.force-legacy=false'] : [];
      const args = ['-M', 'virt', '-bios', 'none', '-display', 'none', '-serial', 'null', '-no-reboot', '-m', '128M', '-smp', '3', ...transport,
        '-kernel', kernel, '-drive', `file=${file},if=none,format=raw,id=x0`, '-device', 'virtio-blk-device,drive=x0,bus=virtio-mmio-bus.0'];
      const r = await runTsemuBounded(args, 6_000);
      const p = boundedRunProblem(r) ?? (guestFailureExit(r) ? await qemuDisagrees(args, r.status) : undefined);
      if (p !== undefined) problems.push(`seed ${seed}, disk case ${i}: ${p}\n  reproduce: npm run fuzz -- --only inputs --seed ${seed}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return { seed, cases, problems };
}

function mutateDisk(base: Buffer, rng: Rng): Buffer {
  let b: Buffer = Buffer.from(base);
  for (let e = rng.range(1, 4); e > 0; e--) {
    switch (rng.below(6)) {
      case 0: b = b.subarray(0, rng.pick([0, 1, 511, 513, 4096, rng.below(b.length + 1)])); break;
      case 1: b = Buffer.concat([b, rng.bytes(rng.range(1, 1023))]); break;
      case 2: for (let n = rng.range(1, 64); n > 0 && b.length > 0; n--) { const at = rng.below(b.length); b[at] = (b[at] ?? 0) ^ (1 << rng.below(8)); } break;
      case 3: b = rng.bytes(rng.pick([512, 4096, 65536, 1 << 20])); break;
      case 4: if (b.length >= 512) b.fill(rng.u32() & 0xff, 0, 512); break;
      default: b = Buffer.alloc(rng.pick([0, 512, 1 << 20])); break;
    }
  }
  return b;
}
