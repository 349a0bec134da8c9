/**
 * A small, exact reference model of RISC-V F/D arithmetic (IEEE 754-2008 with
 * the RISC-V choices: canonical NaN results, tininess detected after rounding,
 * fmin/fmax of the 2.2 spec, saturating float->int conversions). Values are
 * handled as exact rationals with BigInt, so every result is correctly rounded
 * by construction. Used only to generate test vectors for the guests.
 */

export interface FloatFormat {
  name: 's' | 'd';
  width: number;
  /** precision in bits including the hidden bit */
  p: number;
  expBits: number;
  bias: number;
  emin: number;
  emax: number;
}

export const F32: FloatFormat = { name: 's', width: 32, p: 24, expBits: 8, bias: 127, emin: -126, emax: 127 };
export const F64: FloatFormat = { name: 'd', width: 64, p: 53, expBits: 11, bias: 1023, emin: -1022, emax: 1023 };

export const RNE = 0, RTZ = 1, RDN = 2, RUP = 3, RMM = 4;
export const NX = 1, UF = 2, OF = 4, DZ = 8, NV = 16;

export interface Result {
  bits: bigint;
  flags: number;
}

type Kind = 'zero' | 'finite' | 'inf' | 'qnan' | 'snan';

/** A decoded operand: value = (-1)^sign * sig * 2^exp for finite values. */
interface Decoded {
  kind: Kind;
  sign: number;
  sig: bigint;
  exp: number;
}

const ONE = 1n;

function mask(bits: number): bigint {
  return (ONE << BigInt(bits)) - ONE;
}

export function canonicalNaN(f: FloatFormat): bigint {
  return f === F32 ? 0x7fc00000n : 0x7ff8000000000000n;
}

function fracBits(f: FloatFormat): number {
  return f.p - 1;
}

export function decode(bits: bigint, f: FloatFormat): Decoded {
  const fb = fracBits(f);
  const sign = Number((bits >> BigInt(f.width - 1)) & ONE);
  const e = Number((bits >> BigInt(fb)) & mask(f.expBits));
  const frac = bits & mask(fb);
  const maxE = Number(mask(f.expBits));
  if (e === maxE) {
    if (frac === 0n) return { kind: 'inf', sign, sig: 0n, exp: 0 };
    const quiet = (frac >> BigInt(fb - 1)) & ONE;
    return { kind: quiet ? 'qnan' : 'snan', sign, sig: 0n, exp: 0 };
  }
  if (e === 0) {
    if (frac === 0n) return { kind: 'zero', sign, sig: 0n, exp: 0 };
    return { kind: 'finite', sign, sig: frac, exp: f.emin - fb };
  }
  return { kind: 'finite', sign, sig: frac | (ONE << BigInt(fb)), exp: e - f.bias - fb };
}

function isNaN_(d: Decoded): boolean {
  return d.kind === 'qnan' || d.kind === 'snan';
}

function packInf(sign: number, f: FloatFormat): bigint {
  return (BigInt(sign) << BigInt(f.width - 1)) | (mask(f.expBits) << BigInt(fracBits(f)));
}

function packZero(sign: number, f: FloatFormat): bigint {
  return BigInt(sign) << BigInt(f.width - 1);
}

function packMaxFinite(sign: number, f: FloatFormat): bigint {
  return (BigInt(sign) << BigInt(f.width - 1)) | ((mask(f.expBits) - ONE) << BigInt(fracBits(f))) | mask(fracBits(f));
}

function bitLength(x: bigint): number {
  return x === 0n ? 0 : x.toString(2).length;
}

/** Rounds the non-negative integer quotient n/d to an integer by rm for a value of the given sign. */
function roundQuotient(n: bigint, d: bigint, rm: number, sign: number): { q: bigint; inexact: boolean } {
  const q = n / d;
  const r = n % d;
  if (r === 0n) return { q, inexact: false };
  const twice = 2n * r;
  let up: boolean;
  switch (rm) {
    case RNE: up = twice > d || (twice === d && (q & ONE) === ONE); break;
    case RTZ: up = false; break;
    case RDN: up = sign === 1; break;
    case RUP: up = sign === 0; break;
    case RMM: up = twice >= d; break;
    default: throw new Error('bad rm ' + rm);
  }
  return { q: up ? q + ONE : q, inexact: true };
}

