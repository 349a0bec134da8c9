/**
 * `log`, `logfile` and `trace-file` on a running emulator: the new settings
 * must reach every thread (translator service: in_asm; vCPU workers: exec and
 * their trace records; main thread: the monitor's own texts).
 *
 * The guest is guests/bin/spin.elf (harts 0-1 spin forever); every emulator
 * starts with -S and no -d, so nothing is translated before the first `cont`.
 * Compared with QEMU 7.2 through the committed transcripts
 * tests/transcripts/monitor-e2e/log-runtime/*.json (log-runtime.oracle.spec.ts
 * checks them against a live QEMU; see log-runtime-qemu.ts): the first `IN:`
 * block (the reset vector) and every message text. Debian's QEMU is built with
 * the log trace backend only, so the simple backend's `trace-file` is checked
 * against what QEMU's trace/simple.c does (see src/monitor/README.md).
 */
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { EVENTS } from '../../src/trace/generated/events.js';
import { readSimpleTrace, type SimpleTraceEvent } from '../../src/trace/simpletrace-reader.js';
import { GuestSession } from '../support/guest-session.js';
import { makeTempDir, waitFor as waitForProbe } from '../support/tools.js';
import { readTranscript } from '../support/transcripts.js';
import { HmpStdio } from './hmp-stdio.js';
import {
  BAD_ITEM_LISTS, FIRST_BLOCK_KEY, inAsmBlocks, MESSAGE_CASES, MESSAGES_KEY, RESET_VECTOR, spinArgs,
  type FirstBlockRecord, type MessagesRecord,
} from './log-runtime-qemu.js';
import { QmpConnection } from '../support/qmp.js';
import { loadSpinGuest } from './spin-guest.js';

const guest = loadSpinGuest();

/** Polls every 50 ms, for 8 s unless told. */
function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 8000): Promise<T> {
  return waitForProbe(what, probe, timeoutMs, 50);
}

function fileText(path: string): string {
  return existsSync(path) ? readFileSync(path, 'latin1') : '';
}

function countOf(text: string, needle: string): number {
  return text.split(needle).length - 1;
}

/** After `system_reset`: resolves once hart 0 is back in its loop, i.e. it ran the boot code again. */
async function backInLoop(hmp: HmpStdio): Promise<void> {
  const start = await hmp.counter(0);
  await waitFor('the guest to run its loop again', async () => ((await hmp.counter(0)) !== start ? true : undefined));
}

