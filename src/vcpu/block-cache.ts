/**
 * The vCPU's view of translated code: block functions, found by guest
 * virtual pc (a jump cache per privilege level) and by physical address (so
 * a page mapped at two addresses translates once).
 *
 * Two ways to get a block:
 *  - translated here, in the vCPU's thread, when nobody observes translation
 *    (no `-d in_asm/op/out_asm`, no translation-level trace event or
 *    instrumentation callback: the translator service says so, see
 *    `BlockSource.mayTranslateHere`). The block is interpreted
 *    (src/tcg/interpreter.ts) for its first `hotThreshold` runs and compiled
 *    after that (the `tier`): to WebAssembly with other hot blocks in one
 *    module (src/vcpu/wasm-tier.ts), or to a JS function: most blocks of a
 *    boot run a few times, and for them a round trip to the service, a
 *    compiler and V8's warm-up cost far more than the run itself.
 *  - from the translator service otherwise, so translation-time events are
 *    raised there with the id of the vCPU that asked. The service sends the
 *    block's IR (src/tcg/ir-serialize.ts), instrumentation included, and it
 *    is interpreted and tiered up here exactly like a block translated here
 *    (when hot, its IR is fetched again from the service's cache: no second
 *    translation, no second event); under `-d out_asm` the service sends the
 *    code it logged instead, JS source compiled here (functions cannot cross
 *    worker boundaries) or, with TSEMU_TIER=wasm, a WebAssembly module.
 */
import { trace_tb_flush } from '../trace/generated/events.js';
import { generateJs } from '../tcg/backend-js.js';
import { BLOCK_PARAMS, type BlockBindings, type BlockCode } from '../abi/block-code.js';
import type { EventSink } from '../abi/helpers.js';
import { encodeBlock, EncodedBlock, interpretable, Interpreter } from '../tcg/interpreter.js';
import { optimize } from '../tcg/optimize.js';
import type { IrBlock } from '../tcg/ir.js';
import { decodeIr } from '../tcg/ir-serialize.js';
import { translateBlock, TranslatedBlock } from '../target/riscv/block-translator.js';
import { GuestMemory } from '../memory/guest-memory.js';
import { VcpuContext } from './context.js';
import { createLoadStoreHelpers } from './load-store.js';
import { primeInterpreter } from './interpreter-primer.js';
import { WasmTier, type WasmCompiled, type WasmCompileRequest } from './wasm-tier.js';
import { JumpCache } from './jump-cache.js';
import { type BatchLinks, type BlockLink, linkableExits } from '../tcg/backend-wasm.js';

/**
 * WebAssembly compile time (ms) the vCPU spends itself before its compiler thread is started, by
 * default (BlockCache.asyncAfterMs; src/threads/tier-setting.ts reads TSEMU_ASYNC_AFTER_MS). A
 * guest whose hot code is small never pays for the thread's start and memory: the int bench
 * compiles 35-65 ms in all (8 modules) and ran 0.71 s so, 0.83 s posting every batch to the thread
 * (peak RSS 86 MiB against 95). U-Boot's prompt: 1.31-1.35 s (200 ms or none), 1.43-1.49 s starting the thread at
 * once or after 100 ms; a Linux boot to power-off moved within the host's noise (3.0-3.2 s)
 * between all of these.
 */
export const ASYNC_AFTER_MS = 200;

/**
 * A thread that compiles WebAssembly batches while this vCPU goes on interpreting them
 * (src/threads/wasm-compile-worker.ts): tier-up off the vCPU's critical path.
 */
export interface WasmCompilePort {
  /**
   * Has the compiler thread loaded, so that a batch posted now is compiled at once? A false answer
   * starts it: until it has, the vCPU compiles its batches itself (the thread's ~100-150 ms start
   * would otherwise leave the first hot loops interpreted that long; the int bench ran 0.83 s with
   * every batch posted, 0.72 s compiling them all in the vCPU).
   */
  ready(): boolean;
  post(req: WasmCompileRequest): void;
  /** A batch that came back, if one has (cheap when none has: called on the interpreter's path). */
  take(): WasmCompiled | { readonly id: number; readonly error: string } | undefined;
}

