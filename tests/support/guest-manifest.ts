/**
 * Reads tests/guest/manifest.json (the list of bare-metal guest tests) and
 * builds the emulator command line for an entry, creating its disk image.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, virtKernelArgs } from './run-guest.js';

/**
 * Disk image content. "sector-tag": every 512-byte sector s holds the ASCII
 * tag "TSEMUBLK", then s as a little-endian u64, then bytes (s * 31 + i) & 0xff
 * for i = 16..511. The virtio_blk guest checks exactly this pattern.
 * "file": the committed file `file` (relative to tests/guest) at offset 0, zeros after it
 * (a flash image: the bank's code, padded to the bank's size).
 */
export type GuestDiskSpec = { sizeBytes: number; pattern: 'sector-tag' } | { sizeBytes: number; pattern: 'file'; file: string };

export interface GuestManifestEntry {
  name: string;
  description: string;
  /** ELF path relative to tests/guest. */
  elf: string;
  /** Extra emulator arguments; "${disk}" is replaced by the disk image path. */
  args: string[];
  disk?: GuestDiskSpec;
  /** Expected emulator exit status (sifive_test finisher code; 0 = pass). */
  expectedExit: number;
  timeoutMs?: number;
}

export const SECTOR_SIZE = 512;
export const DISK_PLACEHOLDER = '${disk}';

export function guestDir(): string {
  return join(repoRoot(), 'tests', 'guest');
}

export function loadGuestManifest(path = join(guestDir(), 'manifest.json')): GuestManifestEntry[] {
  const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
  if (!isRecord(parsed) || !Array.isArray(parsed.guests)) throw new Error(`${path}: expected { "guests": [...] }`);
  return parsed.guests.map((g: unknown, i: number) => parseEntry(g, `${path}: guests[${i}]`));
}

/** Full command line (after the emulator binary) for an entry. */
export function guestCommandLine(entry: GuestManifestEntry, diskPath?: string): string[] {
  if (entry.disk && diskPath === undefined) throw new Error(`${entry.name} needs a disk image path`);
  const extra = entry.args.map((a) => (diskPath === undefined ? a : a.split(DISK_PLACEHOLDER).join(diskPath)));
  return virtKernelArgs(join(guestDir(), entry.elf), extra);
}

export function diskImageBytes(spec: GuestDiskSpec): Buffer {
  if (spec.sizeBytes % SECTOR_SIZE !== 0) throw new Error('disk size must be a multiple of 512');
  const img = Buffer.alloc(spec.sizeBytes);
  if (spec.pattern === 'file') {
    const content = readFileSync(join(guestDir(), spec.file));
    if (content.length > spec.sizeBytes) throw new Error(`${spec.file} does not fit ${spec.sizeBytes} bytes`);
    content.copy(img);
    return img;
  }
  for (let s = 0; s < spec.sizeBytes / SECTOR_SIZE; s++) {
    const base = s * SECTOR_SIZE;
    img.write('TSEMUBLK', base, 'latin1');
    img.writeBigUInt64LE(BigInt(s), base + 8);
    for (let i = 16; i < SECTOR_SIZE; i++) img[base + i] = (s * 31 + i) & 0xff;
  }
  return img;
}

/** Writes a fresh image (guests may modify it, so every run needs its own). */
export function createDiskImage(spec: GuestDiskSpec, path: string): void {
  writeFileSync(path, diskImageBytes(spec));
}

function parseEntry(g: unknown, where: string): GuestManifestEntry {
  if (!isRecord(g)) throw new Error(`${where}: not an object`);
  const entry: GuestManifestEntry = {
    name: requireString(g.name, `${where}.name`),
    description: requireString(g.description, `${where}.description`),
    elf: requireString(g.elf, `${where}.elf`),
    args: requireStringArray(g.args ?? [], `${where}.args`),
    expectedExit: requireNumber(g.expectedExit, `${where}.expectedExit`),
  };
  if (g.timeoutMs !== undefined) entry.timeoutMs = requireNumber(g.timeoutMs, `${where}.timeoutMs`);
  if (g.disk !== undefined) entry.disk = parseDisk(g.disk, `${where}.disk`);
  return entry;
}

function parseDisk(d: unknown, where: string): GuestDiskSpec {
  if (!isRecord(d)) throw new Error(`${where}: not an object`);
  const sizeBytes = requireNumber(d.sizeBytes, `${where}.sizeBytes`);
  if (d.pattern === 'file') return { sizeBytes, pattern: 'file', file: requireString(d.file, `${where}.file`) };
  if (d.pattern !== 'sector-tag') throw new Error(`${where}.pattern: "sector-tag" or "file"`);
  return { sizeBytes, pattern: d.pattern };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function requireString(v: unknown, where: string): string {
  if (typeof v !== 'string') throw new Error(`${where}: expected a string`);
  return v;
}

function requireNumber(v: unknown, where: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new Error(`${where}: expected an integer`);
  return v;
}

function requireStringArray(v: unknown, where: string): string[] {
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) throw new Error(`${where}: expected string[]`);
  return v as string[];
}
