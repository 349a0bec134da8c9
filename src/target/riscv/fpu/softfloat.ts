/**
 * Exact IEEE-754 binary32/binary64 arithmetic on bit patterns, with BigInt
 * significands. This is the reference implementation: every operation
 * computes the exact result (or an exact quotient/root plus a sticky bit) and
 * rounds it once, in `roundPack`, following RISC-V/QEMU rules: tininess is
 * detected after rounding, underflow is only raised when the result is also
 * inexact, and every NaN result is the canonical NaN.
 *
 * It is slow (BigInt) and only runs when a fast path in the other files
 * cannot decide a result cheaply (NaNs, infinities, overflow/underflow edges,
 * RMM, ...). Bit patterns are unsigned BigInts of the format's width.
 */
import { FFLAG_DZ, FFLAG_NV, FFLAG_NX, FFLAG_OF, FFLAG_UF, RM_RDN, RM_RMM, RM_RNE, RM_RUP } from './flags.js';

export interface FloatFormat {
  /** Significand bits including the hidden bit (24 or 53). */
  readonly precision: number;
  readonly exponentBits: number;
  readonly bias: number;
  /** Smallest normal exponent (1 - bias). */
  readonly emin: number;
  /** Largest finite exponent (bias). */
  readonly emax: number;
}

export const SINGLE: FloatFormat = { precision: 24, exponentBits: 8, bias: 127, emin: -126, emax: 127 };
export const DOUBLE: FloatFormat = { precision: 53, exponentBits: 11, bias: 1023, emin: -1022, emax: 1023 };
/** IEEE binary16 (Zfhmin's conversions). */
export const HALF: FloatFormat = { precision: 11, exponentBits: 5, bias: 15, emin: -14, emax: 15 };

/** Exception flags collected by one operation. */
export interface FlagSink {
  flags: number;
}

const enum Kind {
  Zero,
  Finite,
  Infinity,
  QuietNan,
  SignalingNan,
}

/** A decoded operand: for Finite, value = (-1)^sign * mant * 2^exp. */
interface Unpacked {
  readonly kind: Kind;
  readonly sign: number;
  readonly mant: bigint;
  readonly exp: number;
}

function fractionBits(fmt: FloatFormat): number {
  return fmt.precision - 1;
}

function signShift(fmt: FloatFormat): bigint {
  return BigInt(fmt.exponentBits + fmt.precision - 1);
}

/** Number of significant bits of a positive BigInt. */
function bitLength(x: bigint): number {
  if (x === 0n) return 0;
  const hex = x.toString(16);
  return (hex.length - 1) * 4 + (32 - Math.clz32(parseInt(hex[0] ?? '0', 16)));
}

function unpack(bits: bigint, fmt: FloatFormat): Unpacked {
  const fracBits = fractionBits(fmt);
  const sign = Number(bits >> signShift(fmt)) & 1;
  const expMask = (1 << fmt.exponentBits) - 1;
  const biased = Number(bits >> BigInt(fracBits)) & expMask;
  const frac = bits & ((1n << BigInt(fracBits)) - 1n);
  if (biased === expMask) {
    if (frac === 0n) return { kind: Kind.Infinity, sign, mant: 0n, exp: 0 };
    const quiet = (frac >> BigInt(fracBits - 1)) & 1n;
    return { kind: quiet === 1n ? Kind.QuietNan : Kind.SignalingNan, sign, mant: 0n, exp: 0 };
  }
  if (biased === 0) {
    if (frac === 0n) return { kind: Kind.Zero, sign, mant: 0n, exp: 0 };
    return { kind: Kind.Finite, sign, mant: frac, exp: fmt.emin - fracBits };
  }
  return { kind: Kind.Finite, sign, mant: frac | (1n << BigInt(fracBits)), exp: biased - fmt.bias - fracBits };
}

function isNan(u: Unpacked): boolean {
  return u.kind === Kind.QuietNan || u.kind === Kind.SignalingNan;
}

