/**
 * QEMU's `simple` backend: compact binary records (simpletrace-format.ts),
 * printed later by tsemu-simpletrace.
 *
 * Each thread has its own SimpleBackend appending to the same file. The hot
 * path only encodes the record into this thread's memory buffer; when the
 * buffer is full, on flush() and on close(), the buffered records go out with
 * a single fs.writeSync.
 *
 * Why records from different threads never interleave mid-record:
 * - a buffer only ever holds whole records, and it is written in one write()
 *   call on a descriptor opened with O_APPEND ('a');
 * - with O_APPEND, Linux moves to the end of file and writes under the inode
 *   lock, so concurrent appends from other descriptors land before or after
 *   the chunk, never inside it (regular files on local file systems; the
 *   kernel writes the whole chunk unless the disk is full, in which case the
 *   remainder follows in a second write and the trace is truncated anyway).
 * Records of different threads therefore appear in chunk order, not strictly
 * in time order; each carries its timestamp (tsemu-simpletrace --sort).
 */
import { closeSync, openSync } from 'node:fs';
import type { TraceBackend } from './backend.js';
import { normalizeArg, type EventInfo, type TraceArg } from './event-info.js';
import { EVENTS } from './generated/events.js';
import {
  EVENT_RECORD_HEADER_BYTES,
  MAX_TRACE_STRLEN,
  RECORD_TYPE_EVENT,
  writeFully,
} from './simpletrace-format.js';

export interface SimpleBackendOptions {
  /** Buffer size per thread; records are written in chunks of at most this. */
  readonly bufferBytes?: number;
  readonly events?: readonly EventInfo[];
  /** Nanosecond clock; QEMU uses CLOCK_MONOTONIC, as process.hrtime does (shared by all threads). */
  readonly clock?: () => bigint;
  /** Recorded in every record (QEMU's getpid()). */
  readonly pid?: number;
}

const DEFAULT_BUFFER_BYTES = 256 * 1024;
const encoder = new TextEncoder();

export class SimpleBackend implements TraceBackend {
  private readonly buffer: Uint8Array;
  private readonly view: DataView;
  private used = 0;
  private readonly events: readonly EventInfo[];
  private readonly clock: () => bigint;
  private readonly pid: number;
  private closed = false;

  /**
   * @param fd a descriptor with O_APPEND on a file that already has its header
   *   (createSimpleTraceFile); it may be shared between threads by number.
   * @param ownsFd close `fd` on close().
   */
  constructor(
    private readonly fd: number,
    options: SimpleBackendOptions = {},
    private readonly ownsFd = false,
  ) {
    this.buffer = new Uint8Array(Math.max(options.bufferBytes ?? DEFAULT_BUFFER_BYTES, 1024));
    this.view = new DataView(this.buffer.buffer);
    this.events = options.events ?? EVENTS;
    this.clock = options.clock ?? (() => process.hrtime.bigint());
    this.pid = options.pid ?? process.pid;
  }

  /** This thread's writer for a file made by createSimpleTraceFile(). */
  static open(path: string, options: SimpleBackendOptions = {}): SimpleBackend {
    return new SimpleBackend(openSync(path, 'a'), options, true);
  }

  emit(id: number, cpu: number, args: TraceArg[]): void {
    const info = this.events[id];
    if (this.closed || info === undefined) return;
    const strings = info.args.map((a, i) => (a.type === 'const char *' ? encodeString(args[i]) : undefined));
    let size = EVENT_RECORD_HEADER_BYTES + (info.vcpu ? 8 : 0);
    for (const s of strings) size += s === undefined ? 8 : 4 + s.length;
    if (size > this.buffer.length - this.used) this.flush();
    if (size > this.buffer.length) {
      // Cannot happen with 512-byte strings and a >= 1 KiB buffer unless an event has huge arity.
      const big = new SimpleBackend(this.fd, { bufferBytes: size, events: this.events, clock: this.clock, pid: this.pid });
      big.emit(id, cpu, args);
      big.flush();
      return;
    }
    this.encode(info, cpu, args, strings, size);
  }

  flush(): void {
    if (this.used === 0) return;
    const length = this.used;
    this.used = 0;
    writeFully(this.fd, this.buffer, length);
  }

  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    if (this.ownsFd) closeSync(this.fd);
  }

  private encode(info: EventInfo, cpu: number, args: TraceArg[], strings: (Uint8Array | undefined)[], size: number): void {
    const view = this.view;
    let at = this.used;
    view.setBigUint64(at, RECORD_TYPE_EVENT, true);
    view.setBigUint64(at + 8, BigInt(info.id), true);
    view.setBigUint64(at + 16, this.clock(), true);
    view.setUint32(at + 24, size - 8, true); // `length` excludes the type word
    view.setUint32(at + 28, this.pid, true);
    at += EVENT_RECORD_HEADER_BYTES;
    if (info.vcpu) at = this.putNumber(at, cpu);
    info.args.forEach((a, i) => {
      const s = strings[i];
      if (s !== undefined) {
        view.setUint32(at, s.length, true);
        this.buffer.set(s, at + 4);
        at += 4 + s.length;
        return;
      }
      const value = normalizeArg(a.type, args[i] ?? 0);
      if (typeof value === 'bigint') {
        view.setBigUint64(at, BigInt.asUintN(64, value), true);
        at += 8;
      } else {
        at = this.putNumber(at, typeof value === 'number' ? value : 0);
      }
    });
    this.used = at;
  }

  /** A C integer of at most 32 bits cast to uint64_t (sign-extending negative values). */
  private putNumber(at: number, value: number): number {
    this.view.setUint32(at, value >>> 0, true);
    this.view.setUint32(at + 4, value < 0 ? 0xffffffff : 0, true);
    return at + 8;
  }
}

/** UTF-8, cut at MAX_TRACE_STRLEN bytes like QEMU's simple backend. */
function encodeString(value: TraceArg | undefined): Uint8Array {
  const bytes = encoder.encode(value === undefined ? '' : String(value));
  return bytes.length > MAX_TRACE_STRLEN ? bytes.subarray(0, MAX_TRACE_STRLEN) : bytes;
}
