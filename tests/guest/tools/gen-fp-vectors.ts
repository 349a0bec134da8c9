/**
 * Generates tests/guest/src/gen/fp_vectors_{s,d}.h: F and D test vectors whose
 * expected results and fflags come from the exact reference model in
 * softfloat-ref.ts. Run after `npm run build`:
 *   node dist/tests/guest/tools/gen-fp-vectors.js tests/guest/src/gen
 * The op numbering must match tests/guest/src/common/fp_runner.h.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  F32, F64, RNE, RTZ, RDN, RUP, RMM, fadd, fsub, fmul, fdiv, fsqrt, ffma, fminmax, fcmp, fclass, fcvtToInt,
  fcvtFromInt, fcvtFloat, fsgnj, type FloatFormat, type Result,
} from './softfloat-ref.js';

export const OPS = [
  'fadd', 'fsub', 'fmul', 'fdiv', 'fsqrt', 'fmadd', 'fmsub', 'fnmsub', 'fnmadd', 'fmin', 'fmax', 'fsgnj',
  'fsgnjn', 'fsgnjx', 'feq', 'flt', 'fle', 'fclass', 'fcvt_w', 'fcvt_wu', 'fcvt_l', 'fcvt_lu', 'fcvt_f_w',
  'fcvt_f_wu', 'fcvt_f_l', 'fcvt_f_lu', 'fcvt_f_f', 'fmv_x_f', 'fmv_f_x',
] as const;
type Op = (typeof OPS)[number];

/** rm encoding in the table: 0..4 = static rounding mode in the instruction, 8+k = dyn with frm = k */
const DYN = 8;
const ALL_RM = [RNE, RTZ, RDN, RUP, RMM];

interface Vector {
  op: Op;
  rm: number;
  a: bigint;
  b: bigint;
  c: bigint;
  r: Result;
}

/** Deterministic xorshift32 so regenerating gives identical files. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
}

function f32(x: number): bigint {
  const b = Buffer.alloc(4);
  b.writeFloatBE(x);
  return BigInt(b.readUInt32BE());
}

function f64(x: number): bigint {
  const b = Buffer.alloc(8);
  b.writeDoubleBE(x);
  return b.readBigUInt64BE();
}

interface Pools {
  /** operands for arithmetic cross products */
  arith: bigint[];
  /** operands for fused multiply-add sampling */
  fma: bigint[];
  /** operands for float -> int conversions */
  toInt: bigint[];
  /** operands of the other precision for fcvt.s.d / fcvt.d.s */
  other: bigint[];
  /** compare/min/max/sgnj/class operands */
  misc: bigint[];
}

