/**
 * -icount (issue 18, point 4): with virtual time from executed instructions and sleep=off, a
 * single-vCPU guest that takes timer and software interrupts and waits in WFI
 * (tests/guest/bin/interrupts.elf) runs the same way every time: ten runs traced with
 * `-d exec,int` (every executed block, every trap) give byte-identical logs. (Without -icount
 * they differ from run to run: host time decides where the timer interrupts land.)
 *
 * The same with UART input fed from a file (stdin redirected): tests/vcpu/guest/uart-input.elf
 * reads it byte by byte and waits a number of timer ticks for each digit (spinning or in WFI), so
 * its path depends on the input; under -icount tsemu queues the whole file in the UART before the
 * first instruction (src/cli/console.ts preloadFileInput), so each byte is there at the same
 * instruction in every run.
 */
import { expect } from 'chai';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, runTsemu, virtKernelArgs } from '../support/run-guest.js';
import { makeTempDir } from '../support/tools.js';
import { UART_INPUT, UART_INPUT_TEXT } from './icount-recipes.js';

const GUEST = join(repoRoot(), 'tests/guest/bin/interrupts.elf');
const RUNS = 10;

async function traced(dir: string, name: string, extra: string[], guest = GUEST, stdinFile?: string): Promise<string> {
  const log = join(dir, `${name}.log`);
  const r = await runTsemu(virtKernelArgs(guest, [...extra, '-d', 'exec,int', '-D', log]), { timeoutMs: 60_000, stdinFile });
  expect(r.status, r.stderr).to.equal(0);
  expect(r.stdout).to.contain(guest === GUEST ? 'PASS interrupts' : 'PASS uart-input');
  return readFileSync(log, 'latin1');
}

describe('-icount shift=4,sleep=off: runs repeat instruction for instruction', function () {
  this.timeout(600_000);

  it(`${RUNS} runs of a guest with timer interrupts and WFI give byte-identical -d exec,int logs`, async function () {
    const dir = makeTempDir('icount');
    try {
      const first = await traced(dir, 'run0', ['-icount', 'shift=4,sleep=off']);
      expect(first).to.match(/desc=machine_timer/);
      expect(first.split('\n').filter((l) => l.startsWith('Trace ')).length).to.be.greaterThan(1000);
      for (let i = 1; i < RUNS; i++) {
        const again = await traced(dir, `run${i}`, ['-icount', 'shift=4,sleep=off']);
        expect(again === first, `run ${i} differs from run 0`).to.equal(true);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it(`${RUNS} runs of a guest reading UART input from a file, with timer interrupts, give byte-identical logs`, async function () {
    const dir = makeTempDir('icount-uart');
    try {
      const run = (i: number): Promise<string> => traced(dir, `uart${i}`, ['-icount', 'shift=4,sleep=off'], UART_INPUT, UART_INPUT_TEXT);
      const first = await run(0);
      expect(first.split('\n').filter((l) => l.includes('desc=machine_timer')).length).to.be.at.least(11); // 3 + 2 + 5 + 1 ticks waited
      for (let i = 1; i < RUNS; i++) {
        const again = await run(i);
        expect(again === first, `run ${i} differs from run 0`).to.equal(true);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
