/**
 * The tests' one QMP client, on a unix socket (`-qmp unix:PATH,server,nowait`), at two levels:
 *
 *  - lines, for the monitor end-to-end tests: `connect()` reads nothing, `send()` writes bytes as
 *    given (so requests can be malformed, split or oversized), and every line the server wrote comes
 *    back in order, as text without its "\r\n" (`nextLine`, `untilReply`, `request`, `reply`).
 *    Replies are told from asynchronous events by their first member (`"event"` vs
 *    `"return"`/`"error"`), as a QMP client must;
 *  - commands, for the hot-plug tests: `negotiate()` connects, reads the greeting and sends
 *    qmp_capabilities; `execute()` matches its reply by `id`; `events` keeps every event received.
 */
import { createConnection, type Socket } from 'node:net';
import { Wakeup } from './wakeup.js';

export interface QmpErrorBody {
  readonly class: string;
  readonly desc: string;
}

/** A command's reply: `return` on success, `error` otherwise. */
export interface QmpReply {
  readonly return?: unknown;
  readonly error?: QmpErrorBody;
}

export interface QmpEvent {
  readonly event: string;
  readonly data?: Readonly<Record<string, unknown>>;
  readonly timestamp?: unknown;
}

export class QmpConnection {
  /** Every asynchronous event received so far, in arrival order. */
  readonly events: QmpEvent[] = [];
  private buffer = '';
  private readonly lines: string[] = [];
  private cursor = 0;
  private closed = false;
  private readonly arrivals = new Wakeup();
  private greeting: unknown;
  private nextId = 1;
  private readonly pending = new Map<string, (reply: QmpReply) => void>();

