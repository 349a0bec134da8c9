/**
 * Decoder: matches an instruction word against the INSN32 table and extracts
 * the operand fields its format names. Built once from the table; decoding
 * happens at translation time only, so clarity beats speed here.
 */
import { Format, INSN32 } from './insn32.js';
import { expandCompressed } from './rvc.js';
import { featureBit } from './isa.js';

export interface Decoded {
  name: string;
  /** The 32-bit encoding (compressed instructions expanded). */
  insn: number;
  /** The bits as fetched (16-bit for compressed) — what mtval reports for illegal instructions. */
  raw: number;
  /** Instruction length in bytes (2 or 4). */
  length: 2 | 4;
  rd: number;
  rs1: number;
  rs2: number;
  rs3: number;
  rm: number;
  imm: number;
  csr: number;
  /** Decoder feature bit of the instruction's optional extension (src/target/riscv/isa.ts), 0 for the base ISA. */
  feature: number;
}

interface Pattern {
  name: string;
  mask: number;
  match: number;
  format: Format;
  feature: number;
}

function compile(name: string, pattern: string, format: Format, feature: number): Pattern {
  const bits = pattern.replace(/ /g, '');
  if (bits.length !== 32) throw new Error(`insn32 pattern for ${name} has ${bits.length} bits`);
  let mask = 0;
  let match = 0;
  for (let i = 0; i < 32; i++) {
    const bit = 31 - i;
    if (bits[i] === '-') continue;
    mask |= 1 << bit;
    if (bits[i] === '1') match |= 1 << bit;
  }
  return { name, mask: mask >>> 0, match: match >>> 0, format, feature };
}

/** Patterns grouped by major opcode (bits 6:0), most specific first. */
const BY_OPCODE: Pattern[][] = (() => {
  const groups: Pattern[][] = Array.from({ length: 128 }, () => []);
  for (const [name, pattern, format, ext] of INSN32) {
    const p = compile(name, pattern, format, ext === undefined ? 0 : featureBit(ext));
    groups[p.match & 0x7f].push(p);
  }
  for (const g of groups) g.sort((a, b) => popcount(b.mask) - popcount(a.mask));
  return groups;
})();

function popcount(v: number): number {
  let n = 0;
  for (let x = v >>> 0; x !== 0; x &= x - 1) n++;
  return n;
}

const immI = (i: number): number => i >> 20;
const immS = (i: number): number => ((i >> 25) << 5) | ((i >>> 7) & 0x1f);
const immB = (i: number): number =>
  ((i >> 31) << 12) | (((i >>> 7) & 1) << 11) | (((i >>> 25) & 0x3f) << 5) | (((i >>> 8) & 0xf) << 1);
const immU = (i: number): number => i & 0xfffff000;
const immJ = (i: number): number =>
  ((i >> 31) << 20) | (((i >>> 12) & 0xff) << 12) | (((i >>> 20) & 1) << 11) | (((i >>> 21) & 0x3ff) << 1);

function immediate(format: Format, i: number): number {
  switch (format) {
    case 'i': return immI(i);
    case 's': return immS(i);
    case 'b': return immB(i);
    case 'u': return immU(i);
    case 'j': return immJ(i);
    case 'sh6': return (i >>> 20) & 0x3f;
    case 'sh5': return (i >>> 20) & 0x1f;
    case 'atom': return (i >>> 25) & 3; // aq/rl bits
    case 'fence': return (i >>> 20) & 0xff; // pred/succ
    default: return 0;
  }
}

/** Decode a 32-bit encoding; undefined if no pattern matches (illegal instruction). */
export function decode32(insn: number, raw = insn, length: 2 | 4 = 4): Decoded | undefined {
  for (const p of BY_OPCODE[insn & 0x7f]) {
    if (((insn & p.mask) >>> 0) !== p.match) continue;
    return {
      name: p.name,
      insn,
      raw,
      length,
      rd: (insn >>> 7) & 0x1f,
      rs1: (insn >>> 15) & 0x1f,
      rs2: (insn >>> 20) & 0x1f,
      rs3: insn >>> 27,
      rm: (insn >>> 12) & 7,
      imm: immediate(p.format, insn),
      csr: insn >>> 20,
      feature: p.feature,
    };
  }
  return undefined;
}

/**
 * Decode the instruction whose first 16 bits are `lo16` (and next 16 bits
 * `hi16` when it is a 32-bit instruction).
 */
export function decode(lo16: number, hi16: number): Decoded | undefined {
  if ((lo16 & 3) !== 3) {
    const expanded = expandCompressed(lo16);
    return expanded === 0 ? undefined : decode32(expanded, lo16, 2);
  }
  const insn = (lo16 | (hi16 << 16)) >>> 0;
  return decode32(insn | 0, insn | 0, 4);
}

/** Length of the instruction whose first halfword is `lo16`. */
export function insnLength(lo16: number): 2 | 4 {
  return (lo16 & 3) === 3 ? 4 : 2;
}
