/** Runs one vector through an implementation on a reusable vCPU state. */
import {
  createStateBuffer,
  SLOT_F,
  SLOT_FFLAGS,
  SLOT_FRM,
  SLOT_X,
  stateViews,
  type VcpuStateViews,
} from '../../src/abi/state-layout.js';
import type { OpShape, RegFile, Vector } from './vector-file.js';

export const RM_DYN = 7;
const SENTINEL = 0x5a5a5a5a5a5a5a5an;

export function newState(): VcpuStateViews {
  return stateViews(createStateBuffer());
}

function slot(file: RegFile, reg: number): number {
  return (file === 'f' ? SLOT_F : SLOT_X) + reg;
}

export interface Outcome {
  readonly accepted: boolean;
  readonly value: bigint;
  readonly flags: number;
}

/**
 * Loads the operands into registers 1..n, runs `call` with the static rounding
 * mode `rm` (or DYN with frm = rm when `dynamic`), and returns rd and fflags.
 * With `alias`, rd is the first source register when both are in the same file.
 */
export function run(
  s: VcpuStateViews,
  shape: OpShape,
  vector: Vector,
  rm: number,
  dynamic: boolean,
  alias: boolean,
  call: OpShape['call'] = shape.call,
): Outcome {
  const sources = shape.sources.map((_, i) => i + 1);
  shape.sources.forEach((file, i) => {
    s.i64[slot(file, sources[i]!)] = BigInt.asIntN(64, vector.operands[i]!);
  });
  const rd = alias && shape.sources[0] === shape.dest ? sources[0]! : 4;
  if (!(alias && rd === sources[0])) s.i64[slot(shape.dest, rd)] = SENTINEL;
  s.i32[2 * SLOT_FFLAGS] = 0;
  // With a static rm, frm holds some other valid mode so using it by mistake shows.
  s.i32[2 * SLOT_FRM] = dynamic ? rm : (rm + 1) % 5;
  const accepted = call(s, rd, sources, dynamic ? RM_DYN : rm);
  return {
    accepted,
    value: BigInt.asUintN(64, s.i64[slot(shape.dest, rd)]!),
    flags: s.i32[2 * SLOT_FFLAGS]!,
  };
}

/** Formats a mismatch for an assertion message. */
export function describeMismatch(vector: Vector, rm: number, how: string, got: Outcome): string {
  const expected = vector.results.length === 1 ? vector.results[0]! : vector.results[rm]!;
  return (
    `${vector.line}\n    rm=${rm} ${how}: expected ${expected.value.toString(16)}:${expected.flags.toString(16)}` +
    ` got ${got.value.toString(16)}:${got.flags.toString(16)}${got.accepted ? '' : ' (rejected)'}`
  );
}

export function matches(vector: Vector, rm: number, got: Outcome): boolean {
  const expected = vector.results.length === 1 ? vector.results[0]! : vector.results[rm]!;
  return got.accepted && got.value === expected.value && got.flags === expected.flags;
}
