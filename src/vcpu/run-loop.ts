/**
 * The vCPU run loop: find the block for the pc, run it, repeat. Between
 * blocks it looks at one shared word (the exit request) and, every few
 * thousand blocks, at the timers; everything else (interrupts, control
 * messages from the main thread, WFI, pause) happens in `service`.
 *
 * `step` runs one vCPU until its budget is spent or it cannot go on (WFI,
 * paused, told to exit); the drivers at the end decide how to wait: one vCPU
 * per thread sleeps in Atomics.wait (thread=multi), several vCPUs in one
 * thread take turns (thread=single, deterministic round robin).
 */
import { VcpuContext } from './context.js';
import { BlockCache, CachedBlock } from './block-cache.js';
import { BLOCK_EXIT } from './load-store.js';
import { CpuLog, formatCpuState } from './cpu-log.js';
import {
  CsrSlot, ExitReason, RunState, SLOT_EVENT_PC, SLOT_PC, WORD_CHAIN_BUDGET, WORD_DEBUG_STEP, WORD_EXIT_REASONS, WORD_EXIT_REQUEST, WORD_HALTED, WORD_RUN_STATE, WORD_WAKE,
} from '../abi/state-layout.js';
import { MENVCFG_STCE, MIP } from '../target/riscv/csr.js';
import { WATCH_READ, WATCH_WRITE } from '../memory/guest-memory.js';

/** Blocks between two timer checks when nothing else asks for attention. */
const TIMER_CHECK_BLOCKS = 2048;
/** Longest single sleep, so control requests are never stuck behind a far deadline. */
const MAX_SLEEP_MS = 1000;

export interface RunLoopHost {
  /** Drain control messages for this vCPU; returns false when it must end. */
  handleControl(): boolean;
  /** Whether the machine wants this vCPU paused. */
  paused(): boolean;
  /** Work that needs the thread's event loop is waiting (library loads): leave step() with Yield. */
  yieldRequested(): boolean;
  /** A breakpoint, a single step or a watchpoint (`addr`: its start) stopped this vCPU: pause it and tell the debugger. */
  debugStop(kind: DebugStopKind, addr?: number): void;
  /** Device writes posted for the main thread (the UART fast path's ring) wait: wake it. */
  ringDevices?(): void;
  /** The vCPU went idle (WFI with nothing pending: true) or runs again (false); instrumentation's idle/resume events. */
  idleChanged?(idle: boolean): void;
}

/** Why the debugger stopped a vCPU; the watch kinds name the watchpoint's type (gdb's stop reply words). */
export type DebugStopKind = 'breakpoint' | 'step' | 'watch' | 'rwatch' | 'awatch';

export const enum StepResult {
  /** Budget spent; call step again. */
  Budget,
  /** In WFI with nothing pending: sleep until woken or a timer deadline. */
  Halted,
  /** Paused by the machine. */
  Paused,
  /** The vCPU has ended. */
  Exit,
  /** The thread must run asynchronous work, then call step again. */
  Yield,
}

/** Run one block; a load or store that ended it early (load-store.ts) says where to go on. */
function runBlock(block: CachedBlock, ctx: VcpuContext, cache: BlockCache): number {
  try {
    return cache.run(block);
  } catch (e) {
    if (e !== BLOCK_EXIT) throw e;
    ctx.f64[SLOT_EVENT_PC] = -1; // a callback that ended the block (qi_exit) left its event's mark
    return ctx.resumePc;
  }
}

export class RunLoop {
  private exited = false;
  private codeEpoch = -1;
  private watchGeneration = 0;
  /** The debugger single-steps this vCPU (WORD_DEBUG_STEP, read when it is let go). */
  private stepping = false;

  constructor(
    readonly ctx: VcpuContext,
    private readonly cache: BlockCache,
    private readonly host: RunLoopHost,
    /** Per-block logging (`-d exec`, `-d cpu`); undefined keeps the fast loop. */
    private readonly log?: CpuLog,
  ) {}

