/**
 * Puts HMP and QMP sessions on their character devices: stdio, `file:`,
 * `unix:PATH,server[,nowait]`, `tcp:[HOST]:PORT,server[,nowait]`, and the
 * `-nographic` mux (monitor and serial console sharing stdio, Ctrl-a c).
 * Entry point for the machine: startMonitors().
 */
import { closeSync, existsSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { createServer, Server, Socket } from 'node:net';
import type { ChardevBackend, MonitorSpec } from '../cli/chardev.js';
import { optionError, PROGRAM_NAME } from '../cli/option-error.js';
import { HmpSession } from './hmp.js';
import { eventTimestamp, QmpSession } from './qmp.js';
import type { MonitorTarget } from './target.js';

/** A monitor as the mux console sees it (implemented by the HMP session). */
export interface MuxFrontend {
  /** Bytes typed while the monitor has the focus. */
  input(bytes: Uint8Array): void;
  /** Ctrl-a c gave the monitor the terminal. */
  focusIn(): void;
  /** Ctrl-a c gave the terminal back to the guest console. */
  focusOut(): void;
}

/** What startMonitors needs from the stdio console for the mux (src/cli/console.ts ConsoleMux). */
export interface MonitorConsole {
  attachMonitor(frontend: MuxFrontend): void;
}

export interface StartMonitorsOptions {
  /** Product name in the HMP banner and the "waiting for connection" note (QEMU says "QEMU"). */
  readonly productName?: string;
  /** Where informational messages go (default: stderr). */
  readonly info?: (line: string) => void;
}

export interface MonitorHandle {
  /** Where each socket monitor listens, e.g. "unix:/tmp/q.sock" or "tcp:127.0.0.1:4444", in spec order. */
  readonly addresses: readonly string[];
  /** Close every listener and connection and give the terminal back. */
  close(): Promise<void>;
}

type Session = HmpSession | QmpSession;

/** Keeps the sessions that want events and everything that must be closed. */
class MonitorSet {
  readonly qmpSessions = new Set<QmpSession>();
  readonly servers: Server[] = [];
  readonly sockets = new Set<Socket>();
  readonly cleanups: (() => void)[] = [];
  readonly addresses: string[] = [];

  constructor(readonly target: MonitorTarget, readonly productName: string, readonly info: (line: string) => void) {}

  /** A session for `mode` writing to `sink`; QMP sessions get events until dropped. */
  newSession(mode: MonitorSpec['mode'], sink: (bytes: Uint8Array) => void, editor: boolean, flow?: { pause(): void; resume(): void }, target = this.target): Session {
    if (mode === 'readline') return new HmpSession(target, sink, { editor, productName: this.productName });
    const session = new QmpSession(target, sink, { pauseInput: flow?.pause, resumeInput: flow?.resume });
    this.qmpSessions.add(session);
    return session;
  }

  drop(session: Session): void {
    session.close();
    if (session instanceof QmpSession) this.qmpSessions.delete(session);
  }

  broadcast(event: string, data: Readonly<Record<string, unknown>> | undefined): void {
    const timestamp = eventTimestamp();
    for (const s of this.qmpSessions) s.event(event, data, timestamp);
  }
}

const ERRNO_TEXT: Readonly<Record<string, string>> = {
  ENOENT: 'No such file or directory',
  EACCES: 'Permission denied',
  EADDRINUSE: 'Address already in use',
  EADDRNOTAVAIL: 'Cannot assign requested address',
  ENOTDIR: 'Not a directory',
  EROFS: 'Read-only file system',
  ENAMETOOLONG: 'File name too long',
  EINVAL: 'Invalid argument',
};

function strerror(e: unknown): string {
  const codeName = (e as { code?: unknown } | null)?.code;
  if (typeof codeName === 'string' && ERRNO_TEXT[codeName] !== undefined) return ERRNO_TEXT[codeName];
  return e instanceof Error ? e.message : String(e);
}

// ---- stdio ---------------------------------------------------------------------------------------

/** The monitor owns stdin/stdout (`-monitor stdio`, `-qmp stdio`). */
function attachStdio(set: MonitorSet, spec: MonitorSpec): void {
  const stdin = process.stdin;
  const tty = stdin.isTTY === true;
  if (tty) {
    stdin.setRawMode(true);
    const restore = (): void => { try { stdin.setRawMode(false); } catch { /* stdin already closed */ } };
    process.on('exit', restore);
    set.cleanups.push(restore);
  }
  const session = set.newSession(spec.mode, (bytes) => { process.stdout.write(bytes); }, tty);
  const onData = (chunk: Buffer): void => {
    // Raw mode turns Ctrl-C into a byte; QEMU's stdio keeps ISIG, so it stays a signal.
    if (tty && chunk.includes(3)) process.kill(process.pid, 'SIGINT');
    session.input(new Uint8Array(chunk));
  };
  stdin.on('data', onData);
  stdin.on('error', () => undefined);
  stdin.resume();
  set.cleanups.push(() => { stdin.off('data', onData); stdin.pause(); set.drop(session); });
  session.start();
}

/** `-serial mon:stdio` / `-nographic`: the HMP shares the terminal with the guest console. */
function attachMux(set: MonitorSet, console: MonitorConsole): void {
  const editor = process.stdin.isTTY === true;
  const session = new HmpSession(set.target, (bytes) => { process.stdout.write(bytes); }, { editor, productName: set.productName, muxed: true });
  console.attachMonitor({
    input: (bytes) => session.input(bytes),
    focusIn: () => session.focusIn(),
    focusOut: () => session.focusOut(),
  });
  set.cleanups.push(() => set.drop(session));
  session.start();
}

// ---- file ---------------------------------------------------------------------------------------

/** `file:PATH`: output only, as QEMU's file chardev (the banner/greeting and nothing else). */
function attachFile(set: MonitorSet, spec: MonitorSpec, path: string): void {
  let fd: number;
  try {
    fd = openSync(path, 'w');
  } catch (e) {
    throw optionError(spec.origin, `Could not open '${path}': ${strerror(e)}`);
  }
  const session = set.newSession(spec.mode, (bytes) => { writeSync(fd, bytes); }, false);
  set.cleanups.push(() => { set.drop(session); closeSync(fd); });
  session.start();
}

// ---- sockets -------------------------------------------------------------------------------------

type SocketBackend = Extract<ChardevBackend, { kind: 'unix' | 'tcp' }>;

/** The documented opt-in that lets TCP monitors load instrumentation libraries (README, Security and trust). */
export const TCP_MONITOR_TRUSTED_ENV = 'TSEMU_TCP_MONITOR_TRUSTED';

/**
 * The target a TCP monitor session sees: instr-load runs a library's code with the emulator's
 * rights, and anyone who can reach the port could ask for it, so it is refused there unless the
 * user opted in. Unix sockets (file permissions) and stdio are the user's own.
 */
function tcpTarget(target: MonitorTarget): MonitorTarget {
  if (process.env[TCP_MONITOR_TRUSTED_ENV] === '1') return target;
  return new Proxy(target, {
    get(t, prop) {
      if (prop === 'instrLoad') {
        return async () => ({ error: `instr-load is refused on a TCP monitor: a library runs with the emulator's rights (set ${TCP_MONITOR_TRUSTED_ENV}=1 to allow it)` });
      }
      const value: unknown = Reflect.get(t, prop, t);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(t) : value;
    },
  });
}

function serve(set: MonitorSet, spec: MonitorSpec, socket: Socket, tcp: boolean): void {
  set.sockets.add(socket);
  const session = set.newSession(spec.mode, (bytes) => { if (!socket.destroyed) socket.write(bytes); }, false,
    { pause: () => socket.pause(), resume: () => socket.resume() }, tcp ? tcpTarget(set.target) : set.target);
  socket.on('data', (chunk: Buffer) => session.input(new Uint8Array(chunk)));
  socket.on('error', () => undefined); // ECONNRESET, EPIPE: the 'close' handler cleans up
  socket.on('close', () => { set.sockets.delete(socket); set.drop(session); });
  session.start();
}

function listen(server: Server, backend: SocketBackend): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    const done = (): void => { server.off('error', reject); resolve(); };
    if (backend.kind === 'unix') server.listen({ path: backend.path }, done);
    // An empty host means loopback in tsemu (QEMU listens on every interface).
    else server.listen({ host: backend.host === '' ? '127.0.0.1' : backend.host, port: backend.port }, done);
  });
}