/** floor(log2(n/d)) for n, d > 0 */
function log2Floor(n: bigint, d: bigint): number {
  let e = bitLength(n) - bitLength(d);
  const ge = (k: number): boolean => (k >= 0 ? n >= d << BigInt(k) : n << BigInt(-k) >= d);
  if (!ge(e)) e--;
  return e;
}

/** Divides n/d by 2^q exactly as a new (n, d) pair. */
function scale(n: bigint, d: bigint, q: number): [bigint, bigint] {
  return q >= 0 ? [n, d << BigInt(q)] : [n << BigInt(-q), d];
}

/**
 * Correctly rounds the exact positive value n/d (times (-1)^sign) to format f.
 * Tininess is detected after rounding (RISC-V); UF is raised only when the
 * result is tiny and inexact.
 */
export function roundToFormat(sign: number, n: bigint, d: bigint, f: FloatFormat, rm: number): Result {
  if (n === 0n) return { bits: packZero(sign, f), flags: 0 };
  const E = log2Floor(n, d);
  // unbounded-exponent rounding, to decide tininess after rounding
  const qU = E - (f.p - 1);
  const unb = roundQuotient(...scale(n, d, qU), rm, sign);
  const eAfter = unb.q >= ONE << BigInt(f.p) ? E + 1 : E;
  const tiny = eAfter < f.emin;

  const q = Math.max(E, f.emin) - (f.p - 1);
  const r = roundQuotient(...scale(n, d, q), rm, sign);
  let m = r.q;
  let qq = q;
  if (m >= ONE << BigInt(f.p)) {
    m >>= ONE;
    qq += 1;
  }
  let flags = r.inexact ? NX : 0;
  if (tiny && r.inexact) flags |= UF;
  if (m === 0n) return { bits: packZero(sign, f), flags };
  const topExp = qq + (f.p - 1);
  if (topExp > f.emax) {
    flags |= OF | NX;
    const toInf = rm === RNE || rm === RMM || (rm === RUP && sign === 0) || (rm === RDN && sign === 1);
    return { bits: toInf ? packInf(sign, f) : packMaxFinite(sign, f), flags };
  }
  const signBit = BigInt(sign) << BigInt(f.width - 1);
  if (m < ONE << BigInt(f.p - 1)) {
    // subnormal: biased exponent 0
    return { bits: signBit | m, flags };
  }
  const biased = BigInt(topExp + f.bias);
  return { bits: signBit | (biased << BigInt(fracBits(f))) | (m & mask(fracBits(f))), flags };
}

/** Signed exact value of a finite operand as (numerator, denominator). */
function exact(d: Decoded): [bigint, bigint] {
  const v = d.sign ? -d.sig : d.sig;
  return d.exp >= 0 ? [v << BigInt(d.exp), ONE] : [v, ONE << BigInt(-d.exp)];
}

function nanResult(f: FloatFormat, ops: Decoded[], extraInvalid = false): Result {
  const inv = extraInvalid || ops.some((o) => o.kind === 'snan');
  return { bits: canonicalNaN(f), flags: inv ? NV : 0 };
}

function roundSigned(n: bigint, d: bigint, f: FloatFormat, rm: number): Result {
  return n < 0n ? roundToFormat(1, -n, d, f, rm) : roundToFormat(0, n, d, f, rm);
}

/** Sign of an exact zero sum: x + (-x) is +0 except under RDN. */
function zeroSumSign(signA: number, signB: number, rm: number): number {
  if (signA === signB) return signA;
  return rm === RDN ? 1 : 0;
}

