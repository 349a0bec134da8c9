/**
 * A small QMP client for the hot-plug tests: connects to a `-qmp
 * unix:PATH,server,nowait` socket, negotiates capabilities, runs commands
 * (matched to replies by `id`) and records asynchronous events.
 */
import { createConnection, type Socket } from 'node:net';
import { Wakeup } from '../support/wakeup.js';

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

export class QmpClient {
  /** Every event received so far, in arrival order. */
  readonly events: QmpEvent[] = [];
  private buffer = '';
  private nextId = 1;
  private readonly pending = new Map<string, (reply: QmpReply) => void>();
  private readonly arrivals = new Wakeup();
  private greeting: unknown;
  private closed = false;

  private constructor(private readonly socket: Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => this.receive(chunk));
    socket.on('close', () => {
      this.closed = true;
      this.arrivals.wake();
    });
    socket.on('error', () => undefined); // the emulator quitting closes the socket under us
  }

  /** Connect (retrying while the emulator creates the socket), read the greeting, send qmp_capabilities. */
  static async connect(path: string, timeoutMs = 20_000): Promise<QmpClient> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      let client: QmpClient | undefined;
      try {
        client = new QmpClient(await openSocket(path));
        const c = client;
        await c.waitFor(() => c.greeting !== undefined, deadline - Date.now(), 'the QMP greeting');
        const reply = await c.execute('qmp_capabilities');
        if (reply.error) throw new Error(`qmp_capabilities failed: ${reply.error.desc}`);
        return c;
      } catch (e) {
        client?.close();
        if (Date.now() > deadline) throw e;
        await sleep(50);
      }
    }
  }

  /** Run a command; resolves with its reply (a QMP error is a reply too); rejects if none comes in `timeoutMs`. */
  execute(command: string, args?: Readonly<Record<string, unknown>>, timeoutMs = 20_000): Promise<QmpReply> {
    if (this.closed) return Promise.reject(new Error(`QMP socket closed before '${command}'`));
    const id = `hp-${this.nextId++}`;
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
      this.socket.write(`${JSON.stringify(request)}\n`);
    });
  }

  /** The first event named `name` at index >= `from` in `events`; waits for it up to `timeoutMs`. */
  async waitEvent(name: string, from = 0, timeoutMs = 10_000): Promise<QmpEvent> {
    let found: QmpEvent | undefined;
    await this.waitFor(() => {
      found = this.events.slice(from).find((e) => e.event === name);
      return found !== undefined;
    }, timeoutMs, `QMP event ${name}`);
    return found as QmpEvent;
  }

  close(): void {
    this.socket.destroy();
  }

  private receive(chunk: string): void {
    this.buffer += chunk;
    for (let nl = this.buffer.indexOf('\n'); nl >= 0; nl = this.buffer.indexOf('\n')) {
      const line = this.buffer.slice(0, nl).trim();
      this.buffer = this.buffer.slice(nl + 1);
      if (line !== '') this.dispatch(JSON.parse(line) as unknown);
    }
    this.arrivals.wake();
  }

  private dispatch(message: unknown): void {
    if (!isRecord(message)) return;
    if ('QMP' in message) {
      this.greeting = message.QMP;
    } else if (typeof message.event === 'string') {
      this.events.push(message as unknown as QmpEvent);
    } else if (typeof message.id === 'string') {
      const resolve = this.pending.get(message.id);
      this.pending.delete(message.id);
      resolve?.(message as QmpReply);
    }
  }

  private async waitFor(done: () => boolean, timeoutMs: number, what: string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!done()) {
      const left = deadline - Date.now();
      if (left <= 0 || this.closed) throw new Error(`QMP: ${this.closed ? 'socket closed' : 'timed out'} waiting for ${what}`);
      await this.arrivals.next(left);
    }
  }

}

function openSocket(path: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(path);
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
  });
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
