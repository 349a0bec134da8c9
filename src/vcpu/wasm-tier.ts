/**
 * The WebAssembly tier of one vCPU: compiles batches of IR blocks with src/tcg/backend-wasm.ts
 * and instantiates each module on the machine's shared memory, with this vCPU's state area and
 * the helper imports bound to its context. A block's function is then the module's export
 * itself (no closure): it takes nothing and returns the next guest pc, like a JS block. Blocks
 * the translator service compiled (TSEMU_TIER=wasm while translation is observed, as with
 * `-d out_asm`) arrive as module bytes and are instantiated the same way.
 *
 * The helper imports turn the context's block-exit protocol (src/abi/helpers.ts: `endBlock`,
 * `resumePc`) into what wasm code can see: a status of 1, with the pc to resume at in
 * SLOT_RESUME_PC. Values come back in SLOT_SCRATCH. Execution-level events and scoreboard adds
 * are imports too, bound here to this vCPU's event dispatchers and its row of each scoreboard.
 */
import type { AnyHelper, EventSink, HelperArg, HelperName } from '../abi/helpers.js';
import type { WasmBlockCode } from '../abi/block-code.js';
import { SLOT_RESUME_PC, SLOT_SCRATCH } from '../abi/state-layout.js';
import type { FlatLayout } from '../abi/tlb.js';
import { type BatchLinks, compileWasmBatch, type CounterAddress, WasmBatch, WasmEventImport, WasmHelperImport, WasmScoreboardImport } from '../tcg/backend-wasm.js';
import { counterHolds, type IrBlock } from '../tcg/ir.js';
import type { GuestMemory } from '../memory/guest-memory.js';
import type { VcpuContext } from './context.js';

export type WasmBlockFn = () => number;

/** Entries of a vCPU's link table at most (then blocks stop getting new ones until a flush). */
const MAX_TABLE_SLOTS = 1 << 16;

/**
 * A batch of hot blocks to compile in another thread (src/threads/wasm-compile-worker.ts): the
 * blocks' IR (plain data, structured-cloned) and what the module's code depends on besides them,
 * so the compiler there needs no vCPU.
 */
export interface WasmCompileRequest {
  readonly id: number;
  readonly blocks: readonly IrBlock[];
  readonly memoryPages: number;
  /** The vCPU's counter address in the counter arena, per scoreboard id (-1: the board is elsewhere). */
  readonly boardOffsets: readonly number[];
  readonly hartId: number;
  /** User mode's flat memory, if the vCPU has it (src/abi/tlb.ts). */
  readonly flat?: FlatLayout | undefined;
  /** Exits that may go straight to another block of the batch (backend-wasm.ts). */
  readonly links?: BatchLinks | undefined;
}

/** A compiled batch as it comes back: the module (shared code, not recompiled) and its imports. */
export interface WasmCompiled {
  readonly id: number;
  readonly module: WebAssembly.Module;
  readonly exports: readonly string[];
  readonly helpers: readonly WasmHelperImport[];
  readonly events: readonly WasmEventImport[];
  readonly scoreboards: readonly WasmScoreboardImport[];
  /** Time the compiling thread spent on it (TSEMU_STATS). */
  readonly ms: number;
}

/** Compile a batch for a vCPU that asked from another thread: what WasmTier.compile does before it instantiates. */
export function compileWasmRequest(req: WasmCompileRequest): WasmCompiled {
  const t0 = performance.now();
  const counterAddress: CounterAddress = (board, slot, counters) => {
    const base = req.boardOffsets[board];
    return base === undefined || base < 0 ? undefined : base + (req.hartId * counters + slot) * 8;
  };
  const batch = compileWasmBatch(req.blocks, req.memoryPages, false, counterAddress, req.flat, req.links);
  const module = new WebAssembly.Module(batch.bytes);
  return {
    id: req.id, module, exports: batch.exports, helpers: batch.helpers, events: batch.events, scoreboards: batch.scoreboards,
    ms: performance.now() - t0,
  };
}

type ImportFn = (...args: never[]) => unknown;

type EventCallerFactory = (events: EventSink, id: number, literals: readonly unknown[], unsigned: typeof BigInt.asUintN) => ImportFn;
const eventCallers = new Map<string, EventCallerFactory>();

/** The factory of event imports whose run-time values go to argument `positions` of `count`. */
function eventCaller(positions: readonly number[], count: number): EventCallerFactory {
  const key = `${positions.join(',')}/${count}`;
  let make = eventCallers.get(key);
  if (make === undefined) {
    const params = positions.map((_, j) => `v${j}`);
    const args = Array.from({ length: count }, (_, k) => (positions.includes(k) ? `U(64, v${positions.indexOf(k)})` : `L[${k}]`));
    make = new Function('E', 'id', 'L', 'U', `return (${params.join(', ')}) => { E[id](${args.join(', ')}); };`) as EventCallerFactory;
    eventCallers.set(key, make);
  }
  return make;
}