function pools(f: FloatFormat): Pools {
  const enc = f === F32 ? f32 : f64;
  const s = f === F32;
  const minSub = 1n, maxSub = s ? 0x007fffffn : 0x000fffffffffffffn;
  const minNorm = s ? 0x00800000n : 0x0010000000000000n;
  const maxNorm = s ? 0x7f7fffffn : 0x7fefffffffffffffn;
  const inf = s ? 0x7f800000n : 0x7ff0000000000000n;
  const qnan = s ? 0x7fc00000n : 0x7ff8000000000000n;
  const snan = s ? 0x7f800001n : 0x7ff0000000000001n;
  const payloadNan = s ? 0xffc12345n : 0xfff8000000012345n;
  const signBit = 1n << BigInt(f.width - 1);
  const neg = (x: bigint): bigint => x | signBit;
  const onePlusUlp = enc(1) + 1n;
  const oneMinusUlp = enc(1) - 1n;
  const arith = [
    0n, signBit, enc(1), enc(-1), enc(1.5), enc(3), enc(0.1), enc(1 / 3), enc(-7), onePlusUlp, oneMinusUlp,
    maxNorm, neg(maxNorm), minNorm, neg(minNorm), minSub, maxSub, inf, neg(inf), qnan, snan,
  ];
  const fma = [
    0n, signBit, enc(1), enc(-1), enc(1.5), enc(0.1), enc(1 / 3), onePlusUlp, oneMinusUlp, maxNorm, minNorm,
    neg(minNorm), minSub, inf, neg(inf), qnan, snan, enc(2 ** (s ? 64 : 512)), enc(2 ** (s ? -70 : -600)),
  ];
  const toInt = [
    0n, signBit, enc(0.3), enc(-0.3), enc(0.5), enc(-0.5), enc(0.7), enc(-0.7), enc(1.5), enc(-1.5), enc(2.5),
    enc(-2.5), enc(1), enc(-1), enc(2 ** 31), enc(-(2 ** 31)), enc(2 ** 32), enc(2 ** 63), enc(-(2 ** 63)),
    enc(2 ** 64), enc(s ? 2147483520 : 2147483647.5), enc(s ? 4294967040 : 4294967295.5),
    enc(s ? -2147483904 : -2147483648.5), enc(-(2 ** 31) - (s ? 256 : 1)), enc(2 ** 62 * 1.5), enc(-4294967296),
    minSub, neg(minSub), maxNorm, neg(maxNorm), inf, neg(inf), qnan, snan, payloadNan,
  ];
  const other = s
    ? [
        0n, 0x8000000000000000n, f64(1), f64(0.1), f64(-1 / 3), f64(1e300), f64(-1e300), f64(3.4028235677973366e38),
        f64(3.4028234663852886e38), f64(1e-40), f64(-1e-40), f64(1e-46), f64(1e-45), f64(7e-46), f64(1.1754942e-38),
        0x3ff0000010000000n, 0x3ff0000008000000n, 0x3ff0000018000000n, 0x7ff0000000000000n, 0xfff0000000000000n,
        0x7ff8000000000000n, 0x7ff0000000000001n, 0xfff8000000012345n, 0x0000000000000001n,
      ]
    : [
        0n, 0x80000000n, f32(1), f32(0.1), f32(-1 / 3), 0x7f7fffffn, 0x00000001n, 0x807fffffn, 0x00800000n, 0x7f800000n,
        0xff800000n, 0x7fc00000n, 0x7f800001n, 0xffc12345n,
      ];
  const misc = [
    0n, signBit, enc(1), enc(-1), enc(2.5), minSub, neg(minSub), minNorm, maxNorm, neg(maxNorm), inf, neg(inf),
    qnan, snan, payloadNan, neg(snan),
  ];
  return { arith, fma, toInt, other, misc };
}

const INTS = [
  0n, 1n, 0xffffffffffffffffn, 0x7fffffffn, 0x80000000n, 0xffffffff80000000n, 0xffffffffn, 0x1000001n, 0x1000003n,
  0x7fffffffffffffffn, 0x8000000000000000n, 0x123456789abcdef1n, 0x0020000000000001n, 0xfffffffffffffffdn,
  0x12345678ffffffffn, 0xabcdef0080000001n, 0x00000000fffffff7n, 0x0000000000ffffffn,
];

