/**
 * tsemu-simpletrace: prints a simple-backend trace file in the log backend's
 * form, one line per record (QEMU's scripts/simpletrace.py, with the log
 * backend's line format instead of simpletrace.py's own).
 *
 *   tsemu-simpletrace [--sort] [TRACE-EVENTS] TRACE-FILE
 *
 * Without TRACE-EVENTS the catalog tsemu was built with is used. Records come
 * in file order (per-thread chunks); --sort orders them by timestamp.
 */
import { readFileSync } from 'node:fs';
import { loadTraceEventsFile } from './catalog.js';
import type { EventInfo } from './event-info.js';
import { EVENTS } from './generated/events.js';
import { formatRecord, readSimpleTrace, type SimpleTraceRecord } from './simpletrace-reader.js';

const USAGE = 'usage: tsemu-simpletrace [--sort] [TRACE-EVENTS] TRACE-FILE\n';

interface Invocation {
  readonly sort: boolean;
  readonly traceEvents: string | undefined;
  readonly traceFile: string;
}

function parseArgs(argv: readonly string[]): Invocation | undefined {
  const sort = argv.includes('--sort');
  const files = argv.filter((a) => a !== '--sort');
  if (files.some((f) => f.startsWith('-')) || files.length < 1 || files.length > 2) return undefined;
  return files.length === 1
    ? { sort, traceEvents: undefined, traceFile: files[0] }
    : { sort, traceEvents: files[0], traceFile: files[1] };
}

function byTimestamp(a: SimpleTraceRecord, b: SimpleTraceRecord): number {
  return a.timestampNs < b.timestampNs ? -1 : a.timestampNs > b.timestampNs ? 1 : 0;
}

async function main(argv: readonly string[]): Promise<number> {
  // a reader that stops early (`| head`) is not an error
  process.stdout.on('error', (e: NodeJS.ErrnoException) => process.exit(e.code === 'EPIPE' ? 0 : 1));
  const inv = parseArgs(argv);
  if (inv === undefined) {
    process.stderr.write(USAGE);
    return 1;
  }
  const events: readonly EventInfo[] = inv.traceEvents === undefined ? EVENTS : await loadTraceEventsFile(inv.traceEvents);
  const records = readSimpleTrace(readFileSync(inv.traceFile), events);
  if (inv.sort) records.sort(byTimestamp); // Array.prototype.sort is stable
  const text = records.map((r) => `${formatRecord(r)}\n`).join('');
  process.stdout.write(text);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`tsemu-simpletrace: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  },
);
