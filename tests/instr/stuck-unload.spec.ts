/**
 * instr-unload of a library whose callback is stuck in a vCPU worker (libs/stuck-on-vcpu.ts: vCPU 1
 * of -smp 2 loops for ever in its exec callback): the worker is terminated and a new one takes the
 * hart over from its state area, at the start of the block the callback ran in, without the
 * library. `info instr` names the stuck callback before and nothing after; instr-unload answers
 * within a few seconds; the spinning guest's vCPU 1 counts on; on the demo kernel the unload
 * answers and quit ends the run (the guest finishing is a known defect: see that test).
 */
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { expect } from 'chai';
import { repoRoot } from '../support/run-guest.js';
import { makeTempDir, waitFor } from '../support/tools.js';
import { DEMO_ELF, INSTR_LIBS, startUntil } from './helpers.js';

const LIB = join(INSTR_LIBS, 'stuck-on-vcpu.ts');
const SPIN = join(repoRoot(), 'tests/monitor-e2e/guests/bin/spin.elf');
/** spin.S: hart 1's counter, incremented once per loop. */
const HART1_COUNTER = 0x80001040;

interface Run { child: ChildProcess; out: () => string; err: () => string; sock: string; dir: string }

async function startStuck(extra: string[]): Promise<Run> {
  const dir = makeTempDir('stuck-unload');
  const sock = join(dir, 'hmp.sock');
  const run = await startUntil(['-M', 'virt', '-smp', '2', ...extra, '-instr', `file=${LIB},arg=1,arg=3`, '-monitor', `unix:${sock},server,nowait`],
    'stuck-on-vcpu: vCPU 1 spinning');
  return { child: run.child, out: run.stdout, err: run.stderr, sock, dir };
}

/** One HMP command on a fresh connection: what the monitor printed between the command and the next prompt. */
function hmp(path: string, line: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = createConnection({ path });
    let text = '';
    let sent = false;
    const timer = setTimeout(() => { s.destroy(); reject(new Error(`no answer to ${line}: ${JSON.stringify(text)}`)); }, 20_000);
    s.setEncoding('utf8');
    s.on('data', (d: string) => {
      text += d.replace(/\r/g, '');
      if (!sent && text.endsWith('(qemu) ')) { sent = true; text = ''; s.write(`${line}\n`); return; }
      if (sent && text.endsWith('(qemu) ')) {
        clearTimeout(timer);
        s.destroy();
        resolve(text.slice(text.indexOf('\n') + 1, -'(qemu) '.length));
      }
    });
    s.on('error', reject);
  });
}

async function counter(sock: string): Promise<bigint> {
  const text = await hmp(sock, `xp /1gx 0x${HART1_COUNTER.toString(16)}`);
  const m = /: (0x[0-9a-f]+)/.exec(text);
  if (!m) throw new Error(`xp: ${text}`);
  return BigInt(m[1] ?? '0');
}

async function exitOf(child: ChildProcess, ms: number): Promise<number | string> {
  if (child.exitCode !== null) return child.exitCode;
  const killer = setTimeout(() => child.kill('SIGKILL'), ms);
  const [code, signal] = (await once(child, 'exit')) as [number | null, string | null];
  clearTimeout(killer);
  return code ?? signal ?? 'none';
}

describe('instr: instr-unload of a library stuck in a vCPU worker', function () {
  this.timeout(120_000);

  it('the spinning guest: info instr before and after, the unload answers, vCPU 1 counts on', async function () {
    const r = await startStuck(['-bios', 'none', '-display', 'none', '-serial', 'null', '-kernel', SPIN]);
    try {
      await waitFor('info instr to show the stuck callback', async () => /running for/.test(await hmp(r.sock, 'info instr')), 10_000, 200);
      const before = await hmp(r.sock, 'info instr');
      expect(before).to.contain(`0: ${LIB} 1 3\n`);
      expect(before).to.match(/guest_mem_before_exec callback on vCPU 1 in the worker of vCPU 1, running for [\d.]+ s\n/);
      const stuckAt = await counter(r.sock);
      // without the restart the unload never answers (hmp() gives up after 20 s); no timing is asserted
      expect(await hmp(r.sock, 'instr-unload 0')).to.equal('');
      expect(await hmp(r.sock, 'info instr')).to.equal('');
      await waitFor('vCPU 1 to count on', async () => (await counter(r.sock)) > stuckAt + 1000n, 20_000, 100);
      void hmp(r.sock, 'quit').catch(() => undefined);
      expect(await exitOf(r.child, 20_000)).to.equal(0);
      expect(r.err(), 'no line about a stuck callback at exit').to.equal('');
    } finally {
      r.child.kill('SIGKILL');
      rmSync(r.dir, { recursive: true, force: true });
    }
  });

  // Whether the guest then finishes is not asserted: the new worker runs the stuck block again
  // from its start, with registers and memory the block had already changed. That is a known
  // defect (issue 19): stuck at vCPU 1's store to rows[1].d[2] (stuck-on-vcpu.ts's third argument),
  // hart 1 resumes at the loop's start with the right registers and still ends at pc 0 (mcause 1)
  // on every tier; stuck at its third store (in the firmware) the guest usually, not always,
  // powers off. What must hold: the unload answers, the library is gone, and quit ends the run.
  it('the demo kernel: the unload answers, the library is gone, and quit ends the run (status 0)', async function () {
    const r = await startStuck(['-nographic', '-kernel', DEMO_ELF]);
    try {
      expect(await hmp(r.sock, 'instr-unload 0')).to.equal('');
      expect(await hmp(r.sock, 'info instr')).to.equal('');
      void hmp(r.sock, 'quit').catch(() => undefined);
      expect(await exitOf(r.child, 60_000)).to.equal(0);
      expect(r.out()).to.contain('demo: boot hart 0, 2 harts\n');
      expect(r.err(), 'the library\'s events went to the library only').to.equal('');
    } finally {
      r.child.kill('SIGKILL');
      rmSync(r.dir, { recursive: true, force: true });
    }
  });
});
