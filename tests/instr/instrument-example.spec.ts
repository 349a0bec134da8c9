/**
 * The instrumentation document's example library (examples/instr/instrument.ts,
 * a line-by-line port of docs/instrumentation.txt's instrument.c) on the
 * bundled demo guest, exactly as the document runs it:
 *
 *   tsemu-system-riscv64 -smp 4 -nographic -kernel examples/guest/demo.elf \
 *       -instr file=examples/instr/instrument.ts,arg=foo,arg=bar
 *
 * Expected behaviour, from the document and src/instr/README.md:
 * - qi_init prints `init!`, ` argc :: 2`, ` -> foo`, ` -> bar` once (only the
 *   main-thread instance's output is shown), before the guest prints anything;
 * - qi_fini prints `fini!` on stderr once, after everything else;
 * - the translation callback traces every access but generates execution-level
 *   code for stores only, so every guest_mem_before_exec line is a store
 *   (info bit 4), and each hart's stores into the demo's `rows[hart]` and
 *   `done_count` are exactly the ones examples/guest/demo.c documents;
 * - guest_cpu_enter: each vCPU's instance receives its own enter, its first
 *   call, so all four are traced and the "disable after the first call"
 *   branch is never taken (src/instr/README.md).
 *
 * The disabling branch itself runs when one instance receives several enters:
 * with `-accel tcg,thread=single` one worker (one instance) runs every vCPU
 * (second describe, on the small guests/count.elf).
 */
import { expect } from 'chai';
import { join } from 'node:path';
import { runTsemu, virtKernelArgs, type GuestRunResult } from '../support/run-guest.js';
import { elfSymbols, symbol } from '../support/elf-symbols.js';
import {
  DEMO_ELF, EXAMPLES, INSTR_GUESTS, describeAccesses, describeRun, linesOf, memExecAccesses, memInfo, ofCpu, traceRecords,
  type MemAccess, type TraceRecord,
} from './helpers.js';

const HARTS = 4;
/** Layout of `struct row` in demo.c: d[8] at 0, w at 64, h at 68, b at 70; aligned(64) -> 128 bytes. */
const ROW_BYTES = 128n;
const INIT_LINES = ['init!', ' argc :: 2', ' -> foo', ' -> bar'];

