/**
 * Entry point of a Linux user process's vCPU worker (`tsemu-riscv64`): builds the process image
 * in guest memory, runs the guest in U-mode on the system mode's vCPU, translator tiers and run
 * loop, and is the process's kernel: every trap the guest takes (ecall, page fault, illegal
 * instruction) is handled here between blocks, through the run loop's control hook.
 *
 * The next stage (threads) starts one such worker per guest thread on the same guest memory.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { writeAll } from '../util/write-all.js';
import { createGuestMemoryBuffers, GuestMemory } from '../memory/guest-memory.js';
import { createStateBuffer, SLOT_INSTRET, SLOT_X, stateViews } from '../abi/state-layout.js';
import { BlockCache, BlockSource, DEFAULT_HOT_THRESHOLD } from '../vcpu/block-cache.js';
import { RunLoop, runOneVcpu } from '../vcpu/run-loop.js';
import { CpuLog, formatTrap } from '../vcpu/cpu-log.js';
import { attachTracing, bindThreadTracing } from '../trace/thread-tracing.js';
import { EVENT_CPU_ENTER, EVENT_CPU_EXIT, InstrThread } from '../instr/thread-env.js';
import { guestMemoryForInstr } from '../instr/memory-access.js';
import { trace_guest_user_syscall, trace_guest_user_syscall_ret, trace_riscv_trap } from '../trace/generated/events.js';
import { AddressSpace, PROT_EXEC, PROT_READ, PROT_WRITE, USER_RAM_BASE } from '../linux-user/address-space.js';
import { UserContext } from '../linux-user/user-context.js';
import { ExecError, execImage } from '../linux-user/process.js';
import { ElfLoadError } from '../linux-user/elf-load.js';
import { Kernel, type SyscallResult } from '../linux-user/kernel.js';
import { straceCall, straceReturn, type StraceMemory } from '../linux-user/strace.js';
import type { UserWorkerData, UserWorkerReport } from '../linux-user/protocol.js';

/** Guest memory of the process: pages are taken from it on first touch (the OS commits them lazily too). */
const RAM_SIZE = 1 << 30;
const port = parentPort;
if (!port) throw new Error('user worker must run in a worker thread');
const data = workerData as UserWorkerData;

function post(report: UserWorkerReport): void {
  port?.postMessage(report);
}

function hotThreshold(): number {
  const n = Number(process.env.TSEMU_HOT ?? DEFAULT_HOT_THRESHOLD);
  return Number.isInteger(n) && n >= 0 ? n : DEFAULT_HOT_THRESHOLD;
}

/** How the process ended, once it has. */
let ending: SyscallResult | undefined;

function main(): void {
  const mem = new GuestMemory(createGuestMemoryBuffers(USER_RAM_BASE, RAM_SIZE, 0x1000, 0x1000));
  const space = new AddressSpace(mem);
  const argv = data.argv;
  let image;
  try {
    image = execImage(space, {
      path: data.program, argv, envp: data.envp, ldPrefix: data.ldPrefix, stackSize: data.stackSize,
      random16: new Uint8Array(16),
    });
  } catch (e) {
    if (e instanceof ExecError) return post({ type: 'load-error', message: e.message, status: 1, stdout: true });
    if (e instanceof ElfLoadError) {
      const message = e.cause === 'interp' ? e.message : `${data.program}: ${e.message}`;
      return post({ type: 'load-error', message, status: 255, stdout: false });
    }
    throw e;
  }
  const kernel = new Kernel(space, { ldPrefix: data.ldPrefix, exePath: image.exePath, brk: image.brk, unameRelease: data.unameRelease, seed: data.seed });
  // AT_RANDOM's bytes come from the same source as getrandom (-seed makes both repeatable)
  const random = new Uint8Array(16);
  kernel.randomBytes(random);
  const auxRandom = space.readU64(image.auxv + 13 * 16 + 8);
  if (auxRandom !== undefined) space.write(Number(auxRandom), random);

  const state = stateViews(createStateBuffer());
  const ctx = new UserContext(state, 0, mem);
  space.onShootdown = () => ctx.flushMappings();
  ctx.enterUserMode(image.entry, space.satp);
  ctx.i64[SLOT_X + 2] = BigInt(image.sp);

  const log = new CpuLog({ int: data.log.int, exec: data.log.exec, cpu: data.log.cpu, unimp: false, guestErrors: false, fd: data.log.fd });
  ctx.trapObserver = (cause, interrupt, epc, tval) => {
    if (log.flags.int) log.write(formatTrap(0, cause, interrupt, epc, tval));
    trace_riscv_trap(0, BigInt(cause), BigInt.asUintN(64, BigInt(epc)), BigInt.asUintN(64, tval));
  };
  const tracing = attachTracing(data.tracing);
  const instr = new InstrThread({
    role: 'vcpu', tracing, maxVcpus: 1,
    memory: guestMemoryForInstr(mem, () => [state], () => true),
    report: () => undefined,
    stateChanged: () => mem.bumpEpoch(),
  });
  bindThreadTracing(tracing, (id, cpu, args) => instr.rt.deliver(id, cpu, args));
  const dispatchers = instr.rt.events.map((_, id) => instr.rt.execDispatcher(id, 0, tracing.state.dstate));
  const source: BlockSource = {
    fetch: () => { throw new Error('no translator service in user mode'); },
    mayTranslateHere: () => true,
  };
  const cache = new BlockCache(ctx, mem, source, dispatchers, instr.boards, hotThreshold(), true);
  const strace = straceOutput(space);
  const loop = new RunLoop(ctx, cache, {
    handleControl: () => handleTrap(ctx, kernel, strace),
    paused: () => false,
    yieldRequested: () => false,
  }, log);
  instr.rt.raise(EVENT_CPU_ENTER, 0, []);
  void runOneVcpu(loop, async () => undefined).then(() => {
    instr.rt.raise(EVENT_CPU_EXIT, 0, []);
    tracing.backend.flush();
    const end = ending ?? { kind: 'exit', status: 0 };
    post(end.kind === 'signal' ? { type: 'signal', signal: end.signal } : { type: 'exit', status: end.kind === 'exit' ? end.status : 0 });
  });
}

