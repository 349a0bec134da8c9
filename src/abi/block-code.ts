/**
 * What the translator hands the vCPU for one block, and the names the block's code is compiled
 * against. A block's `source` is the body of a factory: the vCPU compiles it once with
 * `new Function(...BLOCK_PARAMS, source)` and calls it with its own context (src/tcg/backend-js.ts
 * says what each parameter is); the interpreter tier runs the same IR instead.
 */

/** The factory's parameters, in order. */
export const BLOCK_PARAMS = ['c', 'x', 'xi', 'f', 'tlb', 'm8', 'mu8', 'm16', 'mu16', 'm32', 'mu32', 'm64', 'ev', 'sb', 'ls'] as const;

/** A translated block as it crosses from the translator (service or local) to the vCPU. */
export interface BlockCode {
  source: string;
  /** RAM page of the block's first instruction, or -1 for ROM. */
  page: number;
  /** pageGen of that page when the block was decoded. */
  gen: number;
  insnCount: number;
}