  /** Run at most `maxBlocks` blocks. */
  step(maxBlocks: number): StepResult {
    const r = this.service();
    if (r !== StepResult.Budget) return r;
    if (this.debugging() || this.logging()) return this.stepSlow(maxBlocks);
    const { ctx, cache } = this;
    const i32 = ctx.i32;
    const f64 = ctx.f64;
    let block: CachedBlock | undefined;
    let left = maxBlocks;
    // the budget is a state word: WebAssembly blocks that go straight to one another count it too
    while (left-- > 0) {
      if (i32[WORD_EXIT_REQUEST] !== 0 || --i32[WORD_CHAIN_BUDGET] <= 0) {
        const s = this.service();
        if (s !== StepResult.Budget) return s;
        if (this.debugging()) return this.stepSlow(left); // breakpoints were set while it ran
        block = undefined;
        continue;
      }
      if (block === undefined) {
        block = cache.lookup(f64[SLOT_PC]);
        if (block === undefined) continue; // fetch fault: pc is the handler now
      }
      const next = runBlock(block, ctx, cache);
      f64[SLOT_PC] = next;
      // No chaining past a block that asked for service: looking the next block up may take a
      // fetch fault, which must not come before an interrupt the block has just enabled (mret
      // into a page that faults with a timer pending: QEMU takes the interrupt).
      block = i32[WORD_EXIT_REQUEST] !== 0 ? undefined : cache.next(block, next);
    }
    return StepResult.Budget;
  }

  private debugging(): boolean {
    return this.stepping || this.ctx.mem.hasBreakpoints;
  }

  /** `-d exec` or `-d cpu`: a log line before every block. */
  private logging(): boolean {
    return this.log !== undefined && (this.log.flags.exec || this.log.flags.cpu);
  }

  /**
   * The loop while blocks are logged (`-d exec,cpu`) or a debugger has breakpoints or steps this
   * vCPU: no block links, so every block is looked up; its pc is checked against the breakpoints
   * before it runs (translators end blocks before breakpoints, so a breakpoint is always a
   * block's first pc), and a single step stops after one block of one instruction.
   */
  private stepSlow(maxBlocks: number): StepResult {
    const { ctx, cache, log } = this;
    // every block comes back here: none goes straight to the next (WORD_CHAIN_BUDGET stays 0)
    let timerBudget = this.takeBudget();
    for (let left = maxBlocks; left > 0; left--) {
      if (ctx.i32[WORD_EXIT_REQUEST] !== 0 || --timerBudget <= 0) {
        const s = this.service();
        timerBudget = this.takeBudget();
        if (s !== StepResult.Budget) return s;
        if (!this.debugging() && !this.logging()) {
          ctx.i32[WORD_CHAIN_BUDGET] = timerBudget; // back to the fast loop at the next step()
          return StepResult.Budget;
        }
        continue;
      }
      const pc = ctx.f64[SLOT_PC];
      if (ctx.mem.breakpointAt(pc)) return this.stopForDebugger('breakpoint');
      const block = cache.lookup(pc);
      if (block !== undefined) {
        if (log !== undefined && log.logsBlockAt(pc)) {
          if (log.flags.cpu) log.write(formatCpuState(ctx, false, log.flags.user !== true));
          if (log.flags.exec) log.blockExecuted(ctx, block.pc);
        }
        ctx.f64[SLOT_PC] = runBlock(block, ctx, cache);
      }
      if (ctx.watchHit !== undefined) return this.stopAtWatchpoint(ctx.watchHit);
      // a fetch fault moved the pc to the handler: that is one step too, as in QEMU
      if (this.stepping) return this.stopForDebugger('step');
    }
    return StepResult.Budget;
  }

  /** The blocks left before the timers are due, leaving none for WebAssembly links (stepSlow). */
  private takeBudget(): number {
    const budget = this.ctx.i32[WORD_CHAIN_BUDGET];
    this.ctx.i32[WORD_CHAIN_BUDGET] = 0;
    return budget;
  }

  private stopForDebugger(kind: DebugStopKind, addr?: number): StepResult {
    this.stepping = false;
    Atomics.store(this.ctx.i32, WORD_DEBUG_STEP, 0);
    this.host.debugStop(kind, addr);
    Atomics.store(this.ctx.i32, WORD_RUN_STATE, RunState.Stopped);
    return StepResult.Paused;
  }

  /** An access hit a watchpoint (context.ts ended the block before it): QEMU's stop kinds by the watchpoint's flags. */
  private stopAtWatchpoint(hit: { addr: number; flags: number }): StepResult {
    this.ctx.watchHit = undefined;
    const kind: DebugStopKind = hit.flags === WATCH_READ ? 'rwatch' : hit.flags === WATCH_WRITE ? 'watch' : 'awatch';
    return this.stopForDebugger(kind, hit.addr);
  }