function canonicalNan(fmt: FloatFormat): bigint {
  const expMask = (1n << BigInt(fmt.exponentBits)) - 1n;
  const fracBits = BigInt(fractionBits(fmt));
  return (expMask << fracBits) | (1n << (fracBits - 1n));
}

function packZero(sign: number, fmt: FloatFormat): bigint {
  return BigInt(sign) << signShift(fmt);
}

function packInfinity(sign: number, fmt: FloatFormat): bigint {
  const expMask = (1n << BigInt(fmt.exponentBits)) - 1n;
  return (BigInt(sign) << signShift(fmt)) | (expMask << BigInt(fractionBits(fmt)));
}

function packMaxFinite(sign: number, fmt: FloatFormat): bigint {
  return packInfinity(sign, fmt) - 1n;
}

/** Canonical NaN, raising NV when any operand is a signalling NaN. */
function nanResult(fmt: FloatFormat, sink: FlagSink, ...operands: Unpacked[]): bigint {
  if (operands.some((u) => u.kind === Kind.SignalingNan)) sink.flags |= FFLAG_NV;
  return canonicalNan(fmt);
}

function invalid(fmt: FloatFormat, sink: FlagSink): bigint {
  sink.flags |= FFLAG_NV;
  return canonicalNan(fmt);
}

/**
 * mant >> shift rounded per rm (for a value of the given sign); reports
 * whether any discarded bit was set.
 */
function shiftRound(mant: bigint, shift: number, negative: boolean, rm: number): { q: bigint; inexact: boolean } {
  if (shift <= 0) return { q: mant << BigInt(-shift), inexact: false };
  const bigShift = BigInt(shift);
  const q = mant >> bigShift;
  const rem = mant - (q << bigShift);
  if (rem === 0n) return { q, inexact: false };
  const half = 1n << (bigShift - 1n);
  let up: boolean;
  switch (rm) {
    case RM_RNE:
      up = rem > half || (rem === half && (q & 1n) === 1n);
      break;
    case RM_RMM:
      up = rem >= half;
      break;
    case RM_RDN:
      up = negative;
      break;
    case RM_RUP:
      up = !negative;
      break;
    default: // RTZ
      up = false;
  }
  return { q: up ? q + 1n : q, inexact: true };
}

function overflowResult(negative: boolean, fmt: FloatFormat, rm: number): bigint {
  const sign = negative ? 1 : 0;
  const toInfinity = rm === RM_RNE || rm === RM_RMM || (rm === RM_RDN && negative) || (rm === RM_RUP && !negative);
  return toInfinity ? packInfinity(sign, fmt) : packMaxFinite(sign, fmt);
}

/**
 * Rounds the exact value (-1)^negative * mant * 2^exp (mant > 0) to the format.
 * An inexact exact value must be given with at least precision+2 significant
 * bits and a sticky bit ORed into its lowest bit.
 */
function roundPack(negative: boolean, mant: bigint, exp: number, fmt: FloatFormat, rm: number, sink: FlagSink): bigint {
  const p = fmt.precision;
  const top = exp + bitLength(mant) - 1; // value lies in [2^top, 2^(top+1))
  let lsb = Math.max(top, fmt.emin) - (p - 1); // subnormals share emin's quantum
  const rounded = shiftRound(mant, lsb - exp, negative, rm);
  let q = rounded.q;
  if (q === 1n << BigInt(p)) {
    q >>= 1n;
    lsb += 1;
  }
  if (q !== 0n && lsb + bitLength(q) - 1 > fmt.emax) {
    sink.flags |= FFLAG_OF | FFLAG_NX;
    return overflowResult(negative, fmt, rm);
  }
  if (rounded.inexact) {
    sink.flags |= FFLAG_NX;
    if (top < fmt.emin && isTinyAfterRounding(negative, mant, exp, top, fmt, rm)) sink.flags |= FFLAG_UF;
  }
  const sign = BigInt(negative ? 1 : 0) << signShift(fmt);
  const hidden = 1n << BigInt(p - 1);
  if (q < hidden) return sign | q; // subnormal or zero: biased exponent 0
  const biased = BigInt(lsb + (p - 1) + fmt.bias);
  return sign | (biased << BigInt(p - 1)) | (q - hidden);
}