/** What the translator service returns for one block. */

export interface BlockSource {
  /** Translate (or find already translated) the block at virtual `pc`, physical `pa`. */
  fetch(pc: number, pa: number, pa2: number, priv: number): BlockCode;
  /**
   * The translation `fetch` returned earlier for the block, without translating it again;
   * undefined if the source no longer has it (see TranslatorClient.refetch).
   */
  refetch?(pc: number, pa: number, pa2: number, priv: number): BlockCode | undefined;
  /**
   * May this vCPU translate by itself now? Only while nothing observes
   * translation: the service publishes that, tagged with the code epoch
   * (GuestMemory.epoch) it checked it for, so a trace or instrumentation
   * change revokes it before any vCPU can translate under the new state.
   */
  mayTranslateHere(epoch: number): boolean;
}

/**
 * Runs of a block in the interpreter before it is compiled (TSEMU_HOT; 0
 * compiles at once). High on purpose: measured on the U-Boot boot, compiled
 * blocks only beat the interpreter once V8 has optimized them (thousands of
 * runs, and ~10 ms of compiler time each), so a block that runs 5,000 times
 * in a boot is cheaper interpreted throughout (time to prompt when this tier
 * came in: 1.54 s with a threshold of 50, 1.12 s with 2,000, 0.85 s with
 * 50,000; 200,000 measured the same as 50,000).
 */
export const DEFAULT_HOT_THRESHOLD = 50_000; // for the JavaScript tier; see DEFAULT_WASM_HOT_THRESHOLD
/**
 * A block that jumps back to its own start is compiled this many times
 * sooner: compiled, it runs up to LOOP_ITERATIONS iterations per call
 * (src/tcg/backend-js.ts), interpreted, each iteration is a trip through the run loop.
 */
const LOOP_HEAT = 100;

export type BlockFn = () => number;

/**
 * Where hot blocks go (TSEMU_TIER): `interp` keeps every block in the interpreter (blocks it
 * cannot hold are compiled to JS), `js` compiles them to JavaScript, `wasm` to WebAssembly in
 * batches (a block the wasm backend does not cover goes to JavaScript; so does every block when
 * the vCPU's state is not in the machine's WebAssembly memory, as in unit tests).
 */
export type Tier = 'interp' | 'js' | 'wasm';

/** Hot blocks compiled into one WebAssembly module: module compile and instantiation cost is shared. */
export const WASM_BATCH_BLOCKS = 32;
/**
 * A hot block waits this many more interpreted runs for its batch to fill; then the batch is
 * compiled as it is (so a program with few hot blocks does not wait for ever).
 */
export const WASM_BATCH_WAIT = 200;

/** Where hot blocks go when TSEMU_TIER does not say. */
export const DEFAULT_TIER: Tier = 'wasm';

/**
 * Interpreted runs before a block goes to WebAssembly: lower than for JavaScript, as a wasm
 * block costs no V8 warm-up (Liftoff compiles it at once, TurboFan later in the background).
 */
export const DEFAULT_WASM_HOT_THRESHOLD = 2_000;

/** Interpreted runs before a block goes to `tier` (TSEMU_HOT overrides it). */
export function defaultHotThreshold(tier: Tier): number {
  return tier === 'wasm' ? DEFAULT_WASM_HOT_THRESHOLD : DEFAULT_HOT_THRESHOLD;
}

