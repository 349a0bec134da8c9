/**
 * HMP commands on a fake target: what the QEMU comparison cannot cover
 * (tsemu's own commands, the vCPU/hotplug formats, how the session queues
 * input behind a slow command, quit, plain-line input). Formats that QEMU 7.2
 * for riscv does not print are checked against the QEMU version or machine
 * that does (noted per test; its output is the committed transcript
 * tests/transcripts/monitor/hmp/hotpluggable-cpus-s390x.json, checked live by hmp.oracle.spec.ts).
 */
import { expect } from 'chai';
import { HmpSession, runHumanMonitorCommand } from '../../src/monitor/hmp.js';
import { readTranscript } from '../support/transcripts.js';
import { FakeTarget } from './fake-target.js';
import { HOTPLUG_S390X, s390xLikeTarget, type HotplugRecord } from './hmp-cases.js';
import { nextTurn, waitFor } from '../support/tools.js';
import { tsemuHmp } from './transcript.js';

async function run(target: FakeTarget, ...commands: string[]): Promise<string[]> {
  const t = await tsemuHmp(target, commands, 'tsemu');
  return t.outputs.map((o) => o.replace(/\r\n/g, '\n'));
}

describe('monitor/hmp: commands on a fake target', () => {
  it('starts with the banner naming tsemu and the prompt', async () => {
    const t = await tsemuHmp(new FakeTarget(), [], 'tsemu');
    expect(t.banner).to.equal("tsemu 7.2.22 monitor - type 'help' for more information\r\n");
  });

  it('lists every command, sorted, in help', async () => {
    const [help] = await run(new FakeTarget(), 'help');
    const names = help.trimEnd().split('\n').map((l) => l.split(' ')[0]);
    expect(names).to.deep.equal([...names].sort());
    for (const cmd of ['cont|c', 'cpu', 'cpu-add', 'device_add', 'device_del', 'help|?', 'info', 'instr-load', 'instr-unload',
      'log', 'logfile', 'quit|q', 'stop|s', 'system_reset', 'trace-event', 'trace-file', 'x', 'xp']) {
      expect(names).to.include(cmd);
    }
    const [info] = await run(new FakeTarget(), 'help info');
    expect(info).to.include('info registers [-a|vcpu] -- show the cpu registers');
    expect(info).to.include('info instr  -- show loaded instrumentation libraries');
  });

  it('prints info cpus as "* CPU #N: pc=0x... (halted) thread_id=T", * on the current vCPU', async () => {
    const target = new FakeTarget(3);
    const [before, , after] = await run(target, 'info cpus', 'cpu 2', 'info cpus');
    expect(before).to.equal(
      '* CPU #0: pc=0x0000000000001000 thread_id=1000\n' +
      '  CPU #1: pc=0x0000000000001001 (halted) thread_id=1001\n' +
      '  CPU #2: pc=0x0000000000001002 (halted) thread_id=1002\n');
    expect(after.split('\n')[2]).to.equal('* CPU #2: pc=0x0000000000001002 (halted) thread_id=1002');
  });

  it('shows registers of the current vCPU, one vCPU, or all with -a', async () => {
    const target = new FakeTarget(2);
    const [current, one, , selected, all] = await run(target, 'info registers', 'info registers 1', 'cpu 1', 'info registers', 'info registers -a');
    expect(current).to.equal('\nCPU#0\n pc       0000000000001000\n mhartid  0000000000000000\n');
    expect(one).to.equal('\nCPU#1\n pc       0000000000001001\n mhartid  0000000000000001\n');
    expect(selected).to.equal(one);
    expect(all).to.equal(current + one);
  });

  it('reads memory through the selected vCPU', async () => {
    const target = new FakeTarget(2);
    target.map(0x80000000n, Uint8Array.from([1, 2, 3, 4]));
    await run(target, 'cpu 1', 'x /1xw 0x80000000', 'xp /1xw 0x80000000');
    expect(target.calls).to.include('read 1 80000000 4 v');
    expect(target.calls).to.include('read 1 80000000 4 p');
  });

  it('falls back to the first vCPU when the selected one is gone (QEMU: mon_get_cpu)', async () => {
    const target = new FakeTarget(2);
    let out = '';
    const session = new HmpSession(target, (b) => { out += Buffer.from(b).toString(); }, { editor: false, productName: 'tsemu' });
    session.start();
    session.input(Buffer.from('cpu 1\n'));
    await waitFor('two prompts', () => out.split('(qemu) ').length === 3);
    target.cpuList.splice(1, 1);
    out = '';
    session.input(Buffer.from('info cpus\n'));
    await waitFor('the prompt', () => out.endsWith('(qemu) '));
    expect(out).to.include('* CPU #0:');
  });

  it('loads, lists and unloads instrumentation libraries', async () => {
    const target = new FakeTarget();
    const out = await run(target, 'instr-load /x/count.js 10 "two words"', 'instr-load -i mine /x/other.js', 'info instr',
      'instr-load -i mine /x/again.js', 'instr-load /x/missing.so', 'instr-unload lib0', 'instr-unload lib0', 'info instr',
      'instr-load', 'instr-load -z /x', 'instr-load /x "open');
    expect(out[0]).to.equal('lib0\n');
    expect(out[1]).to.equal('mine\n');
    expect(out[2]).to.equal('lib0: /x/count.js 10 two words\nmine: /x/other.js\n');
    expect(out[3]).to.equal('Error: Library ID exists\n');
    expect(out[4]).to.equal('Error: Error loading library: /x/missing.so: cannot open shared object file\n');
    expect(out[5]).to.equal('');
    expect(out[6]).to.equal('Error: Unknown library ID\n');
    expect(out[7]).to.equal('mine: /x/other.js\n');
    expect(out[8]).to.equal('instr-load: filename expected\nTry "help instr-load" for more information\n');
    expect(out[9]).to.equal('instr-load: unsupported option -z\nTry "help instr-load" for more information\n');
    expect(out[10]).to.equal('instr-load: string expected\nTry "help instr-load" for more information\n');
    expect(target.libs[0].args).to.deep.equal([]);
  });

  it('parses device_add options like -device (QemuOpts) and reports target errors', async () => {
    const target = new FakeTarget();
    const out = await run(target, 'device_add rv64-riscv-cpu,id=c1,core-id=1', 'device_add driver=rv64-riscv-cpu,core-id=2,hotplugged',
      'device_add foo,,bar,id=x', 'device_add foo,id=9c', 'device_del c1', 'device_del zz', 'cpu-add 2', 'cpu-add 9', 'cpu-add x');
    expect(target.calls).to.include('device_add {"driver":"rv64-riscv-cpu","id":"c1","core-id":"1"}');
    expect(target.calls).to.include('device_add {"driver":"rv64-riscv-cpu","core-id":"2","hotplugged":"on"}');
    expect(target.calls).to.include('device_add {"driver":"foo,bar","id":"x"}');
    expect(out[0]).to.equal('');
    expect(out[2]).to.equal("Error: 'foo,bar' is not a valid device model name\n");
    // QEMU prints the first two lines on stderr (error_report outside the monitor); tsemu keeps them in the monitor.
    expect(out[3]).to.equal("Parameter 'id' expects an identifier\nIdentifiers consist of letters, digits, '-', '.', '_', starting with a letter.\n" +
      'Try "help device_add" for more information\n');
    expect(out[4]).to.equal('');
    expect(out[5]).to.equal("Error: Device 'zz' not found\n");
    expect(out[6]).to.equal('');
    expect(out[7]).to.equal('Error: Unable to add CPU with core-id: 9, maximum core-id: 3\n');
    expect(out[8]).to.equal("invalid char 'x' in expression\nTry \"help cpu-add\" for more information\n");
    expect(target.calls).to.include('cpu-add 2');
  });

  it('passes log and logfile to the target, and lists the log items for a bad one', async () => {
    const target = new FakeTarget();
    const out = await run(target, 'log in_asm,int', 'log none', 'log bogus', 'logfile /tmp/x.log', 'logfile /nonexistent/x/y');
    expect(target.calls).to.include('log in_asm,int');
    expect(target.calls).to.include('log none');
    expect(target.calls).not.to.include('log bogus');
    expect(out[2]).to.match(/^Log items \(comma separated\):\nnone {12}remove all logs\nout_asm {9}show generated host assembly/);
    expect(out[2]).to.match(/trace:PATTERN   enable trace events\n\nUse "log trace:help" to get a list of trace events\.\n\n$/);
    expect(out[4]).to.equal('Error opening logfile /nonexistent/x/y: No such file or directory\n');
  });

  it('drives the trace file with trace-file (QEMU simple backend syntax)', async () => {
    const target = new FakeTarget();
    const out = await run(target, 'trace-file', 'trace-file on', 'trace-file off', 'trace-file flush', 'trace-file set /tmp/t.bin', 'trace-file set', 'trace-file bad');
    expect(out[0]).to.equal('Trace file "trace-1234" off.\n');
    expect(target.calls.filter((c) => c.startsWith('trace-file'))).to.deep.equal([
      'trace-file status', 'trace-file on', 'trace-file off', 'trace-file flush', 'trace-file set /tmp/t.bin',
    ]);
    expect(out[6]).to.equal('unexpected argument "bad"\ntrace-file on|off|flush|set [arg] -- open, close, or flush trace file, or set a new file name\n');
  });

  it('prints info mtree as the target gives it', async () => {
    const [mtree] = await run(new FakeTarget(), 'info mtree');
    expect(mtree).to.equal(new FakeTarget().mtree());
  });

  it('reports a trace event disabled at build time (QMP only; HMP ignores it)', async () => {
    const target = new FakeTarget();
    target.events = [{ name: 'gone', vcpu: false, unavailable: true }, { name: 'here', vcpu: false }];
    const out = await run(target, 'trace-event gone on', 'info trace-events', 'trace-event * on', 'info trace-events');
    expect(out[0]).to.equal('');
    expect(out[1]).to.equal('here : state 0\ngone : state 0\n');
    expect(out[3]).to.equal('here : state 1\ngone : state 0\n');
    expect(target.calls).to.deep.equal(['trace here on']);
  });

  it('stops after quit: the target quits, no prompt, later input ignored', async () => {
    const target = new FakeTarget();
    let out = '';
    const session = new HmpSession(target, (b) => { out += Buffer.from(b).toString(); }, { editor: false, productName: 'tsemu' });
    session.start();
    out = '';
    session.input(Buffer.from('quit\ninfo status\n'));
    await nextTurn(); // the fake target answers through promises only: after this, everything queued has run
    expect(target.calls).to.deep.equal(['quit']);
    expect(out).to.equal('quit\r\n');
  });

  it('holds input back while a command runs, then continues in order', async () => {
    const target = new FakeTarget();
    let release!: () => void;
    target.delay = new Promise((r) => { release = r; });
    let out = '';
    const session = new HmpSession(target, (b) => { out += Buffer.from(b).toString(); }, { editor: false, productName: 'tsemu' });
    session.start();
    out = '';
    session.input(Buffer.from('stop\ninfo status\n'));
    await nextTurn(); // everything but the held-back stop has run
    expect(out).to.equal('stop\r\n');
    release();
    await waitFor('two prompts', () => out.split('(qemu) ').length === 3);
    expect(out).to.equal('stop\r\n(qemu) info status\r\nVM status: paused\r\n(qemu) ');
  });

  it('takes plain lines ending in LF, CR or CR LF; backspace edits, other control bytes are dropped', async () => {
    const target = new FakeTarget();
    let out = '';
    const session = new HmpSession(target, (b) => { out += Buffer.from(b).toString(); }, { editor: false, productName: 'tsemu' });
    session.start();
    out = '';
    session.input(Buffer.from('info statux\x7fs\r\ninfo\x00 version\rc\x1b\n'));
    await waitFor('three prompts', () => out.split('(qemu) ').length === 4);
    expect(out).to.equal('info status\r\nVM status: running\r\n(qemu) info version\r\n7.2.22Debian 1:7.2+dfsg-7+deb12u18+b3\r\n(qemu) c\r\n(qemu) ');
  });

  it('reports an exception from the target as an error instead of dying', async () => {
    const target = new FakeTarget();
    target.mtree = () => { throw new Error('no memory map yet'); };
    const [out] = await run(target, 'info mtree');
    expect(out).to.equal('Error: no memory map yet\n');
  });

  it('runs human-monitor-command lines in a fresh monitor with CR LF output', async () => {
    const target = new FakeTarget(2);
    expect(await runHumanMonitorCommand(target, 'info cpus', 1)).to.equal(
      '  CPU #0: pc=0x0000000000001000 thread_id=1000\r\n* CPU #1: pc=0x0000000000001001 (halted) thread_id=1001\r\n');
    expect(await runHumanMonitorCommand(target, 'info cpus', 5)).to.equal(undefined);
  });

  describe('info hotpluggable-cpus (compared with QEMU 7.2 s390x, which has CPU hotplug; transcript)', () => {
    it('prints the slots like QEMU, last slot first', async () => {
      const qemu = readTranscript<HotplugRecord>(HOTPLUG_S390X.key).infoHotpluggableCpus;
      const [ours] = await run(s390xLikeTarget(), 'info hotpluggable-cpus');
      expect(ours).to.equal(qemu);
    });
  });
});
