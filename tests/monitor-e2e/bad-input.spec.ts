/**
 * Bad input to the monitors of a running emulator, and the session going on
 * afterwards. HMP: unknown commands, missing / extra / ill-typed arguments —
 * the expected texts are QEMU 7.2's (captured from qemu-system-riscv64, and
 * compared with it again when it is installed) — and instr-load of libraries
 * that cannot load. QMP: JSON over QEMU's limits (json-streamer.c: nesting
 * depth 1024, 2 Mi tokens, 64 MiB of tokens per message).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { hasTool, QEMU } from '../cli/qemu-oracle.js';
import { GuestSession } from '../support/guest-session.js';
import { HmpStdio, parseXg, sleep } from './hmp-stdio.js';
import { QmpSocket } from './qmp-socket.js';
import { loadSpinGuest, slotAddress } from './spin-guest.js';

const guest = loadSpinGuest();

function baseArgs(dir: string): string[] {
  return ['-M', 'virt', '-bios', 'none', '-smp', '2', '-serial', `file:${join(dir, 'serial.txt')}`, '-kernel', guest.relativePath];
}

const QEMU_ONLY_ARGS = ['-display', 'none', '-accel', 'tcg,thread=single'];

const TRY = (cmd: string): string => `Try "help ${cmd}" for more information\n`;

/** Command line -> output, as qemu-system-riscv64 7.2 prints it. */
const HMP_CASES: readonly (readonly [string, string])[] = [
  ['foo', "unknown command: 'foo'\n"],
  ['info foo', "unknown command: 'info foo'\n"],
  ['help foo', "unknown command: 'foo'\n"],
  ['trace-event', `trace-event: string expected\n${TRY('trace-event')}`],
  ['trace-event guest_cpu_enter', `Expected 'on' or 'off'\n${TRY('trace-event')}`],
  ['trace-event guest_cpu_enter maybe', `Expected 'on' or 'off'\n${TRY('trace-event')}`],
  ['trace-event guest_cpu_enter on 7', 'invalid vCPU index 7\n'],
  ['trace-event guest_cpu_enter on -1', `'trace-event' has failed: integer is for 32-bit values\n${TRY('trace-event')}`],
  ['trace-event translate_block on 0', 'event "translate_block" is not vCPU-specific\n'],
  ['trace-event foo on', 'unknown event "foo"\n'],
  ['x', `unexpected end of expression\n${TRY('x')}`],
  ['x /4xw', `unexpected end of expression\n${TRY('x')}`],
  ['x /4xw zz', `invalid char 'z' in expression\n${TRY('x')}`],
  ['x /4qw 0x80000100', `invalid char in format: 'q'\n${TRY('x')}`],
  ['xp /2xw 0x0', '0000000000000000: Cannot access memory\n'],
  ['cpu', `unexpected end of expression\n${TRY('cpu')}`],
  ['cpu x', `invalid char 'x' in expression\n${TRY('cpu')}`],
  ['cpu 9', 'invalid CPU index\n'],
  ['stop 1', `stop|s: extraneous characters at the end of line\n${TRY('stop')}`],
  ['c 1', `cont|c: extraneous characters at the end of line\n${TRY('c')}`],
  ['info status extra', `status: extraneous characters at the end of line\n${TRY('info status')}`],
  ['info cpus 1', `cpus: extraneous characters at the end of line\n${TRY('info cpus')}`],
  ['info registers 5', 'CPU#5 not available\n'],
  ['info registers x', `invalid char 'x' in expression\n${TRY('info registers')}`],
  ['info trace-events guest_cpu_enter x', `invalid char 'x' in expression\n${TRY('info trace-events')}`],
  ['logfile', `logfile: filename expected\n${TRY('logfile')}`],
  ['device_del', `device_del: string expected\n${TRY('device_del')}`],
];