/** A translated block: interpreted while it is cold, compiled after (see BlockCache.run). */
export interface CachedBlock {
  pc: number;
  pa: number;
  page: number;
  gen: number;
  fn: BlockFn;
  /** The block in the interpreter's form while it is cold (then `fn` only forwards to BlockCache.run), else undefined. */
  encoded: EncodedBlock | undefined;
  /** Interpreted runs left before the block is compiled. */
  runsLeft: number;
  /** Physical address of the second page of a first instruction that straddles pages, or -1 (to translate it again). */
  pa2: number;
  /** Its IR while it waits for a WebAssembly batch (see BlockCache.promote). */
  queued: IrBlock | undefined;
  /** The translator service made its IR: when hot, the IR comes from there again (BlockSource.refetch). */
  remote: boolean;
  /** Privilege it was translated for (for the refetch). */
  priv: number;
  /**
   * Links to the two successors seen last (the taken and fall-through
   * targets of a branch, usually), so the run loop rarely needs a lookup.
   * A link is valid while the context's link epoch is the one recorded.
   */
  link1Pc: number;
  link1: CachedBlock | undefined;
  link2Pc: number;
  link2: CachedBlock | undefined;
  linkEpoch: number;
  /** Entry of the WebAssembly tier's table that holds its function for linked exits (see linksOf), or -1. */
  slot: number;
  /** Its function is a WebAssembly batch's (installed by install). */
  inWasm: boolean;
}

type Factory = (...args: BlockBindings[keyof BlockBindings][]) => BlockFn;

/**
 * Does the block raise execution-level events on more than one instruction in two (a callback on
 * every instruction, say)? Such a block runs faster as JavaScript: a call from WebAssembly into
 * JavaScript costs tens of nanoseconds each, where V8 can inline a JavaScript block's call into
 * the library's callback. Sparser events (a callback on stores) and scoreboard adds stay in
 * WebAssembly, which wins for the rest of the block.
 */
export function eventDense(ir: IrBlock): boolean {
  let events = 0;
  for (const op of ir.ops) if (op.opc === 'call_event') events++;
  return events * 2 > ir.insnCount;
}

/** Does the block jump back to its own start? Compiled, it runs many iterations per call (src/tcg/backend-js.ts). */
function loopsOnItself(ir: IrBlock): boolean {
  return ir.ops.some((op) => (op.opc === 'exit' || op.opc === 'exit_if') && op.target === ir.pc);
}

function newBlock(pc: number, pa: number, pa2: number, page: number, gen: number, fn: BlockFn): CachedBlock {
  return {
    pc, pa, page, gen, fn, encoded: undefined, runsLeft: 0, pa2, queued: undefined, remote: false, priv: 0,
    link1Pc: NaN, link1: undefined, link2Pc: NaN, link2: undefined, linkEpoch: -1, slot: -1, inWasm: false,
  };
}

const PAGE_BYTES = 4096;

export class BlockCache {
  /** Virtual pc and privilege -> block: QEMU's tb_jmp_cache, emptied by a TLB flush (bigger than QEMU's 4,096: a Linux boot runs ~17,000 blocks). */
  private readonly jump = new JumpCache<CachedBlock>(16384);
  private readonly byPa = new Map<number, CachedBlock[]>();
  /** Table entries made for blocks not translated yet, by `pa/pc` (see linksOf). */
  private readonly awaited = new Map<string, number>();
  compiled = 0;
  private readonly pageGen: Int32Array;

