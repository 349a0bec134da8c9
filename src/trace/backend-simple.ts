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
 *
 * HMP `trace-file off|on|set` (QEMU's st_set_trace_file_enabled) reaches
 * every thread as retarget(): the buffered records go to the old file, which
 * this thread then closes, and the writer appends to the new file or, while
 * tracing is off, drops records.
 */
import { closeSync, openSync } from 'node:fs';
import type { TraceBackend } from './backend.js';
import { normalizeArg, type EventInfo, type TraceArg } from './event-info.js';
import { EVENTS } from './generated/events.js';
import {
  EVENT_RECORD_HEADER_BYTES,
  MAX_TRACE_STRLEN,
  RECORD_TYPE_EVENT,
} from './simpletrace-format.js';
import { writeAllSync } from './fd-write.js';

const DEFAULT_BUFFER_BYTES = 256 * 1024;

export interface SimpleBackendOptions {
  /** Buffer size per thread; records are written in chunks of at most this. */
  readonly bufferBytes?: number;
  readonly events?: readonly EventInfo[];
  /** Nanosecond clock; QEMU uses CLOCK_MONOTONIC, as process.hrtime does (shared by all threads). */
  readonly clock?: () => bigint;
  /** Recorded in every record (QEMU's getpid()). */
  readonly pid?: number;
  /**
   * A buffer made by newTraceSpill(), shared with the main thread: the records are encoded there
   * and the count of whole ones published after each, so that the main thread can write them
   * out for a thread stuck in a library callback (spillTraceBuffer) before terminating it.
   */
  readonly spill?: SharedArrayBuffer;
}

/** Bytes before the records in a spill buffer: the published length (an Int32). */
const SPILL_HEADER = 8;

/** A spill buffer for one thread's SimpleBackend (SimpleBackendOptions.spill). */
export function newTraceSpill(bytes = DEFAULT_BUFFER_BYTES): SharedArrayBuffer {
  return new SharedArrayBuffer(SPILL_HEADER + bytes);
}

/**
 * Main thread, for a thread that no longer runs (terminated while stuck): append the whole records
 * it had buffered to `path` (the trace file its writer was appending to). Returns the bytes written.
 */
export function spillTraceBuffer(spill: SharedArrayBuffer, path: string): number {
  const used = Atomics.load(new Int32Array(spill, 0, 1), 0);
  if (used <= 0 || used > spill.byteLength - SPILL_HEADER) return 0;
  const fd = openSync(path, 'a');
  try {
    writeAllSync(fd, new Uint8Array(spill, SPILL_HEADER, used).slice(), used);
  } finally {
    closeSync(fd);
  }
  return used;
}

const encoder = new TextEncoder();

export class SimpleBackend implements TraceBackend {
  private buffer: Uint8Array;
  private view: DataView;
  private used = 0;
  private readonly events: readonly EventInfo[];
  /** Record size of each event without strings; -1 when it has string arguments. */
  private readonly fixedSize: readonly number[];
  private readonly clock: (() => bigint) | undefined;
  private readonly pid: number;
  private closed = false;
  /** Records are kept: there is a file and close() has not been called. */
  private writing: boolean;
  /** The published record length in the spill buffer, while `buffer` is the spill buffer. */
  private published: Int32Array | undefined;

  /**
   * @param fd a descriptor with O_APPEND on a file that already has its header
   *   (createSimpleTraceFile); it may be shared between threads by number.
   *   Undefined: no file (trace-file off), records are dropped.
   * @param ownsFd close `fd` on close().
   */
  constructor(
    private fd: number | undefined,
    options: SimpleBackendOptions = {},
    private ownsFd = false,
  ) {
    this.writing = fd !== undefined;
    if (options.spill !== undefined) {
      this.buffer = new Uint8Array(options.spill, SPILL_HEADER);
      this.published = new Int32Array(options.spill, 0, 1);
    } else {
      this.buffer = new Uint8Array(Math.max(options.bufferBytes ?? DEFAULT_BUFFER_BYTES, 1024));
    }
    this.view = new DataView(this.buffer.buffer, this.buffer.byteOffset, this.buffer.byteLength);
    this.events = options.events ?? EVENTS;
    this.fixedSize = this.events.map((e) =>
      e.args.some((a) => a.type === 'const char *') ? -1 : EVENT_RECORD_HEADER_BYTES + 8 * (e.args.length + (e.vcpu ? 1 : 0)),
    );
    this.clock = options.clock;
    this.pid = options.pid ?? process.pid;
  }

  /** This thread's writer for a file made by createSimpleTraceFile(). */
  static open(path: string, options: SimpleBackendOptions = {}): SimpleBackend {
    return new SimpleBackend(openSync(path, 'a'), options, true);
  }

  /** This thread's writer while tracing is off (trace-file off before the thread started). */
  static stopped(options: SimpleBackendOptions = {}): SimpleBackend {
    return new SimpleBackend(undefined, options);
  }

  /**
   * This thread's part of `trace-file on|off|set`: write out what is
   * buffered, close this thread's file, then append to `path` (made by
   * createSimpleTraceFile) or, for undefined, drop records from now on.
   * Throws the fs error if `path` cannot be opened (the writer is then off).
   */
  retarget(path: string | undefined): void {
    if (this.closed) return;
    this.flush();
    if (this.fd !== undefined && this.ownsFd) closeSync(this.fd);
    this.fd = undefined;
    this.writing = false;
    if (path === undefined) return;
    this.fd = openSync(path, 'a');
    this.ownsFd = true;
    this.writing = true;
  }

  emit(id: number, cpu: number, args: TraceArg[]): void {
    const info = this.events[id];
    if (!this.writing || info === undefined) return;
    let size = this.fixedSize[id];
    let strings: (Uint8Array | undefined)[] | undefined;
    if (size < 0) {
      strings = info.args.map((a, i) => (a.type === 'const char *' ? encodeString(args[i]) : undefined));
      size = EVENT_RECORD_HEADER_BYTES + (info.vcpu ? 8 : 0);
      for (const str of strings) size += str === undefined ? 8 : 4 + str.length;
    }
    if (size > this.buffer.length - this.used) this.flush();
    // Only an event with very many arguments can outgrow a buffer (strings stop at 512 bytes).
    if (size > this.buffer.length) {
      this.buffer = new Uint8Array(size);
      this.view = new DataView(this.buffer.buffer);
      this.published = undefined; // the main thread can no longer see this thread's records
    }
    this.encode(info, cpu, args, strings, size);
  }

  flush(): void {
    if (this.used === 0 || this.fd === undefined) return;
    const length = this.used;
    this.used = 0;
    writeAllSync(this.fd, this.buffer, length);
    if (this.published) Atomics.store(this.published, 0, 0);
  }

  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    this.writing = false;
    if (this.ownsFd && this.fd !== undefined) closeSync(this.fd);
  }

  private encode(info: EventInfo, cpu: number, args: TraceArg[], strings: (Uint8Array | undefined)[] | undefined, size: number): void {
    const view = this.view;
    let at = this.used;
    view.setUint32(at, Number(RECORD_TYPE_EVENT), true); // u64 record type, written as two u32
    view.setUint32(at + 4, 0, true);
    view.setUint32(at + 8, info.id, true);
    view.setUint32(at + 12, 0, true);
    this.putTimestamp(at + 16);
    view.setUint32(at + 24, size - 8, true); // `length` excludes the type word
    view.setUint32(at + 28, this.pid, true);
    at += EVENT_RECORD_HEADER_BYTES;
    if (info.vcpu) at = this.putNumber(at, cpu);
    const declared = info.args;
    for (let i = 0; i < declared.length; i++) {
      const str = strings === undefined ? undefined : strings[i];
      if (str !== undefined) {
        view.setUint32(at, str.length, true);
        this.buffer.set(str, at + 4);
        at += 4 + str.length;
        continue;
      }
      const raw = args[i] ?? 0;
      const value = typeof raw === 'bigint' ? raw : normalizeArg(declared[i].type, raw);
      if (typeof value === 'bigint') {
        view.setBigUint64(at, value, true); // wraps modulo 2^64 like the C cast to uint64_t
        at += 8;
      } else {
        at = this.putNumber(at, typeof value === 'number' ? value : 0);
      }
    }
    this.used = at;
    if (this.published) Atomics.store(this.published, 0, at); // whole records only
  }

  /**
   * CLOCK_MONOTONIC in nanoseconds, like QEMU's get_clock(). process.hrtime()
   * is that clock in every thread; seconds * 1e9 + ns stays exact in a double
   * for 104 days of uptime and avoids BigInt arithmetic on the hot path.
   */
  private putTimestamp(at: number): void {
    if (this.clock !== undefined) {
      this.view.setBigUint64(at, this.clock(), true);
      return;
    }
    const [seconds, nanoseconds] = process.hrtime();
    const ns = seconds * 1e9 + nanoseconds;
    const low = ns % 0x1_0000_0000;
    this.view.setUint32(at, low, true);
    this.view.setUint32(at + 4, (ns - low) / 0x1_0000_0000, true);
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