function describe(server: Server, backend: SocketBackend): string {
  if (backend.kind === 'unix') return `unix:${backend.path}`;
  const addr = server.address();
  if (addr === null || typeof addr === 'string') return `tcp:${backend.host}:${backend.port}`;
  return `tcp:${addr.address}:${addr.port}`;
}

/** QEMU's texts for a listener that cannot be set up (util/qemu-sockets.c). */
function bindError(backend: SocketBackend, e: unknown): string {
  const errno = (e as { code?: unknown } | null)?.code;
  if (backend.kind === 'unix') {
    // libuv reports a missing directory as EACCES (for Windows' sake); bind(2) said ENOENT.
    const text = errno === 'EACCES' && !existsSync(dirname(backend.path)) ? ERRNO_TEXT.ENOENT : strerror(e);
    return `Failed to bind socket to ${backend.path}: ${text}`;
  }
  if (errno === 'ENOTFOUND' || errno === 'EAI_AGAIN') {
    return `address resolution failed for ${backend.host}:${backend.port}: Name or service not known`;
  }
  if (errno === 'EADDRINUSE') return `Failed to find an available port: ${strerror(e)}`;
  return `Failed to bind socket: ${strerror(e)}`;
}

/** sockaddr_un holds 108 bytes including the terminating NUL. */
const UNIX_PATH_MAX = 108;

