/**
 * Entry point of one guest thread's vCPU worker (`tsemu-riscv64`): every guest thread is a vCPU
 * in its own worker, on the process's guest memory (a SharedArrayBuffer) and page tables. The
 * guest runs in U-mode on the system mode's vCPU, translator tiers and run loop; every trap it
 * takes goes, between blocks, to the process service on the main thread (src/linux-user/service.ts)
 * through the thread's channel, except the calls that sleep (futex, nanosleep), which run here
 * with Atomics.wait so a sleeping guest thread is a sleeping worker.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { writeAll } from '../util/write-all.js';
import { GuestMemory } from '../memory/guest-memory.js';
import { SLOT_F, SLOT_FFLAGS, SLOT_FRM, SLOT_INSTRET, SLOT_PC, SLOT_X, WORD_EXIT_REQUEST, stateViews } from '../abi/state-layout.js';
import { BlockCache, BlockSource } from '../vcpu/block-cache.js';
import { hotThresholdSetting, tierSetting, wasmLinksSetting } from './tier-setting.js';
import { RunLoop, runOneVcpu } from '../vcpu/run-loop.js';
import { CF_PARALLEL, CF_SINGLE_INSN, CpuLog, formatTrap } from '../vcpu/cpu-log.js';
import { attachTracing, bindThreadTracing } from '../trace/thread-tracing.js';
import { EVENT_CPU_ENTER, EVENT_CPU_EXIT, InstrThread } from '../instr/thread-env.js';
import { guestMemoryForInstr } from '../instr/memory-access.js';
import { trace_guest_user_syscall, trace_guest_user_syscall_ret, trace_guest_vcpu_discon, trace_riscv_trap } from '../trace/generated/events.js';
import { DisconType } from '../target/riscv/hart.js';
import { UserContext } from '../linux-user/user-context.js';
import { CAUSE_INTERRUPT, CAUSE_INTERRUPTED_CALL, CH_ACTION, CH_CAUSE, CH_EPC64, CH_FLUSH, CH_READY, CH_SIGNAL, CH_TVAL64, CH_DELIVERED, ChannelAction, channelViews, walkUser, type Channel } from '../linux-user/channel.js';
import { INTERRUPTED, localSyscall } from '../linux-user/local-calls.js';
import { NR } from '../linux-user/syscall-names.js';
import { straceCall, straceReturn, type StraceMemory } from '../linux-user/strace.js';
import type { UserWorkerData, UserWorkerReport } from '../linux-user/protocol.js';
import { Translator, type TranslatorLog } from '../vcpu/translator.js';
import { disassembleForLog } from '../vcpu/translator-log.js';
import { symbolAt } from '../linux-user/elf-symbols.js';
import { bindTranslationEvents, translationHooks } from '../instr/translation-hooks.js';
import type { InstrRuntime } from '../instr/runtime.js';
import { EventId } from '../trace/generated/events.js';
import { tcgTraceRuntime } from '../trace/tcg-runtime.js';

/** Translation-level events: while one is wanted for this vCPU, its blocks go through the Translator with the hooks. */
const TRANS_EVENTS = [EventId.guest_mem_before_trans, EventId.guest_mem_after_trans, EventId.guest_bbl_before_trans, EventId.guest_inst_before_trans];

const port = parentPort;
if (!port) throw new Error('user worker must run in a worker thread');
const data = workerData as UserWorkerData;

function post(report: UserWorkerReport): void {
  port?.postMessage(report);
}

/** The registers the service set for the thread's start survive enterUserMode's reset. */
function startContext(ctx: UserContext): void {
  const x = ctx.i64.slice(SLOT_X, SLOT_X + 32);
  const f = ctx.i64.slice(SLOT_F, SLOT_F + 32);
  const fflags = ctx.i32[2 * SLOT_FFLAGS];
  const frm = ctx.i32[2 * SLOT_FRM];
  const pc = ctx.f64[SLOT_PC];
  ctx.enterUserMode(pc, data.satp);
  ctx.i64.set(x, SLOT_X);
  ctx.i64.set(f, SLOT_F);
  ctx.i32[2 * SLOT_FFLAGS] = fflags;
  ctx.i32[2 * SLOT_FRM] = frm;
}

