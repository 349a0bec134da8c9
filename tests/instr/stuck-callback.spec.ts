/**
 * A library callback that never returns, in a vCPU worker (libs/exec-stuck.ts: an exec callback
 * in `for (;;)`), on the spinning guest with an HMP monitor on a unix socket: `info instr` names
 * the library, the event, the vCPU and how long it has run; `quit` ends the process with one line
 * naming the stuck callback; SIGINT, SIGTERM and SIGHUP end it too (status 0, as QEMU on a signal).
 */
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { expect } from 'chai';
import { repoRoot } from '../support/run-guest.js';
import { makeTempDir } from '../support/tools.js';
import { INSTR_LIBS, startUntil } from './helpers.js';

const LIB = join(INSTR_LIBS, 'exec-stuck.ts');
const SPIN = join(repoRoot(), 'tests/monitor-e2e/guests/bin/spin.elf');

interface Stuck { child: ChildProcess; stdout: () => string; stderr: () => string; hmp: string; dir: string }

/** Start the guest with the library and wait until its callback is in its loop. */
async function startStuck(): Promise<Stuck> {
  const dir = makeTempDir('stuck-cb');
  const hmp = join(dir, 'hmp.sock');
  const run = await startUntil(['-M', 'virt', '-bios', 'none', '-display', 'none', '-serial', 'null',
    '-kernel', SPIN, '-instr', `file=${LIB}`, '-monitor', `unix:${hmp},server,nowait`], 'exec-stuck: vCPU 0 spinning');
  return { ...run, hmp, dir };
}

/** Send HMP lines; resolves with everything the monitor wrote once `until` matches it. */
function hmp(path: string, lines: string, until: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = createConnection({ path });
    let text = '';
    const timer = setTimeout(() => { s.destroy(); reject(new Error(`no ${String(until)} from the monitor; got ${JSON.stringify(text)}`)); }, 20_000);
    s.setEncoding('utf8');
    s.on('data', (d: string) => {
      text += d;
      if (until.test(text.replace(/\r/g, ''))) { clearTimeout(timer); s.destroy(); resolve(text.replace(/\r/g, '')); }
    });
    s.on('close', () => { clearTimeout(timer); resolve(text.replace(/\r/g, '')); });
    s.on('error', reject);
    s.write(lines);
  });
}

async function exitOf(child: ChildProcess, ms: number): Promise<number | string> {
  if (child.exitCode !== null) return child.exitCode;
  const killer = setTimeout(() => child.kill('SIGKILL'), ms);
  const [code, signal] = (await once(child, 'exit')) as [number | null, string | null];
  clearTimeout(killer);
  return code ?? signal ?? 'none';
}

const STUCK_LINE = new RegExp(`^tsemu-system-riscv64: instrumentation library 0 \\(${LIB.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\): guest_mem_before_exec callback on vCPU 0 did not return \\(running for [\\d.]+ s\\); its thread is terminated$`);

describe('instr: a callback stuck in a vCPU worker', function () {
  this.timeout(120_000);

  it('info instr shows it (library, event, vCPU, how long); quit ends the run with one line naming it', async function () {
    const s = await startStuck();
    try {
      await new Promise((r) => setTimeout(r, 1500)); // "how long" counts from the monitor's first sample
      const info = await hmp(s.hmp, 'info instr\n', /running for [\d.]+ s\n/);
      expect(info).to.match(new RegExp(`\\n0: ${LIB.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\n  instrumentation library 0 \\(.*exec-stuck\\.ts\\): guest_mem_before_exec callback on vCPU 0 in the worker of vCPU 0, running for [\\d.]+ s\\n`));
      const seconds = Number(/running for ([\d.]+) s/.exec(info)?.[1]);
      expect(seconds).to.be.at.least(1);
      void hmp(s.hmp, 'quit\n', /$^/).catch(() => undefined);
      expect(await exitOf(s.child, 30_000)).to.equal(0);
      const lines = s.stderr().split('\n').filter((l) => l !== '');
      expect(lines, s.stderr()).to.have.lengthOf(1);
      expect(lines[0]).to.match(STUCK_LINE);
    } finally {
      s.child.kill('SIGKILL');
      rmSync(s.dir, { recursive: true, force: true });
    }
  });

  for (const [signal, number] of [['SIGINT', 2], ['SIGTERM', 15], ['SIGHUP', 1]] as const) {
    it(`${signal} ends the run: the signal line, then the stuck callback's line, status 0`, async function () {
      const s = await startStuck();
      try {
        s.child.kill(signal);
        expect(await exitOf(s.child, 30_000)).to.equal(0);
        const lines = s.stderr().split('\n').filter((l) => l !== '');
        expect(lines[0]).to.equal(`tsemu-system-riscv64: terminating on signal ${number}`);
        expect(lines.slice(1), s.stderr()).to.have.lengthOf(1);
        expect(lines[1]).to.match(STUCK_LINE);
      } finally {
        s.child.kill('SIGKILL');
        rmSync(s.dir, { recursive: true, force: true });
      }
    });
  }
});
