/**
 * The process service: the emulated kernel's one authority, on the main thread of
 * `tsemu-riscv64`. Each guest thread is a vCPU in its own worker; the workers share the process's
 * guest memory (a SharedArrayBuffer: the Sv48 tables the vCPUs walk are in it), but the page map,
 * the physical page allocator, brk, the fd table, pipes, signal actions and the thread list are
 * ordinary objects here, and every trap a worker cannot serve itself comes here through the
 * thread's channel (channel.ts). Why one service rather than kernel state in shared memory: the
 * page map, fd table and pipe buffers stay what they were in the single-threaded stage, every
 * mutation is naturally serialized (no locks to get wrong), and a worker needs the service only
 * for system calls and first touches of pages, never on the fast paths of guest code.
 *
 * Threads (clone with CLONE_VM|CLONE_THREAD), thread exit with CLONE_CHILD_CLEARTID's futex wake,
 * exit_group, and signals (actions per process, masks, pending sets and alternate stacks per
 * thread, delivery with QEMU's frame on the way back to the guest) are here too.
 */
import { createStateBuffer, ExitReason, STATE_AREA_BYTES, SLOT_PC, SLOT_X, WORD_EXIT_REASONS, WORD_EXIT_REQUEST, stateViews, type VcpuStateViews, WORD_BASE } from '../abi/state-layout.js';
import { createGuestMemoryBuffers, GuestMemory } from '../memory/guest-memory.js';
import { AddressSpace, FLAT_MAX_RESERVED, flatMemoryBytes, pageAlignUp, PROT_EXEC, PROT_READ, PROT_WRITE, USER_RAM_BASE } from './address-space.js';
import { CAUSE_INTERRUPT, CAUSE_INTERRUPTED_CALL, CH_SLEEP_WORD, CH_WAKE, CH_ACTION, CH_CAUSE, CH_EPC64, CH_FLUSH, CH_READY, CH_SIGNAL, CH_TVAL64, CH_DELIVERED, CHANNEL_BYTES, ChannelAction, channelViews, type Channel } from './channel.js';
import { accessSync, closeSync, constants, openSync, readSync, statSync } from 'node:fs';
import { spawn, type ChildProcess } from 'node:child_process';
import { E, errnoOf } from './errno.js';
import { AT_FDCWD, WOULD_BLOCK } from './guest-files.js';
import { timespecMs } from './poll.js';
import type { FunctionSymbol } from './elf-symbols.js';
import { futexAlwaysRestarted, futexWrites } from './local-calls.js';
import { Kernel, SIGNALS, type SyscallResult } from './kernel.js';
import { execImage } from './process.js';
import { NR } from './syscall-names.js';
import { straceCall, straceReturn, type StraceMemory } from './strace.js';
import {
  CLD_EXITED, CLD_KILLED, encodeSiginfo, IGNORED_BY_DEFAULT, restoreFrame, SIGCHLD, SA_NODEFER, SA_RESTART, SA_RESETHAND, SEGV_ACCERR, SEGV_MAPERR, setupFrame, SI_TKILL, SI_USER, SIG_DFL, SIG_IGN,
  SI_KERNEL, SIGKILL, sigBit, SIGSTOP, SS_DISABLE, SS_ONSTACK, UNBLOCKABLE, type AltStack, type SigAction, type SigInfo,
} from './signals.js';
import type { TracingConfig } from '../trace/thread-tracing.js';
import type { UserLog, UserWorkerData, UserWorkerReport } from './protocol.js';

/** Guest memory of a process: pages are taken from it on first touch (the OS commits them lazily too). */
const RAM_SIZE = 1 << 30;
/**
 * vCPU state areas after a process's RAM in its WebAssembly memory: threads whose state is there
 * run hot blocks in the wasm tier (a block reaches RAM, registers and TLB in the one memory it
 * imports). More threads than this still run, their state in a buffer of its own (JS tier).
 */
const STATE_AREAS = 64;

/**
 * A process's guest memory: RAM, then STATE_AREAS vCPU state areas, in one shared WebAssembly
 * memory. With -R small enough to be flat (address-space.ts), RAM is the whole reserved space
 * (guest address = offset), its page tables and the flat table; otherwise RAM_SIZE of pages.
 */
function processMemory(oneInsnPerTb: boolean, reservedVa: number): GuestMemory {
  const size = pageAlignUp(reservedVa);
  const ram = size > 0 && size <= FLAT_MAX_RESERVED ? flatMemoryBytes(size) : RAM_SIZE;
  const mem = new GuestMemory(createGuestMemoryBuffers(USER_RAM_BASE, ram, 0x1000, 0x1000, { count: STATE_AREAS, bytes: STATE_AREA_BYTES }));
  mem.setOneInsnPerBlock(oneInsnPerTb);
  return mem;
}

/** The state areas of one process memory that no live thread holds. */
class StateAreas {
  private readonly free: number[] = [];

  constructor(private readonly mem: GuestMemory) {
    for (let i = STATE_AREAS - 1; i >= 0; i--) this.free.push(i);
  }

  /** A zeroed state for a new thread: an area of the memory while one is free. */
  take(): VcpuStateViews {
    const i = this.free.pop();
    if (i === undefined) return stateViews(createStateBuffer());
    const v = stateViews({ buffer: this.mem.buffers.ram, byteOffset: this.areaOffset(i) });
    new Uint8Array(v.buffer, v.byteOffset, STATE_AREA_BYTES).fill(0);
    return v;
  }

  /** A thread ended: its area (if it had one of this memory's) serves the next thread. */
  give(state: VcpuStateViews): void {
    if (state.buffer !== this.mem.buffers.ram) return;
    this.free.push((state.byteOffset - this.mem.buffers.stateAreasOffset) / STATE_AREA_BYTES);
  }

  private areaOffset(i: number): number {
    return this.mem.buffers.stateAreasOffset + i * STATE_AREA_BYTES;
  }
}
const CLONE_VM = 0x100;
const CLONE_FS = 0x200;
const CLONE_FILES = 0x400;
const CLONE_SIGHAND = 0x800;
const CLONE_THREAD = 0x10000;
const CLONE_SETTLS = 0x80000;
const CLONE_PARENT_SETTID = 0x100000;
const CLONE_CHILD_CLEARTID = 0x200000;
const CLONE_CHILD_SETTID = 0x1000000;
const MINSIGSTKSZ = 2048n;
const WNOHANG = 1;
const WNOWAIT = 0x0100_0000;
const P_ALL = 0;
const P_PID = 1;
const EM_RISCV = 243;
/** Waits that a signal always ends with EINTR, SA_RESTART or not (signal(7)). */
const NEVER_RESTARTED = new Set([NR.ppoll, NR.pselect6, NR.epoll_pwait, NR.rt_sigsuspend, NR.rt_sigtimedwait, NR.nanosleep, NR.clock_nanosleep]);