/** a + b where b may already be negated by the caller */
function addDecoded(a: Decoded, b: Decoded, f: FloatFormat, rm: number): Result {
  if (isNaN_(a) || isNaN_(b)) return nanResult(f, [a, b]);
  if (a.kind === 'inf' && b.kind === 'inf') {
    return a.sign === b.sign ? { bits: packInf(a.sign, f), flags: 0 } : { bits: canonicalNaN(f), flags: NV };
  }
  if (a.kind === 'inf') return { bits: packInf(a.sign, f), flags: 0 };
  if (b.kind === 'inf') return { bits: packInf(b.sign, f), flags: 0 };
  if (a.kind === 'zero' && b.kind === 'zero') return { bits: packZero(zeroSumSign(a.sign, b.sign, rm), f), flags: 0 };
  const [an, ad] = a.kind === 'zero' ? [0n, ONE] : exact(a);
  const [bn, bd] = b.kind === 'zero' ? [0n, ONE] : exact(b);
  const n = an * bd + bn * ad;
  const d = ad * bd;
  if (n === 0n) return { bits: packZero(rm === RDN ? 1 : 0, f), flags: 0 };
  return roundSigned(n, d, f, rm);
}

function negate(d: Decoded): Decoded {
  return { ...d, sign: d.sign ^ 1 };
}

export function fadd(a: bigint, b: bigint, f: FloatFormat, rm: number): Result {
  return addDecoded(decode(a, f), decode(b, f), f, rm);
}

export function fsub(a: bigint, b: bigint, f: FloatFormat, rm: number): Result {
  return addDecoded(decode(a, f), negate(decode(b, f)), f, rm);
}

export function fmul(a: bigint, b: bigint, f: FloatFormat, rm: number): Result {
  const x = decode(a, f), y = decode(b, f);
  const sign = x.sign ^ y.sign;
  if (isNaN_(x) || isNaN_(y)) return nanResult(f, [x, y]);
  if ((x.kind === 'inf' && y.kind === 'zero') || (x.kind === 'zero' && y.kind === 'inf')) return nanResult(f, [], true);
  if (x.kind === 'inf' || y.kind === 'inf') return { bits: packInf(sign, f), flags: 0 };
  if (x.kind === 'zero' || y.kind === 'zero') return { bits: packZero(sign, f), flags: 0 };
  const [xn, xd] = exact(x), [yn, yd] = exact(y);
  return roundSigned(xn * yn, xd * yd, f, rm);
}

export function fdiv(a: bigint, b: bigint, f: FloatFormat, rm: number): Result {
  const x = decode(a, f), y = decode(b, f);
  const sign = x.sign ^ y.sign;
  if (isNaN_(x) || isNaN_(y)) return nanResult(f, [x, y]);
  if (x.kind === 'inf' && y.kind === 'inf') return nanResult(f, [], true);
  if (x.kind === 'zero' && y.kind === 'zero') return nanResult(f, [], true);
  if (x.kind === 'inf') return { bits: packInf(sign, f), flags: 0 };
  if (y.kind === 'inf') return { bits: packZero(sign, f), flags: 0 };
  if (y.kind === 'zero') return { bits: packInf(sign, f), flags: DZ };
  if (x.kind === 'zero') return { bits: packZero(sign, f), flags: 0 };
  const [xn, xd] = exact(x), [yn, yd] = exact(y);
  const n = xn * yd, d = xd * yn;
  return d < 0n ? roundSigned(-n, -d, f, rm) : roundSigned(n, d, f, rm);
}

function isqrt(n: bigint): bigint {
  if (n < 2n) return n;
  let x = ONE << BigInt(Math.ceil(bitLength(n) / 2));
  for (;;) {
    const y = (x + n / x) >> ONE;
    if (y >= x) return x;
    x = y;
  }
}

export function fsqrt(a: bigint, f: FloatFormat, rm: number): Result {
  const x = decode(a, f);
  if (isNaN_(x)) return nanResult(f, [x]);
  if (x.kind === 'zero') return { bits: packZero(x.sign, f), flags: 0 };
  if (x.sign === 1) return nanResult(f, [], true);
  if (x.kind === 'inf') return { bits: packInf(0, f), flags: 0 };
  let sig = x.sig, exp = x.exp;
  if (exp % 2 !== 0) {
    sig <<= ONE;
    exp -= 1;
  }
  // scale by 4^k so the integer root has well over p+2 bits
  const k = Math.max(0, Math.ceil((2 * f.p + 8 - bitLength(sig)) / 2));
  const radicand = sig << BigInt(2 * k);
  const s = isqrt(radicand);
  const e = exp / 2 - k;
  // inexact roots are irrational: s + 1/2 lies in the same rounding interval
  const [n, d] = s * s === radicand ? [s, ONE] : [2n * s + ONE, 2n];
  const [n2, d2] = e >= 0 ? [n << BigInt(e), d] : [n, d << BigInt(-e)];
  return roundToFormat(0, n2, d2, f, rm);
}

