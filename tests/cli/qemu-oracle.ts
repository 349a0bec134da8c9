/**
 * Runs the real qemu-system-riscv64 (QEMU 7.2, the reference) for tests that compare
 * tsemu's behaviour with it, and the RISC-V GNU toolchain for building test images.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const QEMU = 'qemu-system-riscv64';
export const GCC = 'riscv64-unknown-elf-gcc';
export const OBJDUMP = 'riscv64-unknown-elf-objdump';

const available = new Map<string, boolean>();

/** True if `tool` runs on this machine (tests that need it skip otherwise). */
export function hasTool(tool: string): boolean {
  let ok = available.get(tool);
  if (ok === undefined) {
    ok = spawnSync(tool, ['--version'], { encoding: 'utf8', timeout: 10_000 }).status === 0;
    available.set(tool, ok);
  }
  return ok;
}

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

/** A fresh temporary directory for one test file. */
export function makeTempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `tsemu-${prefix}-`));
}

/** Compiles an assembly source into an ELF with riscv64-unknown-elf-gcc; returns its path. */
export function buildElf(dir: string, name: string, source: string, extraArgs: readonly string[]): string {
  const src = join(dir, `${name}.S`);
  const out = join(dir, `${name}.elf`);
  writeFileSync(src, source);
  const r = spawnSync(GCC, ['-nostdlib', '-nostartfiles', '-o', out, src, ...extraArgs], { encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`${GCC} failed: ${r.stderr}`);
  return out;
}

/** Runs a tool and returns its stdout, failing the test if it fails. */
export function runTool(tool: string, args: readonly string[]): string {
  const r = spawnSync(tool, args, { encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`${tool} ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}