export interface ProgramRequest {
  program: string;
  argv: string[];
  envp: string[];
  ldPrefix: string;
  stackSize: number;
  unameRelease: string | undefined;
  seed: bigint | undefined;
  /** -R: QEMU's reserved_va (0: none). */
  reservedVa: number;
}

export interface ServiceOptions {
  strace: boolean;
  log: UserLog;
  /** -one-insn-per-tb / -singlestep: every block is one instruction. */
  oneInsnPerTb: boolean;
  tracing: TracingConfig;
  write(fd: number, text: string): void;
  /** Read the programs' function symbols even without -d in_asm (instrumentation's qi_insn_symbol). */
  symbols?: boolean;
}

/** What the service needs from its host (user-main): workers, and the end of everything. */
export interface ServiceHost {
  /** Start a worker for a thread; its reports go to `onReport`. */
  spawn(data: UserWorkerData, onReport: (r: UserWorkerReport) => void): { terminate(): unknown };
  /** The first process ended: exit status, or death by a signal. */
  finish(end: { kind: 'exit'; status: number } | { kind: 'signal'; signal: number }): void;
  fatal(message: string): void;
}

/** A guest process: its memory, address space, kernel, signal actions and threads. */
class GuestProcess {
  readonly threads = new Map<number, GuestThread>();
  readonly actions = new Map<number, SigAction>();
  pending = 0n;
  readonly pendingInfo = new Map<number, SigInfo>();
  ending: ProcessEnd | undefined;
  /**
   * Threads whose worker still runs: a thread that exited goes on to run its instrumentation
   * instances' qi_fini and reports 'done' later, maybe after another thread's exit_group, and
   * the program ends (the primary's qi_fini and qi_merge) only when every such report is in.
   */
  readonly workers = new Set<GuestThread>();
  nextCpu = 0;
  parent: GuestProcess | undefined;
  readonly children = new Map<number, GuestProcess>();
  /** After an execve of a program that is not RISC-V: the host process running it. */
  hostChild: ChildProcess | undefined;
  /** Thread state areas of `mem` (a new set with execve's new memory). */
  areas: StateAreas;
  /** The images' function symbols (`-d in_asm`), QEMU's lookup order. */
  symbols: FunctionSymbol[][] = [];
  /** The process has had a second thread (QEMU's CF_PARALLEL, `-d exec`'s cflags; fork keeps it). */
  parallel = false;

  constructor(readonly pid: number, public mem: GuestMemory, public space: AddressSpace, public kernel: Kernel, public sigtramp: number) {
    this.areas = new StateAreas(mem);
  }
}

type ProcessEnd = { kind: 'exit'; status: number } | { kind: 'signal'; signal: number };

/** The wait status of an ended process (WIFEXITED / WIFSIGNALED encoding). */
function waitStatus(end: ProcessEnd): number {
  return end.kind === 'exit' ? (end.status & 0xff) << 8 : end.signal & 0x7f;
}

/** A guest thread: a vCPU worker, its state and channel, its signal mask, pending set and alternate stack. */
class GuestThread {
  sigmask = 0n;
  pending = 0n;
  readonly pendingInfo = new Map<number, SigInfo>();
  alt: AltStack = { sp: 0n, flags: SS_DISABLE, size: 0n };
  clearTid = 0;
  worker: { terminate(): unknown } | undefined;
  /** When the parked call's timeout (ppoll, pselect6, epoll_pwait) runs out (performance.now()). */
  deadline: number | undefined;
  /** In rt_sigsuspend: the mask to restore, which a handler's frame saves (the call's mask is the one in force). */
  suspendedMask: bigint | undefined;
  /** execve replaced this thread's worker (its late "done" means nothing). */
  replaced = false;
  readonly ch: Channel;

  constructor(readonly tid: number, readonly proc: GuestProcess, readonly cpu: number, readonly state: VcpuStateViews, readonly chBuf: SharedArrayBuffer) {
    this.ch = channelViews(chBuf);
  }
}

/** How a call served here ends. */
type Outcome =
  | SyscallResult
  | { kind: 'exit-thread'; status: number }
  | { kind: 'sigreturn' }
  /** The guest page the call needs was brought in: run the ecall again. */
  | { kind: 'retry' }
  /** execve: a new worker runs the thread now; the old one ends. */
  | { kind: 'replaced' };

export class Service {
  private readonly threads = new Map<number, GuestThread>();
  private readonly procs = new Map<number, GuestProcess>();
  private nextTid = process.pid + 1;
  private first: GuestProcess | undefined;
  /** Calls that wait (wait4 on running children, reads of empty pipes): run again whenever something changed. */
  private parked: { th: GuestThread; epc: number }[] = [];
  private req: ProgramRequest | undefined;

  constructor(private readonly opts: ServiceOptions, private readonly host: ServiceHost) {}

  /** Load the program and start its first thread. Throws ExecError / ElfLoadError. */
  start(req: ProgramRequest): void {
    const mem = processMemory(this.opts.oneInsnPerTb, req.reservedVa);
    const space = new AddressSpace(mem, undefined, req.reservedVa);
    const image = execImage(space, { path: req.program, argv: req.argv, envp: req.envp, ldPrefix: req.ldPrefix, stackSize: req.stackSize, random16: new Uint8Array(16), symbols: this.opts.log.inAsm || this.opts.log.exec || this.opts.symbols === true });
    const kernel = new Kernel(space, { ldPrefix: req.ldPrefix, exePath: image.exePath, brk: image.brk, unameRelease: req.unameRelease, seed: req.seed });
    // AT_RANDOM's bytes come from the same source as getrandom (-seed makes both repeatable)
    const random = new Uint8Array(16);
    kernel.randomBytes(random);
    const auxRandom = space.readU64(image.auxv + 13 * 16 + 8);
    if (auxRandom !== undefined) space.write(Number(auxRandom), random);
    this.req = req;
    const proc = new GuestProcess(process.pid, mem, space, kernel, image.sigtramp);
    proc.symbols = image.symbols;
    this.first = proc;
    this.procs.set(proc.pid, proc);
    space.onShootdown = () => this.shootdown(proc);
    const th = this.newThread(proc, process.pid);
    th.state.f64[SLOT_PC] = image.entry;
    th.state.i64[SLOT_X + 2] = BigInt(image.sp);
    this.run(th);
  }

