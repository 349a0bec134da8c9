/**
 * Differential test: the public functions (fast paths with exact fallback)
 * against the exact BigInt reference on pseudo-random operands shaped to hit
 * the fast paths' delicate cases: ties, cancellation, products close to the
 * addend, squares, single rounding points inside doubles, long integers.
 * The reference itself is checked against QEMU in exact-reference.unit.spec.ts.
 *
 * FPU_DIFF_TUPLES=<n> raises the number of operand tuples per instruction.
 */
import { expect } from 'chai';
import { newState, run, type Outcome } from './harness.js';
import { REFERENCE } from './reference-ops.js';
import { OPS, type Vector } from './vector-file.js';

const TUPLES = Number(process.env['FPU_DIFF_TUPLES'] ?? 2000);

/** xorshift32: deterministic, so failures reproduce. */
class Rng {
  constructor(private state: number) {}
  next(): number {
    let x = this.state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.state = x;
    return x >>> 0;
  }
  below(n: number): number {
    return this.next() % n;
  }
  bits(width: number): bigint {
    let v = 0n;
    for (let got = 0; got < width; got += 32) v = (v << 32n) | BigInt(this.next());
    return BigInt.asUintN(width, v);
  }
}

/** Significand fraction bits with shapes that make ties and exact results likely. */
function fraction(rng: Rng, width: number): bigint {
  const all = (1n << BigInt(width)) - 1n;
  const position = BigInt(rng.below(width));
  switch (rng.below(5)) {
    case 0:
      return rng.bits(width) & ~((1n << position) - 1n); // trailing zeros
    case 1:
      return all ^ (1n << position); // nearly all ones
    case 2:
      return (1n << position) | (rng.bits(width) & 1n); // sparse
    default:
      return rng.bits(width);
  }
}

interface Format {
  readonly width: 32 | 64;
  readonly fractionBits: number;
  readonly bias: number;
  readonly maxExp: number;
}
const S: Format = { width: 32, fractionBits: 23, bias: 127, maxExp: 255 };
const D: Format = { width: 64, fractionBits: 52, bias: 1023, maxExp: 2047 };

function pack(fmt: Format, sign: number, exp: number, frac: bigint): bigint {
  const e = Math.max(0, Math.min(fmt.maxExp - 1, exp));
  const bits = (BigInt(sign) << BigInt(fmt.width - 1)) | (BigInt(e) << BigInt(fmt.fractionBits)) | frac;
  return fmt.width === 32 ? 0xffffffff00000000n | bits : bits;
}

function exponentOf(fmt: Format, bits: bigint): number {
  return Number((BigInt.asUintN(fmt.width, bits) >> BigInt(fmt.fractionBits)) & BigInt(fmt.maxExp));
}

/** A random value: usually of moderate magnitude, sometimes anywhere. */
function value(rng: Rng, fmt: Format, nearExp?: number): bigint {
  const exp =
    nearExp !== undefined
      ? nearExp
      : rng.below(4) === 0
        ? 1 + rng.below(fmt.maxExp - 1)
        : fmt.bias - 12 + rng.below(25);
  return pack(fmt, rng.below(2), exp, fraction(rng, fmt.fractionBits));
}

/** Same magnitude as `bits` with the low bits disturbed and the sign chosen at random. */
function near(rng: Rng, fmt: Format, bits: bigint): bigint {
  const flipped = bits ^ BigInt(rng.below(8)) ^ (BigInt(rng.below(2)) << BigInt(fmt.width - 1));
  return fmt.width === 32 ? 0xffffffff00000000n | BigInt.asUintN(32, flipped) : BigInt.asUintN(64, flipped);
}

function asNumber(fmt: Format, bits: bigint): number {
  const view = new DataView(new ArrayBuffer(8));
  if (fmt.width === 32) {
    view.setUint32(0, Number(bits & 0xffffffffn));
    return view.getFloat32(0);
  }
  view.setBigUint64(0, bits);
  return view.getFloat64(0);
}

function fromNumber(fmt: Format, v: number): bigint {
  const view = new DataView(new ArrayBuffer(8));
  if (fmt.width === 32) {
    view.setFloat32(0, v);
    return 0xffffffff00000000n | BigInt(view.getUint32(0));
  }
  view.setFloat64(0, v);
  return view.getBigUint64(0);
}

function binaryTuple(rng: Rng, fmt: Format): bigint[] {
  const a = value(rng, fmt);
  const ea = exponentOf(fmt, a);
  switch (rng.below(4)) {
    case 0:
      return [a, near(rng, fmt, a)]; // cancellation, exact quotients near 1
    case 1:
      return [a, value(rng, fmt, ea - fmt.fractionBits - 1 + rng.below(4))]; // ties in sums
    case 2:
      return [a, value(rng, fmt, fmt.bias - (ea - fmt.bias) + rng.below(3) - 1)]; // products near 1
    default:
      return [a, value(rng, fmt)];
  }
}

