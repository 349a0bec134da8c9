/**
 * -instr in user mode: examples/instr/syscalls.ts's per-thread histogram against what QEMU's
 * -strace lists for the same program (committed transcript), per-thread rows for a threaded
 * program, guest_cpu_enter/exit once per guest thread, translation-level inline counters
 * (insn-count.ts), qi_init/qi_fini output once, and a library that cannot load.
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '../support/run-guest.js';
import { readTranscript } from '../support/transcripts.js';
import { tsemuCommand, type UserOutcome } from './user-runs.js';

function run(args: readonly string[]): { stdout: string; stderr: string; status: number | null } {
  const cmd = tsemuCommand();
  const p = spawnSync(cmd[0], [...cmd.slice(1), ...args], { cwd: repoRoot(), env: {}, encoding: 'utf8', timeout: 120_000 });
  return { stdout: p.stdout, stderr: p.stderr, status: p.status };
}

const SYSCALLS = `file=${join('examples', 'instr', 'syscalls.ts')}`;

/** syscalls.ts's rows: thread -> name -> count. */
function histogram(stdout: string): Map<number, Map<string, number>> {
  const out = new Map<number, Map<string, number>>();
  let cur: Map<string, number> | undefined;
  for (const line of stdout.split('\n')) {
    const t = /^syscalls: thread (\d+): \d+ calls$/.exec(line);
    if (t) {
      cur = new Map();
      out.set(Number(t[1]), cur);
      continue;
    }
    const r = /^ {2}(\S+) +(\d+)$/.exec(line);
    if (r && cur) cur.set(r[1], Number(r[2]));
  }
  return out;
}

describe('user mode: -instr', function () {
  this.timeout(120_000);

  it('syscalls.ts counts the calls QEMU\'s -strace lists for hello-static, by name', function () {
    const r = run(['-instr', SYSCALLS, 'tests/user/bin/hello-static']);
    expect(r.status).to.equal(0);
    expect(r.stderr).to.equal('');
    expect(r.stdout.startsWith('hello from riscv64\n')).to.equal(true);
    const qemu = readTranscript<UserOutcome>('user/hello-strace-static').strace as string;
    const want = new Map<string, number>();
    for (const l of qemu.split('\n').filter((x) => x !== '')) {
      const name = /^PID (\w+)\(/.exec(l)?.[1] as string;
      want.set(name, (want.get(name) ?? 0) + 1);
    }
    const got = histogram(r.stdout);
    expect([...got.keys()]).to.deep.equal([0]);
    expect(Object.fromEntries(got.get(0) ?? [])).to.deep.equal(Object.fromEntries(want));
    const total = [...want.values()].reduce((a, b) => a + b, 0);
    expect(r.stdout.split('\n').filter((l) => l.startsWith('syscalls: total'))).to.deep.equal([`syscalls: total ${total} calls in 1 threads`]);
  });

  it('syscalls.ts gives a row per guest thread: the main thread\'s clones, each other thread\'s exit', function () {
    const r = run(['-instr', SYSCALLS, 'tests/user/bin/threads-static', '4']);
    expect(r.status).to.equal(3); // threads.c's own status, as in its transcripts
    const h = histogram(r.stdout);
    const main = h.get(0) ?? new Map<string, number>();
    const clones = main.get('clone') ?? 0;
    expect(clones).to.be.greaterThan(3);
    expect(h.size).to.equal(clones + 1);
    for (const [cpu, calls] of h) if (cpu !== 0) expect(calls.get('exit'), `thread ${cpu}`).to.equal(1);
    expect(main.get('exit_group')).to.equal(1);
    expect(r.stdout).to.match(new RegExp(`syscalls: total \\d+ calls in ${clones + 1} threads\\n$`));
  });

  it('guest_cpu_enter and guest_cpu_exit fire once per guest thread; qi_init/qi_fini print once', function () {
    const r = run(['-instr', 'file=tests/user/instr/cpu-events.ts', 'tests/user/bin/threads-static', '2']);
    expect(r.status).to.equal(3);
    expect(r.stdout.split('\n').filter((l) => l === 'cpu-events: init')).to.have.length(1);
    const line = r.stdout.split('\n').filter((l) => l.startsWith('cpu-events: ') && l !== 'cpu-events: init');
    expect(line).to.have.length(1);
    const rows = line[0].slice('cpu-events: '.length).split(' ');
    expect(rows.length).to.be.greaterThan(2);
    rows.forEach((row, i) => expect(row).to.equal(`${i}:1/1`));
  });

  it('insn-count.ts: translation-level inline counts, a row per thread', function () {
    const r = run(['-instr', `file=${join('examples', 'instr', 'insn-count.ts')}`, 'tests/user/bin/threads-static', '2']);
    expect(r.status).to.equal(3);
    const rows = [...r.stdout.matchAll(/^insn-count: cpu (\d+): (\d+) instructions$/gm)].map((m) => [Number(m[1]), BigInt(m[2])] as const);
    expect(rows.length).to.be.greaterThan(2);
    expect(rows[0][1] > 10_000n).to.equal(true);
    const total = /^insn-count: total (\d+) instructions$/m.exec(r.stdout)?.[1];
    expect(BigInt(total ?? '0')).to.equal(rows.reduce((s, x) => s + x[1], 0n));
  });

  it('each guest thread\'s instance hands what qi_fini returns to the main instance\'s qi_merge', function () {
    const r = run(['-instr', 'file=tests/user/instr/merge-threads.ts', 'tests/user/bin/threads-static', '4']);
    expect(r.status).to.equal(3);
    expect(r.stderr).to.equal('');
    const head = /^merge: (\d+) results: (.*)$/m.exec(r.stdout);
    expect(head, r.stdout).to.not.equal(null);
    // main (no thread runs there: 0 calls), then every guest thread by vCPU: the main thread's and
    // at least the 4 workers threads.c starts (and its condvar/barrier threads), each with calls
    const labels = (head?.[2] ?? '').match(/(main|vcpu \d+)=\d+/g) ?? [];
    expect(labels[0]).to.equal('main=0');
    expect(labels.length).to.equal(Number(head?.[1]));
    expect(labels.length).to.be.greaterThan(5);
    labels.slice(1).forEach((l, i) => expect(l).to.match(new RegExp(`^vcpu ${i}=[1-9]\\d*$`)));
    const sum = labels.reduce((s, l) => s + Number(l.split('=')[1]), 0);
    expect(r.stdout).to.include(`merge: sum ${sum}, scoreboard ${sum}\n`);
  });

  it('a library that cannot load: one line, exit 1, the program does not run', function () {
    const r = run(['-instr', 'file=tests/user/instr/no-such-library.ts', 'tests/user/bin/hello-static']);
    expect(r.status).to.equal(1);
    expect(r.stdout).to.equal('');
    expect(r.stderr).to.equal("tsemu-riscv64: -instr: could not open instrumentation library 'tests/user/instr/no-such-library.ts': No such file or directory\n");
  });
});