async function main(): Promise<void> {
  const mem = new GuestMemory(data.mem);
  const state = stateViews(data.state);
  const ch = channelViews(data.channel);
  const cpu = data.cpu;
  const ctx = new UserContext(state, cpu, mem);
  ctx.flat = data.flat;
  startContext(ctx);

  const log = new CpuLog({ int: data.log.int, exec: data.log.exec, cpu: data.log.cpu, unimp: false, guestErrors: false, fd: data.log.fd, user: true });
  log.userExec = { symbolAt: (pc) => symbolAt(data.symbols, pc), cflags: () => (parallel ? CF_PARALLEL : 0) | (mem.oneInsnPerBlock ? CF_SINGLE_INSN : 0) };
  ctx.trapObserver = (cause, interrupt, epc, tval) => {
    if (log.flags.int) log.write(formatTrap(cpu, cause, interrupt, epc, tval));
    trace_riscv_trap(cpu, BigInt(cause), BigInt.asUintN(64, BigInt(epc)), BigInt.asUintN(64, tval));
  };
  const tracing = attachTracing(data.tracing);
  /** A library's qi_exit from this thread: it runs no more guest code while the program ends. */
  let stoppedByLibrary = false;
  const instr = new InstrThread({
    // the thread's worker is its own translator too (no translator service in user mode)
    role: 'translator', tracing, maxVcpus: data.maxVcpus ?? cpu + 1,
    memory: guestMemoryForInstr(mem, () => { const a: (typeof state)[] = []; a[cpu] = state; return a; }, (c) => c === cpu),
    report: (report) => post({ type: 'instr', report }),
    stateChanged: () => mem.bumpEpoch(),
    stopHere: () => {
      stoppedByLibrary = true;
      Atomics.store(ctx.i32, WORD_EXIT_REQUEST, 1);
    },
  });
  bindThreadTracing(tracing, (id, c, args) => instr.rt.deliver(id, c, args));
  instrRuntime = instr.rt;
  for (const m of data.instr ?? []) await instr.load(m, [cpu]);
  const dispatchers = instr.rt.events.map((_, id) => instr.rt.execDispatcher(id, cpu, tracing.state.dstate));
  // no translator service in user mode: the thread's own instance gets the translation-level
  // events of the blocks it translates (the cpu= of the thread), through a Translator of its own
  bindTranslationEvents(instr.rt);
  const hooks = translationHooks(cpu, { mem, symbolAt: (pc) => symbolAt(data.symbols, pc) });
  const translator = new Translator(mem, translatorLog(), () => hooks);
  translator.flat = data.flat;
  // what the Translator translates is what -d in_asm and translation-level events see: QEMU's blocks
  translator.shape = 'qemu';
  let epoch = mem.epoch;
  const source: BlockSource = {
    fetch: (pc, pa, pa2, priv) => {
      if (mem.epoch !== epoch) {
        epoch = mem.epoch;
        translator.flush();
      }
      return translator.translate(pc, pa, pa2, cpu, priv);
    },
    // -d in_asm/op/out_asm print what the Translator translates: every block goes through it then
    mayTranslateHere: () => !translator.logging && !TRANS_EVENTS.some((id) => tcgTraceRuntime.wanted(id, cpu)),
  };
  const cache = new BlockCache(ctx, mem, source, dispatchers, instr.boards, hotThresholdSetting(), true, tierSetting());
  cache.chainLinks = wasmLinksSetting();
  const loop = new RunLoop(ctx, cache, {
    handleControl: () => handleTrap(ctx, mem, ch, log, translator),
    paused: () => stoppedByLibrary,
    yieldRequested: () => false,
    debugStop: () => undefined, // no gdbstub in user mode (no breakpoints are ever set)
  }, log);
  instr.rt.raise(EVENT_CPU_ENTER, cpu, []);
  void runOneVcpu(loop, async () => undefined).then(async () => {
    instr.rt.raise(EVENT_CPU_EXIT, cpu, []);
    // qi_fini of this thread's instances, as a vCPU worker runs them in system mode: what each
    // returns reaches the primary's qi_merge (the report goes out before 'done', so it is there
    // before the first process's end runs the primary's qi_fini)
    for (const m of data.instr ?? []) await instr.handle({ kind: 'unload', id: m.id }, [cpu]);
    tracing.backend.flush();
    post({ type: 'done', tid: data.tid });
  });
}

/** This thread's instrumentation runtime (where a syscall filter leaves its answer). */
let instrRuntime: InstrRuntime | undefined;

/** `-d in_asm,op,out_asm` as qemu-riscv64 prints them (the worker is its own translator), or undefined. */
function translatorLog(): TranslatorLog | undefined {
  const { inAsm, op, outAsm, fd } = data.log;
  if (!inAsm && !op && !outAsm) return undefined;
  return {
    inAsm, op, outAsm, privLine: false,
    write: (text) => writeAll(fd, text),
    disassemble: disassembleForLog,
    symbolAt: (pc) => symbolAt(data.symbols, pc),
  };
}

/** Ask the service and sleep until it answers; true when the thread goes on. */
function callService(ctx: UserContext, ch: Channel): boolean {
  Atomics.store(ch.i32, CH_READY, 0);
  post({ type: 'trap', tid: data.tid });
  while (Atomics.load(ch.i32, CH_READY) === 0) Atomics.wait(ch.i32, CH_READY, 0);
  if (Atomics.exchange(ch.i32, CH_FLUSH, 0) !== 0) ctx.flushMappings();
  return Atomics.load(ch.i32, CH_ACTION) === ChannelAction.Resume;
}

/** QEMU's CF_PARALLEL for this thread's blocks: the process had a second thread when this one started, or this one made one. */
let parallel = data.parallel === true;
const CLONE_THREAD = 0x10000;

/** Between blocks: the guest trapped, or the service wants the thread. False when the thread has ended. */
function handleTrap(ctx: UserContext, mem: GuestMemory, ch: Channel, log: CpuLog, translator: Translator): boolean {
  const go = serveTrap(ctx, mem, ch, log, translator);
  if (go) signalDiscon(ctx, ch);
  return go;
}