  /** Everything that is not running a block. Budget means "go on running". */
  private service(): StepResult {
    const { ctx } = this;
    this.host.ringDevices?.(); // posted output reaches the device within a service interval
    if (this.exited) return StepResult.Exit;
    if (ctx.watchHit !== undefined) return this.stopAtWatchpoint(ctx.watchHit);
    const watchGeneration = ctx.mem.watchGeneration;
    if (watchGeneration !== this.watchGeneration) {
      this.watchGeneration = watchGeneration;
      ctx.watchpointsChanged();
    }
    ctx.i32[WORD_CHAIN_BUDGET] = TIMER_CHECK_BLOCKS;
    Atomics.store(ctx.i32, WORD_EXIT_REQUEST, 0);
    const reasons = Atomics.exchange(ctx.i32, WORD_EXIT_REASONS, 0);
    // a CLINT write (mtimecmp, mtime) kicks the hart with Interrupt; a control message may have set state
    if ((reasons & (ExitReason.Interrupt | ExitReason.Control)) !== 0) ctx.forgetTimerQuiet();
    if ((reasons & ExitReason.Control) !== 0 && !this.host.handleControl()) {
      this.exited = true;
      Atomics.store(ctx.i32, WORD_RUN_STATE, RunState.Exited);
      return StepResult.Exit;
    }
    if (this.host.yieldRequested()) {
      Atomics.store(ctx.i32, WORD_EXIT_REQUEST, 1); // come back here after the work
      return StepResult.Yield;
    }
    if ((reasons & ExitReason.FlushTlb) !== 0) ctx.flushWriteTlb();
    const epoch = ctx.mem.epoch;
    if ((reasons & ExitReason.FlushCode) !== 0 || epoch !== this.codeEpoch) {
      this.codeEpoch = epoch;
      this.cache.flush();
    }
    if (this.logging() !== this.cache.keepInterpreted) {
      // -d exec/cpu came or went (HMP log): logged blocks must run one iteration per call
      this.cache.keepInterpreted = this.logging();
      if (this.cache.blockCount > 0) this.cache.flush();
    }
    if (ctx.codeCacheDirty) {
      ctx.codeCacheDirty = false;
      this.cache.flushJump();
    }
    if (this.host.paused()) {
      Atomics.store(ctx.i32, WORD_RUN_STATE, RunState.Stopped);
      return StepResult.Paused;
    }
    const alignMs = ctx.timer.icountTick?.() ?? 0;
    if (alignMs > 0) Atomics.wait(ctx.i32, WORD_WAKE, Atomics.load(ctx.i32, WORD_WAKE), alignMs); // -icount align=on: ahead of real time
    this.stepping = Atomics.load(ctx.i32, WORD_DEBUG_STEP) !== 0;
    // QEMU's default single-step flags (SSTEP_NOIRQ | SSTEP_NOTIMER): no interrupt is taken on a step
    if (!this.stepping) this.checkInterrupts();
    if (ctx.wantHalt) {
      if (!ctx.wfiShouldWake()) {
        Atomics.store(ctx.i32, WORD_RUN_STATE, RunState.Halted);
        Atomics.store(ctx.i32, WORD_HALTED, 1);
        if (!this.idle) {
          this.idle = true;
          this.host.idleChanged?.(true);
        }
        return StepResult.Halted;
      }
      ctx.wantHalt = false;
    }
    if (this.idle) {
      this.idle = false;
      this.host.idleChanged?.(false);
    }
    Atomics.store(ctx.i32, WORD_HALTED, 0);
    Atomics.store(ctx.i32, WORD_RUN_STATE, RunState.Running);
    return StepResult.Budget;
  }

  private checkInterrupts(): void {
    const irq = this.ctx.pendingInterrupt();
    if (irq >= 0) {
      this.ctx.wantHalt = false;
      this.ctx.pc = this.ctx.takeTrap(irq, 0n, this.ctx.pc, true);
    }
  }

  /**
   * How long this vCPU may sleep: until the next deadline of a timer whose interrupt can wake it
   * (WFI), or a while (paused). A timer whose bit is clear in mie cannot end WFI, so it does not
   * count: firmware leaves mtimecmp in the past with MTIE off once it has passed the tick on as
   * STIP (OpenSBI, tsemu-sbi), and Linux on Sstc never touches mtimecmp; counting those made an
   * idle vCPU spin at 100% on a zero-length sleep.
   */
  sleepBudgetMs(result: StepResult): number {
    if (result !== StepResult.Halted) return MAX_SLEEP_MS;
    const { ctx } = this;
    const mie = ctx.csr(CsrSlot.mie);
    let deadline: bigint | undefined;
    if ((mie & MIP.MTIP) !== 0n) deadline = ctx.timer.mtimecmp(ctx.hartId);
    if ((mie & MIP.STIP) !== 0n && (ctx.csr(CsrSlot.menvcfg) & MENVCFG_STCE) !== 0n) {
      const s = BigInt.asUintN(64, ctx.csr(CsrSlot.stimecmp));
      if (deadline === undefined || s < deadline) deadline = s;
    }
    if (deadline === undefined) return MAX_SLEEP_MS; // only an interrupt line or an IPI can wake it: they notify
    const now = ctx.timer.mtime();
    if (deadline <= now) return 0;
    const ms = Number(deadline - now) / ctx.timer.ticksPerMs;
    const icount = ctx.timer.icount;
    if (icount !== undefined) {
      // virtual time stands still while nothing runs (QEMU's icount warp): sleep=off jumps to the
      // deadline at once; sleep=on waits in real time and sleepHalted then moves virtual time on by
      // the time slept, so a vCPU woken earlier (an interrupt line) finds it where real time brought it
      if (!icount.sleep) {
        ctx.timer.skipTo?.(deadline);
        return 0;
      }
      return Math.min(ms, MAX_SLEEP_MS);
    }
    return Math.min(Math.max(ms, 0), MAX_SLEEP_MS);
  }

