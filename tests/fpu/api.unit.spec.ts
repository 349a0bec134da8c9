/**
 * Calling conventions that the QEMU vectors cannot show: reserved rounding
 * modes (ISA: rm 5/6, and DYN with frm 5..7, are illegal -> the function
 * returns false and changes nothing), x0 is never written, fflags accrue,
 * and the NaN-boxing helpers used by loads/stores.
 */
import { expect } from 'chai';
import * as fpu from '../../src/target/riscv/fpu/index.js';
import { SLOT_F, SLOT_FFLAGS, SLOT_FRM, SLOT_X } from '../../src/abi/state-layout.js';
import { newState } from './harness.js';
import { OPS } from './vector-file.js';

function fillRegisters(s: ReturnType<typeof newState>): void {
  for (let r = 1; r < 32; r++) {
    s.i64[SLOT_X + r] = BigInt(r) * 0x0101010101010101n;
    s.f64[SLOT_F + r] = r * 1.1;
  }
}

describe('fpu: calling conventions', function () {
  const roundingOps = Object.entries(OPS).filter(([, shape]) => shape.rounding);

  it('rejects reserved static rounding modes 5 and 6 without changing state', function () {
    for (const [op, shape] of roundingOps) {
      for (const rm of [5, 6]) {
        const s = newState();
        fillRegisters(s);
        const before = new Uint8Array(s.buffer.slice(0));
        expect(shape.call(s, 4, [1, 2, 3], rm), `${op} rm=${rm}`).to.equal(false);
        expect(new Uint8Array(s.buffer.slice(0)), `${op} rm=${rm} changed state`).to.deep.equal(before);
      }
    }
  });

  it('rejects DYN when frm holds 5, 6 or 7 without changing state', function () {
    for (const [op, shape] of roundingOps) {
      for (const frm of [5, 6, 7]) {
        const s = newState();
        fillRegisters(s);
        s.i32[2 * SLOT_FRM] = frm;
        const before = new Uint8Array(s.buffer.slice(0));
        expect(shape.call(s, 4, [1, 2, 3], fpu.RM_DYN), `${op} frm=${frm}`).to.equal(false);
        expect(new Uint8Array(s.buffer.slice(0)), `${op} frm=${frm} changed state`).to.deep.equal(before);
      }
    }
  });

  it('accepts every valid rounding mode and returns true for non-rounding instructions', function () {
    for (const [op, shape] of Object.entries(OPS)) {
      const s = newState();
      fillRegisters(s);
      for (const rm of shape.rounding ? [0, 1, 2, 3, 4, 7] : [0]) {
        expect(shape.call(s, 4, [1, 2, 3], rm), `${op} rm=${rm}`).to.equal(true);
      }
    }
  });

  it('never writes x0', function () {
    for (const [op, shape] of Object.entries(OPS)) {
      if (shape.dest !== 'x') continue;
      const s = newState();
      s.f64[SLOT_F + 1] = -3.75;
      s.f64[SLOT_F + 2] = 2.5;
      shape.call(s, 0, [1, 2], 0);
      expect(s.i64[SLOT_X], op).to.equal(0n);
    }
  });

  it('ORs exception flags into fflags instead of replacing them', function () {
    const s = newState();
    s.i32[2 * SLOT_FFLAGS] = fpu.FFLAG_DZ;
    s.f64[SLOT_F + 1] = 1;
    s.f64[SLOT_F + 2] = 3;
    fpu.fdiv_d(s, 3, 1, 2, fpu.RM_RNE); // 1/3 is inexact
    expect(s.i32[2 * SLOT_FFLAGS]).to.equal(fpu.FFLAG_DZ | fpu.FFLAG_NX);
  });

  it('NaN-boxes singles written by writeSingle and reads unboxed values as the canonical NaN', function () {
    const s = newState();
    fpu.writeSingle(s, 5, 0x3f800000);
    expect(s.i64[SLOT_F + 5]).to.equal(BigInt.asIntN(64, 0xffffffff3f800000n));
    expect(fpu.readSingle(s, 5)).to.equal(0x3f800000);
    expect(fpu.nanBoxSingle(0xbf800000 | 0)).to.equal(BigInt.asIntN(64, 0xffffffffbf800000n));
    s.i64[SLOT_F + 6] = 0x000000003f800000n; // a double, not a boxed single
    expect(fpu.readSingle(s, 6)).to.equal(fpu.CANONICAL_NAN_S);
  });
});
