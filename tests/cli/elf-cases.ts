/**
 * The recipe both tiers of the ELF/kernel-loading tests share (elf.unit.spec.ts holds tsemu to the
 * committed transcripts tests/transcripts/cli/elf/*, elf.oracle.spec.ts records them from
 * riscv64-unknown-elf-readelf and QEMU 7.2): the images (the committed tests/cli/images/*.elf,
 * built from kernel.S, and files derived from them here), QEMU's command lines, and what each
 * transcript keeps. Memory is kept as lower-case hex of the bytes, 64-bit values as 0x strings.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { makeTempDir } from '../support/tools.js';
import { imagePath } from './qemu-oracle.js';

export const RAM_BASE = 0x80000000;
export const MiB = 1024 * 1024;
/** Where QEMU's reset-vector ROM keeps fw_dynamic_info.next_addr, the kernel entry it computed. */
export const KERNEL_ENTRY_ADDR = 0x1038;
/** RAM words compared after loading a kernel. */
export const RAM_WORDS = 8;
/** RAM words compared after loading k0.elf (a segment starting below RAM). */
export const K0_WORDS = 16;

export const KEYS = {
  readelfHeader: 'cli/elf/readelf-header',
  readelfSymbols: 'cli/elf/readelf-symbols',
  loadK200: 'cli/elf/load-k200',
  loadK0: 'cli/elf/load-k0',
  kernelK200: 'cli/elf/kernel-k200',
  rawFallback: 'cli/elf/raw-fallback',
  uImages: 'cli/elf/uimages',
  emptyKernel: 'cli/elf/empty-kernel',
} as const;

/** kernel.S linked at 0x80200000, 0x80000000, 0x10000000 (data at 0x10010000), and for RV32. */
export const K200 = imagePath('k200.elf');
export const K0 = imagePath('k0.elf');
export const KFAR = imagePath('kfar.elf');
export const K32 = imagePath('k32.elf');

/** QEMU's command line for a kernel (started stopped with a monitor by readQemuBytes). */
export function kernelArgs(path: string): string[] {
  return ['-M', 'virt', '-bios', 'none', '-kernel', path];
}

/** A legacy U-Boot image header (big-endian) in front of `payload`. */
export function uImage(payload: Uint8Array, opts: { load: number; entry: number; type: number; comp: number }): Uint8Array {
  const out = new Uint8Array(64 + payload.length);
  const v = new DataView(out.buffer);
  v.setUint32(0, 0x27051956);
  v.setUint32(12, payload.length);
  v.setUint32(16, opts.load);
  v.setUint32(20, opts.entry);
  v.setUint8(28, 5); // IH_OS_LINUX
  v.setUint8(29, 26); // IH_ARCH_RISCV
  v.setUint8(30, opts.type);
  v.setUint8(31, opts.comp);
  out.set(payload, 64);
  return out;
}

/** Damaged ELFs and a binary, which QEMU loads as raw images. */
export function rawFallbackImages(): Record<string, Uint8Array> {
  const good = readFileSync(K200);
  return {
    'truncated.elf': good.subarray(0, 3000),
    'be.elf': Uint8Array.from(good, (b, i) => (i === 5 ? 2 : b)),
    'plain.bin': new Uint8Array(4096).map((_, i) => (i * 7) & 0xff),
  };
}

/** uImages of type kernel, plain and gzip-compressed. */
export function uImages(): Record<string, Uint8Array> {
  const payload = new Uint8Array(64).map((_, i) => i + 1);
  return {
    'plain.uimg': uImage(payload, { load: RAM_BASE, entry: RAM_BASE + 0x10, type: 2, comp: 0 }),
    // gzip with mtime 0 (Node's default): the same bytes on every run.
    'gz.uimg': uImage(gzipSync(payload), { load: RAM_BASE, entry: RAM_BASE + 0x20, type: 2, comp: 1 }),
  };
}

export function makeDir(): string {
  return makeTempDir('elf');
}

export function removeDir(dir: string): void {
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
}

/** Writes `images` into `dir`; returns name -> path. */
export function writeImages(dir: string, images: Record<string, Uint8Array>): Record<string, string> {
  const paths: Record<string, string> = {};
  for (const [name, bytes] of Object.entries(images)) {
    paths[name] = join(dir, name);
    writeFileSync(paths[name], bytes);
  }
  return paths;
}

/** readelf -hlW: the entry point and the PT_LOAD segments (addresses as 0x strings). */
export type ReadelfHeader = {
  readonly entry: string;
  readonly loads: readonly { readonly fileOffset: number; readonly vaddr: string; readonly paddr: string; readonly fileSize: number; readonly memSize: number }[];
};

export function parseReadelfHeader(text: string): ReadelfHeader {
  const entry = /Entry point address:\s+(0x[0-9a-f]+)/.exec(text)?.[1];
  if (entry === undefined) throw new Error(`no entry point in readelf output:\n${text}`);
  const loads = [...text.matchAll(/^\s*LOAD\s+(0x[0-9a-f]+) (0x[0-9a-f]+) (0x[0-9a-f]+) (0x[0-9a-f]+) (0x[0-9a-f]+)/gm)].map((m) => ({
    fileOffset: Number(m[1]), vaddr: `0x${BigInt(m[2] ?? '').toString(16)}`, paddr: `0x${BigInt(m[3] ?? '').toString(16)}`, fileSize: Number(m[4]), memSize: Number(m[5]),
  }));
  return { entry: `0x${BigInt(entry).toString(16)}`, loads };
}

/** readelf -sW: the FUNC symbols, sorted by address (QEMU's order). */
export type FunctionSymbol = { readonly name: string; readonly address: number; readonly size: number };

export function parseReadelfFunctions(text: string): FunctionSymbol[] {
  return [...text.matchAll(/^\s*\d+:\s+([0-9a-f]+)\s+(\d+)\s+FUNC\s+\w+\s+\w+\s+(\d+)\s+(\S+)$/gm)]
    .map((m) => ({ name: m[4] ?? '', address: Number(BigInt(`0x${m[1] ?? ''}`)), size: Number(m[2]) }))
    .sort((a, b) => a.address - b.address);
}

/** The span [low, high) the PT_LOAD segments cover (QEMU's lowaddr/highaddr). */
export function loadSpan(h: ReadelfHeader): { low: number; high: number } {
  const low = Math.min(...h.loads.map((l) => Number(BigInt(l.paddr))));
  const high = Math.max(...h.loads.map((l) => Number(BigInt(l.paddr)) + l.memSize));
  return { low, high };
}

/** Guest memory QEMU loaded: `length` bytes at `addr`, as hex. */
export type MemoryDump = { readonly addr: number; readonly length: number; readonly bytes: string };

/** What QEMU made of a kernel: the entry it computed (0x string) and the first RAM words (hex bytes). */
export type KernelLoad = { readonly name: string; readonly entry: string; readonly ram: string };