/** Fused multiply-add family: (negProduct ? -1 : 1) * a * b + (negAddend ? -1 : 1) * c, one rounding. */
export function ffma(a: bigint, b: bigint, c: bigint, negProduct: boolean, negAddend: boolean, f: FloatFormat, rm: number): Result {
  const x = decode(a, f), y = decode(b, f);
  let z = decode(c, f);
  if (negAddend) z = negate(z);
  const infZero = (x.kind === 'inf' && y.kind === 'zero') || (x.kind === 'zero' && y.kind === 'inf');
  // RISC-V: inf * 0 is invalid even when the addend is a quiet NaN
  if (isNaN_(x) || isNaN_(y) || isNaN_(z)) return nanResult(f, [x, y, z], infZero);
  if (infZero) return nanResult(f, [], true);
  const pSign = x.sign ^ y.sign ^ (negProduct ? 1 : 0);
  if (x.kind === 'inf' || y.kind === 'inf') {
    if (z.kind === 'inf' && z.sign !== pSign) return nanResult(f, [], true);
    return { bits: packInf(pSign, f), flags: 0 };
  }
  if (z.kind === 'inf') return { bits: packInf(z.sign, f), flags: 0 };
  const pZero = x.kind === 'zero' || y.kind === 'zero';
  if (pZero && z.kind === 'zero') return { bits: packZero(zeroSumSign(pSign, z.sign, rm), f), flags: 0 };
  let pn = 0n, pd = ONE;
  if (!pZero) {
    const [xn, xd] = exact(x), [yn, yd] = exact(y);
    pn = xn * yn * (negProduct ? -ONE : ONE);
    pd = xd * yd;
  }
  const [zn, zd] = z.kind === 'zero' ? [0n, ONE] : exact(z);
  const n = pn * zd + zn * pd;
  const d = pd * zd;
  if (n === 0n) return { bits: packZero(rm === RDN ? 1 : 0, f), flags: 0 };
  return roundSigned(n, d, f, rm);
}

/** RISC-V fmin/fmax (spec 2.2+): -0 < +0, a single NaN operand is ignored, sNaN signals. */
export function fminmax(a: bigint, b: bigint, isMax: boolean, f: FloatFormat): Result {
  const x = decode(a, f), y = decode(b, f);
  const flags = x.kind === 'snan' || y.kind === 'snan' ? NV : 0;
  if (isNaN_(x) && isNaN_(y)) return { bits: canonicalNaN(f), flags };
  if (isNaN_(x)) return { bits: b, flags };
  if (isNaN_(y)) return { bits: a, flags };
  const c = compare(x, y);
  if (c === 0) {
    // equal values: only ±0 differ
    const pickA = isMax ? x.sign === 0 : x.sign === 1;
    return { bits: pickA ? a : b, flags };
  }
  return { bits: (c < 0) !== isMax ? a : b, flags };
}

/** Total order on non-NaN operands: -1, 0, 1 (±0 compare equal). */
function compare(x: Decoded, y: Decoded): number {
  const val = (d: Decoded): [bigint, bigint, number] => {
    if (d.kind === 'inf') return [d.sign ? -ONE : ONE, 0n, 1];
    if (d.kind === 'zero') return [0n, ONE, 0];
    const [n, dd] = exact(d);
    return [n, dd, 0];
  };
  const [xn, xd, xi] = val(x), [yn, yd, yi] = val(y);
  if (xi || yi) {
    const xs = xi ? Number(xn) * 2 : xn === 0n ? 0 : xn > 0n ? 1 : -1;
    const ys = yi ? Number(yn) * 2 : yn === 0n ? 0 : yn > 0n ? 1 : -1;
    return xs === ys ? 0 : xs < ys ? -1 : 1;
  }
  const l = xn * yd, r = yn * xd;
  return l === r ? 0 : l < r ? -1 : 1;
}

