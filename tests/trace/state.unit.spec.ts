/**
 * TraceState: QEMU's static / dynamic / per-vCPU event state
 * (trace/control.c, trace/control-target.c of the vcpu-property era).
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { expect } from 'chai';
import { loadTraceEventsFile } from '../../src/trace/catalog.js';
import type { EventInfo } from '../../src/trace/event-info.js';
import { EVENTS, EventId } from '../../src/trace/generated/events.js';
import { MAX_VCPUS, TraceState, TraceStateError } from '../../src/trace/state.js';
import { makeTempDir } from '../support/tools.js';

const CATALOG = `foo(uint32_t a) "a=0x%x"
vcpu bar(uint32_t a) "a=0x%x"
tcg vcpu baz(uint32_t a) "a=0x%x", "a=0x%x"
disable vcpu off(void) ""
`;
const FOO = 0;
const BAR = 1;
const BAZ_TRANS = 2;
const BAZ_EXEC = 3;
const OFF = 4;

function reasonOf(fn: () => void): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof TraceStateError) return e.reason;
    throw e;
  }
  return 'no error';
}

describe('trace/state', function () {
  let events: EventInfo[] = [];
  let dir = '';
  before(async () => {
    dir = makeTempDir('trace-state');
    const path = join(dir, 'trace-events');
    writeFileSync(path, CATALOG);
    events = await loadTraceEventsFile(path);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('starts with every event dynamically disabled; static state follows `disable`', function () {
    const s = TraceState.create(events);
    for (const e of events) {
      expect(s.dynamicState(e.id), e.name).to.equal(false);
      expect(s.isEnabled(e.id, 0), e.name).to.equal(false);
    }
    expect(events.map((e) => s.staticState(e.id))).to.deep.equal([true, true, true, true, false]);
  });

  it('a non-vCPU event is on or off for everyone', function () {
    const s = TraceState.create(events);
    s.setDynamic(FOO, true);
    expect([s.isEnabled(FOO), s.isEnabled(FOO, 0), s.isEnabled(FOO, 15)]).to.deep.equal([true, true, true]);
    s.setDynamic(FOO, false);
    expect(s.isEnabled(FOO, 3)).to.equal(false);
  });

  it('the global setter of a vCPU event sets every vCPU; the per-vCPU setter one vCPU', function () {
    const s = TraceState.create(events);
    s.setDynamic(BAR, true);
    for (let cpu = 0; cpu < MAX_VCPUS; cpu++) expect(s.isEnabled(BAR, cpu)).to.equal(true);
    s.setVcpuDynamic(BAR, 1, false);
    expect([s.isEnabled(BAR, 0), s.isEnabled(BAR, 1), s.isEnabled(BAR, 2)]).to.deep.equal([true, false, true]);
    expect(s.vcpuDynamicState(BAR, 1)).to.equal(false);
    expect(s.dynamicState(BAR)).to.equal(true);
    s.setDynamic(BAR, false);
    s.setVcpuDynamic(BAR, 2, true);
    expect([s.isEnabled(BAR, 1), s.isEnabled(BAR, 2), s.dynamicState(BAR)]).to.deep.equal([false, true, true]);
  });

  it('refuses what QEMU asserts against: disabled events, per-vCPU state of non-vCPU events, bad vCPU indexes', function () {
    const s = TraceState.create(events);
    expect(reasonOf(() => s.setDynamic(OFF, true))).to.equal('not-traceable');
    expect(reasonOf(() => s.setVcpuDynamic(OFF, 0, true))).to.equal('not-traceable');
    expect(reasonOf(() => s.setVcpuDynamic(FOO, 0, true))).to.equal('not-vcpu');
    expect(reasonOf(() => s.setVcpuDynamic(BAR, MAX_VCPUS, true))).to.equal('bad-vcpu');
    expect(reasonOf(() => s.setVcpuDynamic(BAR, -1, true))).to.equal('bad-vcpu');
    expect(reasonOf(() => s.setDynamic(99, true))).to.equal('bad-event');
    expect(s.isEnabled(OFF, 0)).to.equal(false);
  });

  it('bumps generation() on each real change and tcgStateGeneration() only for tcg levels', function () {
    const s = TraceState.create(events);
    const g0 = s.generation();
    s.setDynamic(FOO, true);
    s.setDynamic(FOO, true); // no change
    expect(s.generation()).to.equal(g0 + 1);
    expect(s.tcgStateGeneration()).to.equal(0);
    s.setVcpuDynamic(BAZ_EXEC, 3, true);
    s.setVcpuDynamic(BAZ_EXEC, 3, true); // no change
    expect([s.generation(), s.tcgStateGeneration()]).to.deep.equal([g0 + 2, 1]);
    s.setDynamic(BAZ_TRANS, true);
    expect([s.generation(), s.tcgStateGeneration()]).to.deep.equal([g0 + 3, 2]);
  });

  it('tcgStateKey(cpu) has one bit per tcg level that fires on that vCPU', function () {
    const s = TraceState.create(events);
    s.setVcpuDynamic(BAZ_EXEC, 2, true);
    s.setDynamic(BAZ_TRANS, true);
    expect([s.tcgStateKey(0), s.tcgStateKey(2)]).to.deep.equal([0b01, 0b11]);
  });

  describe('vCPU hot-plug (trace_init_vcpu / trace_fini_vcpu)', function () {
    it('a vCPU created after -trace has the event; later ones inherit from the present vCPUs', function () {
      const s = TraceState.create(events);
      s.setDynamic(BAR, true); // -trace bar, before any vCPU exists
      s.vcpuInit(0);
      s.vcpuInit(1);
      expect([s.isEnabled(BAR, 0), s.isEnabled(BAR, 1)]).to.deep.equal([true, true]);
      s.setVcpuDynamic(BAR, 0, false);
      s.setVcpuDynamic(BAR, 1, false);
      // QEMU's dstate counter is 0 now: disabled, and a new vCPU does not get it.
      expect(s.dynamicState(BAR)).to.equal(false);
      s.vcpuInit(2);
      expect(s.isEnabled(BAR, 2)).to.equal(false);
      s.setVcpuDynamic(BAR, 0, true);
      s.vcpuInit(3);
      expect([s.isEnabled(BAR, 3), s.dynamicState(BAR)]).to.deep.equal([true, true]);
      expect(s.presentVcpus()).to.equal(0b1111);
    });

    it('a removed vCPU loses its per-vCPU states', function () {
      const s = TraceState.create(events);
      s.vcpuInit(0);
      s.vcpuInit(1);
      s.setVcpuDynamic(BAR, 1, true);
      s.vcpuFini(1);
      expect([s.isEnabled(BAR, 1), s.dynamicState(BAR), s.presentVcpus()]).to.deep.equal([false, false, 0b1]);
    });
  });

  it('attach() refuses a buffer made for another catalog', function () {
    const s = TraceState.create(events);
    expect(reasonOf(() => TraceState.attach(s.buffer))).to.equal('bad-buffer');
    expect(reasonOf(() => TraceState.attach(new SharedArrayBuffer(64), events))).to.equal('bad-buffer');
  });

  it('is shared with worker threads through the SharedArrayBuffer, both ways', async function () {
    const s = TraceState.create();
    s.setDynamic(EventId.tb_flush, true);
    const stateUrl = new URL('../../src/trace/state.js', import.meta.url).href;
    const code = `
      const { parentPort, workerData } = require('node:worker_threads');
      import(${JSON.stringify(stateUrl)}).then(({ TraceState }) => {
        const s = TraceState.attach(workerData);
        const seen = s.isEnabled(${EventId.tb_flush}) && !s.isEnabled(${EventId.guest_mem_before_exec}, 5);
        s.setVcpuDynamic(${EventId.guest_mem_before_exec}, 5, true);
        parentPort.postMessage(seen);
      });`;
    const seen = await new Promise<unknown>((resolve, reject) => {
      const w = new Worker(code, { eval: true, workerData: s.buffer });
      w.once('message', resolve);
      w.once('error', reject);
    });
    expect(seen).to.equal(true);
    expect([s.isEnabled(EventId.guest_mem_before_exec, 5), s.isEnabled(EventId.guest_mem_before_exec, 4)]).to.deep.equal([true, false]);
    expect(s.tcgStateGeneration()).to.equal(1);
    expect(EVENTS[EventId.guest_mem_before_exec].level).to.equal('exec');
  });
});
