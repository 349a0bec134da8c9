/**
 * Trace output is complete when the run is stopped by a signal while a library callback is stuck
 * in a vCPU worker (libs/stuck-on-vcpu.ts: vCPU 1 of -smp 2 loops for ever in its exec callback on
 * its 20001st store, on the spinning guest). The stuck worker cannot flush what it buffered; the
 * main thread writes it out before terminating it. The spin block holds two stores and the first
 * iteration runs in the block before it, so vCPU 1 must have exactly 10,000 guest_bbl_before_exec
 * records at `spin` in the -trace file (simple backend) and in the -D log (log backend).
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { repoRoot, tsemuScript } from '../support/run-guest.js';
import { elfSymbols, symbol } from '../support/elf-symbols.js';
import { makeTempDir, waitFor } from '../support/tools.js';
import { readSimpleTrace, type SimpleTraceEvent } from '../../src/trace/simpletrace-reader.js';
import { EVENTS } from '../../src/trace/generated/events.js';
import { INSTR_LIBS } from './helpers.js';

const LIB = join(INSTR_LIBS, 'stuck-on-vcpu.ts');
const SPIN = join(repoRoot(), 'tests/monitor-e2e/guests/bin/spin.elf');
const STUCK_AT_STORE = 20_001;
const SPIN_BLOCKS_BEFORE = (STUCK_AT_STORE - 1) / 2;

/** Run until vCPU 1's callback spins, send `signal`, and return stderr once the process has ended. */
async function runAndSignal(output: string[], signal: NodeJS.Signals): Promise<{ status: number | null; stderr: string }> {
  const child = spawn(process.execPath, [tsemuScript(), '-M', 'virt', '-smp', '2', '-bios', 'none', '-display', 'none', '-serial', 'null',
    '-kernel', SPIN, '-instr', `file=${LIB},arg=1,arg=${STUCK_AT_STORE}`, ...output], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => { out += d; });
  child.stderr.setEncoding('utf8').on('data', (d: string) => { err += d; });
  const killer = setTimeout(() => child.kill('SIGKILL'), 90_000);
  try {
    await waitFor('the callback to spin', () => out.includes('stuck-on-vcpu: vCPU 1 spinning') || child.exitCode !== null, 60_000, 20);
    expect(child.exitCode, err).to.equal(null);
    child.kill(signal);
    const [status] = (await once(child, 'exit')) as [number | null];
    return { status, stderr: err };
  } finally {
    clearTimeout(killer);
    child.kill('SIGKILL');
  }
}

describe('instr: trace output after a signal while a callback is stuck', function () {
  this.timeout(120_000);
  const spin = symbol(elfSymbols(SPIN), 'spin');

  it('SIGTERM: the -trace file (simple backend) holds every record of the stuck vCPU up to its stuck callback', async function () {
    const dir = makeTempDir('stuck-trace');
    try {
      const file = join(dir, 'trace');
      const r = await runAndSignal(['-trace', `enable=guest_bbl_before_exec,file=${file}`], 'SIGTERM');
      expect(r.status, r.stderr).to.equal(0);
      expect(r.stderr, r.stderr).to.match(/did not return .*its thread is terminated/);
      const records = readSimpleTrace(readFileSync(file), EVENTS).filter((x): x is SimpleTraceEvent => x.kind === 'event');
      const atSpin = (cpu: number): number => records.filter((x) => x.cpu === cpu && x.args[0] === spin).length;
      expect(atSpin(1), 'vCPU 1 records at spin').to.equal(SPIN_BLOCKS_BEFORE);
      expect(atSpin(0), `vCPU 0 kept running until the signal (${records.length} records)`).to.be.greaterThan(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('SIGINT: the -D log (log backend) holds every line of the stuck vCPU up to its stuck callback', async function () {
    const dir = makeTempDir('stuck-log');
    try {
      const file = join(dir, 'log');
      const r = await runAndSignal(['-d', 'trace:guest_bbl_before_exec', '-D', file], 'SIGINT');
      expect(r.status, r.stderr).to.equal(0);
      const want = `guest_bbl_before_exec cpu=0x1 vaddr=0x${spin.toString(16).padStart(16, '0')}`;
      const lines = readFileSync(file, 'utf8').split('\n');
      expect(lines.filter((l) => l === want).length, 'vCPU 1 lines at spin').to.equal(SPIN_BLOCKS_BEFORE);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
