/**
 * instr-unload of a library whose callback is stuck in a vCPU worker (libs/stuck-on-vcpu.ts: vCPU 1
 * of -smp 2 loops for ever in its exec callback): the worker is terminated and a new one takes the
 * hart over from its state area, at the instruction whose callback never returned, without the
 * library. `info instr` names the stuck callback before and nothing after; instr-unload answers;
 * the spinning guest's vCPU 1 counts on; the demo kernel finishes as it does without the library.
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
/** demo.c's rows[1].d[2]: hart 1 stores it in the middle of the loop that fills its row. */
const ROW1_D2 = 0x8020a090;
/** spin.S: hart 1's counter, incremented once per loop. */
const HART1_COUNTER = 0x80001040;

interface Run { child: ChildProcess; out: () => string; err: () => string; sock: string; dir: string }

async function startStuck(extra: string[], args = 'arg=1,arg=3'): Promise<Run> {
  const dir = makeTempDir('stuck-unload');
  const sock = join(dir, 'hmp.sock');
  const run = await startUntil(['-M', 'virt', '-smp', '2', ...extra, '-instr', `file=${LIB},${args}`, '-monitor', `unix:${sock},server,nowait`],
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

  // The new worker goes on at the store whose callback never returned, with the registers of that
  // point of the block (SLOT_EVENT_PC): the guest ends as it does without the library. Stuck at
  // vCPU 1's store to rows[1].d[2] (the library's third argument), in the middle of the loop that
  // fills the row: running the block again from its start, hart 1 ended at pc 0.
  for (const [where, args] of [['third store (in the firmware)', 'arg=1,arg=3'], ['store to rows[1].d[2] (mid-loop in the kernel)', `arg=1,arg=1,arg=0x${ROW1_D2.toString(16)}`]] as const) {
    it(`the demo kernel, stuck at vCPU 1's ${where}: after the unload the guest finishes as without the library`, async function () {
      const r = await startStuck(['-nographic', '-kernel', DEMO_ELF], args);
      try {
        expect(await hmp(r.sock, 'instr-unload 0')).to.equal('');
        expect(await hmp(r.sock, 'info instr')).to.equal('');
        expect(await exitOf(r.child, 60_000)).to.equal(0);
        expect(r.out()).to.contain('demo: boot hart 0, 2 harts\n');
        expect(r.out()).to.contain('demo: 2 of 2 harts stored their rows\n');
        expect(r.err(), 'the library\'s events went to the library only').to.equal('');
      } finally {
        r.child.kill('SIGKILL');
        rmSync(r.dir, { recursive: true, force: true });
      }
    });
  }
});
