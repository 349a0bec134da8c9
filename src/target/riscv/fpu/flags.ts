/**
 * fflags bits, rounding-mode numbers and the rounding-mode check every
 * rounding instruction performs first.
 */
import { SLOT_FFLAGS, SLOT_FRM, type VcpuStateViews } from '../../../abi/state-layout.js';

/** Inexact. */
export const FFLAG_NX = 1;
/** Underflow (tiny after rounding and inexact). */
export const FFLAG_UF = 2;
/** Overflow. */
export const FFLAG_OF = 4;
/** Divide by zero. */
export const FFLAG_DZ = 8;
/** Invalid operation. */
export const FFLAG_NV = 16;

/** Round to nearest, ties to even. */
export const RM_RNE = 0;
/** Round towards zero. */
export const RM_RTZ = 1;
/** Round down (towards -infinity). */
export const RM_RDN = 2;
/** Round up (towards +infinity). */
export const RM_RUP = 3;
/** Round to nearest, ties to max magnitude. */
export const RM_RMM = 4;
/** Use the rounding mode held in frm. */
export const RM_DYN = 7;

const FFLAGS_WORD = 2 * SLOT_FFLAGS;
const FRM_WORD = 2 * SLOT_FRM;

/**
 * The rounding mode an instruction with rm field `rm` uses, or -1 when the
 * encoding is reserved (rm 5/6, or DYN while frm holds 5..7): the instruction
 * is then illegal and must change nothing.
 */
export function effectiveRoundingMode(s: VcpuStateViews, rm: number): number {
  const mode = rm === RM_DYN ? s.i32[FRM_WORD] & 7 : rm;
  return mode <= RM_RMM ? mode : -1;
}

/** ORs exception flags into fflags. */
export function raiseFlags(s: VcpuStateViews, flags: number): void {
  if (flags !== 0) s.i32[FFLAGS_WORD] |= flags;
}