  private newThread(proc: GuestProcess, tid: number): GuestThread {
    const th = new GuestThread(tid, proc, proc.nextCpu++, proc.areas.take(), new SharedArrayBuffer(CHANNEL_BYTES));
    proc.threads.set(tid, th);
    this.threads.set(tid, th);
    return th;
  }

  private run(th: GuestThread): void {
    th.proc.workers.add(th);
    th.worker = this.host.spawn({
      mem: th.proc.mem.buffers, state: { buffer: th.state.buffer, byteOffset: th.state.byteOffset }, channel: th.chBuf, satp: th.proc.space.satp, flat: th.proc.space.flat,
      tid: th.tid, pid: th.proc.pid, cpu: th.cpu, strace: this.opts.strace, log: this.opts.log, tracing: this.opts.tracing,
      symbols: th.proc.symbols, parallel: th.proc.parallel,
    }, (r) => this.report(th, r));
  }

  /** A report of `th`'s worker. */
  private report(th: GuestThread, r: UserWorkerReport): void {
    if (r.type === 'fatal') return this.host.fatal(r.message);
    if (r.type === 'done') {
      if (th.replaced) return;
      if (this.threads.get(th.tid) === th) this.threads.delete(th.tid);
      th.proc.areas.give(th.state);
      const proc = th.proc;
      proc.workers.delete(th);
      if (proc.ending !== undefined && proc === this.first && proc.workers.size === 0) this.host.finish(proc.ending);
      return;
    }
    try {
      this.serve(th, false);
      this.unpark();
    } catch (e) {
      this.host.fatal(e instanceof Error ? (e.stack ?? e.message) : String(e));
    }
  }

  /** Something changed: run the waiting calls again until none more can go on. */
  private unpark(): void {
    for (let progress = true; progress && this.parked.length > 0;) {
      const list = this.parked;
      this.parked = [];
      for (const p of list) {
        if (p.th.proc.threads.get(p.th.tid) !== p.th) continue;
        this.syscall(p.th, p.epc, true);
        // still waiting (a call that can go on wins over a signal, as in Linux's wait loops)
        if (this.parked[this.parked.length - 1]?.th === p.th && this.interruptParked(p.th, p.epc)) this.parked.pop();
      }
      progress = this.parked.length < list.length;
    }
  }

  private respond(th: GuestThread, action: ChannelAction): void {
    Atomics.store(th.ch.i32, CH_ACTION, action);
    Atomics.store(th.ch.i32, CH_READY, 1);
    Atomics.notify(th.ch.i32, CH_READY);
  }

  /** Mappings changed: every thread of the process drops its cached translations. */
  private shootdown(proc: GuestProcess): void {
    for (const t of proc.threads.values()) {
      Atomics.store(t.ch.i32, CH_FLUSH, 1);
      this.poke(t);
    }
  }

  /** Make a running thread's run loop call its control hook before the next block. */
  private poke(t: GuestThread): void {
    Atomics.or(t.state.i32, WORD_EXIT_REASONS, ExitReason.Control);
    Atomics.store(t.state.i32, WORD_EXIT_REQUEST, 1);
  }

  private serve(th: GuestThread, again: boolean): void {
    const cause = th.ch.i32[CH_CAUSE];
    if (cause === CAUSE_INTERRUPT) return this.finishCall(th);
    if (cause === CAUSE_INTERRUPTED_CALL) return this.interruptedLocalCall(th, th.ch.f64[CH_EPC64]);
    if (cause !== 8) return this.fault(th, cause, th.ch.i64[CH_TVAL64]);
    this.syscall(th, th.ch.f64[CH_EPC64], again);
  }

  /** A trap that is not a system call: a page to bring in, or a synchronous signal. */
  private fault(th: GuestThread, cause: number, tval: bigint): void {
    const space = th.proc.space;
    const prot = cause === 12 ? PROT_EXEC : cause === 13 ? PROT_READ : cause === 15 ? PROT_WRITE : 0;
    let info: SigInfo;
    if (prot !== 0) {
      const r = th.proc.kernel.pageFault(Number(tval), prot);
      if (r === true) return this.respond(th, ChannelAction.Resume); // the instruction runs again
      const code = space.isMapped(Number(tval)) ? SEGV_ACCERR : SEGV_MAPERR;
      info = { signo: r, code: r === 7 ? 2 : code, addr: BigInt.asUintN(64, tval) };
    } else if (cause === 2) {
      info = { signo: 4, code: 1, addr: BigInt(th.ch.f64[CH_EPC64]) }; // SIGILL, ILL_ILLOPC
    } else if (cause === 3) {
      info = { signo: 5, code: 1, addr: BigInt(th.ch.f64[CH_EPC64]) }; // SIGTRAP, TRAP_BRKPT
    } else {
      info = { signo: cause === 0 || cause === 4 || cause === 6 ? 7 : 11, code: 1, addr: BigInt.asUintN(64, tval) };
    }
    this.forceSignal(th, info);
  }

  /** A synchronous signal: its handler runs now, unless it is blocked or ignored (then the default action kills). */
  private forceSignal(th: GuestThread, info: SigInfo): void {
    const act = th.proc.actions.get(info.signo);
    const blocked = (th.sigmask & sigBit(info.signo)) !== 0n;
    if (act === undefined || act.handler === SIG_DFL || act.handler === SIG_IGN || blocked) {
      if (this.opts.strace) this.opts.write(this.opts.log.fd, straceSignal(info));
      return this.endProcess(th, { kind: 'signal', signal: info.signo });
    }
    this.enterHandler(th, info, act, true);
    this.finishCall(th);
  }

  /** Run the handler of `info` next (`sync`: the thread's own fault or forced signal, told to instrumentation as an exception). */
  private enterHandler(th: GuestThread, info: SigInfo, act: SigAction, sync: boolean): boolean {
    const proc = th.proc;
    if (this.opts.strace) this.opts.write(this.opts.log.fd, straceSignal(info));
    const saved = th.suspendedMask ?? th.sigmask;
    th.suspendedMask = undefined;
    if (!setupFrame(proc.space, th.state, act, info, saved, th.alt, proc.sigtramp)) return false;
    th.ch.i32[CH_DELIVERED] = sync ? -info.signo : info.signo;
    // QEMU 7.2 blocks only the signal itself while its handler runs (sa_mask is recorded, not applied)
    th.sigmask |= (act.flags & SA_NODEFER) !== 0 ? 0n : sigBit(info.signo);
    th.sigmask &= ~UNBLOCKABLE;
    if ((act.flags & SA_RESETHAND) !== 0) proc.actions.delete(info.signo);
    return true;
  }

