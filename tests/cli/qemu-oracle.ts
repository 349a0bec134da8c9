/**
 * Runs the real qemu-system-riscv64 (QEMU 7.2, the reference) for the oracle tier of tests/cli
 * (the `*.oracle.spec` files, which record what the `*.spec` files read from transcripts), and
 * the path placeholders both tiers use so a transcript does not hold this machine's temporary
 * directory or checkout.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../support/run-guest.js';
import { makeTempDir } from '../support/tools.js';

export const QEMU = 'qemu-system-riscv64';
export const GCC = 'riscv64-unknown-elf-gcc';
export const OBJDUMP = 'riscv64-unknown-elf-objdump';
export const READELF = 'riscv64-unknown-elf-readelf';

export interface QemuRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs QEMU to completion; for command lines that make it exit on its own (errors, help, dumpdtb). */
export function runQemu(args: readonly string[], input = ''): QemuRun {
  const r = spawnSync(QEMU, args, { input, encoding: 'utf8', timeout: 15_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** QEMU's stderr with its program name replaced by tsemu's, for comparing messages. */
export function asTsemu(text: string): string {
  return text.replace(/qemu-system-riscv64/g, 'tsemu-system-riscv64');
}

/**
 * Starts QEMU stopped (-S) with a monitor on stdio and saves `length` bytes of guest-physical
 * memory at `addr` with `pmemsave` (a file, because QEMU may exit before flushing long
 * monitor output).
 */
export function readQemuBytes(args: readonly string[], addr: number, length: number): Uint8Array {
  const dir = makeTempDir('pmem');
  const file = join(dir, 'mem.bin');
  try {
    const r = runQemu(['-S', '-display', 'none', '-nodefaults', '-monitor', 'stdio', ...args], `pmemsave 0x${addr.toString(16)} ${length} "${file}"\nquit\n`);
    if (!existsSync(file)) throw new Error(`QEMU saved no memory (status ${String(r.status)}): ${r.stderr}`);
    return new Uint8Array(readFileSync(file));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Like readQemuBytes, as little-endian 64-bit words. */
export function readQemuMemory(args: readonly string[], addr: number, dwords: number): bigint[] {
  const bytes = readQemuBytes(args, addr, dwords * 8);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return Array.from({ length: dwords }, (_, i) => view.getBigUint64(i * 8, true));
}

/** Runs a tool and returns its stdout, failing the test if it fails. */
export function runTool(tool: string, args: readonly string[], cwd?: string): string {
  const r = spawnSync(tool, args, { encoding: 'utf8', timeout: 60_000, cwd });
  if (r.status !== 0) throw new Error(`${tool} ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

/** The committed test images (tests/cli/images, rebuilt by its Makefile). */
export const IMAGE_DIR = join(repoRoot(), 'tests', 'cli', 'images');
export const IMAGES = ['boot-k200.elf', 'boot-k0.elf', 'boot-fw.elf', 'k200.elf', 'k0.elf', 'kfar.elf', 'k32.elf'] as const;

export function imagePath(name: (typeof IMAGES)[number]): string {
  return join(IMAGE_DIR, name);
}

/**
 * Text or arguments as a transcript keeps them: the test's temporary directory as $DIR and the
 * repository root as $ROOT (QEMU's messages name the files they were given).
 */
export function portable(text: string, dir: string): string {
  return text.split(dir).join('$DIR').split(repoRoot()).join('$ROOT');
}

/** The inverse of portable(), for this run's directory. */
export function local(text: string, dir: string): string {
  return text.split('$DIR').join(dir).split('$ROOT').join(repoRoot());
}

export function portableArgs(args: readonly string[], dir: string): string[] {
  return args.map((a) => portable(a, dir));
}

/** Bytes as lower-case hex, the form transcripts keep memory in. */
export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

/** 64-bit values as transcripts keep them (JSON has no bigint): `0x` hex strings. */
export function hex64(values: readonly bigint[]): string[] {
  return values.map((v) => `0x${v.toString(16)}`);
}

export function fromHex64(values: readonly string[]): bigint[] {
  return values.map((v) => BigInt(v));
}