/**
 * A signal handler entered (the service set CH_DELIVERED): guest_vcpu_discon, as a trap in system
 * mode: an exception for a synchronous signal (the thread's fault), an interrupt for another, cause
 * = the signal number, from the pc the thread was at (the faulting instruction, the ecall, or where
 * it was stopped) to the handler. rt_sigreturn is the matching trap return (serveTrap).
 */
function signalDiscon(ctx: UserContext, ch: Channel): void {
  const signo = Atomics.exchange(ch.i32, CH_DELIVERED, 0);
  if (signo === 0) return;
  const type = signo < 0 ? DisconType.Exception : DisconType.Interrupt;
  trace_guest_vcpu_discon(ctx.hartId, type, BigInt.asUintN(64, BigInt(ch.f64[CH_EPC64])), BigInt.asUintN(64, BigInt(ctx.pc)), BigInt(Math.abs(signo)));
}

function serveTrap(ctx: UserContext, mem: GuestMemory, ch: Channel, log: CpuLog, translator: Translator): boolean {
  if (Atomics.exchange(ch.i32, CH_FLUSH, 0) !== 0) ctx.flushMappings();
  const t = ctx.trap;
  ctx.trap = undefined;
  if (t === undefined) {
    if (Atomics.exchange(ch.i32, CH_SIGNAL, 0) === 0) return true;
    ch.i32[CH_CAUSE] = CAUSE_INTERRUPT;
    ch.f64[CH_EPC64] = ctx.pc;
    return callService(ctx, ch);
  }
  ch.i32[CH_CAUSE] = t.cause;
  ch.i64[CH_TVAL64] = t.tval;
  ch.f64[CH_EPC64] = t.epc;
  if (t.cause !== 8) {
    const go = callService(ctx, ch);
    // a first touch: the page is there now and the instruction runs again, which -d exec,cpu do not show
    if (ctx.pc === t.epc) log.rerunPc = translator.quietPc = t.epc;
    return go;
  }
  const x = ctx.i64;
  const nr = Number(x[SLOT_X + 17]);
  const args = [10, 11, 12, 13, 14, 15].map((r) => x[SLOT_X + r]);
  trace_guest_user_syscall(ctx.hartId, BigInt(nr), ...(args.map((a) => BigInt.asUintN(64, a)) as [bigint, bigint, bigint, bigint, bigint, bigint]),
    BigInt.asUintN(64, x[SLOT_X + 16]), BigInt.asUintN(64, x[SLOT_X + 17]));
  // a library's syscall filter (qi_vcpu_syscall_skip in its guest_user_syscall callback): the call does not run
  const skipped = instrRuntime?.takeSyscallSkip();
  const local = skipped !== undefined ? skipped : localSyscall(nr, args, { mem, satp: data.satp, tid: data.tid, ch });
  let go = true;
  if (skipped !== undefined) {
    x[SLOT_X + 10] = skipped;
    ctx.f64[SLOT_INSTRET] += 1;
    ctx.pc = t.epc + 4;
  } else if (local === undefined) {
    if (nr === NR.clone && (Number(args[0]) & CLONE_THREAD) !== 0) parallel = true;
    go = callService(ctx, ch);
  } else if (local === INTERRUPTED) {
    // a signal ended the wait: the service answers EINTR (or restarts the call) and delivers it
    if (data.strace) writeAll(data.log.fd, straceCall(data.pid, nr, args, straceMemory(mem)));
    ch.i32[CH_CAUSE] = CAUSE_INTERRUPTED_CALL;
    go = callService(ctx, ch);
  } else {
    if (data.strace) writeAll(data.log.fd, straceCall(data.pid, nr, args, straceMemory(mem)));
    x[SLOT_X + 10] = local;
    ctx.f64[SLOT_INSTRET] += 1;
    ctx.pc = t.epc + 4;
    if (data.strace) writeAll(data.log.fd, straceReturn(nr, local, args, straceMemory(mem)));
  }
  if (go && nr === NR.rt_sigreturn) trace_guest_vcpu_discon(ctx.hartId, DisconType.TrapReturn, BigInt.asUintN(64, BigInt(t.epc)), BigInt.asUintN(64, BigInt(ctx.pc)), 0n);
  if (go && nr !== NR.rt_sigreturn) trace_guest_user_syscall_ret(ctx.hartId, BigInt(nr), BigInt.asUintN(64, x[SLOT_X + 10]));
  return go;
}

/** What -strace reads of the calls run here (their timespecs), through the page tables as the calls do. */
function straceMemory(mem: GuestMemory): StraceMemory {
  return {
    cString: () => undefined,
    u64: (addr) => {
      const off = walkUser(mem, data.satp, addr, false);
      return off < 0 || off % 8 !== 0 ? undefined : mem.m64[off / 8];
    },
  };
}

main().catch((e: unknown) => {
  post({ type: 'fatal', message: e instanceof Error ? (e.stack ?? e.message) : String(e) });
});
