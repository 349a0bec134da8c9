/**
 * What simple.spec.ts and simple.oracle.spec.ts both record: a test catalog, a list of emits
 * covering every argument type, and record(), which sends them to a log file and a simpletrace
 * file at once.
 */
import { openSync } from 'node:fs';
import { join } from 'node:path';
import type { TraceBackend } from '../../src/trace/backend.js';
import { LogBackend } from '../../src/trace/backend-log.js';
import { SimpleBackend } from '../../src/trace/backend-simple.js';
import { startThreadTracing } from '../../src/trace/dispatcher.js';
import { unbindTraceRuntime } from '../../src/trace/runtime.js';
import { createSimpleTraceFile } from '../../src/trace/simpletrace-format.js';
import { TraceState } from '../../src/trace/state.js';
import type { GeneratedModule } from './helpers.js';

export const CATALOG = `foo(uint32_t a) "a=0x%x"
vcpu bar(uint32_t a) "a=0x%x"
tcg vcpu baz(TCGv addr, uint32_t a) "a=0x%x", "addr=0x%"PRIx64" a=0x%x"
mixed(int8_t s8, int16_t s16, int32_t s32, int64_t s64, bool b, void *p) "s8=%d s16=%d s32=%d s64=%"PRId64" b=%d p=%p"
vcpu str(const char *name, uint16_t n) "name=%s n=%u"
empty(void) ""
`;

/** [emit function, vCPU-and-arguments] */
export const EMITS: [string, (number | bigint | string | boolean)[]][] = [
  ['foo', [0xd1]],
  ['bar', [1, 0xd2]],
  ['baz_trans', [1, 0xd3]],
  ['baz_exec', [2, 0x80001000n, 0xd3]],
  ['mixed', [-1, -300, -70000, -5n, true, 0n]],
  ['mixed', [0x1ff, 0x1ffff, 0xffffffff, 1n << 63n, false, 0xdeadbeefn]],
  ['str', [3, 'héllo ✓', 65535]],
  ['str', [0, '', 0x10001]],
  ['empty', []],
];

/** Sends every event to all `backends`. */
export function tee(...backends: TraceBackend[]): TraceBackend {
  return {
    emit: (id, cpu, args) => backends.forEach((b) => b.emit(id, cpu, args)),
    flush: () => backends.forEach((b) => b.flush()),
    close: () => backends.forEach((b) => b.close()),
  };
}

/** Emits EMITS (from `mod`, generated from CATALOG) into a log file and a simpletrace file in `dir` at once; returns both paths. */
export function record(dir: string, mod: GeneratedModule): { log: string; trace: string } {
  const log = join(dir, 'events.log');
  const trace = join(dir, 'events.simple');
  createSimpleTraceFile(trace, mod.events);
  const state = TraceState.create(mod.events);
  for (const e of mod.events) state.setDynamic(e.id, true);
  const both = tee(new LogBackend({ fd: openSync(log, 'w'), ownsFd: true, events: mod.events }), SimpleBackend.open(trace, { events: mod.events }));
  startThreadTracing(state, both);
  for (const [name, args] of EMITS) mod.emit(name, ...args);
  both.close();
  unbindTraceRuntime();
  return { log, trace };
}
