/**
 * Handles, registers, values and the new events (issue 17 points 2 and 3) on guests whose
 * values are known from their source: guests/api.S (system mode) with libs/api-probe.ts, and
 * tests/user/bin/hello-static (user mode) with tests/user/instr/syscall-filter.ts.
 *
 * Independent knowledge: the registers and memory values api.S sets; its instructions'
 * encodings (the ELF's bytes); tsemu's own `-d in_asm` lines for the same blocks; the
 * riscv_trap / riscv_interrupt trace lines of the same run; hello.c's one line of output.
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTsemu, virtKernelArgs, type GuestRunResult } from '../support/run-guest.js';
import { elfSymbols, symbol } from '../support/elf-symbols.js';
import { INSTR_GUESTS, INSTR_LIBS, REPO, describeRun, hex, linesOf, traceRecords } from './helpers.js';
import { readTranscript } from '../support/transcripts.js';
import { API_TRAPS_KEY, type Trap } from './api-traps.js';

const ELF = join(INSTR_GUESTS, 'api.elf');
const RAM = 0x80000000n;

/** `api: <what> ...` lines, prefix removed. */
function reports(run: GuestRunResult, what: string): string[] {
  return linesOf(run.stdout).map((l) => l.replace(/^A(?=api: )/, '')) // the guest's 'A' shares a line
    .filter((l) => l.startsWith(`api: ${what}`)).map((l) => l.slice('api: '.length));
}

