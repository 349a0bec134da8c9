/**
 * Translation and execution levels get different vCPUs (the document's
 * `cpu=0xc1` translates, `cpu=0xc2` executes): guests/xcpu.S has hart 1
 * call F first — so F is translated at hart 1's request and finishes running
 * before hart 1 raises flag1 — and hart 2 call F afterwards, reusing the
 * translation (a cache hit: no second translation). libs/cross-vcpu.ts
 * prints the vCPU each callback receives for F's block (guest_bbl_before)
 * and F's two accesses (guest_mem_before: `lw` then `sw` of the argument).
 */
import { expect } from 'chai';
import { join } from 'node:path';
import { runTsemu, virtKernelArgs, type GuestRunResult } from '../support/run-guest.js';
import { elfSymbols, symbol } from '../support/elf-symbols.js';
import { INSTR_GUESTS, INSTR_LIBS, describeRun, hex, linesOf, memInfo } from './helpers.js';

const ELF = join(INSTR_GUESTS, 'xcpu.elf');

describe('instr: vCPU 1 translates, vCPU 2 executes the same translation', function () {
  let run: GuestRunResult;
  let F = 0n;
  let out1 = 0n;
  let out2 = 0n;
  /** `cross-vcpu: <what> ...` lines, prefix removed. */
  let reports: string[] = [];

  before(async function () {
    this.timeout(60_000);
    const symbols = elfSymbols(ELF);
    F = symbol(symbols, 'F');
    out1 = symbol(symbols, 'out1');
    out2 = symbol(symbols, 'out2');
    run = await runTsemu(virtKernelArgs(ELF, ['-smp', '3', '-instr', `file=${join(INSTR_LIBS, 'cross-vcpu.ts')},arg=${hex(F)}`]), { timeoutMs: 50_000 });
    reports = linesOf(run.stdout).filter((l) => l.startsWith('cross-vcpu: ')).map((l) => l.slice('cross-vcpu: '.length));
  });

  it('runs the guest to its end (status 0)', function () {
    expect(run.status, describeRun(run)).to.equal(0);
    expect(run.stderr, describeRun(run)).to.equal('');
  });

  const LW = memInfo(4, { signExtend: true, store: false });
  const SW = memInfo(4, { signExtend: false, store: true });

  it("translates F once, with the translating vCPU (1) at block and memory-access level", function () {
    const trans = reports.filter((l) => l.includes('_trans '));
    expect(trans).to.deep.equal([
      `bbl_trans cpu=1 vaddr=${hex(F)}`,
      `mem_trans cpu=1 info=${LW}`,
      `mem_trans cpu=1 info=${SW}`,
    ]);
  });

  it('executes F on vCPU 1 and then on vCPU 2, each with its own vCPU and its own data address', function () {
    const exec = reports.filter((l) => l.includes('_exec '));
    expect(exec).to.deep.equal([
      `bbl_exec cpu=1 vaddr=${hex(F)}`,
      `mem_exec cpu=1 vaddr=${hex(out1)} info=${LW}`,
      `mem_exec cpu=1 vaddr=${hex(out1)} info=${SW}`,
      `bbl_exec cpu=2 vaddr=${hex(F)}`,
      `mem_exec cpu=2 vaddr=${hex(out2)} info=${LW}`,
      `mem_exec cpu=2 vaddr=${hex(out2)} info=${SW}`,
    ]);
  });
});