function fmaTuple(rng: Rng, fmt: Format): bigint[] {
  const a = value(rng, fmt);
  const b = value(rng, fmt);
  const product = asNumber(fmt, a) * asNumber(fmt, b);
  const p = fromNumber(fmt, fmt.width === 32 ? Math.fround(product) : product);
  switch (rng.below(4)) {
    case 0:
      return [a, b, near(rng, fmt, p)]; // massive cancellation
    case 1:
      return [a, b, value(rng, fmt, exponentOf(fmt, p) - fmt.fractionBits - 1 + rng.below(4))];
    case 2:
      return [a, b, value(rng, fmt, exponentOf(fmt, p) + rng.below(3) - 1)];
    default:
      return [a, b, value(rng, fmt)];
  }
}

function sqrtTuple(rng: Rng, fmt: Format): bigint[] {
  const positive = ~(1n << BigInt(fmt.width - 1));
  if (rng.below(2) === 0) return [value(rng, fmt) & positive];
  // Squares of short significands (exact roots) and their neighbours (near ties).
  const short = fraction(rng, fmt.fractionBits) & ~((1n << BigInt(Math.floor(fmt.fractionBits / 2) + 1)) - 1n);
  const root = asNumber(fmt, pack(fmt, 0, fmt.bias - 20 + rng.below(40), short));
  const square = root * root;
  return [near(rng, fmt, fromNumber(fmt, fmt.width === 32 ? Math.fround(square) : square)) & positive];
}

/** Doubles whose bits below single precision sit at or next to a single rounding point. */
function narrowingTuple(rng: Rng): bigint[] {
  const tail = [0x10000000n, 0x0fffffffn, 0x10000001n, 0n, rng.bits(29)][rng.below(5)]!;
  const exp = rng.below(3) === 0 ? 1023 - 126 - rng.below(26) : 1023 - 30 + rng.below(60);
  return [pack(D, rng.below(2), exp, (rng.bits(52) & ~0x1fffffffn) | tail)];
}

function integerTuple(rng: Rng): bigint[] {
  const length = 1 + rng.below(64);
  let v = (1n << BigInt(length - 1)) | (fraction(rng, 63) & ((1n << BigInt(length)) - 1n));
  if (rng.below(3) === 0) v = BigInt.asUintN(64, -v);
  return [v];
}

function tupleFor(op: string, rng: Rng): bigint[] {
  const fmt = op.endsWith('.s') || op === 'fcvt.d.s' ? S : D;
  if (op === 'fcvt.s.d') return narrowingTuple(rng);
  if (op === 'fcvt.d.s') return [value(rng, S)];
  if (op.startsWith('fcvt.')) return integerTuple(rng);
  if (op.startsWith('fsqrt')) return sqrtTuple(rng, fmt);
  if (op.includes('madd') || op.includes('msub')) return fmaTuple(rng, fmt);
  return binaryTuple(rng, fmt);
}

function same(a: Outcome, b: Outcome): boolean {
  return a.accepted === b.accepted && a.value === b.value && a.flags === b.flags;
}

describe('fpu: fast paths agree with the exact reference on random operands', function () {
  for (const [op, reference] of Object.entries(REFERENCE)) {
    it(`${op} (${TUPLES} tuples x 5 rounding modes)`, function () {
      const shape = OPS[op]!;
      const rng = new Rng(0x2545f491 ^ op.length * 7919 ^ op.charCodeAt(1) * 31 ^ op.charCodeAt(op.length - 1));
      const s = newState();
      const failures: string[] = [];
      for (let i = 0; i < TUPLES; i++) {
        const operands = tupleFor(op, rng);
        const vector: Vector = { op, operands, results: [], line: `${op} ${operands.map((v) => v.toString(16)).join(' ')}` };
        for (let rm = 0; rm < 5; rm++) {
          const fast = run(s, shape, vector, rm, false, false);
          const exact = run(s, shape, vector, rm, false, false, reference);
          if (!same(fast, exact)) {
            failures.push(
              `${vector.line} rm=${rm}: exact ${exact.value.toString(16)}:${exact.flags.toString(16)}` +
                ` fast ${fast.value.toString(16)}:${fast.flags.toString(16)}`,
            );
          }
        }
      }
      expect(failures.length, failures.slice(0, 12).join('\n  ')).to.equal(0);
    });
  }
});