  private syscall(th: GuestThread, epc: number, again: boolean): void {
    const x = th.state.i64;
    const nr = Number(x[SLOT_X + 17]);
    const args = [10, 11, 12, 13, 14, 15].map((r) => x[SLOT_X + r]);
    const strace = this.opts.strace ? straceMemory(th.proc.space) : undefined;
    if (strace && !again) this.opts.write(this.opts.log.fd, straceCall(th.proc.pid, nr, args, strace));
    const wait = th.proc.kernel.wait;
    wait.expired = th.deadline !== undefined && performance.now() >= th.deadline;
    wait.timeoutMs = undefined;
    const r = this.threadCall(th, nr, args, epc) ?? th.proc.kernel.syscall(nr, args);
    if (r.kind !== 'return' || r.value !== BigInt(WOULD_BLOCK)) th.deadline = undefined;
    switch (r.kind) {
      case 'return':
        if (r.value === BigInt(WOULD_BLOCK)) {
          this.park(th, epc, wait.timeoutMs);
          return;
        }
        x[SLOT_X + 10] = BigInt.asIntN(64, r.value);
        if (strace) this.opts.write(this.opts.log.fd, straceReturn(nr, r.value, args, strace));
        th.state.f64[SLOT_PC] = epc + 4;
        return this.finishCall(th);
      case 'sigreturn':
        if (strace) this.opts.write(this.opts.log.fd, straceReturn(nr, -513n, args, strace));
        return this.finishCall(th);
      case 'retry': th.state.f64[SLOT_PC] = epc; return this.respond(th, ChannelAction.Resume);
      case 'exit-thread': return this.exitThread(th, r.status);
      case 'exit': return this.endProcess(th, r);
      case 'signal': return this.endProcess(th, r);
      case 'replaced': return this.respond(th, ChannelAction.End);
    }
  }

  /**
   * A waiting call and a signal the thread does not block or ignore: the handler runs now, then the
   * call starts again (SA_RESTART, except the waits Linux never restarts) or returns EINTR.
   */
  private interruptParked(th: GuestThread, epc: number): boolean {
    const ready = (th.pending | th.proc.pending) & ~th.sigmask;
    let sig = 0;
    for (let n = 1; n <= 64 && sig === 0; n++) {
      if ((ready & sigBit(n)) === 0n) continue;
      const act = th.proc.actions.get(n);
      const ignored = act?.handler === SIG_IGN || ((act === undefined || act.handler === SIG_DFL) && IGNORED_BY_DEFAULT.has(n));
      if (!ignored) sig = n;
    }
    if (sig === 0) return false;
    const nr = Number(th.state.i64[SLOT_X + 17]);
    const act = th.proc.actions.get(sig);
    th.deadline = undefined;
    if (act !== undefined && (act.flags & SA_RESTART) !== 0 && !NEVER_RESTARTED.has(nr)) {
      th.state.f64[SLOT_PC] = epc; // the handler returns to the ecall: the call runs again
    } else {
      th.state.i64[SLOT_X + 10] = BigInt(-E.EINTR);
      th.state.f64[SLOT_PC] = epc + 4;
      if (this.opts.strace) {
        const args = [10, 11, 12, 13, 14, 15].map((r) => th.state.i64[SLOT_X + r]);
        this.opts.write(this.opts.log.fd, straceReturn(nr, BigInt(-E.EINTR), args, straceMemory(th.proc.space)));
      }
    }
    this.finishCall(th);
    return true;
  }

  /**
   * A call the worker serves itself (futex, nanosleep) ended early for a signal: EINTR or a restart
   * as for a parked call; the call starts again when no handler is due (an ignored signal) and
   * for a PI lock, which Linux always restarts.
   */
  private interruptedLocalCall(th: GuestThread, epc: number): void {
    const x = th.state.i64;
    const alwaysRestarted = Number(x[SLOT_X + 17]) === NR.futex && futexAlwaysRestarted(x[SLOT_X + 11]);
    if (alwaysRestarted || !this.interruptParked(th, epc)) {
      th.state.f64[SLOT_PC] = epc;
      this.finishCall(th);
    }
  }

  /** The call waits; with a timeout, it runs once more when that is up (a timer, as nothing else may change). */
  private park(th: GuestThread, epc: number, timeoutMs: number | undefined): void {
    this.parked.push({ th, epc });
    if (timeoutMs === undefined || th.deadline !== undefined) return;
    th.deadline = performance.now() + timeoutMs;
    this.armTimer(th, th.deadline);
  }

  private armTimer(th: GuestThread, deadline: number): void {
    setTimeout(() => {
      if (th.deadline !== deadline) return; // that call ended meanwhile
      if (performance.now() < deadline) return this.armTimer(th, deadline); // a timer may fire a little early
      try {
        this.unpark();
      } catch (e) {
        this.host.fatal(e instanceof Error ? (e.stack ?? e.message) : String(e));
      }
    }, Math.max(1, Math.ceil(deadline - performance.now())));
  }

  /** Back to the guest: first any signal that waits for the thread and is not blocked. */
  private finishCall(th: GuestThread): void {
    const proc = th.proc;
    for (;;) {
      const ready = (th.pending | proc.pending) & ~th.sigmask;
      if (ready === 0n) return this.respond(th, ChannelAction.Resume);
      let sig = 1;
      while ((ready & sigBit(sig)) === 0n) sig++;
      const own = (th.pending & sigBit(sig)) !== 0n;
      const info = (own ? th.pendingInfo : proc.pendingInfo).get(sig) ?? { signo: sig, code: SI_USER };
      if (own) th.pending &= ~sigBit(sig);
      else proc.pending &= ~sigBit(sig);
      const act = proc.actions.get(sig) ?? { handler: SIG_DFL, flags: 0, mask: 0n };
      if (act.handler === SIG_IGN || (act.handler === SIG_DFL && IGNORED_BY_DEFAULT.has(sig))) continue;
      if (act.handler === SIG_DFL) {
        if (this.opts.strace) this.opts.write(this.opts.log.fd, straceSignal(info));
        return this.endProcess(th, { kind: 'signal', signal: sig });
      }
      if (!this.enterHandler(th, info, act, false)) return this.endProcess(th, { kind: 'signal', signal: 11 });
      return this.respond(th, ChannelAction.Resume);
    }
  }

  private exitThread(th: GuestThread, status: number): void {
    const proc = th.proc;
    proc.threads.delete(th.tid);
    if (th.clearTid !== 0) {
      // CLONE_CHILD_CLEARTID: zero the tid word and wake one waiter (pthread_join)
      const t = proc.space.touch(th.clearTid, PROT_WRITE);
      if (t.ok && t.off % 4 === 0) {
        Atomics.store(proc.mem.m32, t.off / 4, 0);
        Atomics.notify(proc.mem.m32, t.off / 4, 1);
      }
    }
    if (proc.threads.size === 0) {
      proc.threads.set(th.tid, th);
      return this.endProcess(th, { kind: 'exit', status });
    }
    this.respond(th, ChannelAction.End);
  }

