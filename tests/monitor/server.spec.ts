/**
 * startMonitors() with real sockets in a temp directory: QMP over a unix
 * socket (greeting, negotiation, errors, events to every negotiated client,
 * two clients at once, malformed and oversized JSON, a client leaving in the
 * middle of a command), HMP over unix and TCP, `server,wait`, file output,
 * and QEMU's error texts when a socket cannot be set up.
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { connect, createServer, Socket } from 'node:net';
import { join } from 'node:path';
import type { ChardevBackend, MonitorSpec } from '../../src/cli/chardev.js';
import { ConsoleMux } from '../../src/cli/console.js';
import { MonitorConsole, MonitorHandle, startMonitors } from '../../src/monitor/server.js';
import { FakeTarget } from './fake-target.js';
import { makeTempDir, nextTurn, waitFor } from '../support/tools.js';

/** A client that collects CR LF terminated lines. */
class Client {
  readonly lines: string[] = [];
  text = '';
  private taken = 0;
  closed = false;

  constructor(readonly socket: Socket) {
    socket.on('data', (d: Buffer) => {
      this.text += d.toString('utf8');
      const parts = this.text.split('\r\n');
      this.lines.push(...parts.slice(0, -1));
      this.text = parts[parts.length - 1];
    });
    socket.on('close', () => { this.closed = true; });
    socket.on('error', () => undefined);
  }

  static open(options: { path: string } | { host: string; port: number }): Promise<Client> {
    return new Promise((resolve, reject) => {
      const s = connect(options as { path: string }, () => resolve(new Client(s)));
      s.once('error', reject);
    });
  }

  send(text: string | Buffer): void {
    this.socket.write(text);
  }

  /** The next line not yet returned. */
  async next(timeoutMs = 10_000): Promise<string> {
    await waitFor('a line from the server', () => this.lines.length > this.taken, timeoutMs);
    return this.lines[this.taken++];
  }

  /** Skip lines until one matches. */
  async until(pattern: RegExp): Promise<string> {
    for (;;) {
      const line = await this.next();
      if (pattern.test(line)) return line;
    }
  }

  close(): void {
    this.socket.destroy();
  }
}

function qmpSpec(backend: ChardevBackend, origin = '-qmp test'): MonitorSpec {
  return { backend, mode: 'control', origin };
}