describe('instr: the document example (instrument.ts) on the demo guest, -smp 4', function () {
  let run: GuestRunResult;
  let rows = 0n;
  let doneCount = 0n;
  /** stderr parsed once (it holds close to a million lines). */
  let stores: MemAccess[] = [];
  let trans: TraceRecord[] = [];
  let enters: TraceRecord[] = [];

  before(async function () {
    this.timeout(180_000);
    const symbols = elfSymbols(DEMO_ELF);
    rows = symbol(symbols, 'rows');
    doneCount = symbol(symbols, 'done_count');
    run = await runTsemu(
      ['-smp', String(HARTS), '-nographic', '-kernel', DEMO_ELF, '-instr', `file=${join(EXAMPLES, 'instrument.ts')},arg=foo,arg=bar`],
      { timeoutMs: 170_000 },
    );
    stores = memExecAccesses(run.stderr);
    trans = traceRecords(run.stderr, 'guest_mem_before_trans');
    enters = traceRecords(run.stderr, 'guest_cpu_enter');
  });

  it('runs the guest to its end and exits with status 0', function () {
    expect(run.timedOut, describeRun(run)).to.equal(false);
    expect(run.status, describeRun(run)).to.equal(0);
    expect(run.stdout).to.include(`demo: ${HARTS} of ${HARTS} harts stored their rows`);
  });

  it('prints the init lines exactly once on stdout, before any guest output', function () {
    const out = linesOf(run.stdout.replace(/\r/g, ''));
    expect(out.slice(0, INIT_LINES.length)).to.deep.equal(INIT_LINES);
    for (const line of INIT_LINES) expect(out.filter((l) => l === line), line).to.have.lengthOf(1);
  });

  it('prints `fini!` exactly once, as the last line on stderr', function () {
    const err = linesOf(run.stderr);
    expect(err.filter((l) => l === 'fini!')).to.have.lengthOf(1);
    expect(err[err.length - 1]).to.equal('fini!');
  });

  it('traces stores only at execution level (info bit 4 set on every guest_mem_before_exec line)', function () {
    expect(stores.length).to.be.greaterThan(0);
    const loads = stores.filter((a) => (a.info & 16) === 0);
    expect(describeAccesses(loads.slice(0, 5)), 'loads traced at execution level').to.deep.equal([]);
  });

  it('traces loads and stores at translation level, for the vCPU that translated them', function () {
    const infos = new Set(trans.map((r) => Number(r.fields.info)));
    expect([...infos].some((i) => (i & 16) === 0), 'some load').to.equal(true);
    expect([...infos].some((i) => (i & 16) !== 0), 'some store').to.equal(true);
    for (const r of trans) expect(r.cpu).to.be.within(0, HARTS - 1);
  });

  it("gives each vCPU exactly demo.c's documented stores into its row and done_count, at the right addresses", function () {
    const inDemoData = (a: MemAccess): boolean =>
      (a.vaddr >= rows && a.vaddr < rows + 8n * ROW_BYTES) || (a.vaddr >= doneCount && a.vaddr < doneCount + 4n);
    const accesses = stores.filter(inDemoData);
    for (let hart = 0; hart < HARTS; hart++) {
      const row = rows + BigInt(hart) * ROW_BYTES;
      const mine = ofCpu(accesses, hart);
      const got = describeAccesses(mine);
      // rows[hart].d[i] = ... for i in 0..7: eight 8-byte stores, in order
      const doubles = Array.from({ length: 8 }, (_, i) => ({ vaddr: row + 8n * BigInt(i), info: memInfo(8, { signExtend: false, store: true }) }));
      // w, h, b: one 4-, 2- and 1-byte store (the compiler may order these three freely)
      const scalars = [
        { vaddr: row + 64n, info: memInfo(4, { signExtend: false, store: true }) },
        { vaddr: row + 68n, info: memInfo(2, { signExtend: false, store: true }) },
        { vaddr: row + 70n, info: memInfo(1, { signExtend: false, store: true }) },
      ];
      // __atomic_fetch_add(&done_count, 1): amoadd.w, reported as a sign-extending 4-byte store
      const amo = { vaddr: doneCount, info: memInfo(4, { signExtend: true, store: true }) };
      expect(got, `vCPU ${hart}: ${got.join(', ')}`).to.have.lengthOf(12);
      expect(got.slice(0, 8), `vCPU ${hart} d[]`).to.deep.equal(describeAccesses(doubles));
      expect([...got.slice(8, 11)].sort(), `vCPU ${hart} w/h/b`).to.deep.equal(describeAccesses(scalars).sort());
      expect(got[11], `vCPU ${hart} AMO`).to.equal(describeAccesses([amo])[0]);
    }
    expect(accesses.every((a) => a.cpu >= 0 && a.cpu < HARTS)).to.equal(true);
  });

  it('traces guest_cpu_enter once for each of the 4 vCPUs (each instance sees only its first call)', function () {
    expect(enters.map((r) => r.cpu).sort()).to.deep.equal([0, 1, 2, 3]);
  });
});

describe('instr: the document example\'s "disable after the first call", one instance for every vCPU', function () {
  let run: GuestRunResult;

  before(async function () {
    this.timeout(60_000);
    // -accel tcg,thread=single: one worker runs the 4 vCPUs, so one instance receives all four enters
    run = await runTsemu(
      virtKernelArgs(join(INSTR_GUESTS, 'count.elf'), ['-smp', '4', '-accel', 'tcg,thread=single', '-instr', `file=${join(EXAMPLES, 'instrument.ts')},arg=x`]),
      { timeoutMs: 50_000 },
    );
  });

  it('traces the first two enters (the second call traces, then disables) and no more', function () {
    expect(run.status, describeRun(run)).to.equal(0);
    // vCPUs enter in index order; call 1 sets `found`, call 2 traces and then resets the callback and
    // disables the event (shared state), so calls 3 and 4 are neither delivered nor traced
    expect(traceRecords(run.stderr, 'guest_cpu_enter').map((r) => r.cpu)).to.deep.equal([0, 1]);
  });
});