  /** exit_group, or death by a signal: the other threads stop now, this one reports when it is done. */
  private endProcess(th: GuestThread, end: ProcessEnd): void {
    const proc = th.proc;
    this.stopOtherThreads(proc, th);
    proc.threads.clear();
    this.respond(th, ChannelAction.End);
    this.processEnded(proc, end);
  }

  private stopOtherThreads(proc: GuestProcess, keep: GuestThread): void {
    for (const t of proc.threads.values()) {
      if (t === keep) continue;
      void t.worker?.terminate();
      proc.workers.delete(t);
      this.threads.delete(t.tid);
    }
  }

  /** The process is a zombie now: its descriptors close, its parent gets SIGCHLD and may reap it. */
  private processEnded(proc: GuestProcess, end: ProcessEnd): void {
    proc.ending = end;
    proc.kernel.files.closeAll();
    const parent = proc.parent;
    if (parent === undefined || parent.ending !== undefined) return;
    parent.pending |= sigBit(SIGCHLD);
    const code = end.kind === 'exit' ? CLD_EXITED : CLD_KILLED;
    parent.pendingInfo.set(SIGCHLD, { signo: SIGCHLD, code, pid: proc.pid, uid: process.getuid?.() ?? 0, status: end.kind === 'exit' ? end.status : end.signal });
    const act = parent.actions.get(SIGCHLD);
    if (act !== undefined && act.handler !== SIG_DFL && act.handler !== SIG_IGN) {
      const t = [...parent.threads.values()].find((x) => (x.sigmask & sigBit(SIGCHLD)) === 0n);
      if (t) this.signalThread(t);
    }
  }

  // ---- calls about threads, signals and processes ------------------------------------------------

  // eslint-disable-next-line complexity
  private threadCall(th: GuestThread, nr: number, a: readonly bigint[], epc: number): Outcome | undefined {
    const proc = th.proc;
    switch (nr) {
      case NR.getppid: return ret(proc.parent?.pid ?? process.ppid);
      case NR.wait4: return ret(this.wait4(proc, Number(BigInt.asIntN(32, a[0])), a[1], Number(a[2])));
      case NR.waitid: return ret(this.waitid(proc, Number(a[0]), Number(BigInt.asIntN(32, a[1])), a[2], Number(a[3])));
      case NR.execve: return this.execve(th, a[0], a[1], a[2]);
      case NR.exit: return { kind: 'exit-thread', status: Number(a[0] & 0xffn) };
      case NR.exit_group: return { kind: 'exit', status: Number(a[0] & 0xffn) };
      case NR.getpid: return ret(proc.pid);
      case NR.gettid: return ret(th.tid);
      case NR.set_tid_address: th.clearTid = Number(a[0]); return ret(th.tid);
      case NR.clone: return this.clone(th, a, epc);
      case NR.clone3: return ret(-E.ENOSYS);
      case NR.rt_sigaction: return ret(this.sigaction(proc, Number(a[0]), a[1], a[2], a[3]));
      case NR.rt_sigprocmask: return ret(this.sigprocmask(th, Number(a[0]), a[1], a[2]));
      case NR.sigaltstack: return ret(this.sigaltstack(th, a[0], a[1]));
      case NR.rt_sigreturn: return this.sigreturn(th);
      case NR.rt_sigpending: return ret(th.proc.space.writeU64(Number(a[0]), th.pending | proc.pending) ? 0 : -E.EFAULT);
      case NR.rt_sigsuspend: return ret(this.sigsuspend(th, a[0]));
      case NR.rt_sigtimedwait: return ret(this.sigtimedwait(th, a[0], a[1], a[2]));
      case NR.kill: return ret(this.kill(th, Number(BigInt.asIntN(32, a[0])), Number(a[1])));
      case NR.tgkill: return ret(this.tkill(th, Number(BigInt.asIntN(32, a[1])), Number(a[2])));
      case NR.tkill: return ret(this.tkill(th, Number(BigInt.asIntN(32, a[0])), Number(a[1])));
      // the worker serves these unless the page they need was never touched: touch it, run again
      case NR.futex: return this.touchAndRetry(proc, a[0], futexWrites(a[1]) ? PROT_READ | PROT_WRITE : PROT_READ);
      case NR.nanosleep: return this.touchAndRetry(proc, a[0], PROT_READ);
      case NR.clock_nanosleep: return this.touchAndRetry(proc, a[2], PROT_READ);
      default: return undefined;
    }
  }

  private touchAndRetry(proc: GuestProcess, addr: bigint, prot: number): Outcome {
    if (!proc.space.touch(Number(addr), prot).ok) return ret(-E.EFAULT);
    if (!proc.space.touch(Number(addr) + 15, prot).ok) return ret(-E.EFAULT);
    return { kind: 'retry' };
  }

  /** clone with CLONE_VM|CLONE_THREAD (pthread_create): a new vCPU worker on the same memory; without CLONE_THREAD, fork. */
  private clone(th: GuestThread, a: readonly bigint[], epc: number): Outcome {
    const flags = Number(a[0] & 0xffffffffn);
    const needed = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD;
    if ((flags & CLONE_THREAD) === 0) return this.fork(th, a, epc);
    th.proc.parallel = true;
    if ((flags & needed) !== needed) return ret(-E.EINVAL);
    const proc = th.proc;
    const tid = this.nextTid++;
    const child = this.newThread(proc, tid);
    // the child starts with the parent's registers after the ecall, a0 = 0
    child.state.i64.set(th.state.i64.subarray(0, WORD_BASE / 2));
    const cx = child.state.i64;
    cx[SLOT_X + 10] = 0n;
    if (a[1] !== 0n) cx[SLOT_X + 2] = a[1];
    if ((flags & CLONE_SETTLS) !== 0) cx[SLOT_X + 4] = a[3];
    child.state.f64[SLOT_PC] = epc + 4;
    child.sigmask = th.sigmask;
    const tidBytes = new Uint8Array(new Int32Array([tid]).buffer);
    if ((flags & CLONE_PARENT_SETTID) !== 0) proc.space.write(Number(a[2]), tidBytes);
    if ((flags & CLONE_CHILD_SETTID) !== 0) proc.space.write(Number(a[4]), tidBytes);
    if ((flags & CLONE_CHILD_CLEARTID) !== 0) child.clearTid = Number(a[4]);
    this.run(child);
    return ret(tid);
  }

