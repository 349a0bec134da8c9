/**
 * The tracing document's vcpu example (docs/devel/tracing.txt; quoted in
 * /work/shared/reference/qemu-conventions.md section 1), in process, through
 * the real pieces: QEMU's three declarations are parsed by tracetool
 * (scripts/tracetool.mjs parseTraceEvents) into a test-only event table; a
 * TraceState and a log backend use that table; an InstrRuntime in the
 * 'translator' role raises, while "translating" a block for vCPU 1, foo,
 * bar(cpu 1) and baz's translation level (raiseTrans, default action: trace
 * it and generate the execution level) into a TcgBuilder; the JS backend
 * generates the block, it is compiled like a vCPU worker does (new Function
 * over BLOCK_PARAMS) and run with the event sink of a second runtime, bound
 * to vCPU 2. The log must read exactly as the document says (with `a=0x%x`
 * formats, so that `a=0xd1` is what printf prints):
 *
 *     foo a=0xd1
 *     bar cpu=0x1 a=0xd2
 *     baz_trans cpu=0x1 a=0xd3
 *     baz_exec cpu=0x2 a=0xd3
 */
import { closeSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect } from 'chai';
import type { EventInfo, TraceArg } from '../../src/trace/event-info.js';
import { TraceState } from '../../src/trace/state.js';
import { LogBackend } from '../../src/trace/backend-log.js';
import { NO_VCPU } from '../../src/trace/runtime.js';
import { InstrRuntime, type RuntimeHooks } from '../../src/instr/runtime.js';
import { instrEvents } from '../../src/instr/thread-env.js';
import { TcgBuilder } from '../../src/tcg/builder.js';
import { generateJs } from '../../src/tcg/backend-js.js';
import { BLOCK_PARAMS } from '../../src/abi/block-code.js';
import { makeTempDir } from '../support/tools.js';
import { REPO } from '../instr/helpers.js';

const TRACE_EVENTS = `# QEMU's example (docs/devel/tracing.txt, "vcpu"), formats a=0x%x
foo(uint32_t a) "a=0x%x"
vcpu bar(uint32_t a) "a=0x%x"
tcg vcpu baz(uint32_t a) "a=0x%x", "a=0x%x"
`;

const TRANSLATING_VCPU = 1;
const EXECUTING_VCPU = 2;
const MAX_VCPUS = 16;

type ParseTraceEvents = (text: string, fileName: string) => EventInfo[];

async function loadParser(): Promise<ParseTraceEvents> {
  const mod: unknown = await import(pathToFileURL(join(REPO, 'scripts/tracetool.mjs')).href);
  if (typeof mod !== 'object' || mod === null || !('parseTraceEvents' in mod) || typeof mod.parseTraceEvents !== 'function') {
    throw new Error('scripts/tracetool.mjs does not export parseTraceEvents');
  }
  return mod.parseTraceEvents as ParseTraceEvents;
}

/** What a thread's runtime needs, over the test's state and backend (no guest memory, no other instances). */
function hooks(state: TraceState, backend: LogBackend): RuntimeHooks {
  return {
    trace: {
      enabled: (id, cpu) => state.isEnabled(id, cpu),
      anyEnabled: (id) => state.dstate[id] !== 0,
      emit: (id, cpu, args) => backend.emit(id, cpu, args as TraceArg[]),
      setDynamic: (id, on, cpu) => (cpu === undefined ? state.setDynamic(id, on) : state.setVcpuDynamic(id, cpu, on)),
      staticEnabled: (id) => state.staticState(id),
      dynamicEnabled: (id) => state.dynamicState(id),
      snapshot: () => Int32Array.from(state.events, (e) => state.mask(e.id)),
      restore: (id, mask) => state.restoreMask(id, mask),
    },
    memory: {
      virtToPhys: () => undefined,
      readPhys: () => undefined,
      writePhys: () => false,
      vcpuExists: (cpu) => cpu === TRANSLATING_VCPU || cpu === EXECUTING_VCPU,
    },
    broadcast: () => undefined,
    control: () => undefined,
    failed: (lib, event, error) => { throw new Error(`library ${lib} failed in ${event}: ${String(error)}`); },
    scoreboard: () => { throw new Error('no scoreboards in this test'); },
  };
}