describe('instr API: handles, registers, values and discontinuity/idle/flush events (api.S)', function () {
  this.timeout(120_000);
  let run: GuestRunResult;
  let traced: GuestRunResult;
  /** The run's -d in_asm lines and trace lines (-D file). */
  let log = '';
  let probe = 0n;
  let memops = 0n;
  let data = 0n;
  let trap = 0n;
  const elf = readFileSync(ELF);
  /** The 4 bytes at guest address `a` in the ELF file (through its PT_LOAD program headers). */
  const codeAt = (a: bigint): string => {
    const phoff = Number(elf.readBigUInt64LE(0x20));
    for (let k = 0; k < elf.readUInt16LE(0x38); k++) {
      const ph = phoff + k * elf.readUInt16LE(0x36);
      const offset = Number(elf.readBigUInt64LE(ph + 8));
      const vaddr = elf.readBigUInt64LE(ph + 16);
      const size = elf.readBigUInt64LE(ph + 32);
      if (elf.readUInt32LE(ph) !== 1 || a < vaddr || a + 4n > vaddr + size) continue;
      const at = offset + Number(a - vaddr);
      return elf.subarray(at, at + 4).toString('hex');
    }
    return 'not in the file';
  };

  before(async function () {
    const symbols = elfSymbols(ELF);
    [probe, memops, data, trap] = ['probe', 'memops', 'data', 'trap'].map((n) => symbol(symbols, n));
    const lib = `file=${join(INSTR_LIBS, 'api-probe.ts')},arg=${hex(probe)},arg=${hex(memops)},arg=${hex(data)}`;
    const dir = mkdtempSync(join(tmpdir(), 'tsemu-api-'));
    try {
      run = await runTsemu(virtKernelArgs(ELF, ['-instr', lib, '-trace', 'riscv_trap', '-trace', 'riscv_interrupt', '-d', 'in_asm', '-D', join(dir, 'log')]), { timeoutMs: 100_000 });
      log = readFileSync(join(dir, 'log'), 'utf8');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    traced = await runTsemu(virtKernelArgs(ELF, ['-trace', 'guest_vcpu_*']), { timeoutMs: 100_000 });
  });

  it('runs the guest to its end', function () {
    expect(run.status, describeRun(run)).to.equal(0);
    expect(traced.status, describeRun(traced)).to.equal(0);
  });

  it("gives probe's block handle: vaddr, count, size, each instruction's bytes, addresses, symbol and -d in_asm's text", function () {
    const tb = reports(run, 'tb ');
    expect(tb).to.include(`tb ${hex(probe)} n=3 size=12`);
    const insns = reports(run, 'insn ').filter((l) => BigInt(l.split(' ')[1]) >= probe && BigInt(l.split(' ')[1]) < probe + 12n);
    expect(insns.length).to.equal(3);
    // -d in_asm's lines of the same block, from this run's log
    const lines = log.split('\n');
    const at = lines.findIndex((l) => l === 'IN: probe');
    const inAsm = lines.slice(at + 2, at + 5);
    insns.forEach((l, k) => {
      const m = /^insn (0x[0-9a-f]+) (\d) ([0-9a-f]+) pa=(0x[0-9a-f]+) ha=(\d+) sym=(\S+) \|(.*)$/.exec(l);
      expect(m, l).to.not.equal(null);
      const [, vaddr, size, bytes, pa, ha, sym, disas] = m as RegExpExecArray;
      const a = probe + 4n * BigInt(k);
      expect([BigInt(vaddr), Number(size), bytes, BigInt(pa), BigInt(ha), sym]).to.deep.equal([a, 4, codeAt(a), a, a - RAM, 'probe']);
      expect(inAsm[k], 'the -d in_asm line').to.equal(`0x${a.toString(16).padStart(16, '0')}:  ${[...Buffer.from(bytes, 'hex')].reverse().map((b) => b.toString(16).padStart(2, '0')).join('').padEnd(18)}${disas}`);
    });
    expect(insns[0].endsWith('|mv                      a0,s2')).to.equal(true);
  });

  it("gives memops' block handle: every instruction up to its ret, named memops", function () {
    const tb = reports(run, `tb ${hex(memops)} `);
    expect(tb.length).to.equal(1);
    const n = Number(/n=(\d+)/.exec(tb[0])?.[1]);
    const insns = reports(run, 'insn ').filter((l) => l.includes(' sym=memops '));
    expect(insns.length).to.be.at.least(n);
    expect(insns.slice(0, n).map((l) => l.split(' ')[3])).to.deep.equal(Array.from({ length: n }, (_, k) => codeAt(memops + 4n * BigInt(k))));
  });

  it('qi_insn_current() in guest_inst_before_trans is the instruction of the event', function () {
    expect(reports(run, 'cur ')).to.deep.equal([`cur ${hex(probe)}`]);
  });

  it('reads the registers api.S set, by ABI name, x number, f number, CSR name and pc', function () {
    expect(reports(run, 'reg ')).to.deep.equal([
      `reg s2=0x123456789abcdef0 x19=0xfffffffffffffffe mscratch=0x5a5a f5=0x400921fb54442d18 ft5=0x400921fb54442d18 fflags=0x0 pc=${hex(probe)} priv=0x3 mhartid=0x0 zero=0x0`,
    ]);
  });

  it('gives each access of memops after it, with the value stored or loaded (zero-extended), the physical address and RAM or device', function () {
    const SD = 3 | 16;
    const LD = 3;
    const SB = 16;
    const LB = 0 | 4;
    const SW = 2 | 16;
    const LBU = 0;
    expect(reports(run, 'mem ')).to.deep.equal([
      `mem ${hex(data)} info=${SD} value=0x1122334455667788 pa=${hex(data)} ram=true`,
      `mem ${hex(data)} info=${LD} value=0x1122334455667788 pa=${hex(data)} ram=true`,
      `mem ${hex(data + 8n)} info=${SB} value=0xff pa=${hex(data + 8n)} ram=true`,
      `mem ${hex(data + 8n)} info=${LB} value=0xff pa=${hex(data + 8n)} ram=true`,
      `mem ${hex(data + 12n)} info=${SW} value=0xdeadbeef pa=${hex(data + 12n)} ram=true`,
      // the store to the UART's THR ends the block (a device write), after its event
      `mem 0x10000000 info=${SB} value=0x41 pa=0x10000000 ram=false`,
      `mem 0x10000005 info=${LBU} value=0x60 pa=0x10000005 ram=false`,
    ]);
  });

  it('raises a discontinuity for each trap and each mret, as many as riscv_trap + riscv_interrupt lines', function () {
    const ecall = 0x8000007cn;
    const d = reports(run, 'discon ');
    const traps = traceRecords(log, 'riscv_trap');
    const irqs = traceRecords(log, 'riscv_interrupt');
    expect(traps.length).to.equal(1);
    expect(irqs.length).to.equal(1);
    expect(d.filter((l) => l.includes('type=2 ')).length).to.equal(traps.length);
    expect(d.filter((l) => l.includes('type=1 ')).length).to.equal(irqs.length);
    expect(d.filter((l) => l.includes('type=8 ')).length).to.equal(traps.length + irqs.length);
    const irqPc = BigInt(irqs[0].fields.epc);
    expect(d[0]).to.equal(`discon type=2 from=${hex(ecall)} to=${hex(trap)} cause=11`);
    expect(d[1]).to.match(new RegExp(`^discon type=8 from=0x[0-9a-f]+ to=${hex(ecall + 4n)} cause=0$`));
    expect(d[2]).to.equal(`discon type=1 from=${hex(irqPc)} to=${hex(trap)} cause=3`);
    expect(d[3]).to.match(new RegExp(`^discon type=8 from=0x[0-9a-f]+ to=${hex(irqPc)} cause=0$`));
  });

  it("raises QEMU's traps (the committed -d int transcript) as interrupts and exceptions, in order, with their cause and pc", function () {
    const qemu = readTranscript<Trap[]>(API_TRAPS_KEY);
    const ours = reports(run, 'discon ').filter((l) => !l.includes('type=8 ')).map((l) => {
      const m = /type=(\d) from=(0x[0-9a-f]+) to=0x[0-9a-f]+ cause=(\d+)/.exec(l) as RegExpExecArray;
      return { kind: m[1] === '1' ? 'interrupt' : 'exception', cause: `0x${BigInt(m[3]).toString(16)}`, epc: m[2] };
    });
    expect(ours).to.deep.equal(qemu);
  });

  it('raises idle at the wfi and resume when the timer wakes the vCPU; a flush when translations are dropped', function () {
    const order = linesOf(run.stdout).filter((l) => /api: (idle|resume)$/.test(l)).map((l) => l.slice(5));
    expect(order.length).to.be.at.least(2);
    expect(order.filter((l, k) => l !== (k % 2 === 0 ? 'idle' : 'resume'))).to.deep.equal([]);
    expect(reports(run, 'flush ').length).to.be.at.least(1);
  });

  it("traces the new events in QEMU's style (-trace guest_vcpu_*), with no library", function () {
    const d = traceRecords(traced.stderr, 'guest_vcpu_discon');
    expect(d.map((r) => r.fields.type)).to.deep.equal(['2', '8', '1', '8']);
    expect(d[0].line).to.equal(`guest_vcpu_discon cpu=0x0 type=2 from_pc=0x000000008000007c to_pc=0x${trap.toString(16).padStart(16, '0')} cause=0xb`);
    expect(traceRecords(traced.stderr, 'guest_vcpu_idle').length).to.be.at.least(1);
    expect(traceRecords(traced.stderr, 'guest_vcpu_resume').length).to.be.at.least(1);
  });
});

describe('instr API in user mode: syscall filter, registers at a system call, block handles with ELF symbols', function () {
  this.timeout(120_000);
  const tsemu = (args: string[]): { stdout: string; stderr: string; status: number | null } => {
    const p = spawnSync(process.execPath, [join(REPO, 'bin', 'tsemu-riscv64.js'), ...args], { cwd: REPO, env: {}, encoding: 'utf8', timeout: 100_000 });
    return { stdout: p.stdout, stderr: p.stderr, status: p.status };
  };
  const HELLO = 'tests/user/bin/hello-static';
  const LIB = `file=${join('tests', 'user', 'instr', 'syscall-filter.ts')}`;
  let filtered: ReturnType<typeof tsemu>;
  let plain: ReturnType<typeof tsemu>;

  before(function () {
    filtered = tsemu(['-instr', LIB, HELLO]);
    plain = tsemu(['-d', 'in_asm', HELLO]);
  });

  it('without the library the program prints its line', function () {
    expect(plain.status).to.equal(0);
    expect(plain.stdout).to.equal('hello from riscv64\n');
  });

  it('skips write(1, ...) and returns its length: the line never appears, the program still succeeds', function () {
    expect(filtered.status, filtered.stderr).to.equal(0);
    expect(filtered.stdout).to.equal('');
    const lines = filtered.stderr.split('\n').filter((l) => l.startsWith('filter: ') && !l.startsWith('filter: in_asm'));
    expect(lines).to.have.length(2);
    expect(lines[0]).to.match(/^filter: skip write\(1, "hello from riscv64\\n", 19\) a7=64 pc=0x[0-9a-f]+$/);
    expect(lines[1]).to.equal('filter: write returned 19');
  });

  it("reads a0-a2 and a7 equal to the call's arguments at every system call (no mismatch line)", function () {
    expect(filtered.stderr).to.not.include('registers differ');
  });

  it("gives main's blocks with their symbol, each instruction in -d in_asm's format", function () {
    const fromLib = filtered.stderr.split('\n').filter((l) => l.startsWith('filter: in_asm ')).map((l) => l.slice('filter: in_asm '.length));
    const log = plain.stderr.split('\n');
    const fromLog: string[] = [];
    log.forEach((l, k) => {
      if (l !== 'IN: main') return;
      for (let j = k + 1; j < log.length && log[j].startsWith('0x'); j++) fromLog.push(log[j]);
    });
    expect(fromLog.length).to.be.greaterThan(3);
    expect(fromLib).to.deep.equal(fromLog);
  });
});

describe('instr API: conditional callbacks and inline stores (api.S, libs/cond-inline.ts)', function () {
  this.timeout(120_000);
  let run: GuestRunResult;
  let probe = 0n;
  let memops = 0n;
  const N = 12;

  before(async function () {
    const symbols = elfSymbols(ELF);
    [probe, memops] = ['probe', 'memops'].map((n) => symbol(symbols, n));
    run = await runTsemu(virtKernelArgs(ELF, ['-instr', `file=${join(INSTR_LIBS, 'cond-inline.ts')},arg=${hex(probe)},arg=${hex(memops)},arg=${N}`]), { timeoutMs: 100_000 });
  });

  it('runs the callbacks whose counter condition holds, and only those', function () {
    expect(run.status, describeRun(run)).to.equal(0);
    const start = symbol(elfSymbols(ELF), '_start');
    // _start's first 30 instructions are straight-line (api.S); the 30th calls probe (3
    // instructions), the 34th (back in _start) calls memops: its first instruction is the 35th
    expect(linesOf(run.stdout).filter((l) => l.startsWith('cond: exec'))).to.deep.equal([
      `cond: exec ${hex(start)} count=1`, // LT 3
      `cond: exec ${hex(start + 4n)} count=2`, // LT 3
      `cond: exec ${hex(start + 4n * BigInt(N - 1))} count=${N}`, // EQ N
      `cond: exec ${hex(memops)} count=35`, // counter 1 EQ 2^40 + 1, stored inline at probe
    ]);
  });

  it('stores a 64-bit value inline', function () {
    // (the guest's UART 'A' has no newline: the line may start with it)
    expect(linesOf(run.stdout).filter((l) => l.includes('cond: flag='))).to.have.length(1);
    expect(run.stdout).to.include(`cond: flag=${2n ** 40n + 1n} count=`);
  });
});

describe('examples/instr for the newer API: execlog, discon, nth-insn, howvec, syscall-filter', function () {
  this.timeout(120_000);
  const EX = join(REPO, 'examples', 'instr');

  it('execlog.ts logs every instruction with -d in_asm\'s text and memops\' RAM and device accesses', async function () {
    const r = await runTsemu(virtKernelArgs(ELF, ['-instr', `file=${join(EX, 'execlog.ts')}`]), { timeoutMs: 100_000 });
    expect(r.status, describeRun(r)).to.equal(0);
    const data = symbol(elfSymbols(ELF), 'data');
    const lines = r.stderr.split('\n').map((l) => l.replace(/ +/g, ' ')); // QEMU's columns, spaces collapsed here
    expect(lines).to.include('0, 0x80000000, 0xf1402573, "f1402573 csrrs a0,mhartid,zero"'); // QEMU 7.2's qemu_plugin_insn_disas text
    expect(lines).to.include(`0, 0x80001034, 0x62b023, "0062b023 sd t1,0(t0)", store, ${hex(data)}, RAM`);
    expect(lines).to.include(`0, 0x80001044, 0x828e03, "00828e03 lb t3,8(t0)", load, ${hex(data + 8n)}, RAM`);
    expect(lines).to.include('0, 0x80001068, 0x52c383, "0052c383 lbu t2,5(t0)", load, 0x10000005, io');
  });

  it('discon.ts counts the traps, returns and idle periods of api.S', async function () {
    const r = await runTsemu(virtKernelArgs(ELF, ['-instr', `file=${join(EX, 'discon.ts')}`]), { timeoutMs: 100_000 });
    expect(r.status, describeRun(r)).to.equal(0);
    const got = linesOf(r.stdout).map((l) => l.replace(/^A/, '')).filter((l) => l.startsWith('discon: '));
    expect(got.filter((l) => !l.includes(' idle: '))).to.deep.equal([
      'discon: cpu 0 exception cause 11: 1', 'discon: cpu 0 interrupt cause 3: 1', 'discon: cpu 0 return: 2',
    ]);
    expect(got.some((l) => /^discon: cpu 0 idle: [1-9]\d*$/.test(l))).to.equal(true);
  });

  it('nth-insn.ts names the N-th instruction (6 in the reset ROM, then _start\'s) and its registers', async function () {
    const r = await runTsemu(virtKernelArgs(ELF, ['-instr', `file=${join(EX, 'nth-insn.ts')},arg=12`]), { timeoutMs: 100_000 });
    expect(r.status, describeRun(r)).to.equal(0);
    expect(r.stdout).to.include('nth-insn: cpu 0 instruction 12: 0x80000014 lui t0,8192 (sp=0x0 ra=0x0 a0=0x0 priv=0x3)');
  });

  it('howvec.ts classes count.S\'s instructions: its 1002 loads, 1001 stores, 4015 in all (guests/README.md)', async function () {
    const r = await runTsemu(virtKernelArgs(join(INSTR_GUESTS, 'count.elf'), ['-instr', `file=${join(EX, 'howvec.ts')}`]), { timeoutMs: 100_000 });
    expect(r.status, describeRun(r)).to.equal(0);
    const classes = new Map(linesOf(r.stdout).flatMap((l) => {
      const m = /^Class: (.+?)\s+\t\((\d+) hits\)$/.exec(l);
      return m ? [[m[1], Number(m[2])] as const] : [];
    }));
    expect(classes.get('Load')).to.equal(1002);
    expect(classes.get('Store')).to.equal(1001);
    expect([...classes.values()].reduce((a, b) => a + b, 0)).to.equal(4015);
  });

  it('syscall-filter.ts makes hello-static\'s write return without writing', function () {
    const p = spawnSync(process.execPath, [join(REPO, 'bin', 'tsemu-riscv64.js'), '-instr', `file=${join('examples', 'instr', 'syscall-filter.ts')},arg=64,arg=19`,
      'tests/user/bin/hello-static'], { cwd: REPO, env: {}, encoding: 'utf8', timeout: 100_000 });
    expect(p.status, p.stderr).to.equal(0);
    expect(p.stdout).to.equal('');
    expect(p.stderr).to.match(/^syscall-filter: thread 0: skipped 64\(0x1, 0x[0-9a-f]+, 0x13\) = 19\n$/);
  });
});
