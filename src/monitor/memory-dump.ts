/**
 * HMP `x` and `xp`: QEMU 7.2's memory_dump() and monitor_disas() output,
 * byte for byte (address column, per-format widths, 'c' escapes, the
 * disassembler's raw-bits column and its "out of bounds" quirks).
 */
import { decode32 } from '../target/riscv/decode.js';
import { disassemble } from '../target/riscv/disas.js';
import type { DumpFormat } from './hmp-parse.js';

/** Reads `len` bytes at `addr`; a string is an error. */
export type MemoryReader = (addr: bigint, len: number) => Promise<Uint8Array | string>;

const MASK64 = (1n << 64n) - 1n;

function hex64(addr: bigint): string {
  return (addr & MASK64).toString(16).padStart(16, '0');
}

/** Little-endian unsigned value of `size` bytes at `at`. */
function load(buf: Uint8Array, at: number, size: number): bigint {
  let v = 0n;
  for (let i = size - 1; i >= 0; i--) v = (v << 8n) | BigInt(buf[at + i] ?? 0);
  return v;
}

/** monitor_printc(): a character in quotes, with C escapes or \xNN. */
function printChar(c: number): string {
  switch (c) {
    case 0x27: return "'\\''";
    case 0x5c: return "'\\\\'";
    case 0x0a: return "'\\n'";
    case 0x0d: return "'\\r'";
    default:
      if (c >= 32 && c <= 126) return `'${String.fromCharCode(c)}'`;
      return `'\\x${c.toString(16).padStart(2, '0')}'`;
  }
}

/** Digits QEMU pads each value to, per format and size. */
function maxDigits(format: string, size: number): number {
  switch (format) {
    case 'o': return Math.ceil((size * 8) / 3);
    case 'u':
    case 'd': return Math.ceil((size * 8 * 10) / 33);
    case 'c': return 0;
    default: return (size * 8) / 4;
  }
}

function formatValue(format: string, v: bigint, size: number, digits: number): string {
  switch (format) {
    case 'o': return (v === 0n ? '0' : `0${v.toString(8)}`).padStart(digits); // %#*o
    case 'u': return v.toString().padStart(digits);
    // %PRId64 of a value loaded unsigned: only 8-byte values can come out negative.
    case 'd': return (size === 8 ? BigInt.asIntN(64, v) : v).toString().padStart(digits);
    case 'c': return printChar(Number(v));
    default: return `0x${v.toString(16).padStart(digits, '0')}`;
  }
}

/**
 * memory_dump() for every format but 'i'. The line size and byte count come
 * from the requested size even for 'c', which then prints bytes (as QEMU does).
 */
export async function dumpMemory(fmt: DumpFormat, addr: bigint, read: MemoryReader): Promise<string> {
  let wsize = fmt.size;
  let len = wsize * fmt.count;
  const lineSize = wsize === 1 ? 8 : 16;
  const digits = maxDigits(fmt.format, wsize);
  if (fmt.format === 'c') wsize = 1;
  let out = '';
  let a = addr & MASK64;
  while (len > 0) {
    out += `${hex64(a)}:`;
    const l = Math.min(len, lineSize);
    const buf = await read(a, l);
    if (typeof buf === 'string') return `${out} Cannot access memory\n`;
    for (let i = 0; i < l; i += wsize) out += ` ${formatValue(fmt.format, load(buf, i, wsize), wsize, digits)}`;
    out += '\n';
    a = (a + BigInt(l)) & MASK64;
    len -= l;
  }
  return out;
}

/** disas/riscv.c inst_length(): 2, 4, 6 or 8 bytes; 0 for longer encodings. */
function instLength(lo16: number): number {
  if ((lo16 & 0b11) !== 0b11) return 2;
  if ((lo16 & 0b11100) !== 0b11100) return 4;
  if ((lo16 & 0b111111) === 0b011111) return 6;
  if ((lo16 & 0b1111111) === 0b0111111) return 8;
  return 0;
}

/** The raw-bits column (INST_FMT_2/4/6/8), 18 characters wide. */
function rawColumn(inst: bigint, len: number): string {
  const width = len === 2 ? 4 : len === 4 ? 8 : len === 6 ? 12 : 16;
  return inst.toString(16).padStart(width, '0').padEnd(18);
}

/** EIO: what QEMU's disassembler returns (and then adds to pc) when memory cannot be read. */
const EIO = 5;

/** print_insn_riscv(): one instruction's text and the number of bytes to advance. */
async function printInstruction(pc: bigint, read: MemoryReader): Promise<{ text: string; advance: number }> {
  let inst = 0n;
  let len = 2;
  for (let n = 0; n < len; n += 2) {
    const packet = await read((pc + BigInt(n)) & MASK64, 2);
    if (typeof packet === 'string') {
      if (n > 0) break; // "Don't fail just because we fell off the end."
      return { text: `Address 0x${(pc & MASK64).toString(16)} is out of bounds.\n`, advance: EIO };
    }
    inst |= load(packet, 0, 2) << BigInt(8 * n);
    if (n === 0) len = instLength(Number(inst));
  }
  return { text: rawColumn(inst, len) + instructionText(inst, len, pc), advance: len };
}

function instructionText(inst: bigint, len: number, pc: bigint): string {
  const low = Number(inst & 0xffffffffn);
  if (len === 2) return disassemble(undefined, pc, low, 2);
  // 48- and 64-bit encodings have no instructions in QEMU 7.2's decoder: they print as illegal.
  const decoded = len === 4 ? decode32(low | 0) : undefined;
  return disassemble(decoded, pc, low, 4);
}

/** monitor_disas(): `count` instructions from `addr`. */
export async function disassembleMemory(count: number, addr: bigint, read: MemoryReader): Promise<string> {
  let out = '';
  let pc = addr & MASK64;
  for (let i = 0; i < count; i++) {
    const insn = await printInstruction(pc, read);
    out += `0x${hex64(pc)}:  ${insn.text}\n`;
    pc = (pc + BigInt(insn.advance)) & MASK64;
  }
  return out;
}
