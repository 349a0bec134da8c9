/**
 * tsemu-system-riscv64: the command-line front end. Parses QEMU-style
 * options, prepares the boot, wires the console, starts the machine and
 * turns every user-facing failure into one line on stderr and exit status 1.
 */
import { openSync } from 'node:fs';
import { writeAll } from '../util/write-all.js';
import { OptionError, parseCommandLine, MachineOptions, PROGRAM_NAME } from '../cli/options.js';
import { BootError } from '../machine/boot-layout.js';
import { dumpDtb, prepareBoot, printWarnings } from '../machine/boot.js';
import { Machine } from '../machine/machine.js';
import { workerLauncher } from './early-workers.js';
import { ConsoleMux } from '../cli/console.js';
import { setupTracing } from '../trace/thread-tracing.js';
import { LibraryError } from '../instr/thread-host.js';
import { LibraryLoadError } from '../instr/errors.js';
import { MachineMonitorTarget } from '../machine/monitor-target.js';
import type { OpenedChardev } from '../hw/char-backend.js';

function fail(message: string): never {
  const text = message.startsWith(`${PROGRAM_NAME}:`) ? message : `${PROGRAM_NAME}: ${message}`;
  writeAll(2, text.endsWith('\n') ? text : `${text}\n`);
  process.exit(1);
}

/**
 * QEMU ignores SIGPIPE and drops a chardev's output once its reader has gone (`tsemu ... | head`):
 * the guest keeps running. The same here, instead of an EPIPE stack trace.
 */
function discardAfterBrokenPipe(sink: (bytes: Uint8Array) => void): (bytes: Uint8Array) => void {
  let readerGone = false;
  return (bytes) => {
    if (readerGone) return;
    try {
      sink(bytes);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EPIPE') throw e;
      readerGone = true;
    }
  };
}

/** Where the UART's bytes go: stdout, nowhere, or a file (-serial file:F). */
function serialSink(opts: MachineOptions): (bytes: Uint8Array) => void {
  const serial = opts.serials[0];
  if (!serial) return () => undefined;
  const backend = serial.backend;
  switch (backend.kind) {
    case 'stdio': return discardAfterBrokenPipe((bytes) => { writeAll(1, bytes); });
    case 'file': {
      let fd: number;
      try {
        fd = openSync(backend.path, 'w');
      } catch {
        throw new BootError(`${serial.origin ?? '-serial'}: Could not open '${backend.path}'`);
      }
      return (bytes) => { writeAll(fd, bytes); };
    }
    default: return () => undefined;
  }
}

function serialIsStdio(opts: MachineOptions): boolean {
  return opts.serials[0]?.backend.kind === 'stdio';
}

/** The devices' chardevs connected (clients) or met their first client (server,wait=on), as QEMU's are before the vCPUs run. */
async function chardevsReady(chardevs: readonly OpenedChardev[]): Promise<void> {
  for (const c of chardevs) if (c.waitNote !== undefined) writeAll(2, `${PROGRAM_NAME}: ${c.waitNote}\n`);
  await Promise.all(chardevs.map((c) => c.ready));
}