  constructor(
    private readonly ctx: VcpuContext,
    private readonly mem: GuestMemory,
    private readonly source: BlockSource,
    events: EventSink,
    /** Instrumentation scoreboards by global id (shared array: new ones appear in place). */
    scoreboards: readonly BigInt64Array[] = [],
    /** Interpreted runs before a block translated here is compiled; 0 compiles at once. */
    private readonly hotThreshold = DEFAULT_HOT_THRESHOLD,
    /** No other thread runs guest code (see InterpreterEnv.soleAccessor). */
    soleAccessor = false,
    /** Where hot blocks go. */
    private readonly tier: Tier = 'js',
    /**
     * Where WebAssembly batches are compiled, if not here: the blocks of a batch keep running in
     * the interpreter until their module comes back. Not for runs that must repeat exactly
     * (-icount): the moment a block changes tier would depend on the host.
     */
    private compilePort: WasmCompilePort | undefined = undefined,
  ) {
    this.wasm = tier === 'wasm' && WasmTier.available(ctx, mem) ? new WasmTier(ctx, mem, events, scoreboards) : undefined;
    this.pageGen = mem.pageGen;
    const s = ctx.state;
    const { m8, mu8, m16, mu16, m32, mu32, m64 } = mem;
    const bindings: BlockBindings = {
      c: ctx, x: s.i64, xi: s.i32, f: s.f64, tlb: ctx.tlb, m8, mu8, m16, mu16, m32, mu32, m64, ev: events, sb: scoreboards,
      ls: createLoadStoreHelpers(ctx, s.i32, mem),
    };
    this.factoryArgs = BLOCK_PARAMS.map((name) => bindings[name]);
    this.interpreter = new Interpreter({
      c: ctx, w: s.i32, x: s.i64, f: s.f64, tlb: ctx.tlb, ram: mem, ev: events, sb: scoreboards, soleAccessor, flatTable: ctx.flat?.table,
    });
    if (hotThreshold > 0) primeInterpreter();
  }

  private readonly interpreter: Interpreter;
  /** The WebAssembly tier, when hot blocks go there. */
  readonly wasm: WasmTier | undefined;
  /** Hot blocks waiting for their WebAssembly batch. */
  private pending: CachedBlock[] = [];
  /** Batches being compiled in another thread (compilePort), by id: their blocks are interpreted meanwhile. */
  private readonly inflight = new Map<number, CachedBlock[]>();
  private nextBatchId = 1;
  /** Blocks translated in this thread, and those of them that went on to be compiled (TSEMU_STATS). */
  translatedHere = 0;
  /** Blocks the translator service sent as IR (translation observed by a library or trace). */
  fromServiceIr = 0;
  promoted = 0;

  /** What compiled blocks are bound to (BlockBindings), in BLOCK_PARAMS order. */
  private readonly factoryArgs: BlockBindings[keyof BlockBindings][];

  /** Drop everything (trace-state change, instrumentation load/unload, reset). */
  flush(): void {
    trace_tb_flush(this.byPa.size);
    this.flushJump();
    this.jump.drop(); // no slot keeps a block of the old translations alive
    this.byPa.clear();
    this.wasm?.resetTable(); // blocks of the old translations go nowhere now
    this.awaited.clear();
    for (const b of this.pending) b.queued = undefined;
    this.pending = [];
    // batches still compiling elsewhere are dropped when they come back (their blocks are no longer queued)
    for (const batch of this.inflight.values()) for (const b of batch) b.queued = undefined;
  }

  /** Forget virtual-to-physical associations only (TLB flush): compiled code stays usable. */
  flushJump(): void {
    this.jump.clear();
    this.ctx.linkEpoch++;
  }

  /**
   * The block that follows `from` when it returned `pc`: through its links
   * when they are current, else by lookup (then remembered as a link).
   */
  next(from: CachedBlock, pc: number): CachedBlock | undefined {
    const epoch = this.ctx.linkEpoch;
    if (from.linkEpoch === epoch) {
      if (from.link1Pc === pc) {
        const b = from.link1 as CachedBlock;
        if (b.page < 0 || this.pageGen[b.page] === b.gen) return b;
      } else if (from.link2Pc === pc) {
        const b = from.link2 as CachedBlock;
        if (b.page < 0 || this.pageGen[b.page] === b.gen) return b;
      }
    } else {
      from.linkEpoch = epoch;
      from.link1Pc = NaN;
      from.link2Pc = NaN;
    }
    const b = this.lookup(pc);
    if (b === undefined || from.linkEpoch !== this.ctx.linkEpoch) return b; // the lookup itself trapped
    from.link2Pc = from.link1Pc;
    from.link2 = from.link1;
    from.link1Pc = pc;
    from.link1 = b;
    return b;
  }