export class WasmTier {
  private readonly helpers: Record<string, ImportFn> = {};
  private readonly memory: WebAssembly.Memory;
  private readonly pages: number;
  private readonly arenaOffset: number;
  /**
   * The block functions that linked exits reach through `return_call_indirect` (backend-wasm.ts):
   * an entry per block that some compiled block may go to, empty until it has a function. A
   * flush replaces it, so modules made before go on using the old one, whose blocks are gone.
   */
  private table = new WebAssembly.Table({ element: 'anyfunc', initial: 0 });
  private slots = 0;
  /** Entries made in the table (TSEMU_STATS). */
  slotsMade = 0;

  /** Blocks compiled, modules made, and the time spent (TSEMU_STATS). */
  blocks = 0;
  modules = 0;
  compileMs = 0;

  /** Is this vCPU's state in the memory WebAssembly code imports (a machine's vCPU, not a unit test's)? */
  static available(ctx: VcpuContext, mem: GuestMemory): boolean {
    return mem.buffers.wasm !== undefined && ctx.state.buffer === mem.buffers.ram;
  }

  constructor(
    private readonly ctx: VcpuContext,
    mem: GuestMemory,
    /** This vCPU's execution-level event dispatchers, by event id. */
    private readonly events: EventSink = [],
    /** Scoreboards by global id (a shared array: boards created later appear in it). */
    private readonly scoreboards: readonly BigInt64Array[] = [],
  ) {
    if (!WasmTier.available(ctx, mem)) throw new Error('wasm tier: the vCPU state is not in the WebAssembly memory');
    this.memory = mem.buffers.wasm as WebAssembly.Memory;
    this.arenaOffset = mem.buffers.arenaOffset;
    this.pages = mem.buffers.ram.byteLength / 65536;
    const c = ctx;
    const x = ctx.state.i64;
    this.helpers.ld = (lo: number, hi: number, size: number, signed: number, pc: number, insnIndex: number): number => {
      const v = c.ld(lo, hi, size, signed, pc, insnIndex);
      if (this.ended()) return 1;
      x[SLOT_SCRATCH] = v;
      return 0;
    };
    this.helpers.st = (lo: number, hi: number, size: number, value: bigint, pc: number, insnIndex: number, insnLength: number): number => {
      c.st(lo, hi, size, value, pc, insnIndex, insnLength);
      return this.ended();
    };
  }

  /** A new entry of the table (empty), or -1 when it is full (until the next flush). */
  newSlot(): number {
    if (this.slots >= MAX_TABLE_SLOTS) return -1;
    if (this.slots >= this.table.length) this.table.grow(Math.max(256, this.table.length));
    this.slotsMade++;
    return this.slots++;
  }

  /** Put a block's function in its entry, if it is a WebAssembly function (a JavaScript block leaves it empty). */
  setSlot(slot: number, fn: () => number): void {
    if (slot >= this.slots) return;
    try {
      this.table.set(slot, fn);
    } catch (e) {
      if (!(e instanceof TypeError)) throw e; // a JavaScript block: the entry stays empty, the exit returns to the run loop
    }
  }

  /** Empty every entry: the cache dropped every translation. */
  resetTable(): void {
    if (this.slots === 0) return;
    this.table = new WebAssembly.Table({ element: 'anyfunc', initial: 0 });
    this.slots = 0;
  }

  /** The context's exit request as the status wasm code reads. */
  private ended(): number {
    const c = this.ctx;
    if (!c.endBlock) return 0;
    c.endBlock = false;
    this.ctx.state.f64[SLOT_RESUME_PC] = c.resumePc;
    return 1;
  }

  /** The import for a helper call shape, made once. */
  private helperImport(h: WasmHelperImport): ImportFn {
    const existing = this.helpers[h.field];
    if (existing !== undefined) return existing;
    const c = this.ctx;
    const x = this.ctx.state.i64;
    const fn: AnyHelper = c[h.helper];
    const call = (...args: HelperArg[]): number => {
      const r = fn.apply(c, args);
      if (h.result && typeof r === 'bigint') x[SLOT_SCRATCH] = r;
      return h.mayExit ? this.ended() : 0;
    };
    this.helpers[h.field] = call;
    return call;
  }

  /**
   * Where this vCPU's counter is, for a scoreboard in the memory's counter arena (the main
   * thread allocates boards there while it has room: src/instr/manager.ts); a board elsewhere
   * has byte offset 0 in a buffer of its own.
   */
  private readonly counterAddress = (board: number, slot: number, counters: number): number | undefined => {
    const b = this.scoreboards[board];
    if (b === undefined || this.arenaOffset < 0 || b.byteOffset < this.arenaOffset || b.buffer.byteLength !== this.memory.buffer.byteLength) return undefined;
    return b.byteOffset + (this.ctx.hartId * counters + slot) * 8;
  };

