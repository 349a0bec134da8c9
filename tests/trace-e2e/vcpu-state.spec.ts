/**
 * Per-vCPU and run-time event state, end to end, driven through the
 * instrumentation API (guests/loop.S: each hart stores ITERATIONS x
 * (sd, sw, sb) into its own 64-byte slot).
 *
 * 1. libs/only-vcpu2.ts enables guest_mem_before_exec for vCPU 2 alone with
 *    qi_trace_event_set_vcpu_state_dynamic(2, ...) and sets no callback: the
 *    default action traces vCPU 2's accesses, and no other cpu= appears.
 *    Called in qi_init, and (second variant) in vCPU 2's guest_cpu_enter.
 *
 * 2. libs/stop-after.ts disables guest_mem_before_exec from its own exec
 *    callback after N events, while vCPU 0 is in the middle of a
 *    self-looping block. The bound: exactly N events reach the callback.
 *    The code of the running block still calls the event after the change
 *    (it is only retranslated once the block returns to the run loop — the
 *    "next block"), but each execution-level call checks the vCPU's state
 *    when it runs (src/instr/README.md, "Delivery"), so the rest of the
 *    current block delivers nothing: the "+ events of the current block" term
 *    of the general bound is 0 here. The retranslation itself shows in the
 *    log: the loop's block is requested again (translate_block) after the
 *    N-th event.
 */
import { join } from 'node:path';
import { expect } from 'chai';
import { runTsemu, virtKernelArgs, type GuestRunResult } from '../support/run-guest.js';
import { elfSymbols, symbol } from '../support/elf-symbols.js';
import {
  RESET_VECTOR_LOADS, TRACE_GUESTS, TRACE_LIBS, describeAccesses, describeRun, hex, linesOf, memExecAccesses, memInfo,
  parseTraceLine, runPooled,
} from '../instr/helpers.js';

const ITERATIONS = 1000; // guests/loop.S
const SLOT = 64n;
const STOP_AFTER = 10;

/** One iteration of loop.S: sd 0, sw 8, sb 12 of the hart's slot. */
function iterationStores(slot: bigint): { vaddr: bigint; info: number }[] {
  return [
    { vaddr: slot, info: memInfo(8, { signExtend: false, store: true }) },
    { vaddr: slot + 8n, info: memInfo(4, { signExtend: false, store: true }) },
    { vaddr: slot + 12n, info: memInfo(1, { signExtend: false, store: true }) },
  ];
}

/** The reset vector's loads; compared by address only (their info byte is mem-events.spec.ts's subject). */
const resetVectorLoads = (): { vaddr: bigint; info: number }[] => RESET_VECTOR_LOADS.map((vaddr) => ({ vaddr, info: -1 }));

