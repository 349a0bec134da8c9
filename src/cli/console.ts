/**
 * The host console on stdio: raw terminal mode, guest input to the UART, and
 * QEMU's mux escapes (Ctrl-a x quit, Ctrl-a h help, Ctrl-a a sends Ctrl-a)
 * when the serial line is multiplexed (`-nographic`, `-serial mon:stdio`).
 * With a monitor attached (attachMonitor), Ctrl-a c moves the keyboard
 * between the guest and the monitor, as QEMU's mux chardev does; the focus
 * starts on the guest.
 */
import { fstatSync, readFileSync } from 'node:fs';

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

/** A monitor sharing the terminal (src/monitor's MuxFrontend has this shape). */
export interface MuxMonitor {
  /** Bytes typed while the monitor has the focus. */
  input(bytes: Uint8Array): void;
  focusIn(): void;
  focusOut(): void;
}

export class ConsoleMux {
  private pendingEscape = false;
  private rawMode = false;
  private monitor: MuxMonitor | undefined;
  private monitorFocused = false;

  private preloaded = false;

  constructor(private readonly opts: ConsoleOptions) {}

  /**
   * -icount: stdin redirected from a regular file is read whole now, before the vCPUs start, and
   * queued in the UART (which takes it as the guest makes room), so every byte is there from
   * virtual time 0 and a run sees its input at the same instructions each time. Streamed input
   * reaches the UART whenever the host's event loop delivers it, which no two runs share (QEMU
   * makes chardev input deterministic only with record/replay). True if it did.
   */
  preloadFileInput(): boolean {
    if (!this.opts.enabled) return false;
    let isFile: boolean;
    try {
      isFile = fstatSync(0).isFile();
    } catch {
      return false; // no stdin at all
    }
    if (!isFile) return false;
    this.preloaded = true;
    this.input(new Uint8Array(readFileSync(0)));
    return true;
  }

  start(): void {
    if (!this.opts.enabled || this.preloaded) return;
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

  /**
   * Share the terminal with a monitor (`-nographic`, `-serial mon:stdio`).
   * Escapes must be on for Ctrl-a c to reach it.
   */
  attachMonitor(monitor: MuxMonitor): void {
    this.monitor = monitor;
  }

  /** Feed host input: escapes are handled, everything else goes to the focused frontend. */
  input(bytes: Uint8Array): void {
    if (!(this.opts.escapes ?? true)) {
      this.opts.toGuest(bytes);
      return;
    }
    let out: number[] = [];
    for (const b of bytes) {
      if (this.pendingEscape) {
        this.pendingEscape = false;
        // Deliver what came before the escape first: a focus switch changes where the rest goes.
        this.deliver(out);
        out = [];
        this.escape(b, out);
      } else if (b === CTRL_A) {
        this.pendingEscape = true;
      } else {
        out.push(b);
      }
    }
    this.deliver(out);
  }

  private deliver(out: number[]): void {
    if (out.length === 0) return;
    const bytes = Uint8Array.from(out);
    if (this.monitorFocused && this.monitor !== undefined) this.monitor.input(bytes);
    else this.opts.toGuest(bytes);
  }

  private escape(b: number, out: number[]): void {
    switch (String.fromCharCode(b)) {
      case 'x':
        process.stdout.write('tsemu: Terminated\n\r'); // QEMU's bytes ("QEMU: Terminated\n\r"), our name
        this.opts.quit();
        return;
      case 'h':
      case '?':
        process.stdout.write(ESCAPE_HELP);
        return;
      case 'c':
        this.switchFocus();
        this.opts.switchFocus?.();
        return;
      default:
        if (b === CTRL_A) out.push(CTRL_A);
    }
  }

  /** Ctrl-a c: guest console <-> monitor. */
  private switchFocus(): void {
    const monitor = this.monitor;
    if (monitor === undefined) return;
    if (this.monitorFocused) monitor.focusOut();
    this.monitorFocused = !this.monitorFocused;
    if (this.monitorFocused) monitor.focusIn();
  }
}