async function run(argv: readonly string[]): Promise<void> {
  let cmd;
  try {
    cmd = parseCommandLine(argv);
  } catch (e) {
    if (e instanceof OptionError) fail(e.message);
    throw e;
  }
  if (cmd.action === 'exit') {
    process.stdout.write(cmd.stdout);
    process.exit(cmd.exitCode);
  }
  const opts = cmd.options;
  printWarnings(opts.warnings);
  let prepared;
  let serialOut;
  try {
    prepared = prepareBoot(opts);
    if (opts.dumpDtb !== undefined) {
      dumpDtb(opts.dumpDtb, prepared.fdt);
      process.exit(0);
    }
    serialOut = serialSink(opts);
  } catch (e) {
    if (e instanceof BootError || e instanceof OptionError) fail(e.message);
    throw e;
  }
  let traced;
  try {
    traced = setupTracing(opts, prepared.config.log.fd);
  } catch (e) {
    if (e instanceof BootError) fail(e.message);
    throw e;
  }
  printWarnings(traced.warnings);
  if (traced.kind === 'exit') {
    if (traced.message) writeAll(2, `${traced.message}\n`);
    process.stdout.write(traced.stdout);
    process.exit(traced.status);
  }
  let exiting = false;
  let machine: Machine;
  try {
    machine = new Machine({
        ...prepared.config,
        launcher: workerLauncher,
        tracing: traced.tracing,
        instruments: opts.instruments.map((i) => ({ file: i.file, args: i.args })),
        report: (message) => { writeAll(2, `${PROGRAM_NAME}: ${message}\n`); },
        serialOut,
        onExit: (status) => {
          console_.restore();
          process.exit(status);
        },
        onFatal: (message) => {
          writeAll(2, `${PROGRAM_NAME}: internal error: ${message.split('\n')[0]}\n`);
          if (process.env.TSEMU_DEBUG) writeAll(2, `${message}\n`);
        },
      });
  } catch (e) {
    // guest RAM the host cannot allocate (QEMU's message)
    if (e instanceof BootError) fail(e.message);
    throw e;
  }
  // stdin feeds the UART, or a `-chardev stdio` (virtconsole) when that is what holds the terminal
  const stdioChardev = prepared.chardevs.find((c) => c.stdinInput !== undefined)?.stdinInput;
  const console_ = new ConsoleMux({
    toGuest: stdioChardev ?? ((bytes) => machine.consoleInput(bytes)),
    quit: () => { void machine.terminate(0); },
    enabled: serialIsStdio(opts) || stdioChardev !== undefined,
    escapes: stdioChardev === undefined && (opts.serials[0]?.muxMonitor ?? false),
  });
  const onSignal = (signal: NodeJS.Signals, number: number): void => {
    if (exiting) return;
    exiting = true;
    writeAll(2, `${PROGRAM_NAME}: terminating on signal ${number}\n`);
    void machine.terminate(0);
    void signal;
  };
  process.on('SIGINT', () => onSignal('SIGINT', 2));
  process.on('SIGTERM', () => onSignal('SIGTERM', 15));
  process.on('SIGHUP', () => onSignal('SIGHUP', 1));
  // monitors come up before the vCPUs run, as in QEMU (a server,wait socket holds start-up)
  const muxMonitor = opts.serials[0]?.muxMonitor === true && serialIsStdio(opts);
  if (opts.monitors.length > 0 || muxMonitor) {
    const { startMonitors } = await import('../monitor/server.js');
    const target = new MachineMonitorTarget(machine, () => { void machine.terminate(0); });
    try {
      await startMonitors(opts.monitors, target, muxMonitor ? console_ : undefined);
    } catch (e) {
      if (e instanceof OptionError) {
        writeAll(2, `${e.message}\n`);
        await machine.terminate(1);
        return;
      }
      throw e;
    }
  }
  if (opts.gdb !== undefined) {
    const { startGdbServer } = await import('../gdbstub/server.js');
    const { MachineGdbTarget } = await import('../machine/gdb-target.js');
    const monitorTarget = new MachineMonitorTarget(machine, () => { void machine.terminate(0); });
    const target = new MachineGdbTarget(machine, monitorTarget, () => {
      writeAll(2, `${PROGRAM_NAME}: QEMU: Terminated via GDBstub\n`);
      void machine.terminate(0);
    });
    try {
      await startGdbServer(opts.gdb, target, (m) => writeAll(2, `${PROGRAM_NAME}: gdbstub: ${m}\n`));
    } catch (e) {
      writeAll(2, `${PROGRAM_NAME}: -gdb ${opts.gdb}: ${e instanceof Error ? e.message : String(e)}\n`);
      await machine.terminate(1);
      return;
    }
  }
  if (opts.icount !== undefined) console_.preloadFileInput();
  try {
    await chardevsReady(prepared.chardevs);
  } catch (e) {
    writeAll(2, `${PROGRAM_NAME}: ${e instanceof Error ? e.message : String(e)}\n`);
    await machine.terminate(1);
    return;
  }
  try {
    await machine.start();
  } catch (e) {
    if (e instanceof LibraryError || e instanceof LibraryLoadError) {
      writeAll(2, `${PROGRAM_NAME}: -instr: ${e.message}\n`);
      await machine.terminate(1);
      return;
    }
    throw e;
  }
  console_.start();
}

run(process.argv.slice(2)).catch((e: unknown) => {
  fail(`internal error: ${e instanceof Error ? e.message : String(e)}`);
});
