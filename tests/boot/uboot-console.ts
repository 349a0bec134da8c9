/**
 * Talks to U-Boot's `=> ` prompt on an emulator's console and records what
 * every step printed, so a test can run the same script on QEMU and tsemu and
 * compare the two transcripts section by section.
 */
import { GuestSession, QUIT_KEYS } from '../support/guest-session.js';
import type { GuestRunResult } from '../support/run-guest.js';

export const PROMPT = '\n=> ';
export const AUTOBOOT_COUNTDOWN = 'Hit any key to stop autoboot:';

/** Budget for a whole boot (OpenSBI + U-Boot, plus the 2 s countdown when not interrupted) on a busy 2-core box. */
const BOOT_TIMEOUT_MS = 25_000;
const COMMAND_TIMEOUT_MS = 15_000;

export interface UbootTranscript {
  /** What each step printed, by label (a command's section starts with its echo and ends with the next prompt). */
  readonly sections: ReadonlyMap<string, string>;
  /** Console bytes after the last prompt: the Ctrl-a x answer. */
  readonly afterQuit: string;
  readonly result: GuestRunResult;
  /** The first step that failed (timeout, early exit), if any; later steps were not run. */
  readonly error?: string;
}

export class UbootConsole {
  private readonly sections = new Map<string, string>();

  constructor(readonly session: GuestSession) {}

  /**
   * Waits for U-Boot's prompt after a (re)boot. With `interrupt`, presses a key
   * as soon as the autoboot countdown shows; otherwise lets autoboot run (and
   * fail: the virt machine has no boot device here) until the prompt.
   */
  async boot(label: string, interrupt: boolean): Promise<void> {
    let text = '';
    if (interrupt) {
      text = await this.session.expect(AUTOBOOT_COUNTDOWN, BOOT_TIMEOUT_MS);
      this.session.type(' ');
    }
    text += await this.session.expect(PROMPT, BOOT_TIMEOUT_MS);
    this.record(label, text);
  }

  /** Types a command and records everything up to `until` (by default the next prompt). */
  async command(line: string, until: string = PROMPT): Promise<void> {
    await this.session.typeLine(line);
    this.record(line, await this.session.expect(until, COMMAND_TIMEOUT_MS));
  }

  /** Ctrl-a x, then waits for the emulator to exit. */
  async quit(): Promise<GuestRunResult> {
    this.session.type(QUIT_KEYS);
    return this.session.waitForExit();
  }

  /** Runs `script`; always ends the emulator (Ctrl-a x if the script succeeded, SIGKILL if not). */
  static async run(session: GuestSession, script: (c: UbootConsole) => Promise<void>): Promise<UbootTranscript> {
    const c = new UbootConsole(session);
    let error: string | undefined;
    try {
      await script(c);
    } catch (e) {
      error = e instanceof Error ? e.message : String(e);
    }
    const lastRead = session.output.length - session.unread().length;
    if (error !== undefined) session.kill();
    const result = error === undefined ? await c.quit() : await session.waitForExit();
    const transcript = { sections: c.sections, afterQuit: result.stdout.slice(lastRead), result };
    return error === undefined ? transcript : { ...transcript, error };
  }

  private record(label: string, text: string): void {
    if (this.sections.has(label)) throw new Error(`duplicate step label ${label}`);
    this.sections.set(label, text);
  }
}

/** A section of a transcript, failing with the run's error when the step never happened. */
export function section(t: UbootTranscript, label: string): string {
  const text = t.sections.get(label);
  if (text === undefined) throw new Error(`no output for "${label}": ${t.error ?? 'step not in the script'}`);
  return text;
}
