/**
 * The vCPU run loop: find the block for the pc, run it, repeat. Between
 * blocks it looks at one shared word (the exit request) and, every few
 * thousand blocks, at the timers; everything else (interrupts, control
 * messages from the main thread, WFI sleep, pause) happens in `service`.
 */
import { VcpuContext } from './context.js';
import { BlockCache, CompiledBlock } from './block-cache.js';
import { CpuLog, formatCpuState } from './cpu-log.js';
import {
  Csr, ExitReason, RunState, SLOT_PC, WORD_EXIT_REASONS, WORD_EXIT_REQUEST, WORD_RUN_STATE, WORD_WAKE,
} from './state-layout.js';
import { MENVCFG_STCE } from '../target/riscv/csr.js';
import { TIMEBASE_FREQ } from '../machine/virt-map.js';

/** Blocks between two timer checks when nothing else asks for attention. */
const TIMER_CHECK_BLOCKS = 2048;
/** Longest single sleep in WFI, so control requests are never stuck behind a far deadline. */
const MAX_SLEEP_MS = 1000;

export interface RunLoopHost {
  /** Drain control messages; returns false when the vCPU must end. */
  handleControl(): boolean;
  /** Whether the machine wants this vCPU paused. */
  paused(): boolean;
  /** Called while the vCPU is paused or halted, before it sleeps. */
  onIdle?(): void;
}

export class RunLoop {
  private budget = TIMER_CHECK_BLOCKS;
  private running = true;

  constructor(
    private readonly ctx: VcpuContext,
    private readonly cache: BlockCache,
    private readonly host: RunLoopHost,
    /** Per-block logging (`-d exec`, `-d cpu`); undefined keeps the fast loop. */
    private readonly log?: CpuLog,
  ) {}

  /** Ask the run loop to look at its state at the next block boundary (from this thread). */
  requestExit(reason: ExitReason): void {
    Atomics.or(this.ctx.i32, WORD_EXIT_REASONS, reason);
    Atomics.store(this.ctx.i32, WORD_EXIT_REQUEST, 1);
  }

  /** Run until the host says stop. */
  run(): void {
    if (this.log && (this.log.flags.exec || this.log.flags.cpu)) {
      this.runLogged(this.log);
      return;
    }
    const { ctx, cache } = this;
    const i32 = ctx.i32;
    const f64 = ctx.f64;
    let block: CompiledBlock | undefined;
    while (this.running) {
      if (i32[WORD_EXIT_REQUEST] !== 0 || --this.budget <= 0) {
        if (!this.service()) break;
        block = undefined;
        continue;
      }
      if (block === undefined) {
        block = cache.lookup(f64[SLOT_PC]);
        if (block === undefined) continue; // fetch fault: pc is the handler now
      }
      const next = block.fn();
      f64[SLOT_PC] = next;
      block = cache.next(block, next);
    }
  }

  /** The same loop with a log line before every block; no links, so every block is looked up. */
  private runLogged(log: CpuLog): void {
    const { ctx, cache } = this;
    while (this.running) {
      if (ctx.i32[WORD_EXIT_REQUEST] !== 0 || --this.budget <= 0) {
        if (!this.service()) break;
        continue;
      }
      const block = cache.lookup(ctx.f64[SLOT_PC]);
      if (block === undefined) continue;
      if (log.flags.cpu) log.write(formatCpuState(ctx, false));
      if (log.flags.exec) log.blockExecuted(ctx.hartId, block.pc);
      ctx.f64[SLOT_PC] = block.fn();
    }
  }

