/**
 * The host side of a virtio-serial port: QEMU 7.2's `-chardev` backends tsemu has (char-socket.c,
 * char-file.c, char-null.c), as byte pipes with QEMU's connected/disconnected events.
 *
 * - `socket`: TCP or a Unix socket. A client connects at start-up (a refused connection fails
 *   start-up, as QEMU's does); a server listens, serves one connection at a time and listens again
 *   when it closes; with wait=on start-up waits for the first client (QEMU's "waiting for
 *   connection" note). Bytes written while nothing is connected are dropped, as QEMU drops them.
 * - `file`: output only (created or truncated, or appended with append=on); always connected.
 * - `null`: output discarded; never connected (QEMU's null chardev reports no open event).
 * - `pipe`: PATH.in (host to guest) and PATH.out (guest to host), or PATH both ways when those do not
 *   open, each opened read-write as QEMU does (a FIFO then opens without a peer); always connected.
 * - `stdio`: the terminal (stdout; stdin through the front end's console, without mux escapes).
 *
 * Deliberate difference: the client connects asynchronously; `ready` settles before the vCPUs
 * start, so the guest sees the same connected port as on QEMU.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { createConnection, createServer, Socket, type Server } from 'node:net';
import { strerror } from '../util/errno-text.js';
import type { SerialPortBackend } from './virtio-serial.js';

export type CharSocketAddress = { readonly kind: 'tcp'; readonly host: string; readonly port: number } | { readonly kind: 'unix'; readonly path: string };

export type CharBackendConfig =
  | { readonly kind: 'null' }
  | { readonly kind: 'stdio' }
  | { readonly kind: 'pipe'; readonly path: string }
  | { readonly kind: 'file'; readonly path: string; readonly append: boolean }
  | { readonly kind: 'socket'; readonly address: CharSocketAddress; readonly server: boolean; readonly wait: boolean };

/** A chardev opened for a device; `ready` settles once start-up may go on (rejects with QEMU's message). */
export interface OpenedChardev extends SerialPortBackend {
  readonly ready: Promise<void>;
  /** The line QEMU prints while start-up waits for a client (server,wait=on), if it waits. */
  readonly waitNote: string | undefined;
  /** A stdio chardev: where the terminal's input goes (the front end reads stdin and calls it). */
  readonly stdinInput?: (bytes: Uint8Array) => void;
  close(): void;
}

/** QEMU's text for a socket address ("disconnected:tcp:127.0.0.1:4555,server=on"). */
export function describeAddress(a: CharSocketAddress): string {
  return a.kind === 'tcp' ? `tcp:${a.host === '' ? '0.0.0.0' : a.host}:${a.port}` : `unix:${a.path}`;
}

/** Output-only and null chardevs. */
class SinkChardev implements OpenedChardev {
  readonly ready = Promise.resolve();
  readonly waitNote = undefined;
  constructor(private readonly fd: number | undefined) {}
  write(bytes: Uint8Array): void {
    if (this.fd !== undefined) writeSync(this.fd, bytes);
  }
  attach(): void { /* no host input */ }
  onConnection(): boolean {
    return this.fd !== undefined;
  }
  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
  }
}

/** The terminal: output to stdout (dropped once its reader is gone, as QEMU ignores SIGPIPE), input from the front end. */
class StdioChardev implements OpenedChardev {
  readonly ready = Promise.resolve();
  readonly waitNote = undefined;
  private deliver: (bytes: Uint8Array) => void = () => undefined;
  private readerGone = false;
  readonly stdinInput = (bytes: Uint8Array): void => this.deliver(bytes);
  write(bytes: Uint8Array): void {
    if (this.readerGone) return;
    try {
      writeSync(1, bytes);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EPIPE') throw e;
      this.readerGone = true;
    }
  }
  attach(deliver: (bytes: Uint8Array) => void): void {
    this.deliver = deliver;
  }
  close(): void { /* stdout stays the process's */ }
}

/** -chardev pipe: two FIFOs (or one), written synchronously, read as a stream. */
class PipeChardev implements OpenedChardev {
  readonly ready = Promise.resolve();
  readonly waitNote = undefined;
  private deliver: (bytes: Uint8Array) => void = () => undefined;
  private readonly reader: Socket;
  constructor(private readonly inFd: number, private readonly outFd: number) {
    this.reader = new Socket({ fd: inFd, readable: true, writable: false });
    this.reader.on('data', (d: Buffer) => this.deliver(new Uint8Array(d)));
    this.reader.on('error', () => undefined);
    this.reader.unref();
  }
  write(bytes: Uint8Array): void {
    writeSync(this.outFd, bytes);
  }
  attach(deliver: (bytes: Uint8Array) => void): void {
    this.deliver = deliver;
  }
  close(): void {
    this.reader.destroy();
    if (this.outFd !== this.inFd) closeSync(this.outFd);
  }
}

