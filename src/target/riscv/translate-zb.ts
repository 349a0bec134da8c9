/**
 * Translate functions of the bit-manipulation extensions Zba, Zbb, Zbc and Zbs (QEMU's
 * trans_rvb.c.inc). Everything is inline IR: counts are the IR's clz/ctz/cpop, carry-less
 * multiplication its clmul/clmulr, and the rest (rotations, min/max, rev8, orc.b) is made of
 * shifts, masks and compares so that every execution tier runs them without new machinery.
 */
import { TcgBuilder } from '../../tcg/builder.js';
import { Temp } from '../../tcg/ir.js';
import type { Decoded } from './decode.js';

type Compute = (b: TcgBuilder, a: Temp, c: Temp) => Temp;
type ZbTrans = (b: TcgBuilder, d: Decoded) => void;

/** rd = f(rs1, rs2). */
const reg = (f: Compute): ZbTrans => (b, d) => b.setReg(d.rd, f(b, b.reg(d.rs1), b.reg(d.rs2)));
/** rd = f(rs1, imm) (the shift amount of the I-type forms). */
const imm = (f: Compute): ZbTrans => (b, d) => b.setReg(d.rd, f(b, b.reg(d.rs1), b.const64(BigInt(d.imm))));
/** rd = f(rs1). */
const one = (f: (b: TcgBuilder, a: Temp) => Temp): ZbTrans => (b, d) => b.setReg(d.rd, f(b, b.reg(d.rs1)));

const k = (b: TcgBuilder, v: bigint): Temp => b.const64(v);
const not = (b: TcgBuilder, a: Temp): Temp => b.xor(a, k(b, -1n));
const mask63 = (b: TcgBuilder, s: Temp): Temp => b.and(s, k(b, 63n));
const neg = (b: TcgBuilder, a: Temp): Temp => b.sub(k(b, 0n), a);

/** x rotated right by s (0..63): a left shift by (-s) & 63 brings the low bits round (by 0 it is x | x). */
function rotr(b: TcgBuilder, x: Temp, s: Temp): Temp {
  return b.or(b.shr(x, mask63(b, s)), b.shl(x, mask63(b, neg(b, s))));
}

/** The low word of x rotated right by s (0..31), sign-extended: rotate the word doubled in 64 bits. */
function rotr32(b: TcgBuilder, x: Temp, s: Temp): Temp {
  const lo = b.ext32u(x);
  const doubled = b.or(lo, b.shl(lo, k(b, 32n)));
  return b.ext32s(b.shr(doubled, b.and(s, k(b, 31n))));
}

/** The smaller (or larger) of a and b under `cond`: b ^ ((a ^ b) & -(a cond b)). */
function select(cond: 'lt' | 'ltu' | 'ge' | 'geu'): Compute {
  return (b, x, y) => b.xor(y, b.and(b.xor(x, y), neg(b, b.setcond(cond, x, y))));
}

/** The bit of x numbered s (0..63) as a one-bit mask. */
const bit = (b: TcgBuilder, s: Temp): Temp => b.shl(k(b, 1n), mask63(b, s));

const M8 = 0x00ff00ff00ff00ffn;
const M16 = 0x0000ffff0000ffffn;

/** Byte reversal: swap bytes within halfwords, halfwords within words, then the words. */
function rev8(b: TcgBuilder, x: Temp): Temp {
  const swap = (v: Temp, m: bigint, n: bigint): Temp =>
    b.or(b.and(b.shr(v, k(b, n)), k(b, m)), b.shl(b.and(v, k(b, m)), k(b, n)));
  const bytes = swap(swap(x, M8, 8n), M16, 16n);
  return b.or(b.shr(bytes, k(b, 32n)), b.shl(bytes, k(b, 32n)));
}

const LOW7 = 0x7f7f7f7f7f7f7f7fn;
const HIGH1 = 0x8080808080808080n; // const64 wraps it to signed 64 bits

/**
 * orc.b: 0xff for every non-zero byte. (x & 0x7f..) + 0x7f.. sets a byte's top bit when its low
 * seven bits are not all zero (no carry leaves the byte); or-ing x adds its own top bit. The top
 * bits, moved to bit 0 of each byte and multiplied by 0xff, fill the bytes.
 */
