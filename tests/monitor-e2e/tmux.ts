/**
 * A real terminal for the tests: a tmux server on a private socket
 * (`tmux -L NAME`, so the user's own tmux is never touched). A session runs
 * one shell command in a pane of a fixed size; the test types keys into it
 * and reads the screen back with capture-pane, as a person would look at it.
 * The pane stays after its command ends (remain-on-exit), so the last screen
 * can still be read. killServer() ends everything the server started.
 */
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';

export class Tmux {
  private socketPath: string | undefined;

  constructor(readonly socketName: string) {}

  private tmux(args: readonly string[]): string {
    const r = spawnSync('tmux', ['-L', this.socketName, ...args], { encoding: 'utf8', timeout: 20_000 });
    if (r.status !== 0) throw new Error(`tmux ${args.join(' ')} failed (${String(r.status)}): ${r.stderr}`);
    return r.stdout;
  }

  /** Start `command` (run by the shell) in a new detached session of width x height characters. */
  newSession(session: string, command: string, width = 160, height = 50): void {
    this.tmux(['new-session', '-d', '-s', session, '-x', String(width), '-y', String(height), command,
      ';', 'set-option', '-t', session, 'remain-on-exit', 'on']);
    this.socketPath ??= this.tmux(['display-message', '-p', '#{socket_path}']).trim();
  }

  /** Key names as tmux knows them: `C-a`, `Enter`, ... */
  keys(session: string, ...keys: string[]): void {
    this.tmux(['send-keys', '-t', session, ...keys]);
  }

  /** Literal text, typed character by character. */
  type(session: string, text: string): void {
    this.tmux(['send-keys', '-t', session, '-l', text]);
  }

  /**
   * The whole pane, scrollback included, wrapped lines joined, trailing blanks
   * dropped, without tmux's own "Pane is dead" line once the command ended.
   */
  capture(session: string): string {
    const text = this.tmux(['capture-pane', '-p', '-J', '-t', session, '-S', '-']);
    return text.split('\n').map((l) => l.trimEnd()).filter((l) => !/^Pane is dead \(/.test(l)).join('\n').replace(/\n+$/, '\n');
  }

  /** Poll the screen until `done(screen)` holds; returns that screen. */
  async waitFor(session: string, done: (screen: string) => boolean, what: string, timeoutMs = 60_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const screen = this.capture(session);
      if (done(screen)) return screen;
      if (Date.now() > deadline) throw new Error(`${what}: not on the screen after ${timeoutMs} ms; screen:\n${screen.split('\n').slice(-25).join('\n')}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** End the server and everything it runs; remove its socket file. */
  killServer(): void {
    spawnSync('tmux', ['-L', this.socketName, 'kill-server'], { timeout: 10_000 });
    if (this.socketPath !== undefined) rmSync(this.socketPath, { force: true });
  }
}

/** Quote for sh -c. */
export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, "'\\''")}'`;
}
