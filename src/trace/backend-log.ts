/**
 * QEMU's `log` backend: one text line per event on stderr or the `-D` file.
 *
 * Line form (format.ts): `name [cpu=0xN ]formatted-args`, which is what
 * QEMU 7.2 prints by default; with `timestamp` (QEMU's `-msg timestamp=on`)
 * the line is prefixed `PID@SECONDS.MICROSECONDS:` as QEMU does (QEMU prints
 * the thread id there; worker threads have no OS thread id in Node, so tsemu
 * prints the process id).
 *
 * Output goes through fs.writeSync on a file descriptor, which works the same
 * in every thread. By default each line is written at once (QEMU's log is line
 * buffered), so lines from different threads never mix; `bufferBytes` trades
 * that immediacy for fewer system calls, still writing whole lines only.
 */
import { closeSync } from 'node:fs';
import { wallClockMicros } from '../util/wall-clock.js';
import type { TraceBackend } from './backend.js';
import type { EventInfo, TraceArg } from './event-info.js';
import { writeAllSync } from './fd-write.js';
import { formatEventLine } from './format.js';
import { EVENTS } from './generated/events.js';

export interface LogBackendOptions {
  /** File descriptor to write to; stderr (2) by default. */
  readonly fd?: number;
  /** Close `fd` on close() (when this backend opened it). */
  readonly ownsFd?: boolean;
  /** Prefix `PID@SEC.USEC:` (QEMU's `-msg timestamp=on`). */
  readonly timestamp?: boolean;
  /** Collect up to this many characters before writing; 0 writes each line at once. */
  readonly bufferBytes?: number;
  readonly events?: readonly EventInfo[];
}

export class LogBackend implements TraceBackend {
  private fd: number;
  private readonly ownsFd: boolean;
  private readonly timestamp: boolean;
  private readonly bufferBytes: number;
  private readonly events: readonly EventInfo[];
  private pending = '';
  private closed = false;

  constructor(options: LogBackendOptions = {}) {
    this.fd = options.fd ?? 2;
    this.ownsFd = options.ownsFd ?? false;
    this.timestamp = options.timestamp ?? false;
    this.bufferBytes = options.bufferBytes ?? 0;
    this.events = options.events ?? EVENTS;
  }

  emit(id: number, cpu: number, args: TraceArg[]): void {
    if (this.closed) return;
    const info = this.events[id];
    if (info === undefined) return;
    const line = `${this.timestamp ? timestampPrefix() : ''}${formatEventLine(info, cpu, args)}\n`;
    if (this.bufferBytes <= 0) {
      writeAllSync(this.fd, line);
      return;
    }
    this.pending += line;
    if (this.pending.length >= this.bufferBytes) this.flush();
  }

  flush(): void {
    if (this.pending === '') return;
    const text = this.pending;
    this.pending = '';
    writeAllSync(this.fd, text);
  }

  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    if (this.ownsFd) closeSync(this.fd);
  }

  /**
   * Write to `fd` from now on (HMP `logfile`): buffered lines go to the old
   * descriptor first. The caller closes the old one once no thread uses it,
   * so this is only for backends that do not own their descriptor.
   */
  setFd(fd: number): void {
    this.flush();
    this.fd = fd;
  }
}

/** `PID@SEC.USEC:` from the wall clock, like QEMU's gettimeofday() prefix. */
function timestampPrefix(): string {
  const micros = BigInt(wallClockMicros());
  const seconds = micros / 1_000_000n;
  const fraction = (micros % 1_000_000n).toString().padStart(6, '0');
  return `${process.pid}@${seconds}.${fraction}:`;
}