  /** Is `b` still up to date with guest memory? */
  valid(b: CachedBlock): boolean {
    return b.page < 0 || Atomics.load(this.mem.pageGen, b.page) === b.gen;
  }

  /** The block to run at `pc`, or undefined if fetching it trapped (pc now holds the handler). */
  lookup(pc: number): CachedBlock | undefined {
    const priv = this.ctx.priv;
    const hit = this.jump.get(pc, priv);
    if (hit !== undefined && this.valid(hit)) return hit;
    const pa = this.ctx.fetchPhys(pc);
    if (pa < 0) return undefined;
    let pa2 = -1;
    if ((pa & 0xfff) === 0xffe && (this.ctx.readPhysHalf(pa) & 3) === 3) {
      pa2 = this.ctx.fetchPhys(pc + 2, pc); // a fault reports the instruction's pc, the second page as tval
      if (pa2 < 0) return undefined;
    }
    const block = this.findOrCompile(pc, pa, pa2);
    this.jump.set(pc, priv, block);
    return block;
  }

  private findOrCompile(pc: number, pa: number, pa2: number): CachedBlock {
    const list = this.byPa.get(pa);
    if (list) {
      for (let i = 0; i < list.length; i++) {
        const b = list[i];
        if (b.pc === pc && this.valid(b)) return b;
      }
    }
    if (this.mem.isFlash(pa)) this.mem.noteFlashCode(); // a later write to the bank must drop translations
    const pages = this.ramPages(pa, pa2);
    const fresh = pages.filter((p) => Atomics.load(this.mem.codePages, p) === 0);
    const block = this.source.mayTranslateHere(this.mem.epoch) ? this.translateHere(pc, pa, pa2) : this.fromService(pc, pa, pa2);
    // pages that just became code must lose their fast write path everywhere; this vCPU
    // drops its own in any case (another vCPU may have marked the page and asked us to flush)
    for (const p of pages) {
      if (fresh.includes(p)) this.ctx.codePageAdded(p);
      else this.ctx.dropWriteTlb(p);
    }
    if (this.awaited.size > 0 && pa2 < 0) {
      const key = `${pa}/${pc}`;
      const slot = this.awaited.get(key);
      if (slot !== undefined) {
        this.awaited.delete(key);
        block.slot = slot; // filled when it is compiled to WebAssembly (now, if it was at once)
        this.fillSlot(block);
      }
    }
    const kept = (list ?? []).filter((b) => b.pc !== pc && this.valid(b));
    kept.push(block);
    this.byPa.set(pa, kept);
    return block;
  }

  private fromService(pc: number, pa: number, pa2: number): CachedBlock {
    const priv = this.ctx.priv;
    const code = this.source.fetch(pc, pa, pa2, priv);
    if (code.ir !== undefined) {
      this.fromServiceIr++;
      const block = this.cold(pc, pa, pa2, code.page, code.gen, decodeIr(code.ir));
      block.remote = true;
      block.priv = priv;
      return block;
    }
    const fn = code.wasm !== undefined && this.wasm !== undefined ? this.wasm.fromService(code.wasm) : this.compile(code.source);
    return newBlock(pc, pa, pa2, code.page, code.gen, fn);
  }

  /** Translate in this thread; interpret until hot. */
  private translateHere(pc: number, pa: number, pa2: number): CachedBlock {
    const { ir, page, gen } = this.translateIr(pc, pa, pa2);
    this.translatedHere++;
    return this.cold(pc, pa, pa2, page, gen, ir);
  }

