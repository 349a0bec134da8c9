/**
 * Linux 6.1 (tests/linux/build.sh) on virtio-serial-pci, beside QEMU 7.2: a virtconsole and a
 * virtserialport named org.tsemu.port, each on a `-chardev socket` client of a line server in this
 * test. init (scenario `vserial`) lists /sys/class/virtio-ports, writes a line to /dev/hvc0 and to
 * the named /dev/vport*, and reads back the server's answer. init's lines must be identical on both
 * emulators and end in PASS, and the server must have received the same lines from both.
 * The same with `-chardev pipe` FIFOs. And Linux's console on /dev/hvc0 (`console=hvc0`) through a virtconsole on `-chardev stdio`.
 */
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { closeSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { createServer, Socket, type AddressInfo, type Server } from 'node:net';
import { makeTempDir } from '../support/tools.js';
import { QEMU_BINARY, runQemu, runTsemu, type GuestRunResult } from '../support/run-guest.js';
import { requireTool } from '../support/tools.js';
import { buildLinuxGuest, initLines, linuxArgs, type LinuxGuest } from './linux-guest.js';

const TSEMU_TIMEOUT_MS = 240_000;
const QEMU_TIMEOUT_MS = 90_000;

function describeRun(r: GuestRunResult): string {
  return `status=${String(r.status)} timedOut=${String(r.timedOut)} (${r.durationMs} ms)\n--- console (last 3000 chars) ---\n${r.stdout.slice(-3000)}\n--- stderr ---\n${r.stderr.slice(-2000)}`;
}

/** A TCP server answering each line with "host saw: LINE"; `lines` collects what it received. */
interface LineServer {
  readonly port: number;
  readonly lines: string[];
  close(): Promise<void>;
}

async function startLineServer(): Promise<LineServer> {
  const lines: string[] = [];
  const server: Server = createServer((s) => {
    let buffered = '';
    s.on('error', () => undefined);
    s.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('latin1');
      for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        lines.push(line);
        s.write(`host saw: ${line}\n`);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    lines,
    close: () => new Promise((resolve) => { server.close(() => resolve()); }),
  };
}

function vserialArgs(guest: LinuxGuest, port: number, chardevs = [`socket,id=c0,host=127.0.0.1,port=${port}`, `socket,id=c1,host=127.0.0.1,port=${port}`]): string[] {
  return linuxArgs(guest, 1, 'vserial', [
    '-chardev', chardevs[0] ?? '', '-chardev', chardevs[1] ?? '',
    '-device', 'virtio-serial-pci', '-device', 'virtconsole,chardev=c0', '-device', 'virtserialport,chardev=c1,name=org.tsemu.port',
  ]);
}

/** FIFOs PATH.in / PATH.out for a `-chardev pipe,path=PATH`, answered line by line as the server does. */
function pipeResponder(path: string, lines: string[]): () => void {
  execFileSync('mkfifo', [`${path}.in`, `${path}.out`]);
  const toGuest = openSync(`${path}.in`, 'r+');
  const reader = new Socket({ fd: openSync(`${path}.out`, 'r+'), readable: true, writable: false });
  let buffered = '';
  reader.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('latin1');
    for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      lines.push(line);
      writeSync(toGuest, `host saw: ${line}\n`);
    }
  });
  return () => {
    reader.destroy();
    closeSync(toGuest);
  };
}

describe('linux: virtio-serial-pci beside QEMU 7.2 (oracle)', function () {
  this.timeout(TSEMU_TIMEOUT_MS + QEMU_TIMEOUT_MS);
  let guest: LinuxGuest | undefined;
  before(function () {
    this.timeout(30 * 60_000);
    requireTool('riscv64-linux-gnu-gcc', QEMU_BINARY);
    guest = buildLinuxGuest();
  });

  it('/dev/hvc0 (virtconsole) and a named /dev/vport (virtserialport) talk to socket chardevs', async function () {
    if (!guest) throw new Error('no Linux guest');
    const runs: { init: string[]; host: string[] }[] = [];
    for (const run of [runTsemu, runQemu]) {
      const server = await startLineServer();
      try {
        const r = await run(vserialArgs(guest, server.port), { timeoutMs: run === runTsemu ? TSEMU_TIMEOUT_MS : QEMU_TIMEOUT_MS });
        expect(r.timedOut, describeRun(r)).to.equal(false);
        expect(r.status, describeRun(r)).to.equal(0);
        runs.push({ init: initLines(r.stdout), host: [...server.lines].sort() });
      } finally {
        await server.close();
      }
    }
    const [t, q] = runs;
    expect(q.init).to.include('vserial: PASS');
    expect(q.init).to.include.members(['virtio-port vport0p0 name ""', 'virtio-port vport0p1 name "org.tsemu.port"', '/dev/hvc0 read "host saw: hello from hvc0"']);
    expect(t.init).to.deep.equal(q.init);
    expect(q.host).to.deep.equal(['hello from hvc0', 'hello from the named port']);
    expect(t.host).to.deep.equal(q.host);
  });

  it('console=hvc0 on a virtconsole with -chardev stdio: the same console lines as QEMU', async function () {
    if (!guest) throw new Error('no Linux guest');
    const args = ['-M', 'virt', '-smp', '1', '-m', '256M', '-display', 'none', '-kernel', guest.kernel, '-initrd', guest.initramfs,
      '-append', 'console=hvc0 tsemu_scenario=boot', '-chardev', 'stdio,id=c0', '-device', 'virtio-serial-pci', '-device', 'virtconsole,chardev=c0'];
    const t = await runTsemu(args, { timeoutMs: TSEMU_TIMEOUT_MS });
    const q = await runQemu(args, { timeoutMs: QEMU_TIMEOUT_MS });
    expect(initLines(q.stdout), describeRun(q)).to.include('boot: PASS');
    expect(initLines(t.stdout), describeRun(t)).to.deep.equal(initLines(q.stdout));
    expect(t.status, describeRun(t)).to.equal(0);
  });

  it('the same over -chardev pipe (PATH.in / PATH.out FIFOs)', async function () {
    if (!guest) throw new Error('no Linux guest');
    const runs: { init: string[]; host: string[] }[] = [];
    for (const run of [runTsemu, runQemu]) {
      const dir = makeTempDir('vserial-pipe');
      const lines: string[] = [];
      const closers = [pipeResponder(join(dir, 'con'), lines), pipeResponder(join(dir, 'port'), lines)];
      try {
        const r = await run(vserialArgs(guest, 0, [`pipe,id=c0,path=${join(dir, 'con')}`, `pipe,id=c1,path=${join(dir, 'port')}`]), { timeoutMs: run === runTsemu ? TSEMU_TIMEOUT_MS : QEMU_TIMEOUT_MS });
        expect(r.timedOut, describeRun(r)).to.equal(false);
        expect(r.status, describeRun(r)).to.equal(0);
        runs.push({ init: initLines(r.stdout), host: [...lines].sort() });
      } finally {
        for (const close of closers) close();
        rmSync(dir, { recursive: true, force: true });
      }
    }
    const [t, q] = runs;
    expect(q.init).to.include('vserial: PASS');
    expect(t.init).to.deep.equal(q.init);
    expect(q.host).to.deep.equal(['hello from hvc0', 'hello from the named port']);
    expect(t.host).to.deep.equal(q.host);
  });
});
