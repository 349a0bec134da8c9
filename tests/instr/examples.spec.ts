/**
 * The bundled example libraries (examples/instr/) against guests whose
 * behaviour is known:
 *
 * - guests/count.S, single hart, deterministic: the reset vector (6
 *   instructions, 2 loads) then HOT_ITERATIONS iterations of `sd; ld; addi;
 *   bnez` on `buf` and the finisher store. Its instruction count is measured
 *   on qemu-system-riscv64 (one instruction per TB, `-d exec,nochain`: one
 *   "Trace" line per executed instruction; the committed transcript
 *   tests/transcripts/instr/qemu-insn-count/count.json, measured live by
 *   examples.oracle.spec.ts); its loads and stores are counted from the
 *   listing.
 * - tests/trace-e2e/guests/loop3.elf at -smp 3: each hart stores 3 x
 *   ITERATIONS times into its slot and counts itself done with an AMO; hart 0
 *   then polls `done` (a guest-timing-dependent number of loads) and writes
 *   the finisher. (The demo guest's documented stores are checked with the
 *   document's example in instrument-example.spec.ts; booting it through
 *   OpenSBI with four spinning vCPUs costs far more than this guest.)
 *
 * Every example's own output goes to stdout; stderr must stay empty (the
 * guests print nothing there and the examples report nothing on stderr).
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { runTsemu, virtKernelArgs, type GuestRunResult } from '../support/run-guest.js';
import { elfSymbols, symbol } from '../support/elf-symbols.js';
import { makeTempDir } from '../support/tools.js';
import { DEMO_ELF, EXAMPLES, FINISHER_ADDR, TRACE_GUESTS, RESET_VECTOR_LOADS, describeRun, hex, linesOf, runPooled } from './helpers.js';
import { COUNT_ELF, qemuInstructionCount } from './qemu-count.js';
/** HOT_ITERATIONS in guests/count.S. */
const HOT_ITERATIONS = 1000;
/** guests/loop.S in tests/trace-e2e, built for 3 harts: ITERATIONS x (sd, sw, sb) per hart. */
const LOOP3_ELF = join(TRACE_GUESTS, 'loop3.elf');
const LOOP_HARTS = 3;
const LOOP_STORES = 3 * 1000;

function library(name: string, args: readonly string[] = []): string {
  return [`file=${join(EXAMPLES, `${name}.ts`)}`, ...args.map((a) => `arg=${a}`)].join(',');
}

function runCount(lib: string): Promise<GuestRunResult> {
  return runTsemu(virtKernelArgs(COUNT_ELF, ['-instr', lib]), { timeoutMs: 60_000 });
}

/** `prefix: cpu N: ...` lines by vCPU. */
function perCpu(stdout: string, re: RegExp): Map<number, RegExpExecArray> {
  const m = new Map<number, RegExpExecArray>();
  for (const line of linesOf(stdout)) {
    const r = re.exec(line);
    if (r) m.set(Number(r[1]), r);
  }
  return m;
}

function expectExitZero(r: GuestRunResult): void {
  expect(r.timedOut, describeRun(r)).to.equal(false);
  expect(r.status, describeRun(r)).to.equal(0);
}

/** Status 0 and nothing on stderr: no error from the library, no stray trace lines. */
function expectCleanRun(r: GuestRunResult): void {
  expectExitZero(r);
  expect(r.stderr, describeRun(r)).to.equal('');
}