  /** A new block for `ir`: interpreted until hot (or compiled at once when the interpreter cannot hold it, or TSEMU_HOT=0). */
  private cold(pc: number, pa: number, pa2: number, page: number, gen: number, ir: IrBlock): CachedBlock {
    if (!interpretable(ir) || (this.hotThreshold === 0 && this.tier !== 'interp')) {
      const block = newBlock(pc, pa, pa2, page, gen, () => Number.NaN);
      block.fn = this.compileNow(ir, block);
      return block;
    }
    const block: CachedBlock = newBlock(pc, pa, pa2, page, gen, () => this.run(block));
    block.encoded = encodeBlock(ir);
    if (this.tier === 'interp') block.runsLeft = Infinity;
    else block.runsLeft = loopsOnItself(ir) ? Math.max(1, Math.floor(this.hotThreshold / LOOP_HEAT)) : this.hotThreshold;
    return block;
  }

  private translateIr(pc: number, pa: number, pa2: number): TranslatedBlock {
    const translated = translateBlock(this.mem, { pc, pa, pa2 });
    optimize(translated.ir);
    return translated;
  }

  /**
   * Run `block` once: in the interpreter while it is cold, else its compiled
   * function (whose loads and stores may throw BLOCK_EXIT, see load-store.ts).
   * Returns the next guest pc.
   */
  run(block: CachedBlock): number {
    const encoded = block.encoded;
    if (encoded === undefined) return block.fn();
    if (this.inflight.size !== 0) this.installCompiled();
    if (--block.runsLeft === 0 && !this.keepInterpreted) {
      if (block.queued === undefined) this.promote(block);
      else this.compileBatch();
    }
    return this.interpreter.run(encoded);
  }

  /** A block's code for the hot tier, at once (a batch of one for WebAssembly). */
  private compileNow(ir: IrBlock, block: CachedBlock): BlockFn {
    if (this.wasm !== undefined && !eventDense(ir)) {
      this.promoted++;
      block.inWasm = true;
      return this.wasm.compile([ir], this.chainLinks ? this.linksOf([block], [ir]) : undefined)[0];
    }
    return this.compile(generateJs(ir, this.ctx.flat));
  }

  /** Compile the waiting hot blocks that are still current into one WebAssembly module. */
  private compileBatch(): void {
    const batch = this.pending.filter((b) => this.valid(b));
    for (const b of this.pending) if (!this.valid(b)) b.queued = undefined;
    this.pending = [];
    if (batch.length === 0) return;
    const wasm = this.wasm as WasmTier;
    if (this.chainLinks) this.addCompiledNeighbours(batch);
    const irs = batch.map((b) => b.queued as IrBlock);
    const links = this.chainLinks ? this.linksOf(batch, irs) : undefined;
    if (this.compilePort !== undefined && wasm.compileMs >= this.asyncAfterMs && this.compilePort.ready()) {
      const id = this.nextBatchId++;
      this.compilePort.post(wasm.request(id, irs, links));
      for (const b of batch) b.runsLeft = Infinity; // interpreted until the module comes back
      this.inflight.set(id, batch);
      return;
    }
    this.install(batch, wasm.compile(irs, links));
  }

  /**
   * Add to `batch` the blocks compiled in earlier batches that a block of it jumps to and that
   * jump back into it: the inner loop of a nest (a block that loops on itself is hot a hundred
   * times sooner than the loop around it, so it was compiled alone). Compiled again with this
   * batch they make one region with it (backend-wasm.ts batchRegions); their table entries and
   * functions become the new ones at install, and the old code runs until then.
   */
  private addCompiledNeighbours(batch: CachedBlock[]): void {
    const inBatch = (pc: number, pa: number): boolean => batch.some((b) => b.pc === pc && b.pa === pa && b.pa2 < 0);
    for (const a of [...batch]) {
      const ir = a.queued as IrBlock;
      if (a.pa2 >= 0) continue;
      for (const target of linkableExits(ir)) {
        if (Math.floor(target / PAGE_BYTES) !== Math.floor(a.pc / PAGE_BYTES)) continue;
        const pa = a.pa + (target - a.pc);
        if (inBatch(target, pa)) continue;
        const t = this.byPa.get(pa)?.find((c) => c.pc === target && c.pa2 < 0 && this.valid(c));
        if (t === undefined || !t.inWasm || t.queued !== undefined) continue;
        const tIr = t.remote ? this.remoteIr(t) : this.translateIr(t.pc, t.pa, t.pa2).ir;
        if (tIr === undefined || eventDense(tIr)) continue;
        if (!linkableExits(tIr).some((x) => Math.floor(x / PAGE_BYTES) === Math.floor(t.pc / PAGE_BYTES) && inBatch(x, t.pa + (x - t.pc)))) continue;
        t.queued = tIr;
        batch.push(t);
      }
    }
  }

