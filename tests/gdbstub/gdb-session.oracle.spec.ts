/**
 * Oracle tier of the gdbstub: gdb-multiarch (Debian) runs tests/gdbstub/session.gdb against QEMU
 * 7.2 and against tsemu on the same guest at -smp 4; the transcripts must be equal (breakpoint hit
 * order, write and access watchpoints that trigger, registers, x/8gx, stepi across an ecall, info
 * threads, monitor info status).
 */
import { expect } from 'chai';
import { spawn, spawnSync } from 'node:child_process';
import net from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpSync, readFileSync, rmSync } from 'node:fs';
import { makeTempDir, requireTool } from '../support/tools.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const GUEST = join(ROOT, 'tests/gdbstub/guest/gdb-guest.elf');
const SCRIPT = join(ROOT, 'tests/gdbstub/session.gdb');

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** Wait until the stub listens (the emulator prints nothing with -S). */
async function waitForPort(port: number): Promise<void> {
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const c = net.connect(port, '127.0.0.1', () => { c.destroy(); resolve(true); });
      c.on('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function session(command: string, args: string[]): Promise<string> {
  const port = await freePort();
  const emu = spawn(command, [...args, '-M', 'virt', '-smp', '4', '-bios', 'none', '-kernel', GUEST, '-nographic',
    '-monitor', 'none', '-serial', 'none', '-gdb', `tcp::${port}`, '-S'], { stdio: 'ignore' });
  try {
    await waitForPort(port);
    const gdb = spawnSync('gdb-multiarch', ['-batch', '-nx', '-ex', `target remote :${port}`, '-ex', `file ${GUEST}`, '-x', SCRIPT],
      { encoding: 'utf8', timeout: 60_000, cwd: ROOT });
    return (gdb.stdout + gdb.stderr).replace(/\r/g, '');
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

  it('the same session gives the same transcript', async function () {
    const q = await session('qemu-system-riscv64', []);
    const t = await session(process.execPath, [join(ROOT, 'bin/tsemu-system-riscv64.js')]);
    expect(q).to.match(/hit Breakpoint 1, tick/);
    expect(q).to.match(/hit Hardware watchpoint 2: \*\(long \*\)&counter\n\nOld value = 1\nNew value = 2/);
    expect(q).to.match(/hit Hardware access \(read\/write\) watchpoint 4/);
    expect(q).to.match(/Thread 1\.4 \(CPU#3/);
    expect(t).to.equal(q);
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