function orcB(b: TcgBuilder, x: Temp): Temp {
  const top = b.and(b.or(b.add(b.and(x, k(b, LOW7)), k(b, LOW7)), x), k(b, HIGH1));
  return b.binary('mul', b.shr(top, k(b, 7n)), k(b, 0xffn));
}

/** shNadd(.uw): rs2 + (rs1 << n), rs1 zero-extended from 32 bits first for the .uw forms. */
const shadd = (n: bigint, uw: boolean): Compute => (b, x, y) => b.add(y, b.shl(uw ? b.ext32u(x) : x, k(b, n)));

export const ZB_TRANS: Readonly<Record<string, ZbTrans>> = {
  // Zba
  add_uw: reg(shadd(0n, true)),
  sh1add: reg(shadd(1n, false)), sh2add: reg(shadd(2n, false)), sh3add: reg(shadd(3n, false)),
  sh1add_uw: reg(shadd(1n, true)), sh2add_uw: reg(shadd(2n, true)), sh3add_uw: reg(shadd(3n, true)),
  slli_uw: imm((b, x, s) => b.shl(b.ext32u(x), s)),
  // Zbb
  andn: reg((b, x, y) => b.and(x, not(b, y))),
  orn: reg((b, x, y) => b.or(x, not(b, y))),
  xnor: reg((b, x, y) => not(b, b.xor(x, y))),
  clz: one((b, x) => b.clz(x)),
  ctz: one((b, x) => b.ctz(x)),
  cpop: one((b, x) => b.cpop(x)),
  // clzw: the 64-bit count of the zero-extended word, less its 32 high zeros
  clzw: one((b, x) => b.sub(b.clz(b.ext32u(x)), k(b, 32n))),
  // ctzw as QEMU 7.2 computes it: the 64-bit count of the whole register, 32 when it is zero. The
  // spec's count stops at the word (32 whenever the low word is zero): QEMU 7.2 gives 34 for
  // 0x400000000 where the spec says 32 (checked on qemu-system-riscv64 7.2, tests/guest/src/zb.c)
  ctzw: one((b, x) => b.sub(b.ctz(x), b.shl(b.setcond('eq', x, k(b, 0n)), k(b, 5n)))),
  cpopw: one((b, x) => b.cpop(b.ext32u(x))),
  sext_b: one((b, x) => b.sar(b.shl(x, k(b, 56n)), k(b, 56n))),
  sext_h: one((b, x) => b.sar(b.shl(x, k(b, 48n)), k(b, 48n))),
  zext_h: one((b, x) => b.and(x, k(b, 0xffffn))),
  max: reg(select('ge')), maxu: reg(select('geu')), min: reg(select('lt')), minu: reg(select('ltu')),
  orc_b: one(orcB),
  rev8: one(rev8),
  rol: reg((b, x, s) => rotr(b, x, neg(b, s))),
  ror: reg(rotr),
  rori: imm(rotr),
  rolw: reg((b, x, s) => rotr32(b, x, neg(b, s))),
  rorw: reg(rotr32),
  roriw: imm(rotr32),
  // Zbc: clmulh is clmulr shifted right once (the product's top bit is always 0)
  clmul: reg((b, x, y) => b.binary('clmul', x, y)),
  clmulr: reg((b, x, y) => b.binary('clmulr', x, y)),
  clmulh: reg((b, x, y) => b.shr(b.binary('clmulr', x, y), k(b, 1n))),
  // Zbs
  bclr: reg((b, x, s) => b.and(x, not(b, bit(b, s)))),
  bclri: imm((b, x, s) => b.and(x, not(b, bit(b, s)))),
  bext: reg((b, x, s) => b.and(b.shr(x, mask63(b, s)), k(b, 1n))),
  bexti: imm((b, x, s) => b.and(b.shr(x, mask63(b, s)), k(b, 1n))),
  binv: reg((b, x, s) => b.xor(x, bit(b, s))),
  binvi: imm((b, x, s) => b.xor(x, bit(b, s))),
  bset: reg((b, x, s) => b.or(x, bit(b, s))),
  bseti: imm((b, x, s) => b.or(x, bit(b, s))),
};