  /**
   * fork, vfork and clone without CLONE_THREAD: a new process with a copy of the memory (also for
   * CLONE_VM|CLONE_VFORK, posix_spawn's: the child only execs or exits, so a copy serves), the same
   * open descriptions, signal actions and mask, and one thread that returns 0.
   */
  private fork(th: GuestThread, a: readonly bigint[], epc: number): Outcome {
    const flags = Number(a[0] & 0xffffffffn);
    const parent = th.proc;
    const mem = processMemory(this.opts.oneInsnPerTb, parent.space.reservedVa);
    const space = new AddressSpace(mem, parent.space);
    const pid = this.nextTid++;
    const proc = new GuestProcess(pid, mem, space, parent.kernel.fork(space), parent.sigtramp);
    proc.symbols = parent.symbols;
    proc.parallel = parent.parallel;
    for (const [sig, act] of parent.actions) proc.actions.set(sig, act);
    proc.parent = parent;
    parent.children.set(pid, proc);
    this.procs.set(pid, proc);
    space.onShootdown = () => this.shootdown(proc);
    const child = this.newThread(proc, pid);
    child.state.i64.set(th.state.i64.subarray(0, WORD_BASE / 2));
    const cx = child.state.i64;
    cx[SLOT_X + 10] = 0n;
    if (a[1] !== 0n) cx[SLOT_X + 2] = a[1];
    if ((flags & CLONE_SETTLS) !== 0) cx[SLOT_X + 4] = a[3];
    child.state.f64[SLOT_PC] = epc + 4;
    child.sigmask = th.sigmask;
    child.alt = { ...th.alt };
    const tidBytes = new Uint8Array(new Int32Array([pid]).buffer);
    if ((flags & CLONE_PARENT_SETTID) !== 0) parent.space.write(Number(a[2]), tidBytes);
    if ((flags & CLONE_CHILD_SETTID) !== 0) space.write(Number(a[4]), tidBytes);
    if ((flags & CLONE_CHILD_CLEARTID) !== 0) child.clearTid = Number(a[4]);
    this.run(child);
    return ret(pid);
  }

  /** The ended children `pid` selects (-1 or 0: any), whether any child matches at all. */
  private findZombie(proc: GuestProcess, pid: number): { zombie: GuestProcess | undefined; any: boolean } {
    const match = [...proc.children.values()].filter((c) => pid <= 0 || c.pid === pid);
    return { zombie: match.find((c) => c.ending !== undefined), any: match.length > 0 };
  }

  private wait4(proc: GuestProcess, pid: number, status: bigint, options: number): number {
    const { zombie, any } = this.findZombie(proc, pid);
    if (!any) return -E.ECHILD;
    if (zombie === undefined) return (options & WNOHANG) !== 0 ? 0 : WOULD_BLOCK;
    if (status !== 0n && !proc.space.write(Number(status), new Uint8Array(new Int32Array([waitStatus(zombie.ending as ProcessEnd)]).buffer))) return -E.EFAULT;
    this.reap(proc, zombie);
    return zombie.pid;
  }

  private waitid(proc: GuestProcess, idtype: number, id: number, infop: bigint, options: number): number {
    if (idtype !== P_ALL && idtype !== P_PID) return -E.EINVAL;
    const { zombie, any } = this.findZombie(proc, idtype === P_ALL ? -1 : id);
    if (!any) return -E.ECHILD;
    if (zombie === undefined) {
      if ((options & WNOHANG) === 0) return WOULD_BLOCK;
      return infop !== 0n && !proc.space.write(Number(infop), new Uint8Array(128)) ? -E.EFAULT : 0;
    }
    const end = zombie.ending as ProcessEnd;
    const info = encodeSiginfo({ signo: SIGCHLD, code: end.kind === 'exit' ? CLD_EXITED : CLD_KILLED, pid: zombie.pid, uid: process.getuid?.() ?? 0, status: end.kind === 'exit' ? end.status : end.signal });
    if (infop !== 0n && !proc.space.write(Number(infop), info)) return -E.EFAULT;
    if ((options & WNOWAIT) === 0) this.reap(proc, zombie);
    return 0;
  }

  private reap(proc: GuestProcess, zombie: GuestProcess): void {
    proc.children.delete(zombie.pid);
    this.procs.delete(zombie.pid);
    if (proc.children.size === 0 || ![...proc.children.values()].some((c) => c.ending !== undefined)) {
      proc.pending &= ~sigBit(SIGCHLD);
    }
  }

  /** execve: a RISC-V program replaces the process's image in place; any other runs on the host, as qemu-riscv64 without binfmt does. */
  private execve(th: GuestThread, pathAddr: bigint, argvAddr: bigint, envpAddr: bigint): Outcome {
    const proc = th.proc;
    const files = proc.kernel.files;
    const path = proc.space.readCString(Number(pathAddr));
    const argv = readStrings(proc.space, argvAddr);
    const envp = readStrings(proc.space, envpAddr);
    if (path === undefined || argv === undefined || envp === undefined) return ret(-E.EFAULT);
    const name = Buffer.from(path).toString('utf8');
    const host = files.resolve(AT_FDCWD, name);
    if (typeof host === 'number') return ret(host);
    const kind = programKind(host);
    if (typeof kind === 'number') return ret(kind);
    if (kind === 'host') return this.execHost(th, host, argv, envp);
    const req = this.req as ProgramRequest;
    const mem = processMemory(this.opts.oneInsnPerTb, req.reservedVa);
    const space = new AddressSpace(mem, undefined, req.reservedVa);
    let image;
    try {
      image = execImage(space, { path: host, argv, envp, ldPrefix: req.ldPrefix, stackSize: req.stackSize, random16: new Uint8Array(16), symbols: this.opts.log.inAsm || this.opts.log.exec || this.opts.symbols === true });
    } catch {
      return ret(-E.ENOEXEC);
    }
    this.stopOtherThreads(proc, th);
    proc.threads.clear();
    proc.kernel = proc.kernel.exec(space, image.exePath, image.brk);
    const random = new Uint8Array(16);
    proc.kernel.randomBytes(random);
    const auxRandom = space.readU64(image.auxv + 13 * 16 + 8);
    if (auxRandom !== undefined) space.write(Number(auxRandom), random);
    proc.mem = mem;
    proc.areas = new StateAreas(mem);
    proc.space = space;
    proc.sigtramp = image.sigtramp;
    proc.symbols = image.symbols;
    proc.nextCpu = 0;
    space.onShootdown = () => this.shootdown(proc);
    // handlers go back to the default action; ignored signals stay ignored
    for (const [sig, act] of proc.actions) if (act.handler !== SIG_IGN) proc.actions.delete(sig);
    th.replaced = true;
    proc.workers.delete(th);
    const next = this.newThread(proc, th.tid);
    next.sigmask = th.sigmask;
    next.pending = th.pending;
    next.state.f64[SLOT_PC] = image.entry;
    next.state.i64[SLOT_X + 2] = BigInt(image.sp);
    this.run(next);
    return { kind: 'replaced' };
  }

