/**
 * Sign injection (fsgnj, fsgnjn, fsgnjx) and the raw moves between f and x
 * registers. None of these round or raise flags. Sign injection on singles
 * reads both operands through the NaN-boxing check (an unboxed operand is the
 * canonical NaN); fmv.x.w copies the low 32 bits as they are.
 */
import type { VcpuStateViews } from '../../../abi/state-layout.js';
import { fWord, readSingle, writeDoubleWords, writeSingle, writeXInt32, writeXWords, xWord } from './regs.js';

const SIGN = -0x80000000; // bit 31 as a signed 32-bit number
const MAGNITUDE = 0x7fffffff;

const enum Injection {
  Copy, // fsgnj: sign of rs2
  Negate, // fsgnjn: opposite of rs2's sign
  Xor, // fsgnjx: rs1's sign xor rs2's sign
}

/** The sign bit (bit 31 of `target`) that injection `kind` produces. */
function injectedSign(kind: Injection, target: number, source: number): number {
  switch (kind) {
    case Injection.Copy:
      return source & SIGN;
    case Injection.Negate:
      return ~source & SIGN;
    case Injection.Xor:
      return (target ^ source) & SIGN;
  }
}

function injectS(s: VcpuStateViews, rd: number, rs1: number, rs2: number, kind: Injection): boolean {
  const a = readSingle(s, rs1);
  const b = readSingle(s, rs2);
  writeSingle(s, rd, (a & MAGNITUDE) | injectedSign(kind, a, b));
  return true;
}

function injectD(s: VcpuStateViews, rd: number, rs1: number, rs2: number, kind: Injection): boolean {
  const wa = fWord(rs1);
  const aHi = s.i32[wa + 1];
  const aLo = s.i32[wa];
  const bHi = s.i32[fWord(rs2) + 1];
  writeDoubleWords(s, rd, (aHi & MAGNITUDE) | injectedSign(kind, aHi, bHi), aLo);
  return true;
}

export function fsgnj_s(s: VcpuStateViews, rd: number, rs1: number, rs2: number): boolean {
  return injectS(s, rd, rs1, rs2, Injection.Copy);
}
export function fsgnjn_s(s: VcpuStateViews, rd: number, rs1: number, rs2: number): boolean {
  return injectS(s, rd, rs1, rs2, Injection.Negate);
}
export function fsgnjx_s(s: VcpuStateViews, rd: number, rs1: number, rs2: number): boolean {
  return injectS(s, rd, rs1, rs2, Injection.Xor);
}
export function fsgnj_d(s: VcpuStateViews, rd: number, rs1: number, rs2: number): boolean {
  return injectD(s, rd, rs1, rs2, Injection.Copy);
}
export function fsgnjn_d(s: VcpuStateViews, rd: number, rs1: number, rs2: number): boolean {
  return injectD(s, rd, rs1, rs2, Injection.Negate);
}
export function fsgnjx_d(s: VcpuStateViews, rd: number, rs1: number, rs2: number): boolean {
  return injectD(s, rd, rs1, rs2, Injection.Xor);
}

/** fmv.x.w: x[rd] = sign-extended low 32 bits of f[rs1] (no NaN-boxing check). */
export function fmv_x_w(s: VcpuStateViews, rd: number, rs1: number): boolean {
  writeXInt32(s, rd, s.i32[fWord(rs1)]);
  return true;
}

/** fmv.w.x: f[rd] = NaN-boxed low 32 bits of x[rs1]. */
export function fmv_w_x(s: VcpuStateViews, rd: number, rs1: number): boolean {
  writeSingle(s, rd, s.i32[xWord(rs1)]);
  return true;
}

/** fmv.x.d: x[rd] = raw bits of f[rs1]. */
export function fmv_x_d(s: VcpuStateViews, rd: number, rs1: number): boolean {
  const w = fWord(rs1);
  writeXWords(s, rd, s.i32[w + 1], s.i32[w]);
  return true;
}

/** fmv.d.x: f[rd] = raw bits of x[rs1]. */
export function fmv_d_x(s: VcpuStateViews, rd: number, rs1: number): boolean {
  const w = xWord(rs1);
  writeDoubleWords(s, rd, s.i32[w + 1], s.i32[w]);
  return true;
}

/** fmv.x.h: x[rd] = sign-extended low 16 bits of f[rs1] (no NaN-boxing check, as fmv.x.w). */
export function fmv_x_h(s: VcpuStateViews, rd: number, rs1: number): boolean {
  writeXInt32(s, rd, (s.i32[fWord(rs1)] << 16) >> 16);
  return true;
}

/** fmv.h.x: f[rd] = low 16 bits of x[rs1], NaN-boxed. */
export function fmv_h_x(s: VcpuStateViews, rd: number, rs1: number): boolean {
  const w = fWord(rd);
  s.i32[w] = s.i32[xWord(rs1)] | -0x10000; // upper 16 bits of the low word: ones
  s.i32[w + 1] = -1;
  return true;
}