  /** Give the blocks of a batch their compiled functions (those still queued and current). */
  private install(batch: readonly CachedBlock[], fns: readonly BlockFn[]): void {
    batch.forEach((b, k) => {
      if (b.queued === undefined) return; // flushed while it compiled
      b.queued = undefined;
      if (!this.valid(b)) return; // its code changed: it will be translated again
      b.fn = fns[k];
      b.encoded = undefined;
      if (!b.inWasm) this.promoted++;
      b.inWasm = true;
      if (b.slot >= 0) this.wasm?.setSlot(b.slot, fns[k]); // blocks compiled earlier may go straight to it now
    });
  }

  /** The table entry of block `b`, made (and filled, if it is compiled already) on first use; -1 when the table is full. */
  private slotOf(b: CachedBlock): number {
    if (b.slot < 0) {
      b.slot = (this.wasm as WasmTier).newSlot();
      this.fillSlot(b);
    }
    return b.slot;
  }

  /** A compiled block's function into its table entry, if it has one (install does it for blocks compiled later). */
  private fillSlot(b: CachedBlock): void {
    if (b.slot >= 0 && b.encoded === undefined && b.queued === undefined) this.wasm?.setSlot(b.slot, b.fn);
  }

  /**
   * An entry for a block not translated yet (a loop's exit, compiled before the code after it
   * ever ran): the block translated at `pc`/`pa` takes it (findOrCompile).
   */
  private awaitedSlot(pc: number, pa: number): number {
    const key = `${pa}/${pc}`;
    let slot = this.awaited.get(key);
    if (slot === undefined) {
      slot = (this.wasm as WasmTier).newSlot();
      if (slot < 0) return -1;
      this.awaited.set(key, slot);
    }
    return slot;
  }

  /**
   * Which exits of a WebAssembly batch may go straight to another block (backend-wasm.ts decides
   * whether the source block may link at all). As QEMU chains only within a guest page: the
   * target is on the source's page virtually, at the same offset of the same physical page. The
   * run loop enters the source through a current translation, so the page maps where it did
   * when the link was made; the two blocks are of the same page generation (both current now),
   * so a write to the page invalidates them together. A target in the batch is called directly;
   * one outside it through its entry of the tier's table, which holds its function once it has
   * one (set in install), so a block compiled early goes straight to blocks compiled later.
   */
  private linksOf(batch: readonly CachedBlock[], irs: readonly IrBlock[]): BatchLinks {
    return batch.map((a, k) => {
      const out: BlockLink[] = [];
      if (a.pa2 >= 0) return out;
      for (const target of linkableExits(irs[k])) {
        if (Math.floor(target / PAGE_BYTES) !== Math.floor(a.pc / PAGE_BYTES)) continue;
        const pa = a.pa + (target - a.pc);
        const j = batch.findIndex((b) => b.pc === target && b.pa === pa && b.pa2 < 0);
        if (j >= 0) {
          out.push({ pc: target, block: j });
          continue;
        }
        const b = this.byPa.get(pa)?.find((c) => c.pc === target && c.pa2 < 0 && this.valid(c));
        const slot = b === undefined ? this.awaitedSlot(target, pa) : this.slotOf(b);
        if (slot >= 0) out.push({ pc: target, slot });
      }
      return out;
    });
  }

