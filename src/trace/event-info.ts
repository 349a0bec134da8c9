/**
 * The shape of the event metadata that scripts/tracetool.mjs generates
 * (generated/events.ts EVENTS), and how each argument type travels at run time.
 */

/** Properties of an event line in trace-events. */
export type EventProperty = 'disable' | 'tcg' | 'vcpu' | 'instrument';

/** Argument types at the level an event is raised (TCG types become host types at execution level). */
export type ArgType =
  | 'uint8_t'
  | 'uint16_t'
  | 'uint32_t'
  | 'uint64_t'
  | 'int8_t'
  | 'int16_t'
  | 'int32_t'
  | 'int64_t'
  | 'bool'
  | 'const char *'
  | 'void *';

export interface EventArg {
  readonly name: string;
  /** Type of the value when the event is raised. */
  readonly type: ArgType;
  /** Type as written in trace-events (`TCGv`, `TCGv_i32`, `TCGv_i64` for TCG values, else `type`). */
  readonly declaredType: string;
  /**
   * A TCG value: only known when the guest code runs. Present at execution
   * level only; the translator emits code that produces it.
   */
  readonly isTcgValue: boolean;
}

export interface EventInfo {
  /** Index in EVENTS; also the EventId and the id in simpletrace files. */
  readonly id: number;
  /** Concrete name (`foo_trans` / `foo_exec` for the levels of a `tcg` event `foo`). */
  readonly name: string;
  /** Name in trace-events (`foo` for both levels of a `tcg` event). */
  readonly baseName: string;
  readonly properties: readonly EventProperty[];
  /** Arguments without the vCPU (see `vcpu`). */
  readonly args: readonly EventArg[];
  /** printf format for the arguments with PRI* macros expanded (LP64: PRIx64 -> lx). */
  readonly format: string;
  /** The format as written in trace-events. */
  readonly formatSource: string;
  /** Has the implicit vCPU argument (printed as `cpu=0x<index> `) and per-vCPU state. */
  readonly vcpu: boolean;
  /** Level of a `tcg` event; undefined for other events (raised at execution time). */
  readonly level: 'trans' | 'exec' | undefined;
  /** For a `tcg` level, the EventId of the other level. */
  readonly peer: number | undefined;
  /** False for `disable` events: compiled out, never fire, cannot be enabled. */
  readonly staticEnabled: boolean;
  /** Instrumentation libraries may hook it (`instrument` property or instrument-events). */
  readonly instrument: boolean;
  /** `Mode:` comment above the event (e.g. `user, softmmu`). */
  readonly mode: string | undefined;
  /** `Targets:` comment above the event (e.g. `TCG(all)`). */
  readonly targets: string | undefined;
  /** Line of the declaration in trace-events. */
  readonly line: number;
}

/** A value in an event's argument array. bool travels as 0/1. */
export type TraceArg = number | bigint | string;

export interface ArgRepresentation {
  /** Width of the C type (a pointer is 64-bit on the LP64 host QEMU assumes). */
  readonly bits: 8 | 16 | 32 | 64;
  readonly signed: boolean;
  /** JavaScript type of the value in the argument array. */
  readonly js: 'number' | 'bigint' | 'string';
}

export const ARG_REPRESENTATION: Readonly<Record<ArgType, ArgRepresentation>> = {
  uint8_t: { bits: 8, signed: false, js: 'number' },
  uint16_t: { bits: 16, signed: false, js: 'number' },
  uint32_t: { bits: 32, signed: false, js: 'number' },
  uint64_t: { bits: 64, signed: false, js: 'bigint' },
  int8_t: { bits: 8, signed: true, js: 'number' },
  int16_t: { bits: 16, signed: true, js: 'number' },
  int32_t: { bits: 32, signed: true, js: 'number' },
  int64_t: { bits: 64, signed: true, js: 'bigint' },
  // C's bool converts any non-zero value to 1; it is promoted to int when passed to printf.
  bool: { bits: 32, signed: false, js: 'number' },
  'const char *': { bits: 64, signed: false, js: 'string' },
  'void *': { bits: 64, signed: false, js: 'bigint' },
};

export function isArgType(type: string): type is ArgType {
  return Object.prototype.hasOwnProperty.call(ARG_REPRESENTATION, type);
}

/**
 * The value converted to the argument's C type, as the C call boundary does:
 * integers wrap to their width (sign-extending signed ones), bool becomes 0/1.
 * Log and simple backends both go through this so they agree record for record.
 */
export function normalizeArg(type: ArgType, value: TraceArg): TraceArg {
  if (type === 'const char *') return String(value);
  if (type === 'bool') return isTruthy(value) ? 1 : 0;
  const rep = ARG_REPRESENTATION[type];
  if (rep.js === 'number' && typeof value === 'number') return wrapNumber(rep, value);
  const big = typeof value === 'bigint' ? value : BigInt(typeof value === 'number' && Number.isFinite(value) ? Math.trunc(value) : 0);
  const wrapped = rep.signed ? BigInt.asIntN(rep.bits, big) : BigInt.asUintN(rep.bits, big);
  return rep.js === 'bigint' ? wrapped : Number(wrapped);
}

/** An integer of at most 32 bits wrapped to its width; JS's ToInt32 does C's modulo-2^32 conversion. */
function wrapNumber(rep: ArgRepresentation, value: number): number {
  const shift = 32 - rep.bits;
  const int = ((value | 0) << shift);
  return rep.signed ? int >> shift : int >>> shift;
}

function isTruthy(value: TraceArg): boolean {
  return typeof value === 'string' ? value !== '' : value !== 0 && value !== 0n;
}
