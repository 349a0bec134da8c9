/**
 * guest_vcpu_discon in user mode (tsemu-riscv64), on tests/user's signals program: a signal
 * handler entered is a discontinuity as a trap is in system mode (an interrupt for a signal sent
 * to the thread, an exception for its own fault, cause = the signal number, to = the handler), and
 * rt_sigreturn its trap return (back to where the signal found the thread: after the system call
 * that let it in). guest_vcpu_idle / _resume never fire in user mode (as QEMU's: they are the
 * system-mode vCPU halting in wfi; a guest thread that sleeps in futex or nanosleep is a sleeping
 * worker, not an idle vCPU). What the program does is known from tests/user/src/signals.c.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { expect } from 'chai';
import { repoRoot } from '../support/run-guest.js';
import { elfSymbols, symbol } from '../support/elf-symbols.js';
import { traceRecords } from './helpers.js';

const PROGRAM = join('tests', 'user', 'bin', 'signals-static');
const INTERRUPT = 1;
const EXCEPTION = 2;
const TRAP_RETURN = 8;

interface Discon { cpu: number; type: number; from: bigint; to: bigint; cause: number }

describe('instr: discontinuities and idle in user mode (signals)', function () {
  this.timeout(120_000);
  let discons: Discon[] = [];
  let stderr = '';

  before(function () {
    const p = spawnSync(process.execPath, [join('bin', 'tsemu-riscv64.js'), '-trace', 'guest_vcpu_*', PROGRAM],
      { cwd: repoRoot(), env: {}, encoding: 'utf8', timeout: 100_000 });
    expect(p.stdout, p.stderr).to.contain('pthread_kill: thread got signal 12');
    stderr = p.stderr;
    discons = traceRecords(p.stderr, 'guest_vcpu_discon').map((r) => ({
      cpu: r.cpu ?? -1, type: Number(r.fields.type), from: BigInt(r.fields.from_pc), to: BigInt(r.fields.to_pc), cause: Number(r.fields.cause),
    }));
  });

  it('each handler entered is a discontinuity to the handler: interrupts for sent signals, exceptions for the faults', function () {
    const sym = elfSymbols(join(repoRoot(), PROGRAM));
    const [usr1, usr2, segv] = ['on_usr1', 'on_usr2', 'on_segv'].map((s) => symbol(sym, s));
    const entries = discons.filter((d) => d.type !== TRAP_RETURN).map((d) => `cpu ${d.cpu} type ${d.type} cause ${d.cause} to 0x${d.to.toString(16)}`);
    const to = (cpu: number, type: number, cause: number, handler: bigint) => `cpu ${cpu} type ${type} cause ${cause} to 0x${handler.toString(16)}`;
    expect(entries).to.deep.equal([
      to(0, INTERRUPT, 10, usr1), // kill(getpid(), SIGUSR1)
      to(0, INTERRUPT, 10, usr1), // raise(SIGUSR1), delivered when unblocked
      to(0, EXCEPTION, 11, segv), to(0, EXCEPTION, 11, segv), to(0, EXCEPTION, 11, segv), // three faults (the handler leaves by siglongjmp)
      to(1, INTERRUPT, 12, usr2), // pthread_kill to the second thread (its vCPU)
    ]);
  });

  it('each handler that returns is a trap return (rt_sigreturn) to the instruction after the call that let the signal in', function () {
    discons.forEach((d, i) => {
      if (d.type !== TRAP_RETURN) return;
      const entry = discons.slice(0, i).reverse().find((e) => e.cpu === d.cpu && e.type === INTERRUPT);
      expect(entry, `return ${i}`).to.not.equal(undefined);
      expect(d.to, `return ${i}`).to.equal(entry!.from + 4n); // the ecall after which the signal was delivered
      expect(d.cause).to.equal(0);
    });
    expect(discons.filter((d) => d.type === TRAP_RETURN).map((d) => d.cpu)).to.deep.equal([0, 0, 1]);
  });

  it('no idle or resume event in user mode', function () {
    expect(traceRecords(stderr, 'guest_vcpu_idle')).to.deep.equal([]);
    expect(traceRecords(stderr, 'guest_vcpu_resume')).to.deep.equal([]);
  });
});