function generate(f: FloatFormat): Vector[] {
  const p = pools(f);
  const other = f === F32 ? F64 : F32;
  const out: Vector[] = [];
  const rand = rng(f === F32 ? 0x1234567 : 0x7654321);
  let alternate = 0;
  /** Emit one case per rounding mode whose result or flags differ from RNE (plus RNE itself). */
  const withRoundingModes = (op: Op, a: bigint, b: bigint, c: bigint, fn: (rm: number) => Result): void => {
    const base = fn(RNE);
    out.push({ op, rm: alternate++ % 2 ? RNE : DYN + RNE, a, b, c, r: base });
    for (const rm of ALL_RM.slice(1)) {
      const r = fn(rm);
      if (r.bits !== base.bits || r.flags !== base.flags) {
        out.push({ op, rm: alternate++ % 2 ? rm : DYN + rm, a, b, c, r });
      }
    }
  };
  const binary: [Op, (a: bigint, b: bigint, rm: number) => Result][] = [
    ['fadd', (a, b, rm) => fadd(a, b, f, rm)],
    ['fsub', (a, b, rm) => fsub(a, b, f, rm)],
    ['fmul', (a, b, rm) => fmul(a, b, f, rm)],
    ['fdiv', (a, b, rm) => fdiv(a, b, f, rm)],
  ];
  for (const [op, fn] of binary)
    for (const a of p.arith) for (const b of p.arith) withRoundingModes(op, a, b, 0n, (rm) => fn(a, b, rm));
  for (const a of [...p.arith, ...p.toInt]) withRoundingModes('fsqrt', a, 0n, 0n, (rm) => fsqrt(a, f, rm));
  for (const a of [f === F32 ? f32(2) : f64(2), f === F32 ? f32(0.25) : f64(0.25)])
    withRoundingModes('fsqrt', a, 0n, 0n, (rm) => fsqrt(a, f, rm));

  const fmaOps: [Op, boolean, boolean][] = [
    ['fmadd', false, false], ['fmsub', false, true], ['fnmsub', true, false], ['fnmadd', true, true],
  ];
  const pick = (arr: bigint[]): bigint => arr[rand() % arr.length] as bigint;
  for (const [op, np, nc] of fmaOps) {
    const fn = (a: bigint, b: bigint, c: bigint) => (rm: number) => ffma(a, b, c, np, nc, f, rm);
    for (let i = 0; i < 150; i++) {
      const a = pick(p.fma), b = pick(p.fma), c = pick(p.fma);
      withRoundingModes(op, a, b, c, fn(a, b, c));
    }
    // special cases: inf*0 with a quiet NaN addend, exact cancellation, fused (single-rounding) results
    const one = p.fma[2] as bigint, opu = p.fma[7] as bigint, omu = p.fma[8] as bigint;
    const specials: [bigint, bigint, bigint][] = [
      [p.fma[13] as bigint, 0n, p.fma[15] as bigint],
      [0n, p.fma[14] as bigint, p.fma[15] as bigint],
      [opu, omu, one | (1n << BigInt(f.width - 1))],
      [opu, opu, one | (1n << BigInt(f.width - 1))],
      [one, one, one | (1n << BigInt(f.width - 1))],
      [0n, one, 0n],
      [0n | (1n << BigInt(f.width - 1)), one, 0n],
      [p.fma[9] as bigint, p.fma[9] as bigint, p.fma[14] as bigint],
      [p.fma[10] as bigint, p.fma[10] as bigint, 0n],
    ];
    for (const [a, b, c] of specials) withRoundingModes(op, a, b, c, fn(a, b, c));
  }

  for (const a of p.misc)
    for (const b of p.misc) {
      out.push({ op: 'fmin', rm: 0, a, b, c: 0n, r: fminmax(a, b, false, f) });
      out.push({ op: 'fmax', rm: 0, a, b, c: 0n, r: fminmax(a, b, true, f) });
      out.push({ op: 'feq', rm: 0, a, b, c: 0n, r: fcmp(a, b, 'eq', f) });
      out.push({ op: 'flt', rm: 0, a, b, c: 0n, r: fcmp(a, b, 'lt', f) });
      out.push({ op: 'fle', rm: 0, a, b, c: 0n, r: fcmp(a, b, 'le', f) });
    }
  const sg = p.misc.slice(0, 7).concat(p.misc.slice(12, 15));
  for (const a of sg)
    for (const b of sg) {
      out.push({ op: 'fsgnj', rm: 0, a, b, c: 0n, r: fsgnj(a, b, 'j', f) });
      out.push({ op: 'fsgnjn', rm: 0, a, b, c: 0n, r: fsgnj(a, b, 'jn', f) });
      out.push({ op: 'fsgnjx', rm: 0, a, b, c: 0n, r: fsgnj(a, b, 'jx', f) });
    }
  for (const a of [...p.misc, ...p.arith]) out.push({ op: 'fclass', rm: 0, a, b: 0n, c: 0n, r: fclass(a, f) });

  const toIntOps: [Op, 32 | 64, boolean][] = [
    ['fcvt_w', 32, true], ['fcvt_wu', 32, false], ['fcvt_l', 64, true], ['fcvt_lu', 64, false],
  ];
  for (const [op, bits, signed] of toIntOps)
    for (const a of p.toInt) withRoundingModes(op, a, 0n, 0n, (rm) => fcvtToInt(a, f, bits, signed, rm));
  const fromIntOps: [Op, 32 | 64, boolean][] = [
    ['fcvt_f_w', 32, true], ['fcvt_f_wu', 32, false], ['fcvt_f_l', 64, true], ['fcvt_f_lu', 64, false],
  ];
  for (const [op, bits, signed] of fromIntOps)
    for (const x of INTS) withRoundingModes(op, x, 0n, 0n, (rm) => fcvtFromInt(x, f, bits, signed, rm));
  for (const a of p.other) withRoundingModes('fcvt_f_f', a, 0n, 0n, (rm) => fcvtFloat(a, other, f, rm));

  // moves: fmv.x.{w,d} returns the raw bits (sign-extended for .w); fmv.{w,d}.x NaN-boxes
  const sext = (x: bigint): bigint => (f === F32 ? BigInt.asUintN(64, BigInt.asIntN(32, x & 0xffffffffn)) : x);
  for (const a of p.misc) out.push({ op: 'fmv_x_f', rm: 0, a, b: 0n, c: 0n, r: { bits: sext(a), flags: 0 } });
  for (const x of INTS) {
    const bits = f === F32 ? x & 0xffffffffn : x;
    out.push({ op: 'fmv_f_x', rm: 0, a: x, b: 0n, c: 0n, r: { bits, flags: 0 } });
  }
  return out;
}

