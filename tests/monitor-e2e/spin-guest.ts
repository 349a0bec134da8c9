/**
 * What the monitor tests know about their guest, guests/bin/spin.elf (see
 * guests/spin.S), read from the ELF itself: the loop's address, the parked
 * harts' loop, the bytes at `magic` and where each hart's counter lives.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseElf, type ElfImage } from '../../src/machine/elf.js';
import { repoRoot } from '../support/run-guest.js';

/** `.org 0x100` in spin.S: four known words for `x`/`xp`. */
export const MAGIC_ADDR = 0x8000_0100n;
/** `.balign 4096` after the code: one 64-byte slot per hart, the counter first. */
export const SLOTS_ADDR = 0x8000_1000n;
export const SLOT_SIZE = 64n;

export interface SpinGuest {
  readonly path: string;
  /** Path relative to the repository root (what the tests put on the command line). */
  readonly relativePath: string;
  readonly entry: bigint;
  /** Where a spinning hart's blocks start: every stop leaves its pc here. */
  readonly spin: bigint;
  readonly spinEnd: bigint;
  /** The parked harts' loop; halted in its `wfi`, a hart's pc is park + 8. */
  readonly park: bigint;
  readonly parkEnd: bigint;
  /** The bytes the ELF loads at `addr` (the first PT_LOAD holding them). */
  bytesAt(addr: bigint, length: number): Uint8Array;
}

export function slotAddress(hart: number): bigint {
  return SLOTS_ADDR + SLOT_SIZE * BigInt(hart);
}

function functionRange(image: ElfImage, name: string): { start: bigint; end: bigint } {
  const f = image.functions.find((s) => s.name === name);
  if (f === undefined) throw new Error(`spin.elf has no function symbol ${name}`);
  const start = BigInt.asUintN(64, BigInt(f.address));
  return { start, end: start + BigInt(f.size) };
}

export function loadSpinGuest(): SpinGuest {
  const relativePath = 'tests/monitor-e2e/guests/bin/spin.elf';
  const path = join(repoRoot(), relativePath);
  const bytes = new Uint8Array(readFileSync(path));
  const image = parseElf(bytes, path);
  const spin = functionRange(image, 'spin');
  const park = functionRange(image, 'park');
  return {
    path,
    relativePath,
    entry: image.entry,
    spin: spin.start,
    spinEnd: spin.end,
    park: park.start,
    parkEnd: park.end,
    bytesAt(addr, length) {
      for (const seg of image.segments) {
        const offset = addr - seg.paddr;
        if (offset >= 0n && offset + BigInt(length) <= BigInt(seg.fileSize)) {
          const at = seg.fileOffset + Number(offset);
          return bytes.slice(at, at + length);
        }
      }
      throw new Error(`spin.elf loads no bytes at 0x${addr.toString(16)}`);
    },
  };
}

/** QEMU's `x /Nxw` line for little-endian words: `ADDR: 0xWORD 0xWORD ...`. */
export function wordDumpLine(addr: bigint, bytes: Uint8Array): string {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const words: string[] = [];
  for (let i = 0; i + 4 <= bytes.length; i += 4) words.push(`0x${view.getUint32(i, true).toString(16).padStart(8, '0')}`);
  return `${addr.toString(16).padStart(16, '0')}: ${words.join(' ')}`;
}

export function hex16(v: bigint): string {
  return v.toString(16).padStart(16, '0');
}
