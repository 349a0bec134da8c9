/**
 * The vCPU's view of translated code: compiled block functions, found by
 * guest virtual pc (a jump cache per privilege level) and by physical
 * address (so a page mapped at two addresses compiles once).
 *
 * Source text comes from the translator service; compiling it into a
 * function happens here because functions cannot cross worker boundaries.
 */
import { BLOCK_PARAMS } from '../tcg/backend-js.js';
import { GuestMemory } from '../memory/guest-memory.js';
import { VcpuContext } from './context.js';
import { createLoadStoreHelpers, LoadStoreHelpers } from './load-store.js';
import type { AheadCheck } from '../tcg/prefetch-ring.js';

/** What the translator service returns for one block. */
export interface BlockCode {
  source: string;
  /** RAM page of the block's first instruction, or -1 for ROM. */
  page: number;
  /** pageGen of that page when the block was decoded. */
  gen: number;
  insnCount: number;
  /** Set on a translation made ahead of need (src/tcg/prefetch-ring.ts): check it before use. */
  ahead?: AheadCheck;
}

export interface BlockSource {
  /**
   * Translate (or find already translated) the block at virtual `pc`, physical `pa`.
   * `bare`: fetches are not paged right now (helps translation ahead across pages).
   */
  fetch(pc: number, pa: number, pa2: number, priv: number, bare: boolean, notAhead?: boolean): BlockCode;
}

export type BlockFn = () => number;

export interface CompiledBlock {
  pc: number;
  pa: number;
  page: number;
  gen: number;
  fn: BlockFn;
  /**
   * Links to the two successors seen last (the taken and fall-through
   * targets of a branch, usually), so the run loop rarely needs a lookup.
   * A link is valid while the context's link epoch is the one recorded.
   */
  link1Pc: number;
  link1: CompiledBlock | undefined;
  link2Pc: number;
  link2: CompiledBlock | undefined;
  linkEpoch: number;
}

type Factory = (...args: unknown[]) => BlockFn;

/** Raises execution-level events from generated code (`ev[id](...args)`); bound to one vCPU. */
export type EventSink = readonly ((...args: unknown[]) => void)[];

export class BlockCache {
  /** Jump caches indexed by privilege (0 U, 1 S, 3 M). */
  private readonly jump: Map<number, CompiledBlock>[] = [new Map(), new Map(), new Map(), new Map()];
  private readonly byPa = new Map<number, CompiledBlock[]>();
  compiled = 0;
  private readonly pageGen: Int32Array;

  constructor(
    private readonly ctx: VcpuContext,
    private readonly mem: GuestMemory,
    private readonly source: BlockSource,
    private readonly events: EventSink,
    /** Instrumentation scoreboards by global id (shared array: new ones appear in place). */
    private readonly scoreboards: BigInt64Array[] = [],
  ) {
    this.pageGen = mem.pageGen;
    this.loadStore = createLoadStoreHelpers(ctx, ctx.state.i32, mem);
  }

  /** The `ls` of generated code: loads and stores through this vCPU's TLB. */
  private readonly loadStore: LoadStoreHelpers;

  /** Drop everything (trace-state change, instrumentation load/unload, reset). */
  flush(): void {
    this.flushJump();
    this.byPa.clear();
  }

  /** Forget virtual-to-physical associations only (TLB flush): compiled code stays usable. */
  flushJump(): void {
    for (const j of this.jump) j.clear();
    this.ctx.linkEpoch++;
  }

