/**
 * Symbols of an ELF64 little-endian file, read straight from its .symtab (what
 * `riscv64-unknown-elf-nm` prints, without needing the cross toolchain). Written apart from
 * src/machine/elf.ts on purpose: tests look up guest addresses with a reader of their own.
 */
import { readFileSync } from 'node:fs';

const SHT_SYMTAB = 2;
const STT_SECTION = 3;
const STT_FILE = 4;

/** name -> value of every named symbol that is not a section or file symbol (the last one wins). */
export function elfSymbols(path: string): Map<string, bigint> {
  const bytes = readFileSync(path);
  if (bytes.length < 64 || bytes.toString('latin1', 0, 4) !== '\x7fELF' || bytes[4] !== 2 || bytes[5] !== 1) {
    throw new Error(`${path}: not a 64-bit little-endian ELF file`);
  }
  const shoff = Number(bytes.readBigUInt64LE(0x28));
  const shentsize = bytes.readUInt16LE(0x3a);
  const shnum = bytes.readUInt16LE(0x3c);
  const section = (i: number): { type: number; offset: number; size: number; link: number; entsize: number } => {
    const at = shoff + i * shentsize;
    return {
      type: bytes.readUInt32LE(at + 4),
      offset: Number(bytes.readBigUInt64LE(at + 0x18)),
      size: Number(bytes.readBigUInt64LE(at + 0x20)),
      link: bytes.readUInt32LE(at + 0x28),
      entsize: Number(bytes.readBigUInt64LE(at + 0x38)),
    };
  };
  const symbols = new Map<string, bigint>();
  for (let i = 0; i < shnum; i++) {
    const symtab = section(i);
    if (symtab.type !== SHT_SYMTAB) continue;
    const strtab = section(symtab.link);
    for (let at = symtab.offset + symtab.entsize; at + 24 <= symtab.offset + symtab.size; at += symtab.entsize) {
      const nameOffset = bytes.readUInt32LE(at);
      const type = bytes[at + 4] & 0xf;
      if (nameOffset === 0 || type === STT_SECTION || type === STT_FILE) continue;
      const start = strtab.offset + nameOffset;
      const name = bytes.toString('latin1', start, bytes.indexOf(0, start));
      symbols.set(name, bytes.readBigUInt64LE(at + 8));
    }
  }
  return symbols;
}

/** The value of `name`; throws naming the symbol when it is absent. */
export function symbol(symbols: ReadonlyMap<string, bigint>, name: string): bigint {
  const v = symbols.get(name);
  if (v === undefined) throw new Error(`symbol '${name}' not found`);
  return v;
}