/** Tiny after rounding: rounding to full precision with unbounded exponent stays below 2^emin. */
function isTinyAfterRounding(negative: boolean, mant: bigint, exp: number, top: number, fmt: FloatFormat, rm: number): boolean {
  if (top < fmt.emin - 1) return true;
  const { q } = shiftRound(mant, top - (fmt.precision - 1) - exp, negative, rm);
  return q !== 1n << BigInt(fmt.precision);
}

/** Exact sum of two finite (possibly zero) signed values, rounded once. */
function addFinite(
  signA: number,
  mantA: bigint,
  expA: number,
  signB: number,
  mantB: bigint,
  expB: number,
  fmt: FloatFormat,
  rm: number,
  sink: FlagSink,
): bigint {
  if (mantA === 0n && mantB === 0n) return packZero(signA === signB ? signA : rm === RM_RDN ? 1 : 0, fmt);
  const exp = Math.min(mantA === 0n ? expB : expA, mantB === 0n ? expA : expB);
  const a = mantA << BigInt(Math.max(0, expA - exp));
  const b = mantB << BigInt(Math.max(0, expB - exp));
  const sum = (signA === 1 ? -a : a) + (signB === 1 ? -b : b);
  // An exact zero from opposite signs is +0, except -0 when rounding down.
  if (sum === 0n) return packZero(rm === RM_RDN ? 1 : 0, fmt);
  return roundPack(sum < 0n, sum < 0n ? -sum : sum, exp, fmt, rm, sink);
}

export function add(aBits: bigint, bBits: bigint, fmt: FloatFormat, rm: number, sink: FlagSink): bigint {
  const a = unpack(aBits, fmt);
  const b = unpack(bBits, fmt);
  if (isNan(a) || isNan(b)) return nanResult(fmt, sink, a, b);
  if (a.kind === Kind.Infinity) {
    if (b.kind === Kind.Infinity && a.sign !== b.sign) return invalid(fmt, sink);
    return packInfinity(a.sign, fmt);
  }
  if (b.kind === Kind.Infinity) return packInfinity(b.sign, fmt);
  return addFinite(a.sign, a.mant, a.exp, b.sign, b.mant, b.exp, fmt, rm, sink);
}

export function mul(aBits: bigint, bBits: bigint, fmt: FloatFormat, rm: number, sink: FlagSink): bigint {
  const a = unpack(aBits, fmt);
  const b = unpack(bBits, fmt);
  if (isNan(a) || isNan(b)) return nanResult(fmt, sink, a, b);
  const sign = a.sign ^ b.sign;
  if (a.kind === Kind.Infinity || b.kind === Kind.Infinity) {
    if (a.kind === Kind.Zero || b.kind === Kind.Zero) return invalid(fmt, sink);
    return packInfinity(sign, fmt);
  }
  if (a.kind === Kind.Zero || b.kind === Kind.Zero) return packZero(sign, fmt);
  return roundPack(sign === 1, a.mant * b.mant, a.exp + b.exp, fmt, rm, sink);
}

export function div(aBits: bigint, bBits: bigint, fmt: FloatFormat, rm: number, sink: FlagSink): bigint {
  const a = unpack(aBits, fmt);
  const b = unpack(bBits, fmt);
  if (isNan(a) || isNan(b)) return nanResult(fmt, sink, a, b);
  const sign = a.sign ^ b.sign;
  if (a.kind === Kind.Infinity) {
    if (b.kind === Kind.Infinity) return invalid(fmt, sink);
    return packInfinity(sign, fmt);
  }
  if (b.kind === Kind.Infinity) return packZero(sign, fmt);
  if (b.kind === Kind.Zero) {
    if (a.kind === Kind.Zero) return invalid(fmt, sink);
    sink.flags |= FFLAG_DZ;
    return packInfinity(sign, fmt);
  }
  if (a.kind === Kind.Zero) return packZero(sign, fmt);
  // Quotient with at least precision+3 bits, plus a sticky bit for the remainder.
  const shift = Math.max(0, fmt.precision + 3 + bitLength(b.mant) - bitLength(a.mant));
  const num = a.mant << BigInt(shift);
  const q = num / b.mant;
  const sticky = num % b.mant === 0n ? 0n : 1n;
  return roundPack(sign === 1, (q << 1n) | sticky, a.exp - b.exp - shift - 1, fmt, rm, sink);
}

