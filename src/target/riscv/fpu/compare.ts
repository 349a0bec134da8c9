/**
 * feq/flt/fle, fmin/fmax and fclass.
 *
 * feq is a quiet comparison (NV only for signalling NaNs); flt and fle are
 * signalling (NV for any NaN). fmin/fmax follow IEEE 754-2019
 * minimumNumber/maximumNumber as the ISA requires: a single NaN operand is
 * ignored, two NaNs give the canonical NaN, signalling NaNs raise NV, and
 * -0 is smaller than +0.
 */
import { SLOT_F, type VcpuStateViews } from '../../../abi/state-layout.js';
import { classifyDouble, classifySingle, isNanD, isNanS, isSignalingNanD, isSignalingNanS, singleValue } from './bits.js';
import { FFLAG_NV, raiseFlags } from './flags.js';
import { CANONICAL_NAN_S, fWord, readSingle, writeCanonicalNanD, writeDoubleWords, writeSingle, writeXInt32 } from './regs.js';

const enum Relation {
  Equal,
  Less,
  LessOrEqual,
}

function holds(relation: Relation, a: number, b: number): boolean {
  switch (relation) {
    case Relation.Equal:
      return a === b;
    case Relation.Less:
      return a < b;
    case Relation.LessOrEqual:
      return a <= b;
  }
}

function compareS(s: VcpuStateViews, rd: number, rs1: number, rs2: number, relation: Relation): boolean {
  const a = readSingle(s, rs1);
  const b = readSingle(s, rs2);
  if (isNanS(a) || isNanS(b)) {
    const signals = relation !== Relation.Equal || isSignalingNanS(a) || isSignalingNanS(b);
    if (signals) raiseFlags(s, FFLAG_NV);
    writeXInt32(s, rd, 0);
    return true;
  }
  writeXInt32(s, rd, holds(relation, singleValue(a), singleValue(b)) ? 1 : 0);
  return true;
}

function compareD(s: VcpuStateViews, rd: number, rs1: number, rs2: number, relation: Relation): boolean {
  const a = s.f64[SLOT_F + rs1];
  const b = s.f64[SLOT_F + rs2];
  if (a !== a || b !== b) {
    const wa = fWord(rs1);
    const wb = fWord(rs2);
    const signals =
      relation !== Relation.Equal ||
      isSignalingNanD(s.i32[wa + 1], s.i32[wa]) ||
      isSignalingNanD(s.i32[wb + 1], s.i32[wb]);
    if (signals) raiseFlags(s, FFLAG_NV);
    writeXInt32(s, rd, 0);
    return true;
  }
  writeXInt32(s, rd, holds(relation, a, b) ? 1 : 0);
  return true;
}

export function feq_s(s: VcpuStateViews, rd: number, rs1: number, rs2: number): boolean {
  return compareS(s, rd, rs1, rs2, Relation.Equal);
}
export function flt_s(s: VcpuStateViews, rd: number, rs1: number, rs2: number): boolean {
  return compareS(s, rd, rs1, rs2, Relation.Less);
}
export function fle_s(s: VcpuStateViews, rd: number, rs1: number, rs2: number): boolean {
  return compareS(s, rd, rs1, rs2, Relation.LessOrEqual);
}
export function feq_d(s: VcpuStateViews, rd: number, rs1: number, rs2: number): boolean {
  return compareD(s, rd, rs1, rs2, Relation.Equal);
}
export function flt_d(s: VcpuStateViews, rd: number, rs1: number, rs2: number): boolean {
  return compareD(s, rd, rs1, rs2, Relation.Less);
}
export function fle_d(s: VcpuStateViews, rd: number, rs1: number, rs2: number): boolean {
  return compareD(s, rd, rs1, rs2, Relation.LessOrEqual);
}

/**
 * Whether minimumNumber/maximumNumber of two non-NaN values picks the first.
 * Equal values only differ for zeros, where -0 counts as the smaller one.
 */
function picksFirst(a: number, b: number, aNegative: boolean, wantMax: boolean): boolean {
  if (a !== b) return a < b !== wantMax;
  return aNegative !== wantMax;
}

function minMaxS(s: VcpuStateViews, rd: number, rs1: number, rs2: number, wantMax: boolean): boolean {
  const a = readSingle(s, rs1);
  const b = readSingle(s, rs2);
  const aNan = isNanS(a);
  const bNan = isNanS(b);
  if (aNan || bNan) {
    if (isSignalingNanS(a) || isSignalingNanS(b)) raiseFlags(s, FFLAG_NV);
    writeSingle(s, rd, aNan && bNan ? CANONICAL_NAN_S : aNan ? b : a);
    return true;
  }
  writeSingle(s, rd, picksFirst(singleValue(a), singleValue(b), a < 0, wantMax) ? a : b);
  return true;
}

function minMaxD(s: VcpuStateViews, rd: number, rs1: number, rs2: number, wantMax: boolean): boolean {
  const wa = fWord(rs1);
  const wb = fWord(rs2);
  const aHi = s.i32[wa + 1];
  const aLo = s.i32[wa];
  const bHi = s.i32[wb + 1];
  const bLo = s.i32[wb];
  const aNan = isNanD(aHi, aLo);
  const bNan = isNanD(bHi, bLo);
  if (aNan || bNan) {
    if (isSignalingNanD(aHi, aLo) || isSignalingNanD(bHi, bLo)) raiseFlags(s, FFLAG_NV);
    if (aNan && bNan) writeCanonicalNanD(s, rd);
    else if (aNan) writeDoubleWords(s, rd, bHi, bLo);
    else writeDoubleWords(s, rd, aHi, aLo);
    return true;
  }
  const first = picksFirst(s.f64[SLOT_F + rs1], s.f64[SLOT_F + rs2], aHi < 0, wantMax);
  if (first) writeDoubleWords(s, rd, aHi, aLo);
  else writeDoubleWords(s, rd, bHi, bLo);
  return true;
}

export function fmin_s(s: VcpuStateViews, rd: number, rs1: number, rs2: number): boolean {
  return minMaxS(s, rd, rs1, rs2, false);
}
export function fmax_s(s: VcpuStateViews, rd: number, rs1: number, rs2: number): boolean {
  return minMaxS(s, rd, rs1, rs2, true);
}
export function fmin_d(s: VcpuStateViews, rd: number, rs1: number, rs2: number): boolean {
  return minMaxD(s, rd, rs1, rs2, false);
}
export function fmax_d(s: VcpuStateViews, rd: number, rs1: number, rs2: number): boolean {
  return minMaxD(s, rd, rs1, rs2, true);
}

/** fclass.s: one-hot class mask in x[rd] (unboxed values classify as the canonical quiet NaN). */
export function fclass_s(s: VcpuStateViews, rd: number, rs1: number): boolean {
  writeXInt32(s, rd, 1 << classifySingle(readSingle(s, rs1)));
  return true;
}

export function fclass_d(s: VcpuStateViews, rd: number, rs1: number): boolean {
  const w = fWord(rs1);
  writeXInt32(s, rd, 1 << classifyDouble(s.i32[w + 1], s.i32[w]));
  return true;
}