describe('instr: the bundled examples on guests with known behaviour', function () {
  let dir = '';
  let buf = 0n;
  let hot = 0n;
  let insn1: GuestRunResult;
  let insn2: GuestRunResult;
  let ldst: GuestRunResult;
  let ldstSmp: GuestRunResult;
  let hotBlocks: GuestRunResult;
  let hotblocksPort: GuestRunResult;
  let memTrace: GuestRunResult;
  let memTraceStores: GuestRunResult;
  let memLog = '';
  let storesLog = '';

  before(async function () {
    this.timeout(240_000);
    dir = makeTempDir('instr-examples');
    const symbols = elfSymbols(COUNT_ELF);
    buf = symbol(symbols, 'buf');
    hot = symbol(symbols, 'hot');
    const memFile = join(dir, 'mem.log');
    const storesFile = join(dir, 'stores.log');
    [insn1, insn2, ldst, hotBlocks, memTrace, memTraceStores, ldstSmp, hotblocksPort] = await runPooled([
      () => runCount(library('insn-count')),
      () => runCount(library('insn-count')),
      () => runCount(library('ldst-count')),
      () => runCount(library('hot-blocks', ['3'])),
      () => runCount(library('mem-trace', [memFile])),
      () => runCount(library('mem-trace', [storesFile, 'stores'])),
      () => runTsemu(virtKernelArgs(LOOP3_ELF, ['-smp', String(LOOP_HARTS), '-instr', library('ldst-count')]), { timeoutMs: 60_000 }),
      // the port of QEMU's hotblocks.c (module state merged in qi_merge) beside hot-blocks.ts (shared
      // scoreboards, every block listed) in the same run: the same execution, counted twice
      () => runTsemu(['-smp', '4', '-nographic', '-kernel', DEMO_ELF, '-instr', library('hotblocks'), '-instr', library('hot-blocks', ['4096'])], { timeoutMs: 90_000 }),
    ]);
    memLog = readFileSync(memFile, 'utf8');
    storesLog = readFileSync(storesFile, 'utf8');
  });

  after(function () {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  describe('insn-count', function () {
    const CPU = /^insn-count: cpu (\d+): (\d+) instructions$/;
    const TOTAL = /^insn-count: total (\d+) instructions$/;

    function totals(r: GuestRunResult): { perCpuSum: number; total: number | undefined } {
      let sum = 0;
      for (const m of perCpu(r.stdout, CPU).values()) sum += Number(m[2]);
      const t = linesOf(r.stdout).map((l) => TOTAL.exec(l)).find((m) => m !== null);
      return { perCpuSum: sum, total: t ? Number(t[1]) : undefined };
    }

    it('runs cleanly (status 0, nothing on stderr)', function () {
      expectCleanRun(insn1);
      expectCleanRun(insn2);
    });

    it('prints a total equal to the sum of the per-vCPU lines', function () {
      expectExitZero(insn1);
      const { perCpuSum, total } = totals(insn1);
      expect(total, insn1.stdout).to.not.equal(undefined);
      expect(total).to.equal(perCpuSum);
      expect([...perCpu(insn1.stdout, CPU).keys()]).to.deep.equal([0]);
    });

    it('counts the same for two runs of a deterministic single-hart guest', function () {
      const a = totals(insn1);
      const b = totals(insn2);
      expect(a.perCpuSum).to.be.greaterThan(0);
      expect(b).to.deep.equal(a);
    });

    it('counts exactly the instructions QEMU executes for the same guest', function () {
      expect(totals(insn1).perCpuSum).to.equal(qemuInstructionCount(COUNT_ELF));
    });
  });

  describe('ldst-count', function () {
    const LOADS = HOT_ITERATIONS + RESET_VECTOR_LOADS.length;
    const STORES = HOT_ITERATIONS + 1; // and the finisher's
    it('runs cleanly (status 0, nothing on stderr)', function () {
      expectCleanRun(ldst);
      expectCleanRun(ldstSmp);
    });

    it('counts the single-hart guest exactly: every iteration loads and stores once, plus the reset vector and the finisher', function () {
      expectExitZero(ldst);
      expect(linesOf(ldst.stdout)).to.include(`ldst-count: cpu 0: loads ${LOADS} stores ${STORES}`);
    });

    it('prints the total line', function () {
      expectExitZero(ldst);
      expect(linesOf(ldst.stdout)).to.include(`ldst-count: total loads ${LOADS} stores ${STORES}`);
    });

    it('counts each vCPU of a 3-hart guest separately, and a total that is their sum', function () {
      expectExitZero(ldstSmp);
      const rows = perCpu(ldstSmp.stdout, /^ldst-count: cpu (\d+): loads (\d+) stores (\d+)$/);
      expect([...rows.keys()].sort(), ldstSmp.stdout).to.deep.equal([0, 1, 2]);
      let loads = 0n;
      let stores = 0n;
      for (const [cpu, m] of rows) {
        // its slot's stores and the amoadd.w on `done`; hart 0 also writes the finisher
        expect(Number(m[3]), `stores of vCPU ${cpu}`).to.equal(LOOP_STORES + 1 + (cpu === 0 ? 1 : 0));
        // the reset vector's loads; hart 0 also polls `done` at least once
        if (cpu === 0) expect(Number(m[2]), 'loads of vCPU 0').to.be.at.least(RESET_VECTOR_LOADS.length + 1);
        else expect(Number(m[2]), `loads of vCPU ${cpu}`).to.equal(RESET_VECTOR_LOADS.length);
        loads += BigInt(m[2]);
        stores += BigInt(m[3]);
      }
      expect(linesOf(ldstSmp.stdout)).to.include(`ldst-count: total loads ${loads} stores ${stores}`);
    });
  });

  describe('hot-blocks', function () {
    it('runs cleanly (status 0, nothing on stderr)', function () {
      expectCleanRun(hotBlocks);
    });

    it("puts the guest's hot loop first, with one count per iteration run as its own block", function () {
      expectExitZero(hotBlocks);
      const out = linesOf(hotBlocks.stdout);
      const header = out.findIndex((l) => /^hot-blocks: \d+ blocks, top 3:$/.test(l));
      expect(header, hotBlocks.stdout).to.be.at.least(0);
      const rows = out.slice(header + 1, header + 4).map((l) => /^ {2}0x([0-9a-f]{16}) {2}(\d+)$/.exec(l));
      expect(rows.every((r) => r !== null), hotBlocks.stdout).to.equal(true);
      const [top, ...rest] = rows as RegExpExecArray[];
      expect(BigInt(`0x${top[1]}`), 'top block').to.equal(hot);
      // The first iteration may run inside the block that falls into the loop
      // (tsemu chains basic blocks along not-taken branches), the others run
      // the loop's own block: HOT_ITERATIONS - 1 or HOT_ITERATIONS executions.
      expect(Number(top[2])).to.be.within(HOT_ITERATIONS - 1, HOT_ITERATIONS);
      for (const r of rest) expect(Number(r[2])).to.be.at.most(Number(top[2]));
    });
  });

  describe('hotblocks (the port of QEMU\'s contrib/plugins/hotblocks.c) at -smp 4 on the demo guest', function () {
    it('runs cleanly (status 0, nothing on stderr)', function () {
      expectCleanRun(hotblocksPort);
    });

    it('finds as many blocks as hot-blocks.ts, and each of its top 20 executed as often as hot-blocks.ts counted', function () {
      expectExitZero(hotblocksPort);
      const out = linesOf(hotblocksPort.stdout);
      const reference = new Map<bigint, bigint>();
      for (const l of out) {
        const m = /^ {2}0x([0-9a-f]{16}) {2}(\d+)$/.exec(l);
        if (m) reference.set(BigInt(`0x${m[1]}`), BigInt(m[2]));
      }
      const blocks = out.map((l) => /^hot-blocks: (\d+) blocks, top \d+:$/.exec(l)).find((m) => m !== null);
      expect(Number(blocks?.[1]), hotblocksPort.stdout).to.equal(reference.size).and.be.below(4096);
      expect(out, hotblocksPort.stdout).to.include(`collected ${reference.size} entries in the hash table`);
      const header = out.indexOf('pc, tcount, ecount');
      const rows = out.slice(header + 1, header + 21).map((l) => /^0x([0-9a-f]{16}), (\d+), (\d+)$/.exec(l));
      expect(header, hotblocksPort.stdout).to.be.at.least(0);
      expect(rows.every((r) => r !== null), hotblocksPort.stdout).to.equal(true);
      let previous = Infinity;
      for (const r of rows as RegExpExecArray[]) {
        const pc = BigInt(`0x${r[1]}`);
        expect(Number(r[2]), `translations of 0x${r[1]}`).to.be.at.least(1);
        expect(BigInt(r[3]), `executions of 0x${r[1]}`).to.equal(reference.get(pc));
        expect(Number(r[3])).to.be.at.most(previous); // most executed first
        previous = Number(r[3]);
      }
    });
  });

  describe('mem-trace', function () {
    const store = (size: number, vaddr: bigint): string => `cpu=0 store size=${size} vaddr=${hex(vaddr)}`;
    const load = (size: number, vaddr: bigint): string => `cpu=0 load size=${size} vaddr=${hex(vaddr)}`;

    it('runs cleanly (status 0, nothing on stderr)', function () {
      expectCleanRun(memTrace);
      expectCleanRun(memTraceStores);
    });

    it('writes every access of the single-hart guest, in program order, to its file', function () {
      expectExitZero(memTrace);
      const expected = [
        ...RESET_VECTOR_LOADS.map((a) => load(8, a)),
        ...Array.from({ length: HOT_ITERATIONS }, () => [store(8, buf), load(8, buf)]).flat(),
        store(4, FINISHER_ADDR),
      ];
      const got = linesOf(memLog);
      expect(got.length, 'lines').to.equal(expected.length);
      expect(got).to.deep.equal(expected);
    });

    it('with `stores`, writes only the stores', function () {
      expectExitZero(memTraceStores);
      const expected = [...Array.from({ length: HOT_ITERATIONS }, () => store(8, buf)), store(4, FINISHER_ADDR)];
      expect(linesOf(storesLog)).to.deep.equal(expected);
    });
  });
});
