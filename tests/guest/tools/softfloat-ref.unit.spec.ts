/**
 * Cross-checks the reference model used to generate the F/D guest vectors
 * against the host's IEEE 754 binary64 arithmetic (JavaScript numbers round to
 * nearest-even), and checks that the committed vector headers are what the
 * generator produces.
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { guestDir } from '../../support/guest-manifest.js';
import { vectorHeader } from './gen-fp-vectors.js';
import {
  F32, F64, RNE, RTZ, RDN, RUP, RMM, NX, NV, DZ, OF, UF, fadd, fsub, fmul, fdiv, fsqrt, ffma, fcvtToInt, fcvtFloat,
  fminmax,
} from './softfloat-ref.js';

const buf = Buffer.alloc(8);
function bits64(x: number): bigint {
  buf.writeDoubleBE(x);
  return buf.readBigUInt64BE();
}
function num64(b: bigint): number {
  buf.writeBigUInt64BE(b);
  return buf.readDoubleBE();
}
function bits32(x: number): bigint {
  buf.writeFloatBE(x);
  return BigInt(buf.readUInt32BE());
}

/** Deterministic doubles spread over the whole exponent range, incl. subnormals. */
function sampleDoubles(n: number): number[] {
  let s = 0x9e3779b9;
  const next = (): number => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
  const out: number[] = [];
  while (out.length < n) {
    const b = (BigInt(next()) << 32n) | BigInt(next());
    const x = num64(b);
    if (Number.isFinite(x)) out.push(x);
  }
  return out;
}

describe('guest FP reference model (softfloat-ref)', function () {
  const xs = sampleDoubles(400);

  it('matches host binary64 add/sub/mul/div/sqrt under round-to-nearest-even', function () {
    for (let i = 0; i + 1 < xs.length; i++) {
      const a = xs[i] as number, b = xs[i + 1] as number;
      const A = bits64(a), B = bits64(b);
      expect(fadd(A, B, F64, RNE).bits).to.equal(bits64(a + b));
      expect(fsub(A, B, F64, RNE).bits).to.equal(bits64(a - b));
      expect(fmul(A, B, F64, RNE).bits).to.equal(bits64(a * b));
      const q = a / b;
      if (!Number.isNaN(q)) expect(fdiv(A, B, F64, RNE).bits).to.equal(bits64(q));
      if (a >= 0) expect(fsqrt(A, F64, RNE).bits).to.equal(bits64(Math.sqrt(a)));
    }
  });

  it('matches host binary32 results (double rounding is exact for these ops)', function () {
    const fs = xs.map((x) => Math.fround(x / 2 ** Math.round(Math.log2(Math.abs(x)) || 0) * 3.5));
    for (let i = 0; i + 1 < fs.length; i++) {
      const a = fs[i] as number, b = fs[i + 1] as number;
      expect(fadd(bits32(a), bits32(b), F32, RNE).bits).to.equal(bits32(Math.fround(a + b)));
      expect(fmul(bits32(a), bits32(b), F32, RNE).bits).to.equal(bits32(Math.fround(a * b)));
      expect(fdiv(bits32(a), bits32(b), F32, RNE).bits).to.equal(bits32(Math.fround(a / b)));
      if (a >= 0) expect(fsqrt(bits32(a), F32, RNE).bits).to.equal(bits32(Math.fround(Math.sqrt(a))));
    }
  });

  it('rounds 1/3 in every mode (IEEE 754 directed rounding)', function () {
    const one = bits32(1), three = bits32(3);
    expect(fdiv(one, three, F32, RNE)).to.deep.equal({ bits: 0x3eaaaaabn, flags: NX });
    expect(fdiv(one, three, F32, RTZ)).to.deep.equal({ bits: 0x3eaaaaaan, flags: NX });
    expect(fdiv(one, three, F32, RDN)).to.deep.equal({ bits: 0x3eaaaaaan, flags: NX });
    expect(fdiv(one, three, F32, RUP)).to.deep.equal({ bits: 0x3eaaaaabn, flags: NX });
    expect(fdiv(one | 0x80000000n, three, F32, RUP)).to.deep.equal({ bits: 0xbeaaaaaan, flags: NX });
    expect(fdiv(one, three, F32, RMM)).to.deep.equal({ bits: 0x3eaaaaabn, flags: NX });
  });

  it('implements the special cases of the RISC-V F/D chapter', function () {
    const inf = 0x7ff0000000000000n, qnan = 0x7ff8000000000000n, snan = 0x7ff0000000000001n;
    expect(fdiv(bits64(1), 0n, F64, RNE)).to.deep.equal({ bits: inf, flags: DZ });
    expect(fsub(inf, inf, F64, RNE)).to.deep.equal({ bits: qnan, flags: NV });
    expect(fadd(snan, bits64(1), F64, RNE)).to.deep.equal({ bits: qnan, flags: NV });
    expect(fadd(bits64(1), bits64(-1), F64, RDN).bits).to.equal(0x8000000000000000n);
    expect(fmul(0x7fefffffffffffffn, bits64(2), F64, RTZ)).to.deep.equal({ bits: 0x7fefffffffffffffn, flags: OF | NX });
    expect(fmul(0x0010000000000000n, bits64(0.5), F64, RNE)).to.deep.equal({ bits: 0x0008000000000000n, flags: 0 });
    expect(fmul(0x0010000000000001n, bits64(0.5), F64, RNE).flags).to.equal(UF | NX);
    // inf * 0 + qNaN is invalid on RISC-V
    expect(ffma(inf, 0n, qnan, false, false, F64, RNE)).to.deep.equal({ bits: qnan, flags: NV });
    expect(fminmax(0n, 0x8000000000000000n, false, F64).bits).to.equal(0x8000000000000000n);
    expect(fminmax(qnan, bits64(2), true, F64)).to.deep.equal({ bits: bits64(2), flags: 0 });
    expect(fcvtToInt(qnan, F64, 32, true, RNE)).to.deep.equal({ bits: 0x7fffffffn, flags: NV });
    expect(fcvtToInt(bits64(-1.5), F64, 32, false, RTZ)).to.deep.equal({ bits: 0n, flags: NV });
    expect(fcvtToInt(bits64(-0.5), F64, 32, false, RNE)).to.deep.equal({ bits: 0n, flags: NX });
    expect(fcvtToInt(bits64(3e9), F64, 32, false, RNE).bits).to.equal(0xffffffffb2d05e00n);
    expect(fcvtFloat(bits64(0.1), F64, F32, RNE)).to.deep.equal({ bits: 0x3dcccccdn, flags: NX });
  });

  it('keeps the committed vector headers in sync with the generator', function () {
    for (const which of ['s', 'd'] as const) {
      const committed = readFileSync(join(guestDir(), 'src', 'gen', `fp_vectors_${which}.h`), 'utf8');
      expect(vectorHeader(which) === committed, `fp_vectors_${which}.h is stale: run make -C tests/guest vectors`).to.equal(true);
    }
  });
});