  /** The process goes on as a host process (a shell, for system() and popen()): its standard streams are the guest's. */
  private execHost(th: GuestThread, path: string, argv: string[], envp: string[]): Outcome {
    const proc = th.proc;
    const files = proc.kernel.files;
    files.closeOnExec();
    const streams = [0, 1, 2].map((n) => files.hostStream(n));
    const env: Record<string, string> = {};
    for (const e of envp) {
      const i = e.indexOf('=');
      if (i > 0) env[e.slice(0, i)] = e.slice(i + 1);
    }
    let cp: ChildProcess;
    try {
      cp = spawn(path, argv.slice(1), { argv0: argv[0], env, cwd: files.cwd, stdio: streams.map((st) => (typeof st === 'number' ? st : st === undefined ? 'ignore' : 'pipe')) });
    } catch {
      return ret(-E.ENOEXEC);
    }
    this.stopOtherThreads(proc, th);
    proc.threads.clear();
    this.threads.delete(th.tid);
    th.replaced = true;
    proc.workers.delete(th);
    proc.hostChild = cp;
    const pumps: Promise<void>[] = [];
    streams.forEach((st, n) => {
      if (typeof st === 'number' || st === undefined) return;
      const stream = n === 0 ? cp.stdin : n === 1 ? cp.stdout : cp.stderr;
      if (stream === null) return;
      pumps.push(st.connect(stream, () => this.unpark()));
    });
    cp.on('close', (code, signal) => {
      void Promise.all(pumps).then(() => {
        const sig = signal === null ? 0 : Object.entries(SIGNALS).find(([, v]) => v === signal)?.[0];
        const end: ProcessEnd = signal === null ? { kind: 'exit', status: code ?? 0 } : { kind: 'signal', signal: Number(sig ?? 9) };
        this.processEnded(proc, end);
        if (proc === this.first && proc.workers.size === 0) this.host.finish(end);
        this.unpark();
      });
    });
    return { kind: 'replaced' };
  }

  private sigaction(proc: GuestProcess, sig: number, act: bigint, oact: bigint, size: bigint): number {
    if (size !== 8n) return -E.EINVAL;
    if (sig < 1 || sig > 64 || (act !== 0n && (sig === SIGKILL || sig === SIGSTOP))) return -E.EINVAL;
    if (oact !== 0n) {
      const old = proc.actions.get(sig) ?? { handler: SIG_DFL, flags: 0, mask: 0n };
      const b = new Uint8Array(24);
      const v = new DataView(b.buffer);
      v.setBigUint64(0, old.handler, true);
      v.setBigUint64(8, BigInt(old.flags >>> 0), true);
      v.setBigUint64(16, old.mask, true);
      if (!proc.space.write(Number(oact), b)) return -E.EFAULT;
    }
    if (act !== 0n) {
      const b = proc.space.read(Number(act), 24);
      if (b === undefined) return -E.EFAULT;
      const v = new DataView(b.buffer);
      proc.actions.set(sig, { handler: v.getBigUint64(0, true), flags: Number(v.getBigUint64(8, true) & 0xffffffffn), mask: v.getBigUint64(16, true) & ~UNBLOCKABLE });
    }
    return 0;
  }

  private sigprocmask(th: GuestThread, how: number, set: bigint, oset: bigint): number {
    const space = th.proc.space;
    let s: bigint | undefined;
    if (set !== 0n) {
      s = space.readU64(Number(set));
      if (s === undefined) return -E.EFAULT;
      if (how < 0 || how > 2) return -E.EINVAL;
    }
    if (oset !== 0n && !space.writeU64(Number(oset), th.sigmask)) return -E.EFAULT;
    if (s === undefined) return 0;
    if (how === 0) th.sigmask |= s;
    else if (how === 1) th.sigmask &= ~s;
    else th.sigmask = s;
    th.sigmask &= ~UNBLOCKABLE;
    return 0;
  }

  /**
   * rt_sigsuspend: the thread waits with `maskAddr`'s mask until a signal's handler runs (parked:
   * interruptParked ends it with EINTR); the handler's frame saves the mask from before the call.
   */
  private sigsuspend(th: GuestThread, maskAddr: bigint): number {
    if (th.suspendedMask === undefined) {
      const m = th.proc.space.readU64(Number(maskAddr));
      if (m === undefined) return -E.EFAULT;
      th.suspendedMask = th.sigmask;
      th.sigmask = m & ~UNBLOCKABLE;
    }
    return WOULD_BLOCK;
  }

  /** rt_sigtimedwait: take a pending signal of the set (its number, its siginfo), else wait for one until the timeout (EAGAIN). */
  private sigtimedwait(th: GuestThread, setAddr: bigint, infoAddr: bigint, timeout: bigint): number {
    const proc = th.proc;
    const set = proc.space.readU64(Number(setAddr));
    if (set === undefined) return -E.EFAULT;
    const ms = timespecMs(proc.space, timeout);
    if (ms !== undefined && ms < 0) return ms;
    const ready = (th.pending | proc.pending) & set & ~UNBLOCKABLE;
    if (ready === 0n) {
      const wait = proc.kernel.wait;
      if (ms === 0 || wait.expired) return -E.EAGAIN;
      wait.timeoutMs = ms;
      return WOULD_BLOCK;
    }
    let sig = 1;
    while ((ready & sigBit(sig)) === 0n) sig++;
    const own = (th.pending & sigBit(sig)) !== 0n;
    const info = (own ? th.pendingInfo : proc.pendingInfo).get(sig) ?? { signo: sig, code: SI_USER };
    if (infoAddr !== 0n && !proc.space.write(Number(infoAddr), encodeSiginfo(info))) return -E.EFAULT;
    if (own) th.pending &= ~sigBit(sig);
    else proc.pending &= ~sigBit(sig);
    return sig;
  }

