/**
 * The log backend's lines, from generated emit functions down to the file.
 *
 * - The example of docs/devel/tracing.txt ("vcpu" section), with QEMU's
 *   foo/bar/baz declarations and `a=0x%x` formats so that the printf output
 *   is the documented `a=0xd1` (the document's own `a=%x` would print `a=d1`).
 * - printf conversions against glibc's printf: the committed transcript
 *   tests/transcripts/trace/log-format/glibc-printf.json, recorded by
 *   log-format.oracle.spec.ts from a program built by riscv64-linux-gnu-gcc
 *   and run with qemu-riscv64 (recipe: printf-cases.ts).
 */
import { openSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { LogBackend } from '../../src/trace/backend-log.js';
import { startThreadTracing, typedHook } from '../../src/trace/dispatcher.js';
import { normalizeArg } from '../../src/trace/event-info.js';
import { formatEventLine } from '../../src/trace/format.js';
import { EVENTS, EventId } from '../../src/trace/generated/events.js';
import { sprintf } from '../../src/trace/printf.js';
import { unbindTraceRuntime } from '../../src/trace/runtime.js';
import { TraceState } from '../../src/trace/state.js';
import { makeTempDir } from '../support/tools.js';
import { readTranscript } from '../support/transcripts.js';
import { loadGeneratedModule, type Emitted, type GeneratedModule } from './helpers.js';
import { CASES, cCall, GLIBC_PRINTF_KEY, type GlibcPrintf } from './printf-cases.js';

const QEMU_EXAMPLE = `foo(uint32_t a) "a=0x%x"
vcpu bar(uint32_t a) "a=0x%x"
tcg vcpu baz(uint32_t a) "a=0x%x", "a=0x%x"
vcpu empty(void) ""
`;

describe('trace/log backend', function () {
  let dir = '';
  let mod: GeneratedModule;
  before(async () => {
    dir = makeTempDir('trace-log');
    mod = await loadGeneratedModule(dir, QEMU_EXAMPLE);
  });
  after(() => {
    unbindTraceRuntime();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Runs `body` with this thread's events going to a LogBackend on a temp file; returns the file. */
  function logOf(state: TraceState, options: { timestamp?: boolean; bufferBytes?: number }, body: (backend: LogBackend) => void): string {
    const path = join(dir, 'log.txt');
    const fd = openSync(path, 'w');
    const backend = new LogBackend({ fd, ownsFd: true, events: mod.events, ...options });
    startThreadTracing(state, backend);
    try {
      body(backend);
    } finally {
      backend.close();
      unbindTraceRuntime();
    }
    return readFileSync(path, 'utf8');
  }

  it("prints QEMU's documented example: vCPU 0x1 translates, vCPU 0x2 executes", function () {
    const state = TraceState.create(mod.events);
    for (const e of mod.events) state.setDynamic(e.id, true);
    const text = logOf(state, {}, () => {
      mod.emit('foo', 0xd1);
      mod.emit('bar', 1, 0xd2);
      mod.emit('baz_trans', 1, 0xd3);
      mod.emit('baz_exec', 2, 0xd3);
    });
    expect(text).to.equal('foo a=0xd1\nbar cpu=0x1 a=0xd2\nbaz_trans cpu=0x1 a=0xd3\nbaz_exec cpu=0x2 a=0xd3\n');
  });

  it('prints only events enabled for the emitting vCPU', function () {
    const state = TraceState.create(mod.events);
    state.setVcpuDynamic(1, 2, true); // bar on vCPU 2 only
    const text = logOf(state, {}, () => {
      mod.emit('foo', 1);
      mod.emit('bar', 1, 0x11);
      mod.emit('bar', 2, 0x12);
    });
    expect(text).to.equal('bar cpu=0x2 a=0x12\n');
  });

  it('keeps the space an empty format leaves after `cpu=0xN` (QEMU concatenates "cpu=... " and the format)', function () {
    const state = TraceState.create(mod.events);
    state.setDynamic(4, true);
    expect(logOf(state, {}, () => mod.emit('empty', 3))).to.equal('empty cpu=0x3 \n');
  });

  it('with timestamp, prefixes PID@SECONDS.MICROSECONDS: like QEMU with -msg timestamp=on', function () {
    const state = TraceState.create(mod.events);
    state.setDynamic(0, true);
    const before = Date.now() / 1000;
    const text = logOf(state, { timestamp: true }, () => mod.emit('foo', 0xd1));
    const m = /^(\d+)@(\d+\.\d{6}):foo a=0xd1\n$/.exec(text);
    if (m === null) throw new Error(`unexpected line: ${text}`);
    expect(Number(m[1])).to.equal(process.pid);
    expect(Number(m[2])).to.be.within(before - 1, Date.now() / 1000 + 1);
  });

  it('with bufferBytes, writes whole lines only when the buffer fills or on flush', function () {
    const state = TraceState.create(mod.events);
    state.setDynamic(0, true);
    const path = join(dir, 'log.txt');
    const text = logOf(state, { bufferBytes: 4096 }, (backend) => {
      mod.emit('foo', 1);
      mod.emit('foo', 2);
      expect(readFileSync(path, 'utf8')).to.equal('');
      backend.flush();
      expect(readFileSync(path, 'utf8')).to.equal('foo a=0x1\nfoo a=0x2\n');
      mod.emit('foo', 3);
    });
    expect(text).to.equal('foo a=0x1\nfoo a=0x2\nfoo a=0x3\n');
  });

  it('emit functions do nothing until the thread binds a state', function () {
    const calls: Emitted[] = [];
    unbindTraceRuntime();
    mod.emit('foo', 1);
    mod.emit('bar', 0, 1);
    const state = TraceState.create(mod.events);
    state.setDynamic(0, true);
    startThreadTracing(state, { emit: (id, cpu, args) => calls.push({ id, cpu, args }), flush() {}, close() {} });
    mod.emit('foo', 7);
    unbindTraceRuntime();
    expect(calls).to.deep.equal([{ id: 0, cpu: -1, args: [7] }]);
  });

  it('instrumentation hooks replace the backend for `instrument` events only', function () {
    const state = TraceState.create();
    state.setDynamic(EventId.guest_mem_before_exec, true);
    state.setDynamic(EventId.tb_flush, true);
    const backendCalls: number[] = [];
    const dispatcher = startThreadTracing(state, { emit: (id) => backendCalls.push(id), flush() {}, close() {} });
    const seen: string[] = [];
    dispatcher.setHook(
      EventId.guest_mem_before_exec,
      typedHook('guest_mem_before_exec', (cpu, vaddr, info) => {
        seen.push(`${cpu}:${vaddr.toString(16)}:${info}`);
        if (info === 2) dispatcher.trace(EventId.guest_mem_before_exec, cpu, [vaddr, info]);
      }),
    );
    expect(() => dispatcher.setHook(EventId.tb_flush, () => {})).to.throw("does not have the 'instrument' property");
    dispatcher.dispatch(EventId.guest_mem_before_exec, 1, [0x1000n, 3]);
    dispatcher.dispatch(EventId.guest_mem_before_exec, 1, [0x2000n, 2]);
    dispatcher.dispatch(EventId.tb_flush, -1, [5]);
    dispatcher.clearHooks();
    dispatcher.dispatch(EventId.guest_mem_before_exec, 0, [0x3000n, 0]);
    unbindTraceRuntime();
    expect(seen).to.deep.equal(['1:1000:3', '1:2000:2']);
    expect(backendCalls).to.deep.equal([EventId.guest_mem_before_exec, EventId.tb_flush, EventId.guest_mem_before_exec]);
  });

  it('formats the repository events (64-bit hex, %u, %02x)', function () {
    const mem = EVENTS[EventId.guest_mem_before_exec];
    expect(formatEventLine(mem, 0, [0x80001000n, 0x13])).to.equal('guest_mem_before_exec cpu=0x0 vaddr=0x0000000080001000 info=19');
    expect(formatEventLine(EVENTS[EventId.serial_write], -1, [5, 0x41])).to.equal('serial_write write addr 0x05 val 0x41');
    // uint8_t arguments are converted like at a C call: 0x113 becomes 0x13.
    expect(formatEventLine(mem, 10, [0xffffffffffffffffn, 0x113])).to.equal('guest_mem_before_exec cpu=0xa vaddr=0xffffffffffffffff info=19');
  });

  describe('printf agrees with glibc', function () {
    it('for every conversion trace-events formats use', function () {
      const glibc = readTranscript<GlibcPrintf[]>(GLIBC_PRINTF_KEY);
      // the transcript was made from these very cases (otherwise: record it again)
      expect(glibc.map((c) => c.call)).to.deep.equal(CASES.map(cCall));
      const ours = CASES.map(([fmt, type, value]) => sprintf(fmt, [normalizeArg(type, value)]));
      expect(ours).to.deep.equal(glibc.map((c) => c.glibc));
    });
  });
});
