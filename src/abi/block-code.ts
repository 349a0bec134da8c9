/**
 * What the translator hands the vCPU for one block, and the names the block's code is compiled
 * against. A block's `source` is the body of a factory: the vCPU compiles it once with
 * `new Function(...BLOCK_PARAMS, source)` and calls it with the values of BlockBindings in that
 * order (src/vcpu/block-cache.ts); the interpreter tier runs the same IR instead.
 */
import type { BlockContext, EventSink, LoadStoreHelpers } from './helpers.js';

/** What a block's code reaches, by the name it uses. */
export interface BlockBindings {
  /** The vCPU context: helpers, the block-exit request, tlbBase, hartId. */
  c: BlockContext;
  /** The vCPU state (src/abi/state-layout.ts) as 64-bit slots (guest register i is x[i]), ... */
  x: BigInt64Array;
  /** ... as Int32 words (low and high word of each slot), ... */
  xi: Int32Array;
  /** ... and as doubles (pc, instret). */
  f: Float64Array;
  /** The soft TLB (src/abi/tlb.ts). */
  tlb: Int32Array;
  /** Views of guest RAM. */
  m8: Int8Array;
  mu8: Uint8Array;
  m16: Int16Array;
  mu16: Uint16Array;
  m32: Int32Array;
  mu32: Uint32Array;
  m64: BigInt64Array;
  /** ev[eventId](...args) raises an execution-level event. */
  ev: EventSink;
  /** Scoreboards of instrumentation libraries: one BigInt64Array each, a row of counters per vCPU. */
  sb: readonly BigInt64Array[];
  /** Loads and stores through the TLB. */
  ls: LoadStoreHelpers;
}

/** The factory's parameters, in order: every name of BlockBindings once. */
export const BLOCK_PARAMS = ['c', 'x', 'xi', 'f', 'tlb', 'm8', 'mu8', 'm16', 'mu16', 'm32', 'mu32', 'm64', 'ev', 'sb', 'ls'] as const satisfies readonly (keyof BlockBindings)[];

/** BLOCK_PARAMS names every binding: this does not compile otherwise. */
const everyBindingNamed: Exclude<keyof BlockBindings, (typeof BLOCK_PARAMS)[number]> extends never ? true : false = true;
void everyBindingNamed;

/**
 * A block compiled to WebAssembly by the translator service: a module of one function, `b0`
 * (src/tcg/backend-wasm.ts says what it imports), as base64 text so it crosses the channel with
 * the JavaScript source.
 */
export interface WasmBlockCode {
  module: string;
  /** The helper imports under `h` besides `ld` and `st`: [field, helper, values, consts, result, mayExit]. */
  helpers: readonly (readonly [string, string, number, number, boolean, boolean])[];
}

/**
 * A block's IR as numbers and a table of strings (src/tcg/ir-serialize.ts says the layout): the
 * numbers cross the translator channel's shared memory as they are.
 */
export interface IrWire {
  numbers: Float64Array;
  strings: readonly string[];
}

/** A translated block as it crosses from the translator (service or local) to the vCPU. */
export interface BlockCode {
  /** The factory body (see above); empty when `ir` is given. */
  source: string;
  /**
   * The block's IR on the wire (src/tcg/ir-serialize.ts), when the service leaves compiling to
   * the vCPU: it interprets the block while cold and compiles it when hot, as a block it
   * translated itself, so translation-time instrumentation does not change the tiering.
   */
  ir?: IrWire;
  /** The same block in WebAssembly, when the service makes it (TSEMU_TIER=wasm) and the backend covers it. */
  wasm?: WasmBlockCode;
  /** RAM page of the block's first instruction, or -1 for ROM. */
  page: number;
  /** pageGen of that page when the block was decoded. */
  gen: number;
  insnCount: number;
}
