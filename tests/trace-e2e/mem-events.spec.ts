/**
 * guest_mem_before end to end: guests/memops.S at -smp 2 makes, on each hart,
 * a known sequence of 27 accesses (sizes 1/2/4/8, signed and unsigned loads,
 * AMOs, LR/SC, FP and compressed loads/stores) on its own 256-byte block.
 *
 * - `-trace guest_mem_before_exec -D F`: each vCPU's lines are exactly the
 *   expected (vaddr, info) sequence, in program order; in fact a vCPU's whole
 *   trace is deterministic (reset vector, sequence, one final store).
 * - `-trace guest_mem_before_trans`: the translation-level lines carry the
 *   same info bytes (no address: it is only known when the code runs).
 * - the `simple` backend (`-trace ...,file=F`, printed by tsemu-simpletrace)
 *   agrees record for record with the log backend.
 *
 * The info byte follows trace-events: bits 0-1 size shift, bit 2 sign
 * extension, bit 4 store; what LR/SC/AMO/FP accesses report is documented in
 * README.md.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { runTsemu, virtKernelArgs, type GuestRunResult } from '../support/run-guest.js';
import { elfSymbols, symbol } from '../support/elf-symbols.js';
import { makeTempDir } from '../support/tools.js';
import {
  CLINT_MSIP0, FINISHER_ADDR, RESET_VECTOR_LOADS, SIMPLETRACE, TRACE_GUESTS, describeAccesses, describeRun, hex, linesOf,
  memExecAccesses, memInfo, ofCpu, runPooled, traceRecords, type MemAccess,
} from '../instr/helpers.js';

const ELF = join(TRACE_GUESTS, 'memops.elf');
const HARTS = 2;
const BLOCK = 256n;

interface Access { what: string; offset: bigint; size: 1 | 2 | 4 | 8; signExtend: boolean; store: boolean }
const acc = (what: string, offset: number, size: 1 | 2 | 4 | 8, signExtend: boolean, store: boolean): Access =>
  ({ what, offset: BigInt(offset), size, signExtend, store });

/**
 * memops.S's sequence. The sign bit is QEMU's MO_SIGN for the memory
 * operation its RISC-V front end uses (trans_rvi/rva/rvf/rvd.c.inc: lb/lh/lw
 * and the .w atomics MO_TES*, ld and the .d atomics MO_TEUQ, FP MO_TEU*),
 * and 0 for plain stores (they extend nothing); see README.md.
 */
const SEQUENCE: readonly Access[] = [
  acc('sb', 0, 1, false, true), acc('sh', 2, 2, false, true), acc('sw', 4, 4, false, true), acc('sd', 8, 8, false, true),
  acc('lb', 0, 1, true, false), acc('lbu', 0, 1, false, false), acc('lh', 2, 2, true, false), acc('lhu', 2, 2, false, false),
  acc('lw', 4, 4, true, false), acc('lwu', 4, 4, false, false), acc('ld', 8, 8, false, false),
  acc('amoadd.w', 16, 4, true, true), acc('amoadd.d', 24, 8, false, true),
  acc('lr.w', 32, 4, true, false), acc('sc.w', 32, 4, true, true), acc('lr.d', 40, 8, false, false), acc('sc.d', 40, 8, false, true),
  acc('fsw', 48, 4, false, true), acc('fsd', 56, 8, false, true), acc('flw', 48, 4, false, false), acc('fld', 56, 8, false, false),
  acc('c.sw', 64, 4, false, true), acc('c.sd', 72, 8, false, true), acc('c.lw', 64, 4, true, false), acc('c.ld', 72, 8, false, false),
  acc('c.fsd', 80, 8, false, true), acc('c.fld', 80, 8, false, false),
];

const infoOf = (a: Access): number => memInfo(a.size, a);

/** Everything vCPU `hart` accesses, in order: reset vector, the sequence, then its last store. */
function expectedTrace(region: bigint, hart: number): { vaddr: bigint; info: number }[] {
  const base = region + BigInt(hart) * BLOCK;
  const resetLoads = RESET_VECTOR_LOADS.map((vaddr) => ({ vaddr, info: memInfo(8, { signExtend: false, store: false }) }));
  const last = { vaddr: hart === 0 ? FINISHER_ADDR : CLINT_MSIP0, info: memInfo(4, { signExtend: false, store: true }) };
  return [...resetLoads, ...SEQUENCE.map((a) => ({ vaddr: base + a.offset, info: infoOf(a) })), last];
}