function hex(x: bigint): string {
  return '0x' + x.toString(16) + 'ULL';
}

function emit(f: FloatFormat, vectors: Vector[]): string {
  const pool: bigint[] = [];
  const index = new Map<bigint, number>();
  const idx = (v: bigint): number => {
    let i = index.get(v);
    if (i === undefined) {
      i = pool.length;
      pool.push(v);
      index.set(v, i);
    }
    return i;
  };
  const rows = vectors.map((v) => {
    const op = OPS.indexOf(v.op);
    return `  {${op}, ${v.rm}, ${v.r.flags}, ${idx(v.a)}, ${idx(v.b)}, ${idx(v.c)}, ${idx(v.r.bits)}},`;
  });
  if (pool.length > 65535) throw new Error('pool too large');
  const lines = [
    `/* Generated by tests/guest/tools/gen-fp-vectors.ts from the exact reference model in`,
    ` * softfloat-ref.ts -- do not edit. ${vectors.length} vectors for the ${f.name === 's' ? 'F' : 'D'} extension.`,
    ` * Fields: op (fp_runner.h numbering), rm (0-4 static, 8+k dynamic with frm=k), expected fflags,`,
    ` * pool indices of operands a, b, c and of the expected result (raw bits; single results`,
    ` * are NaN-boxed by the runner, integer results are full 64-bit register values). */`,
    `static const uint64_t fpv_pool[${pool.length}] = {`,
    ...chunk(pool.map(hex), 4).map((c) => '  ' + c.join(', ') + ','),
    `};`,
    `static const struct fp_vector fpv_table[${vectors.length}] = {`,
    ...rows,
    `};`,
    '',
  ];
  return lines.join('\n');
}

function chunk<T>(xs: T[], n: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n));
  return out;
}

/** The text of fp_vectors_s.h ('s') or fp_vectors_d.h ('d'). */
export function vectorHeader(which: 's' | 'd'): string {
  const f = which === 's' ? F32 : F64;
  return emit(f, generate(f));
}

function main(): void {
  const dir = process.argv[2];
  if (!dir) throw new Error('usage: gen-fp-vectors <output dir>');
  for (const which of ['s', 'd'] as const) {
    writeFileSync(join(dir, `fp_vectors_${which}.h`), vectorHeader(which));
    console.log(`wrote fp_vectors_${which}.h`);
  }
}

const invokedPath = process.argv[1];
if (invokedPath !== undefined && import.meta.url === pathToFileURL(invokedPath).href) main();
