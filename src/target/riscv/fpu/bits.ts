/**
 * Conversions between IEEE bit patterns and JS numbers, and classification of
 * bit patterns. Values only pass through JS numbers when they are not NaN.
 */

const scratchF32 = new Float32Array(1);
const scratchI32 = new Int32Array(scratchF32.buffer);
const scratchF64 = new Float64Array(1);
const scratchF64Words = new Int32Array(scratchF64.buffer);

/** Value of a single given by its bits (must not be a NaN pattern). */
export function singleValue(bits: number): number {
  scratchI32[0] = bits;
  return scratchF32[0];
}

/** Bits (signed 32-bit) of a number that is exactly representable as a single. */
export function singleBits(value: number): number {
  scratchF32[0] = value;
  return scratchI32[0];
}

/** High word (sign, exponent, top of fraction) of a double. */
export function doubleHighWord(value: number): number {
  scratchF64[0] = value;
  return scratchF64Words[1];
}

/** Low word of a double. */
export function doubleLowWord(value: number): number {
  scratchF64[0] = value;
  return scratchF64Words[0];
}

/** True when single bits encode a NaN. */
export function isNanS(bits: number): boolean {
  return (bits & 0x7fffffff) > 0x7f800000;
}

/** True when single bits encode a signalling NaN (quiet bit clear). */
export function isSignalingNanS(bits: number): boolean {
  return isNanS(bits) && (bits & 0x00400000) === 0;
}

/** True when a double given by its halves is a NaN. */
export function isNanD(hi: number, lo: number): boolean {
  const mag = hi & 0x7fffffff;
  return mag > 0x7ff00000 || (mag === 0x7ff00000 && lo !== 0);
}

/** True when a double given by its halves is a signalling NaN. */
export function isSignalingNanD(hi: number, lo: number): boolean {
  return isNanD(hi, lo) && (hi & 0x00080000) === 0;
}

/** fclass bit numbers (the result is 1 << class). */
export const enum FClass {
  NegInf = 0,
  NegNormal = 1,
  NegSubnormal = 2,
  NegZero = 3,
  PosZero = 4,
  PosSubnormal = 5,
  PosNormal = 6,
  PosInf = 7,
  SignalingNan = 8,
  QuietNan = 9,
}

/** fclass of a single's bits. */
export function classifySingle(bits: number): FClass {
  const negative = bits < 0;
  const exp = (bits >>> 23) & 0xff;
  const frac = bits & 0x7fffff;
  if (exp === 0xff) {
    if (frac !== 0) return (frac & 0x400000) !== 0 ? FClass.QuietNan : FClass.SignalingNan;
    return negative ? FClass.NegInf : FClass.PosInf;
  }
  if (exp === 0) {
    if (frac === 0) return negative ? FClass.NegZero : FClass.PosZero;
    return negative ? FClass.NegSubnormal : FClass.PosSubnormal;
  }
  return negative ? FClass.NegNormal : FClass.PosNormal;
}

/** fclass of a double given by its halves. */
export function classifyDouble(hi: number, lo: number): FClass {
  const negative = hi < 0;
  const exp = (hi >>> 20) & 0x7ff;
  const fracNonZero = (hi & 0xfffff) !== 0 || lo !== 0;
  if (exp === 0x7ff) {
    if (fracNonZero) return (hi & 0x80000) !== 0 ? FClass.QuietNan : FClass.SignalingNan;
    return negative ? FClass.NegInf : FClass.PosInf;
  }
  if (exp === 0) {
    if (!fracNonZero) return negative ? FClass.NegZero : FClass.PosZero;
    return negative ? FClass.NegSubnormal : FClass.PosSubnormal;
  }
  return negative ? FClass.NegNormal : FClass.PosNormal;
}