type Raise = (id: number, args: unknown[]) => void;

/**
 * The `ev` a block is bound to, raising through the vCPU's runtime. Generated
 * code has called it as `ev(id, ...args)` and as `ev[id](...args)` (a table of
 * per-event dispatchers); this sink answers both forms, so the test follows
 * the backend whichever it emits.
 */
function eventSink(ids: readonly number[], raise: Raise): (id: number, ...args: unknown[]) => void {
  const sink = (id: number, ...args: unknown[]): void => raise(id, args);
  const table = sink as unknown as Record<number, (...args: unknown[]) => void>;
  for (const id of ids) table[id] = (...args: unknown[]): void => raise(id, args);
  return sink;
}

/** The arguments a vCPU worker binds a compiled block to, by BLOCK_PARAMS name; no guest RAM is touched. */
function blockEnvironment(ev: (id: number, ...args: unknown[]) => void): Record<string, unknown> {
  const state = new ArrayBuffer(4096);
  const ram = new ArrayBuffer(8);
  return {
    c: { tlbBase: 0, hartId: EXECUTING_VCPU, endBlock: false, resumePc: 0 },
    x: new BigInt64Array(state), xi: new Int32Array(state), f: new Float64Array(state), tlb: new Int32Array(16),
    m8: new Int8Array(ram), mu8: new Uint8Array(ram), m16: new Int16Array(ram), mu16: new Uint16Array(ram),
    m32: new Int32Array(ram), mu32: new Uint32Array(ram), m64: new BigInt64Array(ram),
    ev, sb: [], ls: {},
  };
}

describe("trace-e2e: the tracing document's foo/bar/baz example, in process", function () {
  let dir = '';
  let log = '';
  let nextPc = 0;

  before(async function () {
    dir = makeTempDir('trace-doc');
    const eventsFile = join(dir, 'trace-events');
    writeFileSync(eventsFile, TRACE_EVENTS);
    const events = (await loadParser())(readFileSync(eventsFile, 'utf8'), eventsFile);
    const id = (name: string): number => {
      const e = events.find((x) => x.name === name);
      if (!e) throw new Error(`no event ${name}`);
      return e.id;
    };

    const state = TraceState.create(events);
    for (const e of events) state.setDynamic(e.id, true);
    const logFile = join(dir, 'log');
    const fd = openSync(logFile, 'w');
    const backend = new LogBackend({ fd, events });
    try {
      // translation, in the translator service, at vCPU 1's request
      const translator = new InstrRuntime('translator', instrEvents(events), hooks(state, backend), MAX_VCPUS);
      const b = new TcgBuilder(0x1000);
      b.insnStart(0x1000, 4);
      translator.raise(id('foo'), NO_VCPU, [0xd1]);
      translator.raise(id('bar'), TRANSLATING_VCPU, [0xd2]);
      translator.raiseTrans(id('baz_trans'), TRANSLATING_VCPU, b, [{ value: 0xd3 }]);
      b.exit(0x1004);
      const source = generateJs(b.finish());

      // execution, in vCPU 2's worker
      const executor = new InstrRuntime('vcpu', instrEvents(events), hooks(state, backend), MAX_VCPUS);
      const env = blockEnvironment(eventSink(events.map((e) => e.id), (eventId, args) => executor.raise(eventId, EXECUTING_VCPU, args)));
      const factory = new Function(...BLOCK_PARAMS, source) as (...args: unknown[]) => () => number;
      const block = factory(...BLOCK_PARAMS.map((name) => env[name]));
      nextPc = block();
    } finally {
      backend.flush();
      closeSync(fd);
    }
    log = readFileSync(logFile, 'utf8');
  });

  after(function () {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('prints exactly the four lines of the document, translation level with vCPU 1, execution level with vCPU 2', function () {
    expect(log).to.equal('foo a=0xd1\nbar cpu=0x1 a=0xd2\nbaz_trans cpu=0x1 a=0xd3\nbaz_exec cpu=0x2 a=0xd3\n');
  });

  it('the generated block ran to its end', function () {
    expect(nextPc).to.equal(0x1004);
  });
});
