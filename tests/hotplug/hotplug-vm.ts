/**
 * One tsemu run of the hot-plug guest, driven the way a person would:
 * the human monitor on stdio (`-monitor stdio`), the guest's UART in a file
 * (`-serial file:`), trace output in a file (`-D`), optionally QMP on a unix
 * socket, and instrumentation libraries whose lines go to stderr.
 *
 * Every output has a cursor, so a test can ask "what came out since my last
 * look" (guest lines, library lines, trace records) and wait for it.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { GuestSession } from '../support/guest-session.js';
import { repoRoot, type GuestRunResult } from '../support/run-guest.js';
import { makeTempDir } from '../support/tools.js';
import { QmpConnection } from '../support/qmp.js';

export const HOTPLUG_ELF = join(repoRoot(), 'tests/hotplug/guests/bin/hotplug.elf');
/** The S-mode guest for the bundled firmware (guests/sbi/hotplug-sbi.c): harts come and go through SBI HSM. */
export const HOTPLUG_SBI_ELF = join(repoRoot(), 'tests/hotplug/guests/bin/hotplug-sbi.elf');
/**
 * The test library as tsc compiled it (dist/tests/hotplug/libs/enter-exit.js,
 * built from tests/hotplug/libs/enter-exit.ts with the rest of the tests):
 * a .js library skips the loader's type check, which takes seconds on a busy
 * machine and blocks the main thread while it runs.
 */
export const ENTER_EXIT_LIB = join(repoRoot(), 'dist/tests/hotplug/libs/enter-exit.js');
export const EXAMPLE_LIB = join(repoRoot(), 'examples/instr/instrument.ts');
export const CPU_DRIVER = 'rv64-riscv-cpu';
const PROMPT = '(qemu) ';
const POLL_MS = 20;

export interface VmOptions {
  /** The -smp value, e.g. "1,maxcpus=4". */
  readonly smp: string;
  /**
   * `m-mode` (the default): guests/hotplug.S with `-bios none`; `sbi`: guests/sbi/hotplug-sbi.c
   * in S-mode on the bundled firmware (`-bios default`).
   */
  readonly guest?: 'm-mode' | 'sbi';
  /** -accel tcg,thread=single. */
  readonly threadSingle?: boolean;
  /** Events for -trace (one option each). */
  readonly trace?: readonly string[];
  /** -instr libraries. */
  readonly instr?: readonly { readonly file: string; readonly args: readonly string[] }[];
  /** Open a QMP socket and connect to it. */
  readonly qmp?: boolean;
  /** Kill the emulator after this long, whatever happens (default 90 s). */
  readonly timeoutMs?: number;
  /**
   * Text the -instr libraries' primary instances print on stdout at load
   * (after the monitor's first prompt: monitors start before the machine):
   * start() waits for it, so it never lands in a command's output.
   */
  readonly stdoutPreamble?: string;
}

/** A guest_cpu_enter / guest_cpu_exit line of the trace log. */
export interface CpuEvent {
  readonly event: 'enter' | 'exit';
  readonly cpu: number;
}

export class HotplugVm {
  private guestCursor = 0;
  private stderrCursor = 0;
  private traceCursor = 0;
  private qmpClient: QmpConnection | undefined;
  /** The HMP command that never answered, if one did not. */
  private stuckOn: string | undefined;
  /** What stdout showed between the first prompt and the end of `stdoutPreamble`. */
  preamble = '';

  private constructor(
    readonly session: GuestSession,
    readonly dir: string,
    readonly serialPath: string,
    readonly tracePath: string,
    readonly qmpPath: string,
  ) {}

  static async start(opts: VmOptions): Promise<HotplugVm> {
    const dir = makeTempDir('hotplug');
    const serialPath = join(dir, 'serial.txt');
    const tracePath = join(dir, 'trace.log');
    const qmpPath = join(dir, 'qmp.sock');
    const args = [
      '-M', 'virt', ...(opts.guest === 'sbi' ? [] : ['-bios', 'none']), '-smp', opts.smp, '-display', 'none',
      '-serial', `file:${serialPath}`, '-monitor', 'stdio', '-D', tracePath,
      ...(opts.threadSingle ? ['-accel', 'tcg,thread=single'] : []),
      ...(opts.trace ?? []).flatMap((e) => ['-trace', e]),
      ...(opts.instr ?? []).flatMap((l) => ['-instr', [`file=${l.file}`, ...l.args.map((a) => `arg=${a}`)].join(',')]),
      ...(opts.qmp ? ['-qmp', `unix:${qmpPath},server,nowait`] : []),
      '-kernel', opts.guest === 'sbi' ? HOTPLUG_SBI_ELF : HOTPLUG_ELF,
    ];
    const session = GuestSession.startTsemu(args, { timeoutMs: opts.timeoutMs ?? 90_000 });
    const vm = new HotplugVm(session, dir, serialPath, tracePath, qmpPath);
    try {
      await session.expect(PROMPT, 30_000);
      if (opts.stdoutPreamble !== undefined) vm.preamble = await session.expect(opts.stdoutPreamble, 60_000);
      if (opts.qmp) vm.qmpClient = await QmpConnection.negotiate(qmpPath);
    } catch (e) {
      vm.dispose();
      throw e;
    }
    return vm;
  }

  get qmp(): QmpConnection {
    if (!this.qmpClient) throw new Error('this VM was started without QMP');
    return this.qmpClient;
  }

  /** Throws if an earlier HMP command never answered (the monitor is stuck; later steps cannot run). */
  assertResponsive(): void {
    if (this.stuckOn !== undefined) {
      throw new Error(`not run: the monitor stopped answering in an earlier step ('${this.stuckOn}' never returned)`);
    }
  }

