/**
 * The function symbols `-d in_asm` names blocks by (`IN: name`), as QEMU 7.2's linux-user
 * load_symbols() keeps them: STT_FUNC symbols of the ELF's symbol table that are defined in a
 * section, moved by the image's load bias, sorted by address, with their sizes as the table gives
 * them (a symbol of size 0 names nothing, unlike system mode's loader, which sizes it to the next).
 */

export interface FunctionSymbol {
  readonly name: string;
  readonly address: number;
  readonly size: number;
}

const SHT_SYMTAB = 2;
const STT_FUNC = 2;
const SHN_LORESERVE = 0xff00;
const SYM_SIZE = 24;

/** The function symbols of an ELF64 file loaded at `bias`; none when it has no symbol table (stripped). */
export function functionSymbols(file: Uint8Array, bias: number): FunctionSymbol[] {
  const v = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const shoff = Number(v.getBigUint64(0x28, true));
  const shentsize = v.getUint16(0x3a, true);
  const shnum = v.getUint16(0x3c, true);
  if (shoff === 0 || shoff + shnum * shentsize > file.length) return [];
  const section = (i: number): { type: number; offset: number; size: number; link: number } => {
    const at = shoff + i * shentsize;
    return { type: v.getUint32(at + 4, true), offset: Number(v.getBigUint64(at + 24, true)), size: Number(v.getBigUint64(at + 32, true)), link: v.getUint32(at + 40, true) };
  };
  for (let i = 0; i < shnum; i++) {
    const symtab = section(i);
    if (symtab.type !== SHT_SYMTAB || symtab.link >= shnum) continue;
    const strtab = section(symtab.link);
    if (symtab.offset + symtab.size > file.length || strtab.offset + strtab.size > file.length) return [];
    return readSymbols(file, v, symtab, strtab, bias);
  }
  return [];
}

/**
 * load_symbols()'s filter: an entry it does not keep is replaced by the table's last, which is then
 * looked at in its turn; so the kept ones come in that order, which the (stable) sort keeps for
 * aliases at one address, and the search then finds the one QEMU finds.
 */
function readSymbols(file: Uint8Array, v: DataView, symtab: { offset: number; size: number }, strtab: { offset: number; size: number }, bias: number): FunctionSymbol[] {
  const entries: number[] = [];
  for (let at = symtab.offset; at + SYM_SIZE <= symtab.offset + symtab.size; at += SYM_SIZE) entries.push(at);
  const kept = (at: number): boolean => {
    const shndx = v.getUint16(at + 6, true);
    return (file[at + 4] & 0xf) === STT_FUNC && shndx !== 0 && shndx < SHN_LORESERVE;
  };
  let n = entries.length;
  for (let i = 0; i < n;) {
    if (kept(entries[i])) i++;
    else if (i < --n) entries[i] = entries[n];
  }
  const decoder = new TextDecoder();
  const out = entries.slice(0, n).map((at) => {
    const start = strtab.offset + v.getUint32(at, true);
    let end = start;
    while (end < strtab.offset + strtab.size && file[end] !== 0) end++;
    return { name: decoder.decode(file.subarray(start, end)), address: Number(v.getBigUint64(at + 8, true)) + bias, size: Number(v.getBigUint64(at + 16, true)) };
  });
  return out.sort((a, b) => a.address - b.address);
}

/**
 * QEMU's lookup_symbol(): the first table (last image loaded first) with a function holding `pc`,
 * else "". The search is glibc's bsearch() step for step, so that of several symbols at one
 * address (aliases) the same one is found.
 */
export function symbolAt(tables: readonly (readonly FunctionSymbol[])[], pc: number): string {
  for (const table of tables) {
    let l = 0;
    let u = table.length;
    while (l < u) {
      const idx = (l + u) >>> 1;
      const s = table[idx];
      if (pc < s.address) u = idx;
      else if (pc >= s.address + s.size) l = idx + 1;
      else return s.name;
    }
  }
  return '';
}