describe('monitor e2e: log and logfile at run time', function () {
  this.timeout(20_000);
  let dir: string;
  let hmp: HmpStdio;
  const f1 = (): string => join(dir, 'first.log');
  const f2 = (): string => join(dir, 'second.log');

  before(async function () {
    this.timeout(60_000);
    dir = makeTempDir('log-e2e');
    hmp = await HmpStdio.start('tsemu', spinArgs('-monitor', 'stdio'));
  });

  after(() => {
    hmp?.kill();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it('log in_asm, then cont: blocks translated from then on go to stderr (no -D), in QEMU\'s format', async () => {
    expect(await hmp.run('log in_asm')).to.equal('');
    expect(await hmp.run('cont')).to.equal('');
    await waitFor('IN: spin on stderr', () => (hmp.session.stderr.includes('IN: spin') ? true : undefined));
    const blocks = inAsmBlocks(hmp.session.stderr);
    // the reset vector, as QEMU 7.2 logs it (the transcript; log-runtime.oracle.spec.ts compares it with a live QEMU)
    expect(readTranscript<FirstBlockRecord>(FIRST_BLOCK_KEY).block, 'QEMU (transcript)').to.equal(RESET_VECTOR);
    expect(blocks[0]).to.equal(RESET_VECTOR);
    expect(blocks.some((b) => b.startsWith('----------------\nIN: spin\nPriv: 3; Virt: 0\n0x000000008000001c:  00043303  '))).to.equal(true);
  });

  it('logfile FILE: FILE is created, and the next translations go there instead of stderr', async () => {
    expect(await hmp.run(`logfile ${f1()}`)).to.equal('');
    expect(existsSync(f1())).to.equal(true);
    const onStderr = countOf(hmp.session.stderr, 'IN:');
    expect(await hmp.run('system_reset')).to.equal(''); // every translation is dropped: the boot code is translated again
    await waitFor('the reset vector in FILE', () => (fileText(f1()).includes('0x0000000000001000:  00000297') ? true : undefined));
    await waitFor('IN: spin in FILE', () => (fileText(f1()).includes('IN: spin') ? true : undefined));
    expect(countOf(hmp.session.stderr, 'IN:')).to.equal(onStderr);
  });

  it('log none: nothing more is logged (the boot code translated again after a reset is not shown)', async () => {
    expect(await hmp.run('log none')).to.equal('');
    const size = statSync(f1()).size;
    expect(await hmp.run('system_reset')).to.equal('');
    await backInLoop(hmp);
    expect(statSync(f1()).size).to.equal(size);
  });

  it('log exec: every vCPU logs each block it runs ("Trace N: ..."), until log none', async () => {
    expect(await hmp.run('log exec')).to.equal('');
    // QEMU 7.2's line: M-mode flags, cflags of MTTCG at -smp 2 (CF_PARALLEL), the loop's symbol
    const traceLine = (hart: number): RegExp => new RegExp(`^Trace ${hart}: 0x[0-9a-f]+ \\[0000000000000000/000000008000001c/00209003/ff080000\\] spin$`, 'm');
    await waitFor('Trace lines of both harts', () => {
      const text = fileText(f1());
      return traceLine(0).test(text) && traceLine(1).test(text) ? true : undefined;
    });
    expect(await hmp.run('log none')).to.equal(''); // returns once every thread has the new items
    const size = statSync(f1()).size;
    // both harts then run their loop block many times: each run would have logged a Trace line
    await hmp.waitForLoops([0, 1], 100_000n);
    expect(statSync(f1()).size).to.equal(size);
  });

  it('logfile OTHER: output moves to OTHER; the first file gets nothing more', async () => {
    expect(await hmp.run(`logfile ${f2()}`)).to.equal('');
    expect(await hmp.run('log in_asm,int')).to.equal('');
    const size = statSync(f1()).size;
    expect(await hmp.run('system_reset')).to.equal('');
    await waitFor('IN: spin in OTHER', () => (fileText(f2()).includes('IN: spin') ? true : undefined));
    expect(inAsmBlocks(fileText(f2()))[0]).to.equal(inAsmBlocks(fileText(f1()))[0]);
    expect(statSync(f1()).size).to.equal(size);
    expect(await hmp.run('log none')).to.equal('');
  });

  it('quit: exit status 0', async () => {
    const exit = await hmp.quit();
    expect(exit.status).to.equal(0);
  });
});

describe('monitor e2e: log / logfile / trace-file messages with the log trace backend', function () {
  this.timeout(20_000);
  const dirs: string[] = [];
  let tsemu: HmpStdio;
  let qemu: MessagesRecord;

  before(async function () {
    this.timeout(60_000);
    qemu = readTranscript<MessagesRecord>(MESSAGES_KEY);
    tsemu = await HmpStdio.start('tsemu', spinArgs('-monitor', 'stdio'));
  });

  after(() => {
    tsemu?.kill();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('log bogus (and other bad item lists) print the log help, as hmp_log does', async () => {
    const help = await tsemu.run('help log');
    expect(help).to.match(/^Log items \(comma separated\):\nnone {12}remove all logs\nout_asm {9}show generated host assembly/);
    expect(qemu.badItemLists.map(([line]) => line), 'the command lines of the QEMU transcript').to.deep.equal(BAD_ITEM_LISTS);
    for (const [line, theirs] of qemu.badItemLists) {
      expect(await tsemu.run(line), line).to.equal(help);
      // QEMU lists more items (op_opt, mmu, ...); the frame is the same
      expect(theirs.split('\n').slice(0, 2), `QEMU ${line}`).to.deep.equal(help.split('\n').slice(0, 2));
      expect(theirs.split('\n').slice(-5), `QEMU ${line}`).to.deep.equal(help.split('\n').slice(-5));
    }
  });

  MESSAGE_CASES.forEach(([line, expected], i) => {
    it(`${JSON.stringify(line)} -> ${JSON.stringify(expected.split('\n')[0])}`, async () => {
      expect(qemu.messages[i], 'QEMU (transcript)').to.deep.equal([line, expected]);
      expect(await tsemu.run(line)).to.equal(expected);
    });
  });

  it('a logfile that opens ends the errors; log and logfile print nothing then', async () => {
    const d = makeTempDir('log-msg');
    dirs.push(d);
    expect(await tsemu.run(`logfile ${join(d, 'tsemu-%d.log')}`)).to.equal('');
    expect(await tsemu.run('log none')).to.equal('');
    // %d is the process id
    expect(readdirSync(d).filter((n) => /^tsemu-\d+\.log$/.test(n))).to.have.length(1);
  });
});

describe('monitor e2e: log through QMP human-monitor-command', function () {
  this.timeout(20_000);
  let dir: string;
  let proc: GuestSession;
  let qmp: QmpConnection;

  before(async function () {
    this.timeout(60_000);
    dir = makeTempDir('log-qmp');
    const socket = join(dir, 'qmp.sock');
    proc = GuestSession.startTsemu(spinArgs('-qmp', `unix:${socket},server,nowait`), { timeoutMs: 60_000 });
    qmp = await QmpConnection.connect(socket);
    await qmp.nextLine(); // greeting
    expect(await qmp.reply('{"execute": "qmp_capabilities"}')).to.equal('{"return": {}}');
  });

  after(() => {
    qmp?.destroy();
    proc?.kill();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  const hmc = (line: string): Promise<string> =>
    qmp.reply(JSON.stringify({ execute: 'human-monitor-command', arguments: { 'command-line': line } }));

  it('logfile and log in_asm apply to the running machine and reply with empty output', async () => {
    const file = join(dir, 'qmp.log');
    expect(await hmc(`logfile ${file}`)).to.equal('{"return": ""}');
    expect(await hmc('log in_asm')).to.equal('{"return": ""}');
    expect(await qmp.reply('{"execute": "cont"}')).to.equal('{"return": {}}');
    await waitFor('IN: spin in the file', () => (fileText(file).includes('IN: spin') ? true : undefined));
  });

  it('the texts come back in the reply, with CR LF (as QEMU)', async () => {
    expect(await hmc('log trace:nonexistent_zz')).to.equal('{"return": "warning: trace event \'nonexistent_zz\' does not exist\\r\\n"}');
    expect(await hmc('trace-file')).to.equal('{"return": "unknown command: \'trace-file\'\\r\\n"}');
    expect(await hmc('logfile /nonexistent/x.log')).to.equal('{"return": "Error opening logfile /nonexistent/x.log: No such file or directory\\r\\n"}');
  });

  it('quit', async () => {
    expect(await qmp.reply('{"execute": "quit"}')).to.equal('{"return": {}}');
    expect((await proc.waitForExit()).status).to.equal(0);
  });
});

describe('monitor e2e: trace-file with the simple backend', function () {
  this.timeout(20_000);
  let dir: string;
  let hmp: HmpStdio;
  const a = (): string => join(dir, 'a.simple');
  const b = (): string => join(dir, 'b.simple');
  const events = (path: string): SimpleTraceEvent[] =>
    readSimpleTrace(readFileSync(path), EVENTS).filter((r): r is SimpleTraceEvent => r.kind === 'event');
  const named = (records: SimpleTraceEvent[], name: string): SimpleTraceEvent[] => records.filter((r) => r.info.name === name);
  const cpus = (records: SimpleTraceEvent[]): number[] => [...new Set(records.map((r) => r.cpu))].sort();

  before(async function () {
    this.timeout(60_000);
    dir = makeTempDir('trace-file');
    // translate_block comes from the translator service, guest_cpu_* from each vCPU worker
    hmp = await HmpStdio.start('tsemu', spinArgs('-monitor', 'stdio', '-trace', 'translate_block', '-trace', `enable=guest_cpu_*,file=${a()}`));
  });

  after(() => {
    hmp?.kill();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it('trace-file prints QEMU\'s status line', async () => {
    expect(await hmp.run('trace-file')).to.equal(`Trace file "${a()}" on.\n`);
  });

  it('trace-file set FILE: the old file is complete, the new one is a valid trace on its own', async () => {
    expect(await hmp.run(`trace-file set ${b()}`)).to.equal('');
    expect(await hmp.run('trace-file')).to.equal(`Trace file "${b()}" on.\n`);
    const before = events(a());
    expect(before.every((r) => r.info.name === 'guest_cpu_enter'), 'only vCPU creation happened before the switch').to.equal(true);
    // header and event mappings (nothing is translated before cont)
    expect(events(b()).every((r) => r.info.name === 'guest_cpu_enter')).to.equal(true);
    // every vCPU was created (guest_cpu_enter), in the old file or, if it started late, the new one
    expect(cpus([...before, ...named(events(b()), 'guest_cpu_enter')])).to.deep.equal([0, 1]);
  });

  it('after cont and system_reset, the new file has the translator\'s and every vCPU\'s records', async () => {
    expect(await hmp.run('cont')).to.equal('');
    await waitFor('the loop translated', async () => {
      expect(await hmp.run('trace-file flush')).to.equal('');
      return named(events(b()), 'translate_block').some((r) => r.args[0] === BigInt(guest.spin)) ? true : undefined;
    });
    expect(await hmp.run('system_reset')).to.equal('');
    await backInLoop(hmp);
    expect(await hmp.run('trace-file off')).to.equal(''); // every thread wrote out its records and closed the file
    expect(await hmp.run('trace-file')).to.equal(`Trace file "${b()}" off.\n`);
    const records = events(b());
    expect(cpus(named(records, 'guest_cpu_reset'))).to.deep.equal([0, 1]);
    expect(named(records, 'translate_block')[0].args[0]).to.equal(0x1000n); // the reset vector first
    expect(events(a()).every((r) => r.info.name === 'guest_cpu_enter')).to.equal(true); // nothing more went to the old file
  });

  it('trace-file off: nothing more is written', async () => {
    const size = statSync(b()).size;
    expect(await hmp.run('system_reset')).to.equal(''); // would trace guest_cpu_reset and translations
    await backInLoop(hmp);
    expect(statSync(b()).size).to.equal(size);
  });

  it('trace-file on: the file starts over (QEMU opens it "wb"), valid, and records again', async () => {
    expect(await hmp.run('trace-file on')).to.equal('');
    expect(await hmp.run('trace-file')).to.equal(`Trace file "${b()}" on.\n`);
    expect(await hmp.run('trace-file flush')).to.equal('');
    expect(named(events(b()), 'guest_cpu_reset')).to.deep.equal([]);
    expect(await hmp.run('system_reset')).to.equal('');
    await backInLoop(hmp);
    expect(await hmp.run('trace-file flush')).to.equal('');
    expect(cpus(named(events(b()), 'guest_cpu_reset'))).to.deep.equal([0, 1]);
  });

  it('quit: both files parse', async () => {
    const exit = await hmp.quit();
    expect(exit.status).to.equal(0);
    expect(() => events(a())).to.not.throw();
    expect(() => events(b())).to.not.throw();
  });
});
