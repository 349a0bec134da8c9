/**
 * QEMU's simpletrace binary format, version 4 (trace/simple.c and
 * scripts/simpletrace.py of QEMU 7.2). All fields little-endian (the host's).
 *
 *   file header      u64 0xffffffffffffffff, u64 magic 0xf2b177cb0aa429b4, u64 version 4
 *   mapping record   u64 0 (type), u64 event id, u32 name length, name bytes
 *   event record     u64 1 (type), u64 event id, u64 timestamp_ns, u32 length, u32 pid, arguments
 *
 * `length` counts the event record from the event id on (24 header bytes plus
 * the arguments), not the type word. Each argument is a u64, except strings:
 * u32 length then the bytes (at most 512, QEMU's MAX_TRACE_STRLEN). The vCPU
 * of a `vcpu` event is its first argument, as QEMU's implicit CPU argument
 * was. QEMU writes the header and one mapping record per event when it opens
 * the file; ids are positions in EVENTS.
 */
import { closeSync, openSync } from 'node:fs';
import type { EventInfo } from './event-info.js';
import { writeAllSync } from './fd-write.js';
import { EVENTS } from './generated/events.js';

export const HEADER_EVENT_ID = 0xffffffffffffffffn;
export const HEADER_MAGIC = 0xf2b177cb0aa429b4n;
export const HEADER_VERSION = 4n;
export const DROPPED_EVENT_ID = 0xfffffffffffffffen;
export const RECORD_TYPE_MAPPING = 0n;
export const RECORD_TYPE_EVENT = 1n;
/** Bytes of an event record before its arguments, type word included. */
export const EVENT_RECORD_HEADER_BYTES = 8 + 8 + 8 + 4 + 4;
/** What `length` counts besides the arguments (event id, timestamp, length, pid). */
export const RECORD_LENGTH_BASE = 24;
export const MAX_TRACE_STRLEN = 512;

/** The file header followed by a mapping record for every event. */
export function encodeFileHeader(events: readonly EventInfo[] = EVENTS): Uint8Array {
  const names = events.map((e) => new TextEncoder().encode(e.name));
  const size = 24 + names.reduce((n, name) => n + 8 + 8 + 4 + name.length, 0);
  const bytes = new Uint8Array(size);
  const view = new DataView(bytes.buffer);
  view.setBigUint64(0, HEADER_EVENT_ID, true);
  view.setBigUint64(8, HEADER_MAGIC, true);
  view.setBigUint64(16, HEADER_VERSION, true);
  let at = 24;
  events.forEach((e, i) => {
    const name = names[i];
    view.setBigUint64(at, RECORD_TYPE_MAPPING, true);
    view.setBigUint64(at + 8, BigInt(e.id), true);
    view.setUint32(at + 16, name.length, true);
    bytes.set(name, at + 20);
    at += 20 + name.length;
  });
  return bytes;
}

/**
 * Main thread, once: create or truncate `path` and write the header and the
 * mapping records. Every thread then appends with SimpleBackend.open(path).
 * Throws the fs error (its `code` says why) if the file cannot be written.
 */
export function createSimpleTraceFile(path: string, events: readonly EventInfo[] = EVENTS): void {
  const fd = openSync(path, 'w');
  try {
    writeAllSync(fd, encodeFileHeader(events));
  } finally {
    closeSync(fd);
  }
}