interface StraceOutput {
  on: boolean;
  mem: StraceMemory;
  write(text: string): void;
}

function straceOutput(space: AddressSpace): StraceOutput {
  return {
    on: data.strace,
    mem: {
      cString: (addr) => {
        const b = space.readCString(addr);
        return b === undefined ? undefined : Buffer.from(b).toString('latin1');
      },
      u64: (addr) => space.readU64(addr),
    },
    write: (text) => { if (text !== '') writeAll(data.log.fd, text); },
  };
}

/** The signal a trap that is not a syscall raises when it is not a page to bring in. */
function trapSignal(cause: number, tval: bigint, kernel: Kernel): number | true {
  switch (cause) {
    case 12: return kernel.pageFault(Number(tval), PROT_EXEC);
    case 13: return kernel.pageFault(Number(tval), PROT_READ);
    case 15: return kernel.pageFault(Number(tval), PROT_WRITE);
    case 2: return 4; // SIGILL
    case 3: return 5; // SIGTRAP
    case 0: case 4: case 6: return 7; // SIGBUS
    default: return 11; // SIGSEGV
  }
}

/** Between blocks: the guest trapped. Returns false when the process has ended. */
function handleTrap(ctx: UserContext, kernel: Kernel, strace: StraceOutput): boolean {
  const t = ctx.trap;
  if (t === undefined) return true;
  ctx.trap = undefined;
  if (t.cause !== 8) {
    const r = trapSignal(t.cause, t.tval, kernel);
    if (r === true) return true; // the page is there now: the instruction runs again
    ending = { kind: 'signal', signal: r };
    return false;
  }
  const x = ctx.i64;
  const nr = Number(x[SLOT_X + 17]);
  const args = [10, 11, 12, 13, 14, 15].map((r) => x[SLOT_X + r]);
  trace_guest_user_syscall(0, BigInt(nr), ...(args.map((a) => BigInt.asUintN(64, a)) as [bigint, bigint, bigint, bigint, bigint, bigint]),
    BigInt.asUintN(64, x[SLOT_X + 16]), BigInt.asUintN(64, x[SLOT_X + 17]));
  if (strace.on) strace.write(straceCall(process.pid, nr, args, strace.mem));
  const r = kernel.syscall(nr, args);
  ctx.f64[SLOT_INSTRET] += 1;
  if (r.kind !== 'return') {
    ending = r;
    return false;
  }
  x[SLOT_X + 10] = BigInt.asIntN(64, r.value);
  if (strace.on) strace.write(straceReturn(nr, r.value, args, strace.mem));
  trace_guest_user_syscall_ret(0, BigInt(nr), BigInt.asUintN(64, r.value));
  ctx.pc = t.epc + 4;
  return true;
}

try {
  main();
} catch (e) {
  post({ type: 'fatal', message: e instanceof Error ? (e.stack ?? e.message) : String(e) });
}