  /** Everything that is not running a block. Returns false when the vCPU must end. */
  private service(): boolean {
    const { ctx } = this;
    this.budget = TIMER_CHECK_BLOCKS;
    Atomics.store(ctx.i32, WORD_EXIT_REQUEST, 0);
    const reasons = Atomics.exchange(ctx.i32, WORD_EXIT_REASONS, 0);
    if ((reasons & ExitReason.Control) !== 0 && !this.host.handleControl()) return false;
    if ((reasons & ExitReason.FlushTlb) !== 0) ctx.flushWriteTlb();
    if ((reasons & ExitReason.FlushCode) !== 0) this.cache.flush();
    if (ctx.codeCacheDirty) {
      ctx.codeCacheDirty = false;
      this.cache.flushJump();
    }
    if (this.host.paused()) return this.pause();
    this.checkInterrupts();
    if (ctx.wantHalt) return this.halt();
    return true;
  }

  private checkInterrupts(): void {
    const irq = this.ctx.pendingInterrupt();
    if (irq >= 0) {
      this.ctx.wantHalt = false;
      this.ctx.pc = this.ctx.takeTrap(irq, 0n, this.ctx.pc, true);
    }
  }

  /** WFI: sleep until an interrupt is pending (enabled in mie), a timer fires, or the host needs us. */
  private halt(): boolean {
    const { ctx } = this;
    Atomics.store(ctx.i32, WORD_RUN_STATE, RunState.Halted);
    try {
      while (!ctx.wfiShouldWake()) {
        if (Atomics.load(ctx.i32, WORD_EXIT_REQUEST) !== 0) return true; // service again first
        this.host.onIdle?.();
        const seen = Atomics.load(ctx.i32, WORD_WAKE);
        if (Atomics.load(ctx.i32, WORD_EXIT_REQUEST) !== 0) return true;
        Atomics.wait(ctx.i32, WORD_WAKE, seen, this.sleepMs());
      }
      ctx.wantHalt = false;
      this.checkInterrupts();
      return true;
    } finally {
      if (Atomics.load(ctx.i32, WORD_RUN_STATE) === RunState.Halted) Atomics.store(ctx.i32, WORD_RUN_STATE, RunState.Running);
    }
  }

  /** How long WFI may sleep before a timer interrupt could become pending. */
  private sleepMs(): number {
    const { ctx } = this;
    const now = ctx.timer.mtime();
    let deadline = ctx.timer.mtimecmp(ctx.hartId);
    if ((ctx.csr(Csr.menvcfg) & MENVCFG_STCE) !== 0n) {
      const s = BigInt.asUintN(64, ctx.csr(Csr.stimecmp));
      if (s < deadline) deadline = s;
    }
    if (deadline <= now) return 0;
    const ms = Number(deadline - now) / (TIMEBASE_FREQ / 1000);
    return Math.min(Math.max(ms, 0), MAX_SLEEP_MS);
  }

  /** Paused by the machine (monitor `stop`, -S): sleep until resumed or ended. */
  private pause(): boolean {
    const { ctx } = this;
    const previous = Atomics.load(ctx.i32, WORD_RUN_STATE);
    Atomics.store(ctx.i32, WORD_RUN_STATE, RunState.Stopped);
    try {
      while (this.host.paused()) {
        this.host.onIdle?.();
        const seen = Atomics.load(ctx.i32, WORD_WAKE);
        if (Atomics.load(ctx.i32, WORD_EXIT_REQUEST) !== 0) {
          Atomics.store(ctx.i32, WORD_EXIT_REQUEST, 0);
          const reasons = Atomics.exchange(ctx.i32, WORD_EXIT_REASONS, 0);
          if ((reasons & ExitReason.Control) !== 0 && !this.host.handleControl()) return false;
          if ((reasons & ExitReason.FlushCode) !== 0) this.cache.flush();
          if ((reasons & ExitReason.FlushTlb) !== 0) ctx.flushWriteTlb();
          continue;
        }
        Atomics.wait(ctx.i32, WORD_WAKE, seen, MAX_SLEEP_MS);
      }
      return true;
    } finally {
      Atomics.store(ctx.i32, WORD_RUN_STATE, previous === RunState.Stopped ? RunState.Running : previous);
    }
  }
}
