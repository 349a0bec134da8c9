/**
 * Drives an interactive console session on QEMU or tsemu (pexpect style):
 * start the emulator with stdin as a pipe, wait for text to appear on its
 * console (stdout, where -nographic puts the UART), type lines, and finally
 * collect the exit status. Used by tests that talk to a firmware shell such as
 * U-Boot's `=> ` prompt.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { QEMU_BINARY, repoRoot, tsemuScript, type GuestRunResult } from './run-guest.js';
import { Wakeup } from './wakeup.js';

export interface GuestSessionOptions {
  /** Kill the emulator after this many milliseconds, whatever happens (default 60 s). */
  timeoutMs?: number;
  /** Working directory (default: repository root). */
  cwd?: string;
  /** Pause before each typed line, like a person reading the screen (default 30 ms). */
  lineDelayMs?: number;
  /** Extra environment variables for the emulator. */
  env?: Readonly<Record<string, string>>;
}

/** Ctrl-a x: the -nographic mux escape that quits QEMU (and tsemu). */
export const QUIT_KEYS = '\x01x';

const DEFAULT_SESSION_TIMEOUT_MS = 60_000;
const DEFAULT_EXPECT_TIMEOUT_MS = 20_000;
const DEFAULT_LINE_DELAY_MS = 30;

/**
 * Sessions whose emulator still runs. If the test process dies (uncaught
 * error, mocha bail), they are killed rather than left running orphaned with
 * a pipe for stdin that nobody will ever write to.
 */
const live = new Set<GuestSession>();
process.on('exit', () => {
  for (const s of live) s.kill();
});

export class GuestSession {
  private readonly child: ChildProcessByStdio<Writable, Readable, Readable>;
  private readonly started = Date.now();
  private out = '';
  private err = '';
  /** Where the next expect() starts looking: everything before it was consumed. */
  private cursor = 0;
  private readonly arrivals = new Wakeup();
  private readonly exited: Promise<GuestRunResult>;
  private closed = false;
  private timedOut = false;
  private readonly lineDelayMs: number;

  static startQemu(args: readonly string[], opts: GuestSessionOptions = {}): GuestSession {
    return new GuestSession(QEMU_BINARY, args, opts);
  }

  static startTsemu(args: readonly string[], opts: GuestSessionOptions = {}): GuestSession {
    return new GuestSession(process.execPath, [tsemuScript(), ...args], opts);
  }

  constructor(readonly command: string, args: readonly string[], opts: GuestSessionOptions = {}) {
    this.lineDelayMs = opts.lineDelayMs ?? DEFAULT_LINE_DELAY_MS;
    this.child = spawn(command, [...args], { cwd: opts.cwd ?? repoRoot(), stdio: ['pipe', 'pipe', 'pipe'], env: opts.env ? { ...process.env, ...opts.env } : process.env });
    live.add(this);
    const killTimer = setTimeout(() => {
      this.timedOut = true;
      this.child.kill('SIGKILL');
    }, opts.timeoutMs ?? DEFAULT_SESSION_TIMEOUT_MS);
    // The emulator may quit before reading all we typed; that is not an error here.
    this.child.stdin.on('error', () => undefined);
    this.child.stdout.on('data', (chunk: Buffer) => {
      this.out += chunk.toString('latin1');
      this.arrivals.wake();
    });
    this.child.stderr.on('data', (chunk: Buffer) => {
      this.err += chunk.toString('utf8');
    });
    this.exited = new Promise((resolve) => {
      const finish = (status: number | null, signal: NodeJS.Signals | null, extraErr = ''): void => {
        if (this.closed) return;
        this.closed = true;
        live.delete(this);
        clearTimeout(killTimer);
        this.err += extraErr;
        this.arrivals.wake();
        resolve({
          stdout: this.out, stderr: this.err, status, signal,
          timedOut: this.timedOut, durationMs: Date.now() - this.started,
        });
      };
      this.child.on('error', (e: Error) => finish(null, null, `spawn ${command} failed: ${e.message}\n`));
      this.child.on('close', (status, signal) => finish(status, signal));
    });
  }

  /** Everything the console printed so far. */
  get output(): string {
    return this.out;
  }

  get stderr(): string {
    return this.err;
  }

  /** Output after the cursor, i.e. not yet returned by expect(). */
  unread(): string {
    return this.out.slice(this.cursor);
  }

  /**
   * Waits until `pattern` appears in the output after the cursor; moves the
   * cursor past the match and returns the text from the old cursor to the end
   * of the match. Rejects (with the unread output, for the failure message) on
   * timeout or if the emulator exits first.
   */
  async expect(pattern: string | RegExp, timeoutMs = DEFAULT_EXPECT_TIMEOUT_MS): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const end = this.findMatchEnd(pattern);
      if (end !== undefined) {
        const text = this.out.slice(this.cursor, end);
        this.cursor = end;
        return text;
      }
      const left = deadline - Date.now();
      if (this.closed || left <= 0) {
        const why = this.closed ? 'the emulator exited' : `nothing matched after ${timeoutMs} ms`;
        throw new Error(`${why} while waiting for ${String(pattern)}; unread output: ${JSON.stringify(this.out.slice(this.cursor))}; stderr: ${JSON.stringify(this.err)}`);
      }
      await this.arrivals.next(left);
    }
  }

  /** Writes raw bytes to the emulator's stdin (the guest's console input). */
  type(text: string): void {
    this.child.stdin.write(Buffer.from(text, 'latin1'));
  }

  /**
   * Types a line after the per-line pause; Enter is a carriage return, as a terminal in raw mode sends.
   * The pause only paces input like a person typing; nothing is asserted about what happens during it.
   */
  async typeLine(line: string, enter = '\r'): Promise<void> {
    await sleep(this.lineDelayMs);
    this.type(line + enter);
  }

  /** Resolves when the process has exited (and its output is complete). */
  waitForExit(): Promise<GuestRunResult> {
    return this.exited;
  }

  /** Kills the emulator if it still runs (for test cleanup). */
  kill(): void {
    if (!this.closed) this.child.kill('SIGKILL');
  }

  private findMatchEnd(pattern: string | RegExp): number | undefined {
    if (typeof pattern === 'string') {
      const at = this.out.indexOf(pattern, this.cursor);
      return at < 0 ? undefined : at + pattern.length;
    }
    const m = new RegExp(pattern.source, pattern.flags.replace('g', '')).exec(this.out.slice(this.cursor));
    return m === null ? undefined : this.cursor + m.index + m[0].length;
  }


}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
