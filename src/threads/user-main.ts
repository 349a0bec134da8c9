/**
 * tsemu-riscv64: QEMU's linux-user front end. Parses the command line, sets up tracing and the
 * -d/-D log, runs the process service (src/linux-user/service.ts), which starts a vCPU worker
 * (src/threads/user-worker.ts) per guest thread, and makes the guest's end the emulator's: its exit status, or death by the same signal.
 */
import { Worker } from 'node:worker_threads';
import { openSync } from 'node:fs';
import { isatty } from 'node:tty';
import { writeAll } from '../util/write-all.js';
import { parseUserCommandLine, UserOptionError, USER_PROGRAM_NAME, type UserOptions } from '../cli/user-options.js';
import { OptionError } from '../cli/option-error.js';
import { setupTracing } from '../trace/thread-tracing.js';
import { BootError } from '../util/boot-error.js';
import { SIGNALS } from '../linux-user/kernel.js';
import type { UserWorkerReport } from '../linux-user/protocol.js';
import { Service } from '../linux-user/service.js';
import { ExecError } from '../linux-user/process.js';
import { ElfLoadError, ReservedVaError } from '../linux-user/elf-load.js';
import { LibraryError } from '../instr/thread-host.js';
import { LibraryLoadError } from '../instr/errors.js';
import { UserInstr, USER_MAX_VCPUS } from './user-instr.js';

function fail(message: string, status = 1): never {
  writeAll(2, `${message}\n`);
  process.exit(status);
}

function logFd(opts: UserOptions): number {
  if (opts.logFile === undefined) return 2;
  try {
    return openSync(opts.logFile, 'w');
  } catch {
    fail(`${USER_PROGRAM_NAME}: could not open log file '${opts.logFile}'`);
  }
}

/** The guest died of `signal`: so does the emulator (QEMU's dump_core_and_abort), after its output is out. */
function dieOf(signal: number): never {
  const name = SIGNALS[signal] ?? 'SIGKILL';
  process.removeAllListeners(name);
  process.kill(process.pid, name);
  // a signal Node keeps for itself: the shell's 128 + N
  process.exit(128 + signal);
}

async function run(argv: readonly string[]): Promise<void> {
  let cmd;
  try {
    cmd = parseUserCommandLine(argv, process.env);
  } catch (e) {
    if (e instanceof UserOptionError || e instanceof OptionError) fail(e.message.replace(/^tsemu-system-riscv64:/, `${USER_PROGRAM_NAME}:`));
    throw e;
  }
  if (cmd.action === 'exit') {
    writeAll(1, cmd.stdout);
    process.exit(cmd.exitCode);
  }
  const opts = cmd.options;
  for (const w of opts.warnings) writeAll(2, `${w}\n`);
  const fd = logFd(opts);
  let traced;
  try {
    traced = setupTracing({ traces: opts.traces, logTracePatterns: opts.logTracePatterns }, fd);
  } catch (e) {
    if (e instanceof BootError) fail(`${USER_PROGRAM_NAME}: ${e.message}`);
    throw e;
  }
  for (const w of traced.warnings) writeAll(2, `${w}\n`);
  if (traced.kind === 'exit') {
    if (traced.message) writeAll(2, `${traced.message}\n`);
    writeAll(1, traced.stdout);
    process.exit(traced.status);
  }
  let instr: UserInstr | undefined;
  let finishing = false;
  const finish = (end: { kind: 'exit'; status: number } | { kind: 'signal'; signal: number }): void => {
    if (finishing) return;
    finishing = true;
    // the libraries' primary instances print their summaries (qi_fini) after the guest's output
    void (instr?.finish() ?? Promise.resolve()).then(() => {
      traced.tracing.backend.flush();
      if (end.kind === 'signal') dieOf(end.signal);
      process.exit(end.status);
    });
  };
  if (opts.instruments.length > 0) {
    instr = new UserInstr(traced.tracing, (m) => writeAll(2, `${m}\n`), (status) => finish({ kind: 'exit', status }));
    try {
      await instr.load(opts.instruments);
    } catch (e) {
      if (e instanceof LibraryError || e instanceof LibraryLoadError) fail(`${USER_PROGRAM_NAME}: -instr: ${e.message}`);
      throw e;
    }
  }
  const items = new Set(opts.logItems);
  const service = new Service({
    strace: opts.strace,
    log: { int: items.has('int'), exec: items.has('exec'), cpu: items.has('cpu'), inAsm: items.has('in_asm'), op: items.has('op'), outAsm: items.has('out_asm'), fd },
    oneInsnPerTb: opts.oneInsnPerTb,
    symbols: instr !== undefined, // libraries may ask for an instruction's symbol
    tracing: traced.tracing.config,
    write: (to, text) => { if (text !== '') writeAll(to, text); },
  }, {
    spawn: (data, onReport) => {
      const workerData = instr === undefined ? data : { ...data, instr: instr.loadMessages(), maxVcpus: USER_MAX_VCPUS };
      const worker = new Worker(new URL('./user-worker.js', import.meta.url), { workerData });
      worker.on('message', (r: UserWorkerReport) => (r.type === 'instr' ? instr?.handle(r.report) : onReport(r)));
      worker.on('error', (e) => fail(`${USER_PROGRAM_NAME}: internal error: ${e.message}`));
      return worker;
    },
    finish,
    fatal: (message) => fail(`${USER_PROGRAM_NAME}: internal error: ${message.split('\n')[0]}${process.env.TSEMU_DEBUG ? `\n${message}` : ''}`),
  });
  try {
    service.start({
      program: opts.program,
      argv: [opts.argv0 ?? opts.program, ...opts.args],
      envp: [...opts.env],
      ldPrefix: opts.ldPrefix,
      stackSize: opts.stackSize,
      unameRelease: opts.unameRelease,
      seed: opts.seed,
      reservedVa: opts.reservedVa,
    });
  } catch (e) {
    loadError(e, opts.program);
  }
  forwardHostSignals(service);
}

/** Signals the emulator gets go to the guest (SIGINT from the terminal), as qemu-riscv64 forwards them. */
function forwardHostSignals(service: Service): void {
  for (const [name, sig] of [['SIGINT', 2], ['SIGHUP', 1], ['SIGTERM', 15]] as const) process.on(name, () => service.hostSignal(sig));
}

/** QEMU's words and statuses for a program it cannot load. */
function loadError(e: unknown, program: string): never {
  if (e instanceof ExecError) {
    // QEMU prints "Error while loading" with printf and leaves with _exit: only a terminal sees it
    if (isatty(1)) writeAll(1, `${e.message}\n`);
    else writeAll(2, `${USER_PROGRAM_NAME}: ${e.message}\n`);
    process.exit(1);
  }
  if (e instanceof ReservedVaError) fail(`${USER_PROGRAM_NAME}: ${program}: ${e.message}`);
  if (e instanceof ElfLoadError) {
    const message = e.cause === 'interp' ? e.message : `${program}: ${e.message}`;
    writeAll(2, `${USER_PROGRAM_NAME}: ${message}\n`);
    process.exit(255);
  }
  throw e;
}

run(process.argv.slice(2)).catch((e: unknown) => {
  fail(`${USER_PROGRAM_NAME}: internal error: ${e instanceof Error ? e.message : String(e)}`);
});