  /**
   * An event import: the run-time values (i64, signed) in their places among the literals, as
   * unsigned 64-bit values. Made from a small function per shape (which arguments are run-time
   * values), so a call builds no argument array and spreads nothing.
   */
  private eventImport(e: WasmEventImport): ImportFn {
    const plain = this.plainEventImport(e);
    const cond = e.cond;
    if (cond === undefined) return plain;
    // a conditional callback: the counter is compared here, in the import (events are calls out anyway)
    const boards = this.scoreboards;
    const hart = this.ctx.hartId;
    return (...values: bigint[]) => {
      if (counterHolds(cond, boards, hart)) (plain as (...v: bigint[]) => void)(...values);
    };
  }

  private plainEventImport(e: WasmEventImport): ImportFn {
    const { eventId, literals, positions } = e;
    // the dispatcher is looked up per call, as the JavaScript tier's `ev[id](...)` does
    return eventCaller(positions, literals.length)(this.events, eventId, literals, BigInt.asUintN);
  }

  /** A scoreboard import: add `n` to this vCPU's counter (the board is looked up per call: it may be created after the batch). */
  private scoreboardImport(sb: WasmScoreboardImport): ImportFn {
    const boards = this.scoreboards;
    const index = this.ctx.hartId * sb.counters + sb.slot;
    const n = BigInt(sb.n);
    if (sb.store === true) return () => { boards[sb.board][index] = n; };
    return () => { boards[sb.board][index] += n; };
  }

  /** Compile `blocks` into one module; their functions in order. */
  compile(blocks: readonly IrBlock[], links?: BatchLinks): WasmBlockFn[] {
    const t0 = performance.now();
    const batch: WasmBatch = compileWasmBatch(blocks, this.pages, false, this.counterAddress, this.ctx.flat, links);
    return this.instantiate(new WebAssembly.Module(batch.bytes), batch.helpers, batch.exports, t0, this.boundImports(batch));
  }

  /** What another thread needs to compile `blocks` for this vCPU (see compileWasmRequest). */
  request(id: number, blocks: readonly IrBlock[], links?: BatchLinks): WasmCompileRequest {
    const boardOffsets = this.scoreboards.map((_, board) => this.counterAddress(board, 0, 0) ?? -1);
    return { id, blocks, memoryPages: this.pages, boardOffsets, hartId: this.ctx.hartId, flat: this.ctx.flat, links };
  }

  /** A batch compiled in another thread: instantiated here, with this vCPU's imports. */
  instantiateCompiled(c: WasmCompiled): WasmBlockFn[] {
    this.compileMsElsewhere += c.ms;
    this.batchesElsewhere++;
    return this.instantiate(c.module, c.helpers, c.exports, performance.now(), this.boundImports(c));
  }

  /** Batches compiled in another thread, and the time they took there (TSEMU_STATS). */
  batchesElsewhere = 0;
  compileMsElsewhere = 0;

  private boundImports(batch: Pick<WasmBatch, 'events' | 'scoreboards'>): Record<string, ImportFn> {
    const bound: Record<string, ImportFn> = {};
    for (const e of batch.events) bound[e.field] = this.eventImport(e);
    for (const sb of batch.scoreboards) bound[sb.field] = this.scoreboardImport(sb);
    return bound;
  }

  /** A block the translator service compiled (a module whose one function is `b0`). */
  fromService(code: WasmBlockCode): WasmBlockFn {
    const t0 = performance.now();
    const helpers = code.helpers.map(([field, helper, values, consts, result, mayExit]): WasmHelperImport => {
      if (typeof this.ctx[helper as HelperName] !== 'function') throw new Error(`wasm tier: no helper ${helper}`);
      return { field, helper: helper as HelperName, values, consts, result, mayExit };
    });
    return this.instantiate(new WebAssembly.Module(Buffer.from(code.module, 'base64')), helpers, ['b0'], t0)[0];
  }

  private instantiate(
    module: WebAssembly.Module, helpers: readonly WasmHelperImport[], exports: readonly string[], t0: number, bound: Record<string, ImportFn> = {},
  ): WasmBlockFn[] {
    const h: Record<string, ImportFn> = { ld: this.helpers.ld, st: this.helpers.st, ...bound };
    for (const imp of helpers) h[imp.field] = this.helperImport(imp);
    const instance = new WebAssembly.Instance(module, { m: { mem: this.memory, st: this.ctx.state.byteOffset, tbl: this.table }, h });
    this.compileMs += performance.now() - t0;
    this.blocks += exports.length;
    this.modules++;
    return exports.map((name) => instance.exports[name] as WasmBlockFn);
  }
}
