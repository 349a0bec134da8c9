/**
 * Mutated device trees given with -dtb (QEMU 7.2's load_device_tree, /chosen patching, fdt_pack),
 * from tsemu's generated tree and dtc-compiled variants (tests/fuzz/dtb: memory reservations, blob
 * versions 16 and 3, a minimal tree). Each case runs twice:
 *
 * - `-M virt,dumpdtb=F -dtb CASE` with a kernel, an initrd and -append: tsemu must exit 0 with the
 *   patched blob written, or 1 with QEMU's error in one line; with QEMU
 *   (the oracle tier) the status, the error text and the dumped blob (but for the 32 random bytes
 *   of /chosen/rng-seed) must be QEMU's;
 * - when the tree was taken: the bundled firmware (which walks and fixes up the tree) and the demo
 *   kernel on -smp 2: a run that ends by itself, a guest failure exit (the same status as QEMU's
 *   in the oracle tier) or a guest still running that SIGTERM ends; never a stack trace.
 */
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot, runQemu } from '../support/run-guest.js';
import { boundedRunProblem, guestFailureExit, hostException, runTsemuBounded, type BoundedRun } from './process.js';
import { Rng } from './rng.js';

export interface DtbRun {
  seed: number;
  cases: number;
  /** Cases whose tree tsemu took (and ran the guest on). */
  taken: number;
  problems: string[];
}

export interface DtbOptions {
  /** Compare the dumps and failures with QEMU 7.2, and guest failure exits. */
  oracle: boolean;
  /** How long the guest runs before SIGTERM. */
  guestMs?: number;
  /** A directory to copy the trees of failing cases to (TSEMU_FUZZ_KEEP in `npm run fuzz`). */
  keep?: string | undefined;
}

const HEADER_FIELDS = 10;
const TOKENS = [1, 2, 3, 4, 9];

export function dtbBases(): Record<string, Buffer> {
  const dir = join(repoRoot(), 'tests', 'fuzz', 'dtb', 'bin');
  return Object.fromEntries(readdirSync(dir).filter((f) => f.endsWith('.dtb')).sort().map((f) => [f, readFileSync(join(dir, f))]));
}

/** One header field (big-endian u32) of `b`, or 0 past its end. */
const field = (b: Buffer, i: number): number => (b.length >= 4 * i + 4 ? b.readUInt32BE(4 * i) : 0);

/** An interesting value for a header field: near the real one, near the blob's size, or extreme. */
function headerValue(b: Buffer, i: number, rng: Rng): number {
  const v = field(b, i);
  return rng.pick([0, 0xffffffff, 0x7fffffff, 0x80000000, v + 4, v - 4, v + 1, v >>> 1, v * 2, b.length, b.length + 16, rng.u32(), 16, 17, 2, 40]) >>> 0;
}

/** One mutation: header fields, struct-block tokens and lengths, strings, cuts and extensions. */
export function mutateDtb(base: Buffer, rng: Rng): Buffer {
  let b = Buffer.from(base);
  for (let e = rng.range(1, 4); e > 0; e--) {
    const structOff = field(b, 2);
    const structLen = Math.max(0, Math.min(field(b, 9) || b.length, b.length - structOff));
    const structWord = (): number => structOff + 4 * rng.below(Math.max(1, structLen >> 2));
    switch (rng.below(8)) {
      case 0: { const i = rng.below(HEADER_FIELDS); if (b.length >= 4 * i + 4) b.writeUInt32BE(headerValue(b, i, rng), 4 * i); break; }
      case 1: { const at = structWord(); if (at + 4 <= b.length) b.writeUInt32BE(rng.pick(TOKENS), at); break; }
      case 2: { const at = structWord(); if (at + 4 <= b.length) b.writeUInt32BE(rng.pick([0, 1, 3, 4, 8, 31, 32, 0x1000, 0x7ffffff0, 0xffffffff, rng.u32()]) >>> 0, at); break; }
      case 3: { const at = field(b, 3) + rng.below(Math.max(1, field(b, 8))); if (at < b.length) b[at] = rng.chance(0.5) ? 0 : rng.u32() & 0xff; break; }
      case 4: b = b.subarray(0, rng.pick([0, 3, 39, 40, 56, rng.below(b.length + 1), b.length - 4])); break;
      case 5: b = Buffer.concat([b, rng.chance(0.5) ? Buffer.alloc(rng.below(4096)) : rng.bytes(rng.below(4096))]); break;
      case 6: for (let n = rng.range(1, 16); n > 0 && b.length > 0; n--) { const at = rng.below(b.length); b[at] = (b[at] ?? 0) ^ (1 << rng.below(8)); } break;
      default: { const at = structWord(); const len = 4 * rng.range(1, 16); if (at + len <= b.length) b = Buffer.concat([b.subarray(0, at), b.subarray(at + len)]); }
    }
  }
  return b;
}

/** A failed load says one "tsemu-system-riscv64: ..." line. */
function errorShapeProblem(r: BoundedRun): string | undefined {
  const lines = r.stderr.trim().split('\n').filter((l) => l.trim() !== '');
  if (lines.length !== 1 || !lines[0]?.startsWith('tsemu-system-riscv64: ')) return `exit status ${r.status ?? r.signal} with stderr: ${lines.slice(0, 3).join(' | ')}`;
  return undefined;
}

/**
 * QEMU's message as tsemu's one line: load_device_tree's reason and "load_device_tree() failed"
 * (two lines on QEMU) become "load_device_tree() failed: REASON".
 */
export function qemuDtbError(stderr: string): string {
  const lines = stderr.trim().split('\n').map((l) => l.replace(/^qemu-system-riscv64: /, ''));
  const text = lines.length === 2 && lines[1] === 'load_device_tree() failed' ? `load_device_tree() failed: ${lines[0] ?? ''}` : lines.join('\n');
  return `tsemu-system-riscv64: ${text}`;
}

