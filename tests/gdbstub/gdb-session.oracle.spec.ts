/**
 * Oracle tier of the gdbstub: gdb-multiarch (Debian) runs tests/gdbstub/session.gdb against QEMU
 * 7.2 and against tsemu on the same guest at -smp 4; the transcripts must be equal (breakpoint hit
 * order, write and access watchpoints that trigger, registers, x/8gx, stepi across an ecall, info
 * threads, monitor info status).
 */
import { expect } from 'chai';
import { spawn, spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpSync, readFileSync, rmSync } from 'node:fs';
import { makeTempDir, requireTool } from '../support/tools.js';
import { verifyTranscript } from '../support/transcripts.js';
import { GdbSessionTranscript, RSP_TRANSCRIPT, RspRecorder, RspStep, stubArgs, waitForPort, freePort, GDB_GUEST } from './rsp.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const GUEST = join(ROOT, GDB_GUEST);
const SCRIPT = join(ROOT, 'tests/gdbstub/session.gdb');

/** gdb-multiarch's transcript of session.gdb against the stub on `port` (asynchronous: the recording proxy runs in this process). */
function runGdb(port: number): Promise<string> {
  const gdb = spawn('gdb-multiarch', ['-batch', '-nx', '-ex', `target remote :${port}`, '-ex', `file ${GUEST}`, '-x', SCRIPT],
    { cwd: ROOT, timeout: 60_000 });
  let out = '';
  let err = '';
  gdb.stdout.on('data', (d: Buffer) => { out += d.toString('utf8'); });
  gdb.stderr.on('data', (d: Buffer) => { err += d.toString('utf8'); });
  return new Promise((resolve) => gdb.on('close', () => resolve((out + err).replace(/\r/g, ''))));
}

/** One gdb session against the emulator; with `record`, through a proxy that keeps the packets. */
async function session(command: string, args: string[], record = false): Promise<{ text: string; steps: RspStep[] }> {
  const port = await freePort();
  const emu = spawn(command, [...args, ...stubArgs(port)], { stdio: 'ignore', cwd: ROOT });
  try {
    await waitForPort(port);
    if (!record) return { text: await runGdb(port), steps: [] };
    const proxy = new RspRecorder(port);
    const text = await runGdb(await proxy.listen());
    return { text, steps: await proxy.steps() };
  } finally {
    emu.kill();
  }
}

describe('gdbstub: gdb-multiarch against QEMU and tsemu (oracle)', function () {
  this.timeout(120_000);
  before(function () {
    requireTool('qemu-system-riscv64');
    requireTool('gdb-multiarch');
  });

  it('the same session gives the same transcript; the packets gdb exchanged with QEMU are the committed ones', async function () {
    const qemu = await session('qemu-system-riscv64', [], true);
    const q = qemu.text;
    const t = (await session(process.execPath, [join(ROOT, 'bin/tsemu-system-riscv64.js')])).text;
    expect(q).to.match(/hit Breakpoint 1, tick/);
    expect(q).to.match(/hit Hardware watchpoint 2: \*\(long \*\)&counter\n\nOld value = 1\nNew value = 2/);
    expect(q).to.match(/hit Hardware access \(read\/write\) watchpoint 4/);
    expect(q).to.match(/Thread 1\.4 \(CPU#3/);
    expect(t).to.equal(q);
    // the packet exchange behind q, replayed against tsemu by gdb-replay.spec.ts in npm test
    verifyTranscript<GdbSessionTranscript>(RSP_TRANSCRIPT, { gdb: q.split('\n'), rsp: qemu.steps.map((s) => ({ gdb: s.gdb, replies: s.replies })) },
      ['gdb-multiarch', '-batch', '-nx', '-ex', 'target remote :PORT', '-ex', `file ${GUEST}`, '-x', SCRIPT, '#', 'qemu-system-riscv64', ...stubArgs(0).map((a) => a === 'tcp::0' ? 'tcp::PORT' : a)]);
  });

  it('make -C tests/gdbstub/guest in a temporary copy gives gdb-guest.elf byte for byte', function () {
    requireTool('riscv64-unknown-elf-gcc', 'make');
    const dir = makeTempDir('gdb-guest-make');
    try {
      cpSync(join(ROOT, 'tests/gdbstub/guest/Makefile'), join(dir, 'Makefile'));
      cpSync(join(ROOT, 'tests/gdbstub/guest/gdb-guest.S'), join(dir, 'gdb-guest.S'));
      const r = spawnSync('make', ['-C', dir], { encoding: 'utf8' });
      expect(r.status, r.stderr).to.equal(0);
      expect(readFileSync(join(dir, 'gdb-guest.elf')).equals(readFileSync(GUEST)), 'the committed gdb-guest.elf is what its source builds').to.equal(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