  private constructor(private readonly socket: Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => this.receive(chunk));
    socket.on('error', () => undefined); // the server going away shows up as 'close'
    socket.on('close', () => {
      this.closed = true;
      this.arrivals.wake();
    });
  }

  /** Connect, retrying while the emulator has not created the socket yet. Reads nothing. */
  static async connect(path: string, timeoutMs = 30_000): Promise<QmpConnection> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        return new QmpConnection(await openSocket(path));
      } catch (e) {
        if (Date.now() > deadline) throw new Error(`cannot connect to ${path}: ${String(e)}`);
        await retryPause();
      }
    }
  }

  /**
   * Connect, read the greeting and send qmp_capabilities; the whole handshake is retried (on a new
   * connection) until `timeoutMs` if the socket is not there yet or the server drops it.
   */
  static async negotiate(path: string, timeoutMs = 20_000): Promise<QmpConnection> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      let c: QmpConnection | undefined;
      try {
        c = new QmpConnection(await openSocket(path));
        const conn = c;
        await conn.until(() => conn.greeting !== undefined, deadline - Date.now(), 'the QMP greeting');
        const reply = await conn.execute('qmp_capabilities');
        if (reply.error) throw new Error(`qmp_capabilities failed: ${reply.error.desc}`);
        return conn;
      } catch (e) {
        c?.close();
        if (Date.now() > deadline) throw e;
        await retryPause();
      }
    }
  }

  // ---- lines ----------------------------------------------------------------------------------

  /** Every line received so far. */
  get received(): readonly string[] {
    return this.lines;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  send(raw: string): void {
    this.socket.write(raw);
  }

  /** The next unread line; rejects on timeout or when the connection closes first. */
  async nextLine(timeoutMs = 30_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    while (this.cursor >= this.lines.length) {
      if (this.closed) throw new Error(`connection closed; lines so far: ${JSON.stringify(this.lines)}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no line from the server in ${timeoutMs} ms; lines so far: ${JSON.stringify(this.lines)}`);
      await this.arrivals.next(left);
    }
    return this.lines[this.cursor++];
  }

  /**
   * Whether nothing arrives within `ms` (for "the server must stay silent"); answers false as soon
   * as a byte arrives, so a server that does answer costs no wait.
   */
  async silentFor(ms: number): Promise<boolean> {
    const before = this.lines.length + this.buffer.length;
    const deadline = Date.now() + ms;
    for (;;) {
      if (this.lines.length + this.buffer.length !== before) return false;
      const left = deadline - Date.now();
      if (left <= 0) return true;
      await this.arrivals.next(left);
    }
  }

  /** Lines up to and including the next reply (events before it included, in order). */
  async untilReply(timeoutMs = 30_000): Promise<string[]> {
    const out: string[] = [];
    for (;;) {
      const line = await this.nextLine(timeoutMs);
      out.push(line);
      if (!line.startsWith('{"timestamp"') && !line.startsWith('{"event"')) return out;
    }
  }

  /** Send one request line and return the lines up to its reply. */
  async request(json: string, timeoutMs = 30_000): Promise<string[]> {
    this.send(`${json}\n`);
    return this.untilReply(timeoutMs);
  }

  /** Send, return only the reply line (events before it are left out). */
  async reply(json: string, timeoutMs = 30_000): Promise<string> {
    const lines = await this.request(json, timeoutMs);
    return lines[lines.length - 1];
  }

  /** Resolves when the server has closed the connection. */
  async waitClosed(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('the server kept the connection open');
      await this.arrivals.next(left);
    }
  }

  // ---- commands -------------------------------------------------------------------------------

  /** Run a command; resolves with its reply (a QMP error is a reply too); rejects if none comes in `timeoutMs`. */
  execute(command: string, args?: Readonly<Record<string, unknown>>, timeoutMs = 20_000): Promise<QmpReply> {
    if (this.closed) return Promise.reject(new Error(`QMP socket closed before '${command}'`));
    const id = `t-${this.nextId++}`;
    const request: Record<string, unknown> = { execute: command, id };
    if (args !== undefined) request.arguments = args;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`QMP: no reply to ${JSON.stringify(request)} after ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, (reply) => {
        clearTimeout(timer);
        resolve(reply);
      });
      this.send(`${JSON.stringify(request)}\n`);
    });
  }

  /** The first event named `name` at index >= `from` in `events`; waits for it up to `timeoutMs`. */
  async waitEvent(name: string, from = 0, timeoutMs = 10_000): Promise<QmpEvent> {
    const find = (): QmpEvent | undefined => this.events.slice(from).find((e) => e.event === name);
    await this.until(() => find() !== undefined, timeoutMs, `QMP event ${name}`);
    const found = find();
    if (found === undefined) throw new Error(`QMP event ${name} vanished`);
    return found;
  }

  close(): void {
    this.socket.destroy();
  }

  /** Same as close(): drop the connection without a word. */
  destroy(): void {
    this.socket.destroy();
  }

  private receive(chunk: string): void {
    this.buffer += chunk;
    for (let end = this.buffer.indexOf('\r\n'); end >= 0; end = this.buffer.indexOf('\r\n')) {
      const line = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      this.lines.push(line);
      this.dispatch(line);
    }
    this.arrivals.wake();
  }

  /** Greeting, event or reply to execute(); lines that are not JSON objects are for line readers only. */
  private dispatch(line: string): void {
    let message: unknown;
    try {
      message = JSON.parse(line);
    } catch {
      return;
    }
    if (!isRecord(message)) return;
    if ('QMP' in message) {
      this.greeting = message.QMP;
    } else if (isEvent(message)) {
      this.events.push(message);
    } else if (typeof message.id === 'string') {
      const resolve = this.pending.get(message.id);
      this.pending.delete(message.id);
      resolve?.({ return: message.return, error: isErrorBody(message.error) ? message.error : undefined });
    }
  }

  private async until(done: () => boolean, timeoutMs: number, what: string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!done()) {
      const left = deadline - Date.now();
      if (left <= 0 || this.closed) throw new Error(`QMP: ${this.closed ? 'socket closed' : 'timed out'} waiting for ${what}`);
      await this.arrivals.next(left);
    }
  }
}

/** The greeting with the version numbers and package string taken out. */
export function normalizeGreeting(line: string): string {
  return line.replace(/"qemu": \{"micro": \d+, "minor": \d+, "major": \d+\}, "package": "(?:[^"\\]|\\.)*"/, '"qemu": V, "package": P');
}

/** `path`: a unix socket's path, or `tcp:HOST:PORT`. */
function openSocket(path: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const tcp = /^tcp:(.*):(\d+)$/.exec(path);
    const socket = tcp ? createConnection({ host: tcp[1] || '127.0.0.1', port: Number(tcp[2]) }) : createConnection(path);
    socket.once('connect', () => {
      socket.off('error', reject);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

/** Between connection attempts while the emulator creates its socket: a poll interval, nothing is asserted after it. */
function retryPause(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 50));
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isEvent(v: Record<string, unknown>): v is Record<string, unknown> & QmpEvent {
  return typeof v.event === 'string' && (v.data === undefined || isRecord(v.data));
}

function isErrorBody(v: unknown): v is QmpErrorBody {
  return isRecord(v) && typeof v.class === 'string' && typeof v.desc === 'string';
}