/** Two dumps equal but for one window of at most 32 bytes (the random /chosen/rng-seed). */
export function sameButSeed(a: Buffer, b: Buffer): boolean {
  if (a.length !== b.length) return false;
  let first = -1;
  let last = -1;
  for (let i = 0; i < a.length; i++) {
    if (a[i] === b[i]) continue;
    if (first < 0) first = i;
    last = i;
  }
  return first < 0 || last - first < 32;
}

interface Paths { dir: string; kernel: string; initrd: string; demo: string; firmware: string }

/** The dumpdtb run on tsemu (and QEMU): what is wrong with it, and whether the tree was taken. */
async function dumpCase(file: string, p: Paths, i: number, rng: Rng, oracle: boolean): Promise<{ problem?: string; taken: boolean }> {
  const boot = ['-kernel', p.kernel, ...(rng.chance(0.5) ? ['-initrd', p.initrd] : []), ...(rng.chance(0.7) ? ['-append', rng.pick(['console=ttyS0', 'x'.repeat(rng.range(1, 3000))])] : [])];
  const args = (out: string): string[] => ['-M', `virt,dumpdtb=${out}`, '-smp', '2', '-bios', 'none', '-display', 'none', '-serial', 'null', ...boot, '-dtb', file];
  const tsOut = join(p.dir, `ts-${i}.dtb`);
  const r = await runTsemuBounded(args(tsOut), 15_000);
  if (r.wedged || r.terminated) return { problem: 'dumpdtb did not end within 15 s', taken: false };
  const exc = hostException(r.stderr);
  if (exc !== undefined) return { problem: `host exception: ${exc}`, taken: false };
  if (r.status !== 0 && r.status !== 1) return { problem: `exit status ${r.status ?? r.signal}`, taken: false };
  if (r.status === 1) {
    const shape = errorShapeProblem(r);
    if (shape) return { problem: shape, taken: false };
  } else if (!existsSync(tsOut)) {
    return { problem: 'exit status 0 without the dump', taken: false };
  }
  if (oracle) {
    const qOut = join(p.dir, `q-${i}.dtb`);
    const q = await runQemu(args(qOut), { timeoutMs: 15_000 });
    // a QEMU that crashes on the tree (libfdt reading past its buffer) has no answer to compare with
    if (q.signal !== null) return { taken: r.status === 0 };
    if (q.status !== r.status) return { problem: `exit status ${r.status ?? '?'}, QEMU's ${q.status ?? q.signal} (${q.stderr.trim().split('\n')[0] ?? ''})`, taken: false };
    const want = qemuDtbError(q.stderr);
    if (r.status === 1 && want !== r.stderr.trim()) return { problem: `error ${JSON.stringify(r.stderr.trim())}, QEMU's ${JSON.stringify(want)}`, taken: false };
    if (r.status === 0 && !sameButSeed(readFileSync(tsOut), readFileSync(qOut))) return { problem: 'the dumped tree differs from QEMU\'s (beyond /chosen/rng-seed)', taken: false };
  }
  return { taken: r.status === 0 };
}

/** The firmware walking the tree, then the demo kernel, on -smp 2. */
async function guestCase(file: string, p: Paths, guestMs: number, oracle: boolean): Promise<string | undefined> {
  const args = ['-M', 'virt', '-smp', '2', '-bios', p.firmware, '-display', 'none', '-serial', 'null', '-no-reboot', '-kernel', p.demo, '-dtb', file];
  const r = await runTsemuBounded(args, guestMs);
  const problem = boundedRunProblem(r);
  if (problem !== undefined || !oracle || !guestFailureExit(r)) return problem;
  const q = await runQemu(args, { timeoutMs: 10_000 });
  return q.status === r.status ? undefined : `the guest asked for a failure exit (status ${r.status ?? '?'}); QEMU 7.2 ${q.timedOut ? 'was still running after 10 s' : `exited with ${q.status ?? q.signal}`}`;
}

export async function runDtbSeed(seed: number, cases: number, opts: DtbOptions): Promise<DtbRun> {
  const rng = new Rng(seed);
  const root = repoRoot();
  const dir = mkdtempSync(join(tmpdir(), 'tsemu-fuzz-dtb-'));
  const p: Paths = {
    dir, kernel: join(root, 'tests', 'guest', 'bin', 'rv64i.elf'), initrd: join(dir, 'initrd'),
    demo: join(root, 'examples', 'guest', 'demo.elf'), firmware: join(root, 'firmware', 'bin', 'tsemu-sbi.elf'),
  };
  writeFileSync(p.initrd, Buffer.alloc(4099, 0x5a));
  const problems: string[] = [];
  let taken = 0;
  try {
    const all = Object.entries(dtbBases());
    for (let i = 0; i < cases; i++) {
      const [name, base] = rng.pick(all);
      const file = join(dir, `case-${i}-${name}`);
      writeFileSync(file, rng.chance(0.05) ? base : mutateDtb(base, rng));
      const d = await dumpCase(file, p, i, rng, opts.oracle);
      let problem = d.problem;
      if (problem === undefined && d.taken) {
        taken++;
        problem = await guestCase(file, p, opts.guestMs ?? 3_000, opts.oracle);
      }
      if (problem !== undefined && opts.keep !== undefined) copyFileSync(file, join(opts.keep, `seed-${seed}-case-${i}.dtb`));
      if (problem !== undefined) problems.push(`seed ${seed}, case ${i} (mutated ${name}): ${problem}\n  reproduce: npm run fuzz -- --only dtb --seed ${seed}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return { seed, cases, taken, problems };
}
