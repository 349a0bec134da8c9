/**
 * A raw QMP client on a unix socket for the end-to-end tests: it sends bytes
 * as given (so requests can be malformed, split or oversized) and hands back
 * every line the server wrote, as text without the "\r\n". Replies are told
 * from asynchronous events by their first member (`"event"` vs
 * `"return"`/`"error"`), as a QMP client must.
 */
import { createConnection, type Socket } from 'node:net';
import { Wakeup } from '../support/wakeup.js';

export class QmpSocket {
  private buffer = '';
  private readonly lines: string[] = [];
  private cursor = 0;
  private closed = false;
  private readonly arrivals = new Wakeup();

  private constructor(private readonly socket: Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      this.buffer += chunk;
      for (let end = this.buffer.indexOf('\r\n'); end >= 0; end = this.buffer.indexOf('\r\n')) {
        this.lines.push(this.buffer.slice(0, end));
        this.buffer = this.buffer.slice(end + 2);
      }
      this.arrivals.wake();
    });
    socket.on('error', () => undefined); // the server going away shows up as 'close'
    socket.on('close', () => {
      this.closed = true;
      this.arrivals.wake();
    });
  }

  /** Connect, retrying while the emulator has not created the socket yet. Reads nothing. */
  static async connect(path: string, timeoutMs = 30_000): Promise<QmpSocket> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        return new QmpSocket(await new Promise<Socket>((resolve, reject) => {
          const s = createConnection(path);
          s.once('connect', () => { s.off('error', reject); resolve(s); });
          s.once('error', reject);
        }));
      } catch (e) {
        if (Date.now() > deadline) throw new Error(`cannot connect to ${path}: ${String(e)}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  }

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

  /** Whether anything arrives within `ms` (for "the server must stay silent"). */
  async silentFor(ms: number): Promise<boolean> {
    const before = this.lines.length + this.buffer.length;
    await new Promise((r) => setTimeout(r, ms));
    return this.lines.length + this.buffer.length === before;
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

  destroy(): void {
    this.socket.destroy();
  }


}

/** Event timestamps and thread ids differ between runs and emulators. */
export { normalizeQmp } from '../monitor/transcript.js';

/** The greeting with the version numbers and package string taken out. */
export function normalizeGreeting(line: string): string {
  return line.replace(/"qemu": \{"micro": \d+, "minor": \d+, "major": \d+\}, "package": "(?:[^"\\]|\\.)*"/, '"qemu": V, "package": P');
}
