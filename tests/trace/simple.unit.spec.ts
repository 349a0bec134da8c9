/**
 * The simple backend: QEMU's simpletrace v4 format (trace/simple.c,
 * scripts/simpletrace.py), read back by tsemu-simpletrace in the log
 * backend's form, and written concurrently by several threads. (The same
 * records read by a transcription of scripts/simpletrace.py in python3:
 * simple.oracle.spec.ts.)
 */
import { openSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { expect } from 'chai';
import { LogBackend } from '../../src/trace/backend-log.js';
import { SimpleBackend } from '../../src/trace/backend-simple.js';
import { startThreadTracing } from '../../src/trace/dispatcher.js';
import { EVENTS, EventId, trace_riscv_trap, trace_tb_flush } from '../../src/trace/generated/events.js';
import { unbindTraceRuntime } from '../../src/trace/runtime.js';
import { createSimpleTraceFile, HEADER_MAGIC, MAX_TRACE_STRLEN } from '../../src/trace/simpletrace-format.js';
import { readSimpleTrace, type SimpleTraceEvent } from '../../src/trace/simpletrace-reader.js';
import { TraceState } from '../../src/trace/state.js';
import { makeTempDir, waitFor } from '../support/tools.js';
import { loadGeneratedModule, runNode, SIMPLETRACE_BIN, type GeneratedModule } from './helpers.js';
import { CATALOG, EMITS, record as recordBoth, tee } from './simple-recording.js';
import type { WriterJob } from './simple-writer-worker.js';

describe('trace/simple backend', function () {
  let dir = '';
  let mod: GeneratedModule;
  let eventsPath = '';
  before(async () => {
    dir = makeTempDir('trace-simple');
    mod = await loadGeneratedModule(dir, CATALOG);
    eventsPath = join(dir, 'trace-events');
  });
  after(() => {
    unbindTraceRuntime();
    rmSync(dir, { recursive: true, force: true });
  });

  const record = (): { log: string; trace: string } => recordBoth(dir, mod);

  it('tsemu-simpletrace TRACE-EVENTS FILE prints what the log backend printed, record for record', function () {
    const { log, trace } = record();
    const r = runNode([SIMPLETRACE_BIN, eventsPath, trace]);
    expect(r.status, r.stderr).to.equal(0);
    const expected = readFileSync(log, 'utf8');
    expect(r.stdout).to.equal(expected);
    expect(expected.split('\n')).to.include.members([
      'baz_exec cpu=0x2 addr=0x80001000 a=0xd3',
      'mixed s8=-1 s16=-300 s32=-70000 s64=-5 b=1 p=(nil)',
      'mixed s8=-1 s16=-1 s32=-1 s64=-9223372036854775808 b=0 p=0xdeadbeef',
      'str cpu=0x3 name=héllo ✓ n=65535',
    ]);
  });

  it("writes QEMU's header, one mapping record per event, then the event records", function () {
    const { trace } = record();
    const bytes = readFileSync(trace);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    expect([view.getBigUint64(0, true), view.getBigUint64(8, true), view.getBigUint64(16, true)]).to.deep.equal([2n ** 64n - 1n, HEADER_MAGIC, 4n]);
    // First mapping record: type 0, id 0, "foo".
    expect([view.getBigUint64(24, true), view.getBigUint64(32, true), view.getUint32(40, true)]).to.deep.equal([0n, 0n, 3]);
    expect(bytes.subarray(44, 47).toString()).to.equal('foo');
    const records = readSimpleTrace(bytes, mod.events).filter((r): r is SimpleTraceEvent => r.kind === 'event');
    expect(records.map((r) => r.info.name)).to.deep.equal(EMITS.map(([name]) => name));
    expect(records.every((r) => r.pid === process.pid)).to.equal(true);
    const times = records.map((r) => r.timestampNs);
    expect([...times].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))).to.deep.equal(times);
  });

  it('cuts strings at 512 bytes, as QEMU does', function () {
    const trace = join(dir, 'long.simple');
    createSimpleTraceFile(trace, mod.events);
    const backend = SimpleBackend.open(trace, { events: mod.events });
    const str = mod.events.find((e) => e.name === 'str');
    if (str === undefined) throw new Error('no str event');
    backend.emit(str.id, 0, ['x'.repeat(600), 1]);
    backend.close();
    const r = runNode([SIMPLETRACE_BIN, eventsPath, trace]);
    expect(r.stdout).to.equal(`str cpu=0x0 name=${'x'.repeat(MAX_TRACE_STRLEN)} n=1\n`);
  });

  it('without TRACE-EVENTS uses the built-in catalog', function () {
    const trace = join(dir, 'builtin.simple');
    const log = join(dir, 'builtin.log');
    createSimpleTraceFile(trace);
    const state = TraceState.create();
    state.setDynamic(EventId.riscv_trap, true);
    state.setDynamic(EventId.tb_flush, true);
    const both = tee(new LogBackend({ fd: openSync(log, 'w'), ownsFd: true }), SimpleBackend.open(trace));
    startThreadTracing(state, both);
    trace_riscv_trap(3, 8n, 0x80000000n, 0n);
    trace_tb_flush(12);
    both.close();
    unbindTraceRuntime();
    const r = runNode([SIMPLETRACE_BIN, trace]);
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stdout).to.equal(readFileSync(log, 'utf8'));
    expect(r.stdout).to.equal('riscv_trap cpu=0x3 cause=0x0000000000000008 epc=0x0000000080000000 tval=0x0000000000000000\ntb_flush blocks=12\n');
  });

  it('reports a truncated file, a foreign file and bad usage on stderr with exit status 1', function () {
    const { trace } = record();
    const size = readFileSync(trace).length;
    truncateSync(trace, size - 3);
    const cut = runNode([SIMPLETRACE_BIN, eventsPath, trace]);
    expect(cut.status).to.equal(1);
    expect(cut.stderr).to.match(/^tsemu-simpletrace: truncated trace: .* at offset \d+ needs \d+ bytes, \d+ left\n$/);
    const foreign = join(dir, 'foreign');
    writeFileSync(foreign, Buffer.alloc(64, 1));
    expect(runNode([SIMPLETRACE_BIN, foreign]).stderr).to.match(/^tsemu-simpletrace: Not a valid trace file, header id/);
    const usage = runNode([SIMPLETRACE_BIN]);
    expect([usage.status, usage.stderr]).to.deep.equal([1, 'usage: tsemu-simpletrace [--sort] [TRACE-EVENTS] TRACE-FILE\n']);
  });

  it('several threads appending concurrently produce a file that parses completely', async function () {
    const trace = join(dir, 'threads.simple');
    createSimpleTraceFile(trace);
    const state = TraceState.create();
    state.setDynamic(EventId.riscv_trap, true);
    state.setDynamic(EventId.virtio_blk_req, true);
    const go = new SharedArrayBuffer(8);
    const workers = 4;
    const count = 3000;
    const done = Array.from({ length: workers }, (_, index) => {
      const job: WriterJob = { path: trace, state: state.buffer, go, index, count, bufferBytes: 1024 + 200 * index };
      const w = new Worker(new URL('./simple-writer-worker.js', import.meta.url), { workerData: job });
      return new Promise<void>((resolve, reject) => {
        w.once('message', () => resolve());
        w.once('error', reject);
      });
    });
    const barrier = new Int32Array(go);
    await waitFor('every writer at the barrier', () => Atomics.load(barrier, 1) === workers, 30_000);
    Atomics.store(barrier, 0, 1);
    Atomics.notify(new Int32Array(go), 0);
    await Promise.all(done);

    const records = readSimpleTrace(readFileSync(trace), EVENTS).filter((r): r is SimpleTraceEvent => r.kind === 'event');
    expect(records).to.have.length(workers * count * 2);
    for (let index = 0; index < workers; index++) {
      const traps = records.filter((r) => r.info.id === EventId.riscv_trap && r.cpu === index).map((r) => r.args[0]);
      const reqs = records.filter((r) => r.info.id === EventId.virtio_blk_req && r.args[0] === index).map((r) => r.args[1]);
      const seq = Array.from({ length: count }, (_, i) => BigInt(i));
      expect(traps, `thread ${index}`).to.deep.equal(seq);
      expect(reqs, `thread ${index}`).to.deep.equal(seq);
    }
    // Chunks of different threads did interleave (otherwise the test proves little).
    const owners = records.map((r) => (r.info.id === EventId.riscv_trap ? r.cpu : Number(r.args[0])));
    const switches = owners.filter((o, i) => i > 0 && o !== owners[i - 1]).length;
    expect(switches).to.be.greaterThan(workers);
  });

  it('--sort orders records by timestamp', function () {
    const trace = join(dir, 'sort.simple');
    createSimpleTraceFile(trace, mod.events);
    let now = 100n;
    const first = new SimpleBackend(openSync(trace, 'a'), { events: mod.events, clock: () => (now -= 10n) }, true);
    first.emit(0, -1, [1]);
    first.emit(0, -1, [2]);
    first.close();
    const r = runNode([SIMPLETRACE_BIN, '--sort', eventsPath, trace]);
    expect(r.stdout).to.equal('foo a=0x2\nfoo a=0x1\n');
  });
});