describe('trace-e2e: per-vCPU state and changes while the guest runs', function () {
  let slots = 0n;
  let done = 0n;
  let loop = 0n;
  let singleSlots = 0n;
  let inInit: GuestRunResult;
  let onEnter: GuestRunResult;
  let stopAfter: GuestRunResult;

  before(async function () {
    this.timeout(120_000);
    const symbols = elfSymbols(join(TRACE_GUESTS, 'loop3.elf'));
    slots = symbol(symbols, 'slots');
    done = symbol(symbols, 'done');
    const single = elfSymbols(join(TRACE_GUESTS, 'loop.elf'));
    loop = symbol(single, 'loop');
    singleSlots = symbol(single, 'slots');
    const onlyVcpu2 = join(TRACE_LIBS, 'only-vcpu2.ts');
    [inInit, onEnter, stopAfter] = await runPooled([
      () => runTsemu(virtKernelArgs(join(TRACE_GUESTS, 'loop3.elf'), ['-smp', '3', '-instr', `file=${onlyVcpu2},arg=init`]), { timeoutMs: 60_000 }),
      () => runTsemu(virtKernelArgs(join(TRACE_GUESTS, 'loop3.elf'), ['-smp', '3', '-instr', `file=${onlyVcpu2},arg=on-enter`]), { timeoutMs: 60_000 }),
      // log backend and the library's lines both on stderr, so they interleave in time order
      () => runTsemu(virtKernelArgs(join(TRACE_GUESTS, 'loop.elf'), [
        '-instr', `file=${join(TRACE_LIBS, 'stop-after.ts')},arg=${STOP_AFTER}`, '-trace', 'translate_block',
      ]), { timeoutMs: 60_000 }),
    ]);
  });

  /** vCPU 2's complete access list: reset vector, ITERATIONS x 3 stores, the amoadd.w on `done`. */
  function expectedVcpu2(): { vaddr: bigint; info: number }[] {
    const slot = slots + 2n * SLOT;
    return [
      ...resetVectorLoads(),
      ...Array.from({ length: ITERATIONS }, () => iterationStores(slot)).flat(),
      { vaddr: done, info: memInfo(4, { signExtend: true, store: true }) },
    ];
  }

  /**
   * `told`: the library enabled the event in qi_init with no callback, so it is told once that
   * the default traces every occurrence (src/instr/README.md, "Told once"); that line, then the trace.
   */
  function expectOnlyVcpu2(r: GuestRunResult, told: boolean): void {
    expect(r.status, describeRun(r)).to.equal(0);
    const accesses = memExecAccesses(r.stderr);
    const others = accesses.filter((a) => a.cpu !== 2);
    expect(describeAccesses(others.slice(0, 5)), 'accesses of other vCPUs').to.deep.equal([]);
    const got = describeAccesses(accesses, RESET_VECTOR_LOADS);
    expect(got.length, 'vCPU 2 accesses').to.equal(expectedVcpu2().length);
    expect(got).to.deep.equal(describeAccesses(expectedVcpu2(), RESET_VECTOR_LOADS));
    const notes = linesOf(r.stderr).filter((l) => l.startsWith('tsemu-system-riscv64: '));
    expect(notes, describeRun(r)).to.have.length(told ? 1 : 0);
    if (told) expect(notes[0]).to.include("only-vcpu2.ts'): enables guest_mem_before_exec but sets no callback for it");
    expect(linesOf(r.stderr).length, 'nothing but the trace on stderr').to.equal(accesses.length + notes.length);
  }

  it('qi_trace_event_set_vcpu_state_dynamic(2, ...) in qi_init traces vCPU 2 only, every access of it', function () {
    expectOnlyVcpu2(inInit, true);
  });

  it("the same call in vCPU 2's guest_cpu_enter callback traces vCPU 2 only, every access of it", function () {
    expectOnlyVcpu2(onEnter, false);
  });

  describe(`disabling the event from its own exec callback after ${STOP_AFTER} events`, function () {
    let events: { k: number; vaddr: bigint; info: number; line: number }[] = [];
    let lines: string[] = [];

    before(function () {
      lines = linesOf(stopAfter.stderr);
      events = lines.flatMap((l, line) => {
        const m = /^stop-after: event (\d+) cpu=0 vaddr=(0x[0-9a-f]+) info=(\d+)$/.exec(l);
        return m ? [{ k: Number(m[1]), vaddr: BigInt(m[2]), info: Number(m[3]), line }] : [];
      });
    });

    it('lets the guest run to its end (status 0)', function () {
      expect(stopAfter.status, describeRun(stopAfter)).to.equal(0);
    });

    it(`delivers exactly ${STOP_AFTER} events: the first ${STOP_AFTER} accesses, in order`, function () {
      const expected = [...resetVectorLoads(), ...Array.from({ length: ITERATIONS }, () => iterationStores(singleSlots)).flat()].slice(0, STOP_AFTER);
      expect(events.map((e) => e.k)).to.deep.equal(Array.from({ length: STOP_AFTER }, (_, i) => i + 1));
      expect(describeAccesses(events, RESET_VECTOR_LOADS)).to.deep.equal(describeAccesses(expected, RESET_VECTOR_LOADS));
    });

    it('takes effect for the code at the next block: the running loop block is translated again after the change', function () {
      const last = events[events.length - 1];
      expect(last, stopAfter.stderr).to.not.equal(undefined);
      const requests = lines.slice(last.line + 1).map(parseTraceLine).filter((r) => r?.name === 'translate_block');
      expect(requests.map((r) => r?.fields.pc).filter((pc) => pc !== undefined && BigInt(pc) === loop), `loop at ${hex(loop)}`)
        .to.have.length.of.at.least(1);
    });
  });
});