  private compileHere(batch: readonly CachedBlock[]): void {
    const live = batch.filter((b) => b.queued !== undefined);
    if (live.length > 0) this.install(live, (this.wasm as WasmTier).compile(live.map((b) => b.queued as IrBlock)));
  }

  /** Install the batches the compiling thread has sent back; one that failed there is compiled here. */
  private installCompiled(): void {
    const port = this.compilePort as WasmCompilePort;
    for (let c = port.take(); c !== undefined; c = port.take()) {
      const batch = this.inflight.get(c.id);
      if (batch === undefined) continue;
      this.inflight.delete(c.id);
      if ('error' in c) {
        // compile here from now on, starting with this batch and the others still out there
        this.compilePort = undefined;
        for (const b of [batch, ...this.inflight.values()]) this.compileHere(b);
        this.inflight.clear();
        return;
      }
      if (batch.some((b) => b.queued !== undefined)) this.install(batch, (this.wasm as WasmTier).instantiateCompiled(c));
    }
  }

  /**
   * Compile a block that proved hot; from its next run on, the compiled code
   * runs. The IR is made again for that rather than kept: most blocks never
   * get here, and keeping every block's IR alive made each young-generation
   * GC copy it. The block is current (it was looked up to run it), so its
   * code reads the same now.
   */
  private promote(block: CachedBlock): void {
    const ir = block.remote ? this.remoteIr(block) : this.translateIr(block.pc, block.pa, block.pa2).ir;
    if (ir === undefined) {
      block.runsLeft = Infinity; // the service dropped it: the block is stale and about to be flushed here too
      return;
    }
    if (this.wasm !== undefined && !eventDense(ir)) {
      // to WebAssembly with the next batch; interpreted meanwhile
      block.queued = ir;
      block.runsLeft = WASM_BATCH_WAIT;
      this.pending.push(block);
      if (this.pending.length >= WASM_BATCH_BLOCKS) this.compileBatch();
      return;
    }
    block.fn = this.compile(generateJs(ir, this.ctx.flat));
    block.encoded = undefined;
    this.promoted++;
  }

  /** The IR the translator service made for `block`, fetched again (it was not kept here: see promote). */
  private remoteIr(block: CachedBlock): IrBlock | undefined {
    const code = this.source.refetch?.(block.pc, block.pa, block.pa2, block.priv);
    return code?.ir === undefined ? undefined : decodeIr(code.ir);
  }

  private ramPages(pa: number, pa2: number): number[] {
    const pages: number[] = [];
    for (const a of [pa, pa2]) {
      const page = a < 0 ? -1 : this.mem.ramPage(a);
      if (page >= 0) pages.push(page);
    }
    return pages;
  }

  compileMs = 0;

  /**
   * -d exec/cpu: blocks stay in the interpreter, where a block that loops on itself returns to the
   * run loop after each iteration (compiled, it runs up to LOOP_ITERATIONS of them per call, which
   * the log would miss). Set by the run loop, which flushes the cache when it changes.
   */
  keepInterpreted = false;
  /** WebAssembly blocks of a batch go straight to one another where batchLinks allows (TSEMU_WASM_LINKS=0: never). */
  chainLinks = true;
  /** Compile time (ms) spent here before batches go to the compiler thread (ASYNC_AFTER_MS). */
  asyncAfterMs = ASYNC_AFTER_MS;

  /** Blocks held (by physical address). */
  get blockCount(): number {
    return this.byPa.size;
  }

  private compile(source: string): BlockFn {
    const t0 = performance.now();
    const factory = new Function(...BLOCK_PARAMS, source) as Factory;
    this.compileMs += performance.now() - t0;
    this.compiled++;
    return factory(...this.factoryArgs);
  }
}