  /**
   * Run one HMP command and return its output (the lines between the echoed
   * command and the next prompt), with \r removed.
   */
  async hmp(command: string, timeoutMs = 20_000): Promise<string> {
    this.assertResponsive();
    this.session.type(`${command}\n`);
    let text: string;
    try {
      text = (await this.session.expect(PROMPT, timeoutMs)).replace(/\r/g, '');
    } catch (e) {
      this.stuckOn = command;
      throw e;
    }
    const lines = text.slice(0, text.length - PROMPT.length).split('\n');
    if (lines[0] === command) lines.shift();
    return lines.join('\n');
  }

  // ---- guest console --------------------------------------------------------------------

  guestOutput(): string {
    return existsSync(this.serialPath) ? readFileSync(this.serialPath, 'latin1') : '';
  }

  /**
   * The next `count` complete guest lines after the cursor; waits up to
   * `timeoutMs` for them and returns fewer if they do not come (so a failed
   * comparison shows what did). Moves the cursor past the lines returned.
   */
  async takeGuestLines(count: number, timeoutMs = 30_000): Promise<string[]> {
    const unreadLines = (): string[] => completeLines(this.unreadGuest());
    await this.poll(() => unreadLines().length >= count, timeoutMs);
    const lines = unreadLines().slice(0, count);
    this.guestCursor += lines.reduce((n, l) => n + l.length + 1, 0);
    return lines;
  }

  /** Guest output after the cursor (does not move it). */
  unreadGuest(): string {
    return this.guestOutput().slice(this.guestCursor);
  }

  // ---- library lines (stderr) -------------------------------------------------------------

  /** Complete `<tag>: <text>` lines of stderr after the cursor (does not move it). */
  unreadLibLines(): string[] {
    return completeLines(this.session.stderr.slice(this.stderrCursor)).filter(isLibLine);
  }

  /**
   * Library lines after the cursor: waits until there are `count` of them or
   * one satisfies `until` (or `timeoutMs` passes), then `settleMs` more so a
   * duplicated line would be caught too; returns them all and moves the
   * cursor past them. (The libraries print from the vCPU threads, whose
   * console output reaches stderr asynchronously, and only on enter/exit:
   * no later line exists to wait for, hence the grace period.)
   */
  async takeLibLines(wanted: { count?: number; until?: (line: string) => boolean }, timeoutMs = 10_000, settleMs = 300): Promise<string[]> {
    await this.poll(() => {
      const lines = this.unreadLibLines();
      return (wanted.count !== undefined && lines.length >= wanted.count) || (wanted.until !== undefined && lines.some(wanted.until));
    }, timeoutMs);
    await sleep(settleMs);
    const end = Math.max(this.session.stderr.lastIndexOf('\n') + 1, this.stderrCursor);
    const lines = completeLines(this.session.stderr.slice(this.stderrCursor, end)).filter(isLibLine);
    this.stderrCursor = end;
    return lines;
  }

  /** Waits until a library line after the cursor satisfies `match` (does not move the cursor); false on timeout. */
  waitLibLine(match: (line: string) => boolean, timeoutMs = 30_000): Promise<boolean> {
    return this.poll(() => this.unreadLibLines().some(match), timeoutMs, 5);
  }

  // ---- trace log --------------------------------------------------------------------------

  traceText(): string {
    return existsSync(this.tracePath) ? readFileSync(this.tracePath, 'latin1') : '';
  }

  /** guest_cpu_enter/exit records after the trace cursor; moves the cursor. */
  takeCpuEvents(): CpuEvent[] {
    const text = this.traceText();
    const end = Math.max(text.lastIndexOf('\n') + 1, this.traceCursor);
    const events = cpuEvents(text.slice(this.traceCursor, end));
    this.traceCursor = end;
    return events;
  }

  // ---- the end ----------------------------------------------------------------------------

  /**
   * `quit` on the monitor; resolves with the run's result (stderr complete).
   * If the emulator has not exited after `timeoutMs` it is killed (the
   * result then has signal SIGKILL).
   */
  async quit(timeoutMs = 20_000): Promise<GuestRunResult> {
    this.session.type('quit\n');
    const timer = setTimeout(() => this.session.kill(), timeoutMs);
    const result = await this.session.waitForExit();
    clearTimeout(timer);
    this.qmpClient?.close();
    return result;
  }

  /** Kill the emulator if it still runs and remove the temporary files. */
  dispose(): void {
    this.qmpClient?.close();
    this.session.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Polls until `done()`; false if `timeoutMs` passed first. */
  private async poll(done: () => boolean, timeoutMs: number, intervalMs = POLL_MS): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!done()) {
      if (Date.now() > deadline) return false;
      await sleep(intervalMs);
    }
    return true;
  }
}

/** Every guest_cpu_enter / guest_cpu_exit line of a log-backend text. */
export function cpuEvents(text: string): CpuEvent[] {
  const out: CpuEvent[] = [];
  for (const m of text.matchAll(/^guest_cpu_(enter|exit) cpu=0x([0-9a-f]+) ?$/gm)) {
    out.push({ event: m[1] as 'enter' | 'exit', cpu: parseInt(m[2], 16) });
  }
  return out;
}

/** `enter 2`-style strings, for readable comparisons. */
export function describeEvents(events: readonly CpuEvent[]): string[] {
  return events.map((e) => `${e.event} ${e.cpu}`);
}

function isLibLine(line: string): boolean {
  return /^[A-Za-z0-9_-]+: /.test(line);
}

/** The complete lines of a text (a trailing partial line is left out). */
function completeLines(text: string): string[] {
  const end = text.lastIndexOf('\n');
  return end < 0 ? [] : text.slice(0, end).split('\n');
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