describe('trace-e2e: guest_mem_before on a guest with known accesses (-smp 2)', function () {
  let dir = '';
  let region = 0n;
  let execRun: GuestRunResult;
  let transRun: GuestRunResult;
  let simpleRun: GuestRunResult;
  let execLog = '';
  let transLog = '';
  let simpleText = '';
  let simpleStatus: number | null = null;

  before(async function () {
    this.timeout(120_000);
    region = symbol(elfSymbols(ELF), 'region');
    dir = makeTempDir('trace-mem');
    const simpleFile = join(dir, 'trace.simple');
    const run = (args: string[]): Promise<GuestRunResult> => runTsemu(virtKernelArgs(ELF, ['-smp', String(HARTS), ...args]), { timeoutMs: 60_000 });
    [execRun, transRun, simpleRun] = await runPooled([
      () => run(['-trace', 'guest_mem_before_exec', '-D', join(dir, 'exec.log')]),
      () => run(['-trace', 'guest_mem_before_trans', '-D', join(dir, 'trans.log')]),
      () => run(['-trace', `guest_mem_before_exec,file=${simpleFile}`]),
    ]);
    execLog = readFileSync(join(dir, 'exec.log'), 'utf8');
    transLog = readFileSync(join(dir, 'trans.log'), 'utf8');
    const printed = spawnSync(process.execPath, [SIMPLETRACE, simpleFile], { encoding: 'utf8', timeout: 60_000 });
    simpleText = printed.stdout;
    simpleStatus = printed.status;
  });

  after(function () {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('runs the guest to its end (status 0) with each kind of tracing', function () {
    for (const r of [execRun, transRun, simpleRun]) {
      expect(r.status, describeRun(r)).to.equal(0);
      expect(r.stderr, describeRun(r)).to.equal('');
    }
  });

  it("execution level: each vCPU's accesses to its block are exactly the sequence, in order, with the right vaddr and info", function () {
    const accesses = memExecAccesses(execLog);
    for (let hart = 0; hart < HARTS; hart++) {
      const base = region + BigInt(hart) * BLOCK;
      const mine = ofCpu(accesses, hart).filter((a) => a.vaddr >= base && a.vaddr < base + BLOCK);
      const expected = SEQUENCE.map((a) => ({ vaddr: base + a.offset, info: infoOf(a) }));
      expect(describeAccesses(mine), `vCPU ${hart}`).to.deep.equal(describeAccesses(expected));
    }
  });

  it("execution level: each vCPU's whole trace is deterministic (reset vector, sequence, its final store) and no other vCPU appears", function () {
    const accesses = memExecAccesses(execLog);
    expect(accesses.every((a) => a.cpu >= 0 && a.cpu < HARTS)).to.equal(true);
    // addresses only, here: the info bytes are the previous test's subject
    const addresses = (list: readonly { vaddr: bigint }[]): string[] => list.map((a) => hex(a.vaddr));
    for (let hart = 0; hart < HARTS; hart++) {
      expect(addresses(ofCpu(accesses, hart)), `vCPU ${hart}`).to.deep.equal(addresses(expectedTrace(region, hart)));
    }
  });

  it('translation level: the info bytes of the sequence, in order, for one translating vCPU; no execution-level lines', function () {
    expect(traceRecords(transLog, 'guest_mem_before_exec')).to.deep.equal([]);
    const trans = traceRecords(transLog, 'guest_mem_before_trans');
    expect(trans.every((r) => r.fields.vaddr === undefined && r.cpu !== undefined && r.cpu < HARTS)).to.equal(true);
    const infos = trans.map((r) => Number(r.fields.info));
    const wanted = SEQUENCE.map(infoOf);
    const starts: number[] = [];
    for (let i = 0; i + wanted.length <= infos.length; i++) {
      if (wanted.every((w, k) => infos[i + k] === w)) starts.push(i);
    }
    // translated at least once (by whichever hart got there first); every copy comes from one translation
    expect(starts.length, `info sequence ${wanted.join(',')} not found in ${infos.join(',')}`).to.be.at.least(1);
    for (const s of starts) {
      const cpus = new Set(trans.slice(s, s + wanted.length).map((r) => r.cpu));
      expect(cpus.size).to.equal(1);
    }
  });

  it('the simple backend agrees with the log backend, record for record', function () {
    expect(simpleStatus).to.equal(0);
    const simple = memExecAccesses(simpleText);
    const log = memExecAccesses(execLog);
    expect(linesOf(simpleText).length, 'records').to.equal(linesOf(execLog).length);
    // vCPUs write their records concurrently: compare each vCPU's records in order, then the whole multiset
    for (let hart = 0; hart < HARTS; hart++) {
      expect(describeAccesses(ofCpu(simple, hart)), `vCPU ${hart}`).to.deep.equal(describeAccesses(ofCpu(log, hart)));
    }
    const key = (a: MemAccess): string => `${a.cpu} ${a.vaddr} ${a.info}`;
    expect(simple.map(key).sort()).to.deep.equal(log.map(key).sort());
  });
});
