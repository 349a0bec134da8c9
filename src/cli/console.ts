/**
 * The host console on stdio: raw terminal mode, guest input to the UART, and
 * QEMU's mux escapes (Ctrl-a x quit, Ctrl-a h help, Ctrl-a a sends Ctrl-a)
 * when the serial line is multiplexed (`-nographic`, `-serial mon:stdio`).
 */
const CTRL_A = 0x01;

const ESCAPE_HELP = [
  'C-a h    print this help',
  'C-a x    exit emulator',
  'C-a s    save disk data back to file (if -snapshot)',
  'C-a t    toggle console timestamps',
  'C-a b    send break (magic sysrq)',
  'C-a c    switch between console and monitor',
  'C-a C-a  sends C-a',
].join('\r\n') + '\r\n';

export interface ConsoleOptions {
  toGuest(bytes: Uint8Array): void;
  quit(): void;
  /** Is the guest's serial line on stdio at all? */
  enabled: boolean;
  /** Interpret Ctrl-a escapes (mux chardev). */
  escapes?: boolean;
  /** Ctrl-a c: switch to the monitor (set by the monitor when it shares stdio). */
  switchFocus?(): void;
}

export class ConsoleMux {
  private pendingEscape = false;
  private rawMode = false;

  constructor(private readonly opts: ConsoleOptions) {}

  start(): void {
    if (!this.opts.enabled) return;
    const stdin = process.stdin;
    if (stdin.isTTY) {
      stdin.setRawMode(true);
      this.rawMode = true;
    }
    stdin.on('data', (chunk: Buffer) => this.input(new Uint8Array(chunk)));
    stdin.on('error', () => undefined);
    stdin.resume();
  }

  restore(): void {
    if (this.rawMode) {
      try { process.stdin.setRawMode(false); } catch { /* stdin already gone */ }
      this.rawMode = false;
    }
    process.stdin.pause();
  }

  /** Feed host input: escapes are handled, everything else goes to the guest. */
  input(bytes: Uint8Array): void {
    if (!(this.opts.escapes ?? true)) {
      this.opts.toGuest(bytes);
      return;
    }
    const out: number[] = [];
    for (const b of bytes) {
      if (this.pendingEscape) {
        this.pendingEscape = false;
        this.escape(b, out);
      } else if (b === CTRL_A) {
        this.pendingEscape = true;
      } else {
        out.push(b);
      }
    }
    if (out.length > 0) this.opts.toGuest(Uint8Array.from(out));
  }

  private escape(b: number, out: number[]): void {
    switch (String.fromCharCode(b)) {
      case 'x':
        process.stdout.write('QEMU: Terminated\n\r'); // QEMU's exact text: scripts wait for it
        this.opts.quit();
        return;
      case 'h':
      case '?':
        process.stdout.write(ESCAPE_HELP);
        return;
      case 'c':
        this.opts.switchFocus?.();
        return;
      default:
        if (b === CTRL_A) out.push(CTRL_A);
    }
  }
}