export function fcmp(a: bigint, b: bigint, op: 'eq' | 'lt' | 'le', f: FloatFormat): Result {
  const x = decode(a, f), y = decode(b, f);
  if (isNaN_(x) || isNaN_(y)) {
    const signaling = op !== 'eq' || x.kind === 'snan' || y.kind === 'snan';
    return { bits: 0n, flags: signaling ? NV : 0 };
  }
  const c = compare(x, y);
  const r = op === 'eq' ? c === 0 : op === 'lt' ? c < 0 : c <= 0;
  return { bits: r ? ONE : 0n, flags: 0 };
}

export function fclass(a: bigint, f: FloatFormat): Result {
  const x = decode(a, f);
  const subnormal = x.kind === 'finite' && ((a >> BigInt(fracBits(f))) & mask(f.expBits)) === 0n;
  let bit: number;
  switch (x.kind) {
    case 'inf': bit = x.sign ? 0 : 7; break;
    case 'zero': bit = x.sign ? 3 : 4; break;
    case 'finite': bit = x.sign ? (subnormal ? 2 : 1) : subnormal ? 5 : 6; break;
    case 'snan': bit = 8; break;
    case 'qnan': bit = 9; break;
  }
  return { bits: ONE << BigInt(bit), flags: 0 };
}

/** fcvt.{w,wu,l,lu}.{s,d}: result as the 64-bit register value (W results sign-extended). */
export function fcvtToInt(a: bigint, f: FloatFormat, intBits: 32 | 64, signed: boolean, rm: number): Result {
  const x = decode(a, f);
  const min = signed ? -(ONE << BigInt(intBits - 1)) : 0n;
  const max = signed ? (ONE << BigInt(intBits - 1)) - ONE : (ONE << BigInt(intBits)) - ONE;
  const toReg = (v: bigint): bigint => {
    const m = v & mask(intBits);
    return intBits === 32 ? BigInt.asUintN(64, BigInt.asIntN(32, m)) : m;
  };
  if (isNaN_(x)) return { bits: toReg(max), flags: NV };
  if (x.kind === 'inf') return { bits: toReg(x.sign ? min : max), flags: NV };
  if (x.kind === 'zero') return { bits: 0n, flags: 0 };
  const [n, d] = exact(x);
  const mag = roundQuotient(n < 0n ? -n : n, d, rm, x.sign);
  const v = x.sign ? -mag.q : mag.q;
  if (v < min) return { bits: toReg(min), flags: NV };
  if (v > max) return { bits: toReg(max), flags: NV };
  return { bits: toReg(v), flags: mag.inexact ? NX : 0 };
}

/** fcvt.{s,d}.{w,wu,l,lu}: x is the 64-bit source register value. */
export function fcvtFromInt(xReg: bigint, f: FloatFormat, intBits: 32 | 64, signed: boolean, rm: number): Result {
  const raw = xReg & mask(intBits);
  const v = signed ? BigInt.asIntN(intBits, raw) : raw;
  return roundSigned(v, ONE, f, rm);
}

/** fcvt.s.d / fcvt.d.s */
export function fcvtFloat(a: bigint, from: FloatFormat, to: FloatFormat, rm: number): Result {
  const x = decode(a, from);
  if (isNaN_(x)) return nanResult(to, [x]);
  if (x.kind === 'inf') return { bits: packInf(x.sign, to), flags: 0 };
  if (x.kind === 'zero') return { bits: packZero(x.sign, to), flags: 0 };
  const [n, d] = exact(x);
  return roundSigned(n, d, to, rm);
}

export function fsgnj(a: bigint, b: bigint, kind: 'j' | 'jn' | 'jx', f: FloatFormat): Result {
  const signMask = ONE << BigInt(f.width - 1);
  const sb = b & signMask;
  const s = kind === 'j' ? sb : kind === 'jn' ? sb ^ signMask : (a & signMask) ^ sb;
  return { bits: (a & ~signMask & mask(f.width)) | s, flags: 0 };
}