/** Floor of the square root of n >= 0 (Newton's method from an upper bound). */
function isqrt(n: bigint): bigint {
  if (n < 2n) return n;
  let x = 1n << BigInt((bitLength(n) >> 1) + 1);
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) return x;
    x = y;
  }
}

export function sqrt(aBits: bigint, fmt: FloatFormat, rm: number, sink: FlagSink): bigint {
  const a = unpack(aBits, fmt);
  if (isNan(a)) return nanResult(fmt, sink, a);
  if (a.kind === Kind.Zero) return packZero(a.sign, fmt);
  if (a.sign === 1) return invalid(fmt, sink);
  if (a.kind === Kind.Infinity) return packInfinity(0, fmt);
  let mant = a.mant;
  let exp = a.exp;
  if ((exp & 1) !== 0) {
    mant <<= 1n;
    exp -= 1;
  }
  // Scale so the root has at least precision+3 bits.
  const pairs = Math.max(0, Math.ceil((2 * (fmt.precision + 3) - bitLength(mant)) / 2));
  mant <<= BigInt(2 * pairs);
  exp -= 2 * pairs;
  const root = isqrt(mant);
  const sticky = root * root === mant ? 0n : 1n;
  return roundPack(false, (root << 1n) | sticky, exp / 2 - 1, fmt, rm, sink);
}

/** a*b + c with a single rounding (negated variants pass operands with flipped signs). */
export function fma(aBits: bigint, bBits: bigint, cBits: bigint, fmt: FloatFormat, rm: number, sink: FlagSink): bigint {
  const a = unpack(aBits, fmt);
  const b = unpack(bBits, fmt);
  const c = unpack(cBits, fmt);
  const infTimesZero =
    (a.kind === Kind.Infinity && b.kind === Kind.Zero) || (a.kind === Kind.Zero && b.kind === Kind.Infinity);
  if (isNan(a) || isNan(b) || isNan(c)) {
    // RISC-V (as QEMU): Inf*0 is invalid even when the addend is a quiet NaN.
    if (infTimesZero) sink.flags |= FFLAG_NV;
    return nanResult(fmt, sink, a, b, c);
  }
  if (infTimesZero) return invalid(fmt, sink);
  const productSign = a.sign ^ b.sign;
  const productInfinite = a.kind === Kind.Infinity || b.kind === Kind.Infinity;
  if (productInfinite || c.kind === Kind.Infinity) {
    if (productInfinite && c.kind === Kind.Infinity && productSign !== c.sign) return invalid(fmt, sink);
    return packInfinity(productInfinite ? productSign : c.sign, fmt);
  }
  return addFinite(productSign, a.mant * b.mant, a.exp + b.exp, c.sign, c.mant, c.exp, fmt, rm, sink);
}

/** Converts between formats (narrowing rounds; widening is exact). */
export function convert(aBits: bigint, from: FloatFormat, to: FloatFormat, rm: number, sink: FlagSink): bigint {
  const a = unpack(aBits, from);
  if (isNan(a)) return nanResult(to, sink, a);
  if (a.kind === Kind.Infinity) return packInfinity(a.sign, to);
  if (a.kind === Kind.Zero) return packZero(a.sign, to);
  return roundPack(a.sign === 1, a.mant, a.exp, to, rm, sink);
}

/** Converts an exact integer to the format. */
export function fromInteger(value: bigint, fmt: FloatFormat, rm: number, sink: FlagSink): bigint {
  if (value === 0n) return packZero(0, fmt);
  return roundPack(value < 0n, value < 0n ? -value : value, 0, fmt, rm, sink);
}