describe('monitor e2e: bad HMP input', function () {
  this.timeout(60_000);
  const haveQemu = hasTool(QEMU);
  const dirs: string[] = [];
  let tsemu: HmpStdio;
  let qemu: HmpStdio | undefined;
  let libs: string;

  before(async function () {
    this.timeout(120_000);
    const dir = (): string => { const d = mkdtempSync(join(tmpdir(), 'tsemu-bad-hmp-')); dirs.push(d); return d; };
    const hmpArgs = (d: string): string[] => [...baseArgs(d), '-monitor', 'stdio'];
    [tsemu, qemu] = await Promise.all([
      HmpStdio.start('tsemu', hmpArgs(dir())),
      haveQemu ? HmpStdio.start('qemu', [...hmpArgs(dir()), ...QEMU_ONLY_ARGS]) : Promise.resolve(undefined),
    ]);
    await tsemu.waitForCpus(2);
    await qemu?.waitForCpus(2);
    libs = dir();
    // Libraries that cannot load, written here so that the repository's own build never sees them.
    writeFileSync(join(libs, 'init-fails.ts'), 'export function qi_init(): number {\n  return 3;\n}\n\nexport function qi_fini(): void {}\n');
    writeFileSync(join(libs, 'type-error.ts'), 'export function qi_init(): void {\n  const n: number = "x";\n  void n;\n}\n\nexport function qi_fini(): void {}\n');
    writeFileSync(join(libs, 'notes.txt'), 'not a library\n');
  });

  after(() => {
    tsemu?.kill();
    qemu?.kill();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  for (const [line, expected] of HMP_CASES) {
    it(`${JSON.stringify(line)} -> ${JSON.stringify(expected.split('\n')[0])}`, async () => {
      if (qemu !== undefined) expect(await qemu.run(line), 'QEMU').to.equal(expected);
      expect(await tsemu.run(line)).to.equal(expected);
    });
  }

  it("instr-load / instr-unload without their argument: QEMU's texts for a missing filename / string", async () => {
    expect(await tsemu.run('instr-load')).to.equal(`instr-load: filename expected\n${TRY('instr-load')}`);
    expect(await tsemu.run('instr-unload')).to.equal(`instr-unload: string expected\n${TRY('instr-unload')}`);
  });

  it('instr-load of a file that does not exist', async () => {
    const path = join(libs, 'nope.ts');
    expect(await tsemu.run(`instr-load ${path}`)).to.equal(`Error: could not open instrumentation library '${path}': No such file or directory\n`);
  });

  it('instr-load of a file that is no library', async () => {
    expect(await tsemu.run(`instr-load ${join(libs, 'notes.txt')}`)).to.match(/^Error: instrumentation library '.*notes\.txt' must be a \.ts, \.mts, \.js or \.mjs file\n$/);
  });

  it('instr-load of a library that does not type-check names the file, line and column', async () => {
    expect(await tsemu.run(`instr-load ${join(libs, 'type-error.ts')}`, 60_000))
      .to.equal(`Error: ${join(libs, 'type-error.ts')}:2:9: Type 'string' is not assignable to type 'number'.\n`);
  });

  it('instr-load of a library whose qi_init returns non-zero', async () => {
    const path = join(libs, 'init-fails.ts');
    expect(await tsemu.run(`instr-load ${path}`, 60_000)).to.equal(`Error: instrumentation library '${path}': initialization returned non-zero (3)\n`);
  });

  it('instr-load -i with an ID in use, instr-unload of an unknown ID', async () => {
    const path = join(libs, 'init-fails.ts');
    expect(await tsemu.run('instr-load -i')).to.equal(`instr-load: value expected for -i\n${TRY('instr-load')}`);
    expect(await tsemu.run('instr-load -i mine examples/instr/ldst-count.ts', 60_000)).to.equal('mine\n');
    expect(await tsemu.run(`instr-load -i mine ${path}`)).to.equal("Error: instrumentation library ID exists: 'mine'\n");
    expect(await tsemu.run('instr-unload nope')).to.equal("Error: unknown instrumentation library ID: 'nope'\n");
    expect(await tsemu.run('info instr')).to.equal('mine: examples/instr/ldst-count.ts\n');
    expect(await tsemu.run('instr-unload mine')).to.match(/^ldst-count: /);
    expect(await tsemu.run('info instr')).to.equal('');
  });

  it('the session goes on: the guest still runs, the monitor still answers', async () => {
    expect(await tsemu.run('info status')).to.equal('VM status: running\n');
    const read = async (): Promise<bigint> => parseXg(await tsemu.run(`x /1xg 0x${slotAddress(0).toString(16)}`));
    const from = await read();
    const deadline = Date.now() + 20_000;
    let now = from;
    while (now - from < 10_000n && Date.now() < deadline) {
      await sleep(100);
      now = await read();
    }
    expect(now - from >= 10_000n, `counter ${from} -> ${now}`).to.equal(true);
    expect((await tsemu.quit()).status).to.equal(0);
    if (qemu !== undefined) expect((await qemu.quit()).status).to.equal(0);
  });
});

describe('monitor e2e: oversized QMP JSON', function () {
  this.timeout(60_000);
  const haveQemu = hasTool(QEMU);
  const dirs: string[] = [];
  let tsemu: GuestSession;
  let qemu: GuestSession | undefined;
  let tsemuSocket: string;
  let qemuSocket: string;

  before(async () => {
    const start = (name: 'tsemu' | 'qemu'): { proc: GuestSession; socket: string } => {
      const d = mkdtempSync(join(tmpdir(), 'tsemu-big-qmp-'));
      dirs.push(d);
      const socket = join(d, 'qmp.sock');
      const args = [...baseArgs(d), '-qmp', `unix:${socket},server,nowait`];
      const proc = name === 'tsemu' ? GuestSession.startTsemu(args, { timeoutMs: 120_000 })
        : GuestSession.startQemu([...args, ...QEMU_ONLY_ARGS], { timeoutMs: 120_000 });
      return { proc, socket };
    };
    const t = start('tsemu');
    [tsemu, tsemuSocket] = [t.proc, t.socket];
    if (haveQemu) {
      const q = start('qemu');
      [qemu, qemuSocket] = [q.proc, q.socket];
    }
  });

  after(() => {
    tsemu?.kill();
    qemu?.kill();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  /**
   * On a fresh client: negotiate, send `payload`, then a newline and a
   * query-status; every reply up to query-status's.
   */
  async function repliesTo(socket: string, payload: string): Promise<string[]> {
    const c = await QmpSocket.connect(socket);
    try {
      await c.nextLine();
      expect(await c.request('{"execute": "qmp_capabilities"}')).to.deep.equal(['{"return": {}}']);
      c.send(payload);
      c.send('\n{"execute": "query-status"}\n');
      const replies: string[] = [];
      for (;;) {
        const line = await c.nextLine(60_000);
        replies.push(line);
        if (line.includes('"status"')) return replies;
      }
    } finally {
      c.destroy();
    }
  }

  const running = '{"return": {"status": "running", "singlestep": false, "running": true}}';
  const error = (desc: string): string => `{"error": {"class": "GenericError", "desc": "${desc}"}}`;

  it('nesting deeper than 1024: one error, then the next request is served (as QEMU)', async () => {
    const payload = '['.repeat(1025);
    const expected = [error('JSON nesting depth limit exceeded'), running];
    if (qemu !== undefined) expect(await repliesTo(qemuSocket, payload), 'QEMU').to.deep.equal(expected);
    expect(await repliesTo(tsemuSocket, payload)).to.deep.equal(expected);
  });

  // QEMU reads a QMP socket one byte per main-loop iteration, so it takes minutes over the
  // following messages: they are checked against json-streamer.c's limits and texts instead.
  it('more than 2 Mi tokens in one message: "JSON token count limit exceeded", the session goes on', async () => {
    // 1 + 2 * (2^20 - 1) + 2 = 2^21 + 1 tokens: the limit is crossed by the last one.
    const payload = `[${'0,'.repeat((1 << 20) - 1)}0]`;
    expect(await repliesTo(tsemuSocket, payload)).to.deep.equal([error('JSON token count limit exceeded'), running]);
  });

  it('more than 64 MiB of tokens in one message: "JSON token size limit exceeded", the session goes on', async () => {
    // [ + a 64 MiB - 2 byte string + ]: the limit is crossed by the closing bracket.
    const payload = `["${'x'.repeat((64 << 20) - 4)}"]`;
    expect(await repliesTo(tsemuSocket, payload)).to.deep.equal([error('JSON token size limit exceeded'), running]);
  });

  it('the guest kept running and the process quits cleanly', async () => {
    const c = await QmpSocket.connect(tsemuSocket);
    await c.nextLine();
    await c.request('{"execute": "qmp_capabilities"}');
    const x = async (): Promise<bigint> => {
      const r = JSON.parse(await c.reply(`{"execute": "human-monitor-command", "arguments": {"command-line": "x /1xg 0x${slotAddress(0).toString(16)}"}}`)) as { return: string };
      return parseXg(r.return.replace(/\r\n/g, '\n'));
    };
    const from = await x();
    await sleep(300);
    expect(await x() > from).to.equal(true);
    expect((await c.request('{"execute": "quit"}')).at(-1)).to.equal('{"return": {}}');
    expect((await tsemu.waitForExit()).status).to.equal(0);
  });
});
