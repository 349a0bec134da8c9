/**
 * Bad input to the monitors of a running emulator, and the session going on
 * afterwards. HMP: unknown commands, missing / extra / ill-typed arguments —
 * the expected texts are QEMU 7.2's, and the committed transcript
 * tests/transcripts/monitor-e2e/bad-input/hmp.json holds what QEMU printed
 * (bad-input.oracle.spec.ts checks it against a live QEMU) — and instr-load of libraries
 * that cannot load. QMP: JSON over QEMU's limits (json-streamer.c: nesting
 * depth 1024, 2 Mi tokens, 64 MiB of tokens per message).
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { GuestSession } from '../support/guest-session.js';
import { readTranscript } from '../support/transcripts.js';
import {
  HMP_CASES, HMP_KEY, hmpArgs, jsonError, NESTING_KEY, NESTING_PAYLOAD, qmpArgs, repliesTo, RUNNING, TRY,
  type HmpRecord, type NestingRecord,
} from './bad-input-qemu.js';
import { HmpStdio, parseXg } from './hmp-stdio.js';
import { QmpConnection } from '../support/qmp.js';
import { slotAddress } from './spin-guest.js';
import { makeTempDir, waitFor } from '../support/tools.js';

describe('monitor e2e: bad HMP input', function () {
  this.timeout(60_000);
  const dirs: string[] = [];
  let tsemu: HmpStdio;
  let qemu: HmpRecord;
  let libs: string;

  before(async function () {
    this.timeout(120_000);
    const dir = (): string => { const d = makeTempDir('bad-hmp'); dirs.push(d); return d; };
    qemu = readTranscript<HmpRecord>(HMP_KEY);
    tsemu = await HmpStdio.start('tsemu', hmpArgs(dir()));
    await tsemu.waitForCpus(2);
    libs = dir();
    // Libraries that cannot load, written here so that the repository's own build never sees them.
    writeFileSync(join(libs, 'init-fails.ts'), 'export function qi_init(): number {\n  return 3;\n}\n\nexport function qi_fini(): void {}\n');
    writeFileSync(join(libs, 'type-error.ts'), 'export function qi_init(): void {\n  const n: number = "x";\n  void n;\n}\n\nexport function qi_fini(): void {}\n');
    writeFileSync(join(libs, 'notes.txt'), 'not a library\n');
    writeFileSync(join(libs, 'init-loops.ts'), 'export function qi_init(): void {\n  for (;;) {\n    // never returns\n  }\n}\n\nexport function qi_fini(): void {}\n');
  });

  after(() => {
    tsemu?.kill();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  HMP_CASES.forEach(([line, expected], i) => {
    it(`${JSON.stringify(line)} -> ${JSON.stringify(expected.split('\n')[0])}`, async () => {
      expect(qemu.outputs[i], 'QEMU (transcript)').to.deep.equal([line, expected]);
      expect(await tsemu.run(line)).to.equal(expected);
    });
  });

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

  it('instr-load of a library whose qi_init never returns: the watchdog ends the call (TSEMU_INSTR_TIMEOUT, 5 s by default)', async () => {
    const path = join(libs, 'init-loops.ts');
    expect(await tsemu.run(`instr-load ${path}`, 60_000)).to.equal(`Error: instrumentation library '${path}': qi_init did not return within 5 s (TSEMU_INSTR_TIMEOUT)\n`);
    expect(await tsemu.run('info instr')).to.equal('');
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
    const from = await tsemu.counter(0);
    let now = from;
    await waitFor('hart 0 to go 10000 times round its loop', async () => (now = await tsemu.counter(0)) - from >= 10_000n, 20_000, 100).catch(() => undefined);
    expect(now - from >= 10_000n, `counter ${from} -> ${now}`).to.equal(true);
    expect((await tsemu.quit()).status).to.equal(0);
    expect(qemu.exitStatus, 'QEMU (transcript)').to.equal(0);
  });
});

describe('monitor e2e: oversized QMP JSON', function () {
  this.timeout(60_000);
  let dir: string;
  let tsemu: GuestSession;
  let tsemuSocket: string;

  before(() => {
    dir = makeTempDir('big-qmp');
    tsemuSocket = join(dir, 'qmp.sock');
    tsemu = GuestSession.startTsemu(qmpArgs(dir), { timeoutMs: 120_000 });
  });

  after(() => {
    tsemu?.kill();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it('nesting deeper than 1024: one error, then the next request is served (as QEMU)', async () => {
    const expected = [jsonError('JSON nesting depth limit exceeded'), RUNNING];
    expect(readTranscript<NestingRecord>(NESTING_KEY).replies, 'QEMU (transcript)').to.deep.equal(expected);
    expect(await repliesTo(tsemuSocket, NESTING_PAYLOAD)).to.deep.equal(expected);
  });

  // QEMU reads a QMP socket one byte per main-loop iteration, so it takes minutes over the
  // following messages: they are checked against json-streamer.c's limits and texts instead.
  it('more than 2 Mi tokens in one message: "JSON token count limit exceeded", the session goes on', async () => {
    // 1 + 2 * (2^20 - 1) + 2 = 2^21 + 1 tokens: the limit is crossed by the last one.
    const payload = `[${'0,'.repeat((1 << 20) - 1)}0]`;
    expect(await repliesTo(tsemuSocket, payload)).to.deep.equal([jsonError('JSON token count limit exceeded'), RUNNING]);
  });

  it('more than 64 MiB of tokens in one message: "JSON token size limit exceeded", the session goes on', async () => {
    // [ + a 64 MiB - 2 byte string + ]: the limit is crossed by the closing bracket.
    const payload = `["${'x'.repeat((64 << 20) - 4)}"]`;
    expect(await repliesTo(tsemuSocket, payload)).to.deep.equal([jsonError('JSON token size limit exceeded'), RUNNING]);
  });

  it('the guest kept running and the process quits cleanly', async () => {
    const c = await QmpConnection.connect(tsemuSocket);
    await c.nextLine();
    await c.request('{"execute": "qmp_capabilities"}');
    const x = async (): Promise<bigint> => {
      const r = JSON.parse(await c.reply(`{"execute": "human-monitor-command", "arguments": {"command-line": "x /1xg 0x${slotAddress(0).toString(16)}"}}`)) as { return: string };
      return parseXg(r.return.replace(/\r\n/g, '\n'));
    };
    const from = await x();
    // the guest keeps counting: poll until the counter moved (at most 20 s) rather than a fixed pause
    let now = from;
    await waitFor('the loop counter to move', async () => (now = await x()) > from, 20_000, 100).catch(() => undefined);
    expect(now > from).to.equal(true);
    expect((await c.request('{"execute": "quit"}')).at(-1)).to.equal('{"return": {}}');
    expect((await tsemu.waitForExit()).status).to.equal(0);
  });
});