/** QEMU's qemu_chr_open_pipe: PATH.in and PATH.out read-write, else PATH for both. */
function openPipe(path: string, where: string): OpenedChardev {
  try {
    const inFd = openSync(`${path}.in`, 'r+');
    try {
      return new PipeChardev(inFd, openSync(`${path}.out`, 'r+'));
    } catch {
      closeSync(inFd);
    }
  } catch { /* fall back to PATH */ }
  let fd: number;
  try {
    fd = openSync(path, 'r+');
  } catch (e) {
    throw new Error(`${where}: Could not open '${path}': ${strerror(e)}`);
  }
  return new PipeChardev(fd, fd);
}

class SocketChardev implements OpenedChardev {
  readonly ready: Promise<void>;
  readonly waitNote: string | undefined;
  private deliver: (bytes: Uint8Array) => void = () => undefined;
  private connectionChanged: (connected: boolean) => void = () => undefined;
  private stream: Socket | undefined;
  private server: Server | undefined;
  /** A client's bytes written before its connection completed (QEMU's client is connected before the guest runs). */
  private early: Uint8Array[] | undefined = [];

  constructor(private readonly config: Extract<CharBackendConfig, { kind: 'socket' }>, where: string) {
    const address = config.address;
    const target = address.kind === 'tcp' ? { host: address.host === '' ? '127.0.0.1' : address.host, port: address.port } : { path: address.path };
    if (!config.server) {
      this.waitNote = undefined;
      this.ready = new Promise((resolve, reject) => {
        const s = createConnection(target);
        s.once('connect', () => { this.adopt(s); resolve(); });
        s.once('error', (e) => {
          if (this.stream !== s) reject(new Error(`${where}: Failed to connect to '${address.kind === 'tcp' ? `${address.host}:${address.port}` : address.path}': ${strerror(e)}`));
        });
      });
      return;
    }
    this.early = undefined;
    this.waitNote = config.wait ? `${where}: info: QEMU waiting for connection on: disconnected:${describeAddress(address)},server=on` : undefined;
    this.ready = new Promise((resolve, reject) => {
      let firstClient: (() => void) | undefined = config.wait ? resolve : undefined;
      const server = createServer((s) => {
        if (this.stream) { s.destroy(); return; }
        this.adopt(s);
        firstClient?.();
        firstClient = undefined;
      });
      this.server = server;
      server.once('error', (e) => reject(new Error(`${where}: Failed to bind socket: ${strerror(e)}`)));
      server.listen(address.kind === 'tcp' ? { host: address.host === '' ? undefined : address.host, port: address.port } : { path: address.path }, () => {
        if (!config.wait) resolve();
      });
    });
  }

  private adopt(s: Socket): void {
    this.stream = s;
    s.setNoDelay(true);
    s.on('data', (chunk: Buffer) => this.deliver(new Uint8Array(chunk)));
    s.on('error', () => undefined);
    s.on('close', () => {
      if (this.stream !== s) return;
      this.stream = undefined;
      this.connectionChanged(false);
    });
    const early = this.early ?? [];
    this.early = undefined;
    for (const bytes of early) s.write(bytes);
    this.connectionChanged(true);
  }

  write(bytes: Uint8Array): void {
    if (this.stream && !this.stream.destroyed) this.stream.write(Buffer.from(bytes));
    else this.early?.push(bytes.slice());
  }

  attach(deliver: (bytes: Uint8Array) => void): void {
    this.deliver = deliver;
  }

  onConnection(changed: (connected: boolean) => void): boolean {
    this.connectionChanged = changed;
    // a client counts as connected from the start (QEMU's connects before the guest runs)
    return this.stream !== undefined || !this.config.server;
  }

  close(): void {
    this.stream?.destroy();
    this.server?.close();
  }
}

/** Opens a chardev (`where` prefixes its errors: "-chardev socket,..."). */
export function openChardev(config: CharBackendConfig, where: string): OpenedChardev {
  if (config.kind === 'null') return new SinkChardev(undefined);
  if (config.kind === 'stdio') return new StdioChardev();
  if (config.kind === 'pipe') return openPipe(config.path, where);
  if (config.kind === 'file') {
    let fd: number;
    try {
      fd = openSync(config.path, config.append ? 'a' : 'w');
    } catch (e) {
      throw new Error(`${where}: Could not open '${config.path}': ${strerror(e)}`);
    }
    return new SinkChardev(fd);
  }
  const chardev = new SocketChardev(config, where);
  // start-up awaits it later; a failure before then is not an unhandled rejection
  chardev.ready.catch(() => undefined);
  return chardev;
}