async function attachSocket(set: MonitorSet, spec: MonitorSpec, backend: SocketBackend): Promise<Promise<void> | undefined> {
  if (backend.kind === 'unix') {
    if (Buffer.byteLength(backend.path) >= UNIX_PATH_MAX) {
      throw optionError(spec.origin, `UNIX socket path '${backend.path}' is too long\nPath must be less than ${UNIX_PATH_MAX} bytes`);
    }
    try { unlinkSync(backend.path); } catch { /* QEMU removes a stale socket too; a missing one is fine */ }
  }
  let firstClient!: () => void;
  const connected = new Promise<void>((resolve) => { firstClient = resolve; });
  const server = createServer((socket) => { serve(set, spec, socket, backend.kind === 'tcp'); firstClient(); });
  try {
    await listen(server, backend);
  } catch (e) {
    throw optionError(spec.origin, bindError(backend, e));
  }
  set.servers.push(server);
  const address = describe(server, backend);
  set.addresses.push(address);
  if (!backend.wait) return undefined;
  set.info(`${PROGRAM_NAME}: ${spec.origin === undefined ? '' : `${spec.origin}: `}info: ${set.productName} waiting for connection on: disconnected:${address},server=on`);
  return connected;
}

/**
 * Start a monitor for each spec (HMP for `-monitor`, QMP for `-qmp`), plus the
 * muxed HMP when `console` is given (the serial spec had `mon:` / -nographic).
 * Resolves once every listener is up and every `server,wait` socket has had
 * its first client (QEMU blocks start-up the same way). Throws an OptionError
 * with QEMU's message when a socket cannot be bound.
 */
export async function startMonitors(
  specs: readonly MonitorSpec[], target: MonitorTarget, console?: MonitorConsole, options: StartMonitorsOptions = {},
): Promise<MonitorHandle> {
  const set = new MonitorSet(target, options.productName ?? 'tsemu', options.info ?? ((line) => { process.stderr.write(`${line}\n`); }));
  target.onEvent((event, data) => set.broadcast(event, data));
  const waits: Promise<void>[] = [];
  try {
    for (const spec of specs) {
      const b = spec.backend;
      if (b.kind === 'stdio') attachStdio(set, spec);
      else if (b.kind === 'file') attachFile(set, spec, b.path);
      else if (b.kind === 'unix' || b.kind === 'tcp') {
        const wait = await attachSocket(set, spec, b);
        if (wait !== undefined) waits.push(wait);
      }
      // 'null' and 'vc': a monitor nobody can reach (QEMU's -display none text console).
    }
    if (console !== undefined) attachMux(set, console);
  } catch (e) {
    await closeAll(set);
    throw e;
  }
  await Promise.all(waits);
  return { addresses: set.addresses, close: () => closeAll(set) };
}

async function closeAll(set: MonitorSet): Promise<void> {
  for (const cleanup of set.cleanups.splice(0)) cleanup();
  for (const s of set.sockets) s.destroy();
  await Promise.all(set.servers.splice(0).map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
}