  private sigaltstack(th: GuestThread, ss: bigint, old: bigint): number {
    const space = th.proc.space;
    const sp = BigInt.asUintN(64, th.state.i64[SLOT_X + 2]);
    const on = th.alt.size !== 0n && sp > th.alt.sp && sp <= th.alt.sp + th.alt.size;
    if (old !== 0n) {
      const b = new Uint8Array(24);
      const v = new DataView(b.buffer);
      v.setBigUint64(0, th.alt.sp, true);
      v.setInt32(8, th.alt.size === 0n ? SS_DISABLE : on ? SS_ONSTACK : 0, true);
      v.setBigUint64(16, th.alt.size, true);
      if (!space.write(Number(old), b)) return -E.EFAULT;
    }
    if (ss === 0n) return 0;
    const b = space.read(Number(ss), 24);
    if (b === undefined) return -E.EFAULT;
    if (on) return -E.EPERM;
    const v = new DataView(b.buffer);
    const flags = v.getInt32(8, true);
    if ((flags & ~SS_DISABLE) !== 0 && flags !== SS_ONSTACK) return -E.EINVAL;
    if ((flags & SS_DISABLE) !== 0) {
      th.alt = { sp: 0n, flags: SS_DISABLE, size: 0n };
      return 0;
    }
    const size = v.getBigUint64(16, true);
    if (size < MINSIGSTKSZ) return -E.ENOMEM;
    th.alt = { sp: v.getBigUint64(0, true), flags: 0, size };
    return 0;
  }

  private sigreturn(th: GuestThread): Outcome {
    const mask = restoreFrame(th.proc.space, th.state);
    if (mask === undefined) return { kind: 'signal', signal: 11 };
    th.sigmask = mask & ~UNBLOCKABLE;
    return { kind: 'sigreturn' };
  }

  /** kill: to the process (any thread that does not block it takes it). */
  private kill(th: GuestThread, pid: number, sig: number): number {
    let proc = th.proc;
    if (pid !== proc.pid && pid !== 0 && pid !== -1) {
      const other = this.procs.get(pid);
      if (other === undefined || other.ending !== undefined) return -E.ESRCH;
      if (sig < 0 || sig > 64) return -E.EINVAL;
      if (other.hostChild !== undefined) {
        if (sig !== 0) other.hostChild.kill(SIGNALS[sig] ?? 'SIGKILL');
        return 0;
      }
      proc = other;
    }
    if (sig < 0 || sig > 64) return -E.EINVAL;
    if (sig === 0) return 0;
    proc.pending |= sigBit(sig);
    proc.pendingInfo.set(sig, { signo: sig, code: SI_USER, pid: proc.pid, uid: process.getuid?.() ?? 0 });
    if (proc !== th.proc || (th.sigmask & sigBit(sig)) !== 0n) {
      const other = [...proc.threads.values()].find((t) => (t.sigmask & sigBit(sig)) === 0n);
      if (other) this.signalThread(other);
    }
    return 0;
  }

  /**
   * A signal the emulator itself got (SIGINT from the terminal, a host kill): the first process's,
   * as the kernel sends it (si_code SI_KERNEL), to a thread that does not block it. Its default
   * action ends the emulator with that signal, as qemu-riscv64.
   */
  hostSignal(sig: number): void {
    const proc = this.first;
    if (proc === undefined || proc.ending !== undefined) return;
    proc.pending |= sigBit(sig);
    proc.pendingInfo.set(sig, { signo: sig, code: SI_KERNEL });
    const target = [...proc.threads.values()].find((t) => (t.sigmask & sigBit(sig)) === 0n);
    if (target !== undefined) this.signalThread(target);
    try {
      this.unpark();
    } catch (e) {
      this.host.fatal(e instanceof Error ? (e.stack ?? e.message) : String(e));
    }
  }

  /** tkill/tgkill: to one thread. */
  private tkill(th: GuestThread, tid: number, sig: number): number {
    const target = this.threads.get(tid);
    if (target === undefined || target.proc.ending !== undefined) return -E.ESRCH;
    if (sig < 0 || sig > 64) return -E.EINVAL;
    if (sig === 0) return 0;
    target.pending |= sigBit(sig);
    target.pendingInfo.set(sig, { signo: sig, code: SI_TKILL, pid: th.proc.pid, uid: process.getuid?.() ?? 0 });
    if (target !== th) this.signalThread(target);
    return 0;
  }

  /** A signal waits for `t`, which is running: bring it to the service. */
  private signalThread(t: GuestThread): void {
    Atomics.store(t.ch.i32, CH_SIGNAL, 1);
    this.poke(t);
    // a worker asleep in futex or nanosleep wakes now (a futex's other waiters wake spuriously, which futex allows)
    Atomics.notify(t.ch.i32, CH_WAKE);
    const word = Atomics.load(t.ch.i32, CH_SLEEP_WORD);
    if (word > 0) Atomics.notify(t.proc.mem.m32, word - 1);
  }
}

/** A NULL-terminated array of string pointers (argv, envp); undefined on a fault. */
function readStrings(space: AddressSpace, addr: bigint): string[] | undefined {
  const out: string[] = [];
  if (addr === 0n) return out;
  for (let i = 0; i < 4096; i++) {
    const p = space.readU64(Number(addr) + 8 * i);
    if (p === undefined) return undefined;
    if (p === 0n) return out;
    const b = space.readCString(Number(p), 131072);
    if (b === undefined) return undefined;
    out.push(Buffer.from(b).toString('utf8'));
  }
  return undefined;
}

/** What execve finds at `path`: a RISC-V ELF for tsemu, another program for the host, or -errno. */
function programKind(path: string): 'riscv' | 'host' | number {
  let fd: number;
  try {
    const st = statSync(path);
    if (!st.isFile()) return -E.EACCES;
    accessSync(path, constants.X_OK);
    fd = openSync(path, 'r');
  } catch (e) {
    return -errnoOf(e);
  }
  const head = Buffer.alloc(20);
  try {
    readSync(fd, head, 0, 20, 0);
  } finally {
    closeSync(fd);
  }
  const elf = head[0] === 0x7f && head.toString('latin1', 1, 4) === 'ELF';
  return elf && head.readUInt16LE(18) === EM_RISCV ? 'riscv' : 'host';
}

function ret(value: number | bigint): SyscallResult {
  return { kind: 'return', value: BigInt(value) };
}

/** QEMU's -strace line for a signal it delivers. */
function straceSignal(info: SigInfo): string {
  const name = SIGNALS[info.signo] ?? String(info.signo);
  const code = info.code === SI_USER ? 'SI_USER' : info.code === SI_TKILL ? 'SI_TKILL' : String(info.code);
  const rest = info.addr !== undefined ? `si_addr=0x${info.addr.toString(16).padStart(16, '0')}` : `si_pid=${info.pid ?? 0}, si_uid=${info.uid ?? 0}`;
  return `--- ${name} {si_signo=${name}, si_code=${code}, ${rest}} ---\n`;
}

function straceMemory(space: AddressSpace): StraceMemory {
  return {
    cString: (addr) => {
      const b = space.readCString(addr);
      return b === undefined ? undefined : Buffer.from(b).toString('latin1');
    },
    u64: (addr) => space.readU64(addr),
  };
}
