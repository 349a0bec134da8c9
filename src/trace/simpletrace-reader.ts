/**
 * Reads a simpletrace file (simpletrace-format.ts) back into events, the way
 * QEMU's scripts/simpletrace.py does: the mapping records give each id its
 * name, the trace-events catalog gives each name its arguments.
 */
import { ARG_REPRESENTATION, type EventArg, type EventInfo, type TraceArg } from './event-info.js';
import { formatEventLine } from './format.js';
import {
  DROPPED_EVENT_ID,
  HEADER_EVENT_ID,
  HEADER_MAGIC,
  HEADER_VERSION,
  RECORD_TYPE_EVENT,
  RECORD_TYPE_MAPPING,
} from './simpletrace-format.js';

export interface SimpleTraceEvent {
  readonly kind: 'event';
  readonly info: EventInfo;
  readonly timestampNs: bigint;
  readonly pid: number;
  /** The vCPU of a `vcpu` event, else -1. */
  readonly cpu: number;
  /** Arguments back in their JavaScript types (see EventArgs). */
  readonly args: TraceArg[];
}

export interface SimpleTraceDropped {
  readonly kind: 'dropped';
  readonly timestampNs: bigint;
  readonly pid: number;
  readonly count: bigint;
}

export type SimpleTraceRecord = SimpleTraceEvent | SimpleTraceDropped;

export class SimpleTraceError extends Error {
  override readonly name = 'SimpleTraceError';
}

/** Every record of the file, in file order. Throws SimpleTraceError on a malformed file. */
export function readSimpleTrace(bytes: Uint8Array, events: readonly EventInfo[]): SimpleTraceRecord[] {
  const reader = new ByteReader(bytes);
  checkHeader(reader);
  const byName = new Map(events.map((e) => [e.name, e]));
  const names = new Map<bigint, string>();
  const records: SimpleTraceRecord[] = [];
  while (!reader.atEnd()) {
    const type = reader.u64('record type');
    if (type === RECORD_TYPE_MAPPING) {
      const id = reader.u64('mapping id');
      names.set(id, reader.text(reader.u32('mapping name length'), 'mapping name'));
    } else if (type === RECORD_TYPE_EVENT) {
      records.push(readEventRecord(reader, names, byName));
    } else {
      throw new SimpleTraceError(`unknown record type ${type} at offset ${reader.offset - 8}`);
    }
  }
  return records;
}

/** A record in the log backend's line form (no newline). */
export function formatRecord(record: SimpleTraceRecord): string {
  if (record.kind === 'dropped') return `dropped num_events_dropped=0x${record.count.toString(16)}`;
  return formatEventLine(record.info, record.cpu, record.args);
}

function checkHeader(reader: ByteReader): void {
  if (reader.remaining() < 24) throw new SimpleTraceError('Error reading header. Wrong filetype provided?');
  const id = reader.u64('header');
  const magic = reader.u64('header');
  const version = reader.u64('header');
  if (id !== HEADER_EVENT_ID) throw new SimpleTraceError(`Not a valid trace file, header id ${id} != ${HEADER_EVENT_ID}`);
  if (magic !== HEADER_MAGIC) throw new SimpleTraceError(`Not a valid trace file, header magic ${magic} != ${HEADER_MAGIC}`);
  if (version !== HEADER_VERSION) throw new SimpleTraceError(`Log format ${version} not supported (tsemu reads version ${HEADER_VERSION})`);
}

function readEventRecord(reader: ByteReader, names: Map<bigint, string>, byName: Map<string, EventInfo>): SimpleTraceRecord {
  const start = reader.offset;
  const id = reader.u64('event id');
  const timestampNs = reader.u64('timestamp');
  const length = reader.u32('record length');
  const pid = reader.u32('pid');
  if (id === DROPPED_EVENT_ID) return { kind: 'dropped', timestampNs, pid, count: reader.u64('dropped count') };
  const name = names.get(id);
  if (name === undefined) throw new SimpleTraceError(`event id ${id} at offset ${start} has no mapping record`);
  const info = byName.get(name);
  if (info === undefined) {
    throw new SimpleTraceError(`'${name}' event is logged but is not declared in the trace events file`);
  }
  const cpu = info.vcpu ? Number(reader.u64('vCPU')) : -1;
  const args = info.args.map((a) => readArg(reader, a));
  if (reader.offset - start !== length) {
    throw new SimpleTraceError(`record of '${name}' at offset ${start} is ${length} bytes long, but its arguments end at ${reader.offset - start}: the trace events file does not match the trace`);
  }
  return { kind: 'event', info, timestampNs, pid, cpu, args };
}

/** A u64 (or length-prefixed string) back to the argument's C type, in its JavaScript form. */
function readArg(reader: ByteReader, arg: EventArg): TraceArg {
  if (arg.type === 'const char *') return reader.text(reader.u32(`length of '${arg.name}'`), `'${arg.name}'`);
  const raw = reader.u64(`'${arg.name}'`);
  const rep = ARG_REPRESENTATION[arg.type];
  const value = rep.signed ? BigInt.asIntN(rep.bits, raw) : BigInt.asUintN(rep.bits, raw);
  return rep.js === 'bigint' ? value : Number(value);
}

class ByteReader {
  offset = 0;
  private readonly view: DataView;

  constructor(private readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  atEnd(): boolean {
    return this.offset >= this.bytes.length;
  }

  remaining(): number {
    return this.bytes.length - this.offset;
  }

  u64(what: string): bigint {
    this.need(8, what);
    const v = this.view.getBigUint64(this.offset, true);
    this.offset += 8;
    return v;
  }

  u32(what: string): number {
    this.need(4, what);
    const v = this.view.getUint32(this.offset, true);
    this.offset += 4;
    return v;
  }

  text(length: number, what: string): string {
    this.need(length, what);
    const s = new TextDecoder().decode(this.bytes.subarray(this.offset, this.offset + length));
    this.offset += length;
    return s;
  }

  private need(n: number, what: string): void {
    if (this.remaining() < n) throw new SimpleTraceError(`truncated trace: ${what} at offset ${this.offset} needs ${n} bytes, ${this.remaining()} left`);
  }
}