  /**
   * The block that follows `from` when it returned `pc`: through its links
   * when they are current, else by lookup (then remembered as a link).
   */
  next(from: CompiledBlock, pc: number): CompiledBlock | undefined {
    const epoch = this.ctx.linkEpoch;
    if (from.linkEpoch === epoch) {
      if (from.link1Pc === pc) {
        const b = from.link1 as CompiledBlock;
        if (b.page < 0 || this.pageGen[b.page] === b.gen) return b;
      } else if (from.link2Pc === pc) {
        const b = from.link2 as CompiledBlock;
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
  valid(b: CompiledBlock): boolean {
    return b.page < 0 || Atomics.load(this.mem.pageGen, b.page) === b.gen;
  }

  /** The block to run at `pc`, or undefined if fetching it trapped (pc now holds the handler). */
  lookup(pc: number): CompiledBlock | undefined {
    const jump = this.jump[this.ctx.priv];
    const hit = jump.get(pc);
    if (hit !== undefined && this.valid(hit)) return hit;
    const pa = this.ctx.fetchPhys(pc);
    if (pa < 0) return undefined;
    let pa2 = -1;
    if ((pa & 0xfff) === 0xffe && (this.ctx.readPhysHalf(pa) & 3) === 3) {
      pa2 = this.ctx.fetchPhys(pc + 2, pc); // a fault reports the instruction's pc, the second page as tval
      if (pa2 < 0) return undefined;
    }
    const block = this.findOrCompile(pc, pa, pa2);
    jump.set(pc, block);
    return block;
  }

  private findOrCompile(pc: number, pa: number, pa2: number): CompiledBlock {
    const list = this.byPa.get(pa);
    if (list) {
      for (let i = 0; i < list.length; i++) {
        const b = list[i];
        if (b.pc === pc && this.valid(b)) return b;
      }
    }
    const pages = this.ramPages(pa, pa2);
    const fresh = pages.filter((p) => Atomics.load(this.mem.codePages, p) === 0);
    let code = this.source.fetch(pc, pa, pa2, this.ctx.priv, this.ctx.fetchIsBare());
    if (code.ahead && !this.admit(pa, code, code.ahead)) {
      code = this.source.fetch(pc, pa, pa2, this.ctx.priv, this.ctx.fetchIsBare(), true);
    }
    // pages that just became code must lose their fast write path everywhere; this
    // vCPU drops its own in any case (translation ahead may have marked the page)
    for (const p of pages) {
      if (fresh.includes(p)) this.ctx.codePageAdded(p);
      else this.ctx.dropWriteTlb(p);
    }
    const block: CompiledBlock = {
      pc, pa, page: code.page, gen: code.gen, fn: this.compile(code.source),
      link1Pc: NaN, link1: undefined, link2Pc: NaN, link2: undefined, linkEpoch: -1,
    };
    const kept = (list ?? []).filter((b) => b.pc !== pc && this.valid(b));
    kept.push(block);
    this.byPa.set(pa, kept);
    return block;
  }

  /**
   * May a translation made ahead run? This vCPU ran while it was made and may
   * have stored into that code through the TLB's fast path, which no page
   * generation records. So: first make every later store to the page take the
   * checked path, then compare the instruction bits with memory.
   */
  private admit(pa: number, code: BlockCode, ahead: AheadCheck): boolean {
    if (code.page < 0) return true; // ROM does not change
    this.ctx.dropWriteTlb(code.page);
    if (ahead.madeCodePage) this.ctx.otherHartsFlushWriteTlb?.();
    return this.mem.holdsCode(pa, ahead.fetched) && Atomics.load(this.mem.pageGen, code.page) === code.gen;
  }

  private ramPages(pa: number, pa2: number): number[] {
    const pages: number[] = [];
    for (const a of [pa, pa2]) {
      const off = a < 0 ? -1 : this.mem.ramOffset(a);
      if (off >= 0) pages.push(off >>> 12);
    }
    return pages;
  }

  compileMs = 0;

  private compile(source: string): BlockFn {
    const t0 = performance.now();
    const factory = new Function(...BLOCK_PARAMS, source) as Factory;
    this.compileMs += performance.now() - t0;
    this.compiled++;
    const m = this.mem;
    const s = this.ctx.state;
    return factory(
      this.ctx, s.i64, s.i32, s.f64, this.ctx.tlb, m.m8, m.mu8, m.m16, m.mu16, m.m32, m.mu32, m.m64, this.events, this.scoreboards,
      this.loadStore,
    );
  }
}
