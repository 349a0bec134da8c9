/**
 * What the generated trace_<event>_tcg() functions call (src/trace/generated/tcg.ts):
 * in the translator service this is bound to the instrumentation runtime, which
 * raises the translation level (callbacks or trace) and emits the execution
 * level into the block being built. Unbound (other threads) nothing happens.
 */
import type { TcgBuilder } from '../tcg/builder.js';
import type { Temp } from '../tcg/ir.js';

export type TcgArg = { temp: Temp } | { value: number | bigint };

export interface TcgTraceRuntime {
  /** Does an occurrence of translation-level event `transId` need any work for `cpu`? (zero cost when not) */
  wanted(transId: number, cpu: number): boolean;
  raise(transId: number, cpu: number, b: TcgBuilder, args: TcgArg[]): void;
}

export const tcgTraceRuntime: TcgTraceRuntime = {
  wanted: () => false,
  raise: () => undefined,
};

export function bindTcgTraceRuntime(rt: TcgTraceRuntime): void {
  tcgTraceRuntime.wanted = rt.wanted;
  tcgTraceRuntime.raise = rt.raise;
}