describe('monitor/server: monitors on sockets and files', function () {
  this.timeout(60_000);
  let dir: string;
  let handle: MonitorHandle | undefined;
  const clients: Client[] = [];

  beforeEach(() => { dir = makeTempDir('mon'); });
  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    await handle?.close();
    handle = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  async function qmpClient(path: string, negotiate = true): Promise<Client> {
    const c = await Client.open({ path });
    clients.push(c);
    expect(await c.next()).to.match(/^\{"QMP": \{"version": \{"qemu": \{"micro": 22, "minor": 2, "major": 7\}, "package": ".*"\}, "capabilities": \["oob"\]\}\}$/);
    if (negotiate) {
      c.send('{"execute": "qmp_capabilities"}\n');
      expect(await c.next()).to.equal('{"return": {}}');
    }
    return c;
  }

  it('serves QMP on a unix socket: negotiation, ids, errors, split and glued requests', async () => {
    const path = join(dir, 'qmp.sock');
    const target = new FakeTarget(2);
    handle = await startMonitors([qmpSpec({ kind: 'unix', path, server: true, wait: false })], target, undefined, { info: () => undefined });
    expect(handle.addresses).to.deep.equal([`unix:${path}`]);
    const c = await qmpClient(path, false);
    c.send('{"execute": "query-status", "id": 1}\n');
    expect(await c.next()).to.equal('{"id": 1, "error": {"class": "CommandNotFound", "desc": "Expecting capabilities negotiation with \'qmp_capabilities\'"}}');
    c.send('{"execute": "qmp_capa');
    // Pacing only: the two halves usually reach the server as two reads; the replies are the same either way.
    await new Promise((r) => setTimeout(r, 20));
    c.send('bilities", "id": "neg"}{"execute": "query-status", "id": [1]}\n{"execute": "nope"}\n');
    expect(await c.next()).to.equal('{"return": {}, "id": "neg"}');
    expect(await c.next()).to.equal('{"return": {"status": "running", "singlestep": false, "running": true}, "id": [1]}');
    expect(await c.next()).to.equal('{"error": {"class": "CommandNotFound", "desc": "The command nope has not been found"}}');
    c.send('{"execute": "query-status" ]\n{"execute": "query-status"}\n');
    expect(await c.next()).to.equal('{"error": {"class": "GenericError", "desc": "JSON parse error, expected separator in dict"}}');
    expect(await c.next()).to.match(/^\{"return": \{"status": "running"/);
  });

  it('sends events to every negotiated client, with timestamps, and replies only to the asker', async () => {
    const path = join(dir, 'qmp.sock');
    const target = new FakeTarget();
    handle = await startMonitors([qmpSpec({ kind: 'unix', path, server: true, wait: false })], target, undefined, { info: () => undefined });
    const a = await qmpClient(path);
    const b = await qmpClient(path);
    const late = await qmpClient(path, false);
    const before = Date.now();
    a.send('{"execute": "stop", "id": "a"}\n');
    const eventA = await a.next();
    expect(await a.next()).to.equal('{"return": {}, "id": "a"}');
    const eventB = await b.next();
    expect(eventA).to.equal(eventB);
    const m = /^\{"timestamp": \{"seconds": (\d+), "microseconds": (\d+)\}, "event": "STOP"\}$/.exec(eventA);
    expect(m).to.not.equal(null);
    const ms = Number(m?.[1]) * 1000 + Number(m?.[2]) / 1000;
    expect(ms).to.be.within(before - 1000, Date.now() + 1000);
    b.send('{"execute": "system_reset"}\n');
    expect(await b.next()).to.match(/"event": "RESET", "data": \{"guest": false, "reason": "host-qmp-system-reset"\}\}$/);
    expect(await a.until(/RESET/)).to.match(/"event": "RESET"/);
    target.emit('DEVICE_DELETED', { device: 'c1', path: '/machine/peripheral/c1' });
    expect(await a.next()).to.match(/"event": "DEVICE_DELETED", "data": \{"device": "c1", "path": "\/machine\/peripheral\/c1"\}\}$/);
    // not negotiated: no events
    late.send('{"execute": "qmp_capabilities"}\n');
    expect(await late.next()).to.equal('{"return": {}}');
  });

  it('answers a burst of requests in order', async () => {
    const path = join(dir, 'qmp.sock');
    handle = await startMonitors([qmpSpec({ kind: 'unix', path, server: true, wait: false })], new FakeTarget(), undefined, { info: () => undefined });
    const c = await qmpClient(path);
    const burst = Array.from({ length: 200 }, (_, i) => `{"execute": "query-status", "id": ${i}}`).join('');
    c.send(burst);
    for (let i = 0; i < 200; i++) expect(await c.next()).to.match(new RegExp(`"id": ${i}\\}$`));
  });

  it('rejects a request over 64 MiB and goes on with the next one', async () => {
    const path = join(dir, 'qmp.sock');
    handle = await startMonitors([qmpSpec({ kind: 'unix', path, server: true, wait: false })], new FakeTarget(), undefined, { info: () => undefined });
    const c = await qmpClient(path);
    const piece = Buffer.from(`"${'a'.repeat(1 << 20)}",`);
    c.send('{"execute": "query-status", "id": [');
    for (let i = 0; i < 65; i++) c.send(piece);
    c.send('"z"]}\n{"execute": "query-status", "id": "after"}\n');
    expect(await c.next(30_000)).to.equal('{"error": {"class": "GenericError", "desc": "JSON token size limit exceeded"}}');
    expect(await c.until(/"id": "after"/)).to.match(/^\{"return": \{"status": "running"/);
  });

  it('survives a client that leaves in the middle of a command; others carry on', async () => {
    const path = join(dir, 'qmp.sock');
    const target = new FakeTarget();
    let release!: () => void;
    target.delay = new Promise((r) => { release = r; });
    handle = await startMonitors([qmpSpec({ kind: 'unix', path, server: true, wait: false })], target, undefined, { info: () => undefined });
    const a = await qmpClient(path);
    const b = await qmpClient(path);
    a.send('{"execute": "stop"}\n{"execute": "query-status"}\n');
    await waitFor('the stop to reach the target', () => target.calls.includes('stop'));
    a.close();
    await waitFor('the first client to be closed', () => a.closed);
    release();
    expect(await b.next()).to.match(/"event": "STOP"/);
    b.send('{"execute": "query-status"}\n');
    expect(await b.next()).to.equal('{"return": {"status": "paused", "singlestep": false, "running": false}}');
  });

  it('serves the HMP on unix and TCP sockets (plain lines, echoed)', async () => {
    const path = join(dir, 'hmp.sock');
    const target = new FakeTarget();
    handle = await startMonitors([
      { backend: { kind: 'unix', path, server: true, wait: false }, mode: 'readline', origin: '-monitor unix' },
      { backend: { kind: 'tcp', host: '', port: 0, server: true, wait: false }, mode: 'readline', origin: '-monitor tcp' },
    ], target, undefined, { info: () => undefined });
    const [, tcp] = handle.addresses;
    expect(tcp).to.match(/^tcp:127\.0\.0\.1:\d+$/); // an empty host binds loopback only
    const u = await Client.open({ path });
    const t = await Client.open({ host: '127.0.0.1', port: Number(tcp.split(':')[2]) });
    clients.push(u, t);
    for (const c of [u, t]) {
      expect(await c.next()).to.equal("tsemu 7.2.22 monitor - type 'help' for more information");
      await waitFor('the prompt', () => c.text === '(qemu) ');
      c.send('info status\r\n');
      expect(await c.next()).to.equal('(qemu) info status');
      expect(await c.next()).to.equal('VM status: running');
    }
  });

  it('waits for the first client of a server,wait socket before resolving, saying so like QEMU', async () => {
    const path = join(dir, 'wait.sock');
    const info: string[] = [];
    let resolved = false;
    const started = startMonitors([qmpSpec({ kind: 'unix', path, server: true, wait: true }, `-qmp unix:${path},server`)], new FakeTarget(), undefined,
      { info: (l) => info.push(l) }).then((h) => { resolved = true; handle = h; return h; });
    await waitFor(`${path} to exist`, () => existsSync(path));
    // The note is printed once the socket listens, just before startMonitors would resolve if it did
    // not wait for a client: after it and one more turn of the event loop, resolving would have happened.
    await waitFor('the waiting note', () => info.length > 0);
    await nextTurn();
    expect(resolved).to.equal(false);
    expect(info).to.deep.equal([
      `tsemu-system-riscv64: -qmp unix:${path},server: info: tsemu waiting for connection on: disconnected:unix:${path},server=on`,
    ]);
    const c = await Client.open({ path });
    clients.push(c);
    await started;
    expect(await c.next()).to.match(/^\{"QMP"/);
  });

  it('writes the banner or greeting to a file: backend (output only)', async () => {
    const hmpFile = join(dir, 'hmp.txt');
    const qmpFile = join(dir, 'qmp.txt');
    handle = await startMonitors([
      { backend: { kind: 'file', path: hmpFile }, mode: 'readline', origin: '-monitor file' },
      qmpSpec({ kind: 'file', path: qmpFile }),
    ], new FakeTarget());
    expect(readFileSync(hmpFile, 'utf8')).to.equal("tsemu 7.2.22 monitor - type 'help' for more information\r\n(qemu) ");
    expect(readFileSync(qmpFile, 'utf8')).to.match(/^\{"QMP": .*\}\r\n$/);
  });

  it('removes the socket file when closed', async () => {
    const path = join(dir, 'q.sock');
    handle = await startMonitors([qmpSpec({ kind: 'unix', path, server: true, wait: false })], new FakeTarget());
    expect(existsSync(path)).to.equal(true);
    await handle.close();
    handle = undefined;
    expect(existsSync(path)).to.equal(false);
  });

  // Texts checked against qemu-system-riscv64 7.2 with the same options.
  describe('QEMU\'s errors for sockets it cannot set up', () => {
    async function startError(spec: MonitorSpec): Promise<string> {
      try {
        handle = await startMonitors([spec], new FakeTarget());
      } catch (e) {
        return e instanceof Error ? e.message : String(e);
      }
      throw new Error('started');
    }

    it('unix path in a missing directory', async () => {
      const origin = '-monitor unix:/nonexistent/x.sock,server,nowait';
      expect(await startError({ backend: { kind: 'unix', path: '/nonexistent/x.sock', server: true, wait: false }, mode: 'readline', origin }))
        .to.equal(`tsemu-system-riscv64: ${origin}: Failed to bind socket to /nonexistent/x.sock: No such file or directory`);
    });

    it('unix path too long', async () => {
      const path = `/tmp/${'x'.repeat(120)}.sock`;
      const origin = `-monitor unix:${path},server,nowait`;
      expect(await startError({ backend: { kind: 'unix', path, server: true, wait: false }, mode: 'readline', origin }))
        .to.equal(`tsemu-system-riscv64: ${origin}: UNIX socket path '${path}' is too long\nPath must be less than 108 bytes`);
    });

    it('TCP address that is not ours', async () => {
      const origin = '-monitor tcp:1.2.3.4:5,server,nowait';
      expect(await startError({ backend: { kind: 'tcp', host: '1.2.3.4', port: 5, server: true, wait: false }, mode: 'readline', origin }))
        .to.equal(`tsemu-system-riscv64: ${origin}: Failed to bind socket: Cannot assign requested address`);
    });

    it('TCP port in use', async () => {
      const busy = createServer();
      await new Promise<void>((r) => busy.listen({ host: '127.0.0.1', port: 0 }, r));
      const addr = busy.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      const origin = `-monitor tcp:127.0.0.1:${port},server,nowait`;
      try {
        expect(await startError({ backend: { kind: 'tcp', host: '127.0.0.1', port, server: true, wait: false }, mode: 'readline', origin }))
          .to.equal(`tsemu-system-riscv64: ${origin}: Failed to find an available port: Address already in use`);
      } finally {
        busy.close();
      }
    });

    it('file in a missing directory', async () => {
      const origin = '-monitor file:/nonexistent/f.txt';
      expect(await startError({ backend: { kind: 'file', path: '/nonexistent/f.txt' }, mode: 'readline', origin }))
        .to.equal(`tsemu-system-riscv64: ${origin}: Could not open '/nonexistent/f.txt': No such file or directory`);
    });
  });
});

describe('monitor/server: monitors on stdio', function () {
  this.timeout(30_000);
  const child = new URL('./stdio-child.js', import.meta.url).pathname;

  it('runs the HMP on a piped stdin/stdout (plain lines, echoed)', () => {
    const r = spawnSync(process.execPath, [child, 'readline'], { input: 'info status\ncpu 1\ninfo cpus\nquit\n', encoding: 'utf8', timeout: 20_000 });
    expect(r.status).to.equal(0);
    expect(r.stdout).to.equal("tsemu 7.2.22 monitor - type 'help' for more information\r\n(qemu) info status\r\nVM status: running\r\n" +
      '(qemu) cpu 1\r\n(qemu) info cpus\r\n  CPU #0: pc=0x0000000000001000 thread_id=1000\r\n* CPU #1: pc=0x0000000000001001 (halted) thread_id=1001\r\n' +
      '(qemu) quit\r\n');
  });

  it('runs QMP on stdio', () => {
    const r = spawnSync(process.execPath, [child, 'control'],
      { input: '{"execute": "qmp_capabilities"}\n{"execute": "quit", "id": 1}\n', encoding: 'utf8', timeout: 20_000 });
    expect(r.status).to.equal(0);
    const lines = r.stdout.split('\r\n');
    expect(lines[0]).to.match(/^\{"QMP": /);
    expect(lines[1]).to.equal('{"return": {}}');
    expect(lines[2]).to.match(/^\{"timestamp": .*"event": "SHUTDOWN", "data": \{"guest": false, "reason": "host-qmp-quit"\}\}$/);
    expect(lines[3]).to.equal('{"return": {}, "id": 1}');
  });
});

describe('monitor/server: the -nographic mux', () => {
  it('attaches the HMP to the stdio console; Ctrl-a c shows it, typed lines run in it', async () => {
    const target = new FakeTarget();
    const toGuest: number[] = [];
    const mux = new ConsoleMux({ toGuest: (b) => toGuest.push(...b), quit: () => undefined, enabled: true, escapes: true });
    const console: MonitorConsole = mux; // ConsoleMux is what startMonitors expects
    const written: string[] = [];
    const realWrite = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string | Uint8Array): boolean => { written.push(Buffer.from(chunk).toString('latin1')); return true; }) as typeof process.stdout.write;
    let handle: MonitorHandle | undefined;
    try {
      handle = await startMonitors([], target, console);
      mux.input(Buffer.from('before'));
      expect(written.join('')).to.equal('');
      mux.input(Buffer.from('\x01c'));
      expect(written.join('')).to.equal("tsemu 7.2.22 monitor - type 'help' for more information\r\n(qemu) ");
      written.length = 0;
      mux.input(Buffer.from('stop\r'));
      await waitFor('the prompt', () => written.join('').endsWith('(qemu) '));
      mux.input(Buffer.from('\x01cafter'));
    } finally {
      process.stdout.write = realWrite;
      await handle?.close();
    }
    expect(target.calls).to.deep.equal(['stop']);
    expect(Buffer.from(toGuest).toString()).to.equal('beforeafter');
  });
});