  /** Value of the wake word now; sleep with `sleep(seen, ms)` after re-checking state. */
  wakeSeq(): number {
    return Atomics.load(this.ctx.i32, WORD_WAKE);
  }

  /** Times this vCPU went to sleep (TSEMU_STATS): an idle vCPU sleeps rarely, a spinning one constantly. */
  sleeps = 0;
  /** Idle since the last step (WFI): guest_vcpu_idle was raised, guest_vcpu_resume is due when it runs again. */
  private idle = false;

  /**
   * Sleep in WFI (sleepBudgetMs's `ms`): under -icount sleep=on, virtual time then moves on by the
   * real time slept, as QEMU's warp does for an idle machine.
   */
  sleepHalted(seen: number, ms: number): void {
    const { timer } = this.ctx;
    if (timer.warp === undefined || timer.icount?.sleep !== true) {
      this.sleep(seen, ms);
      return;
    }
    const start = process.hrtime.bigint();
    this.sleep(seen, ms);
    timer.warp(process.hrtime.bigint() - start);
  }

  /** Sleep until the wake word moves past `seen` or `ms` pass (unless an exit request is already pending). */
  sleep(seen: number, ms: number): void {
    if (Atomics.load(this.ctx.i32, WORD_EXIT_REQUEST) !== 0) return;
    this.sleeps++;
    Atomics.wait(this.ctx.i32, WORD_WAKE, seen, ms);
  }
}

/** thread=multi: this thread runs one vCPU and sleeps when it idles. */
export async function runOneVcpu(loop: RunLoop, asyncWork: () => Promise<void>): Promise<void> {
  for (;;) {
    const seen = loop.wakeSeq();
    const r = loop.step(Number.MAX_SAFE_INTEGER);
    if (r === StepResult.Exit) return;
    if (r === StepResult.Yield) await asyncWork();
    else if (r === StepResult.Halted) loop.sleepHalted(seen, loop.sleepBudgetMs(r));
    else if (r === StepResult.Paused) loop.sleep(seen, loop.sleepBudgetMs(r));
  }
}

/** Blocks one vCPU runs before the next takes its turn (thread=single). */
export const SINGLE_THREAD_SLICE = 1000;
/** Longest sleep when every vCPU idles in thread=single (no single word wakes them all). */
const SINGLE_THREAD_IDLE_MS = 10;

/**
 * thread=single: every vCPU of the machine in this one thread, in a fixed
 * round-robin order with a fixed slice, like QEMU's single-threaded TCG.
 * `loops()` is consulted every round so vCPUs can be added and removed.
 */
export async function runRoundRobin(loops: () => readonly RunLoop[], asyncWork: () => Promise<void>): Promise<void> {
  for (;;) {
    const current = loops();
    if (current.length === 0) return; // every vCPU of this worker has ended
    let runnable = 0;
    let live = 0;
    let sleepMs = SINGLE_THREAD_IDLE_MS;
    let yielded = false;
    let halted = false;
    for (const loop of current) {
      const r = loop.step(SINGLE_THREAD_SLICE);
      if (r === StepResult.Exit) continue;
      live++;
      if (r === StepResult.Yield) yielded = true;
      else if (r === StepResult.Budget) runnable++;
      else {
        halted ||= r === StepResult.Halted;
        sleepMs = Math.min(sleepMs, loop.sleepBudgetMs(r));
      }
    }
    if (current.length > 0 && live === 0) return;
    if (yielded) await asyncWork();
    else if (runnable === 0 && current.length > 0) {
      const first = current[0];
      // one virtual clock for them all: a vCPU in WFI lets it move on with the time slept (-icount sleep=on)
      if (halted) first.sleepHalted(first.wakeSeq(), sleepMs);
      else first.sleep(first.wakeSeq(), sleepMs);
    }
  }
}
