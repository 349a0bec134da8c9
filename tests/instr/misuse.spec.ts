/**
 * The API refuses misuse with a message naming the function (the later
 * revision of the proposal): libs/misuse.ts makes each mistake, catches the
 * error and prints its message; the library itself keeps working and the
 * guest runs to its end.
 */
import { join } from 'node:path';
import { expect } from 'chai';
import { runTsemu, virtKernelArgs, type GuestRunResult } from '../support/run-guest.js';
import { INSTR_GUESTS, INSTR_LIBS, describeRun, linesOf } from './helpers.js';

describe('instr: misuse of the API is refused with a message naming the function', function () {
  let run: GuestRunResult;
  const messages = new Map<string, string[]>();

  before(async function () {
    this.timeout(60_000);
    run = await runTsemu(virtKernelArgs(join(INSTR_GUESTS, 'count.elf'), ['-instr', `file=${join(INSTR_LIBS, 'misuse.ts')}`]), { timeoutMs: 50_000 });
    for (const line of linesOf(run.stdout)) {
      const m = /^misuse: ([a-z0-9_-]+): (.*)$/.exec(line);
      if (m) messages.set(m[1], [...(messages.get(m[1]) ?? []), m[2]]);
    }
  });

  function messageOf(name: string): string {
    const all = messages.get(name) ?? [];
    expect(all, `${name}\n${describeRun(run)}`).to.have.lengthOf(1);
    return all[0];
  }

  it('runs the guest to its end with the library loaded (status 0, nothing on stderr)', function () {
    expect(run.status, describeRun(run)).to.equal(0);
    expect(run.stderr, describeRun(run)).to.equal('');
  });

  it('a gen_exec helper in qi_init', function () {
    expect(messageOf('gen_exec-in-init')).to.match(/^qi_event_guest_mem_before_trans_gen_exec: .*translation/);
  });

  it('a gen_exec helper in an execution-level callback', function () {
    expect(messageOf('gen_exec-in-exec')).to.match(/^qi_event_guest_mem_before_trans_gen_exec: .*translation/);
  });

  it('qi_gen_scoreboard_add outside a translation callback', function () {
    expect(messageOf('scoreboard-add-in-init')).to.match(/^qi_gen_scoreboard_add: .*translation/);
  });

  it("qi_ctrl_event_set on an event that is not instrumentable (qi_trace_event_name('serial_write'))", function () {
    expect(messageOf('set-non-instrumentable')).to.match(/^qi_ctrl_event_set: .*'serial_write'.*instrument/);
  });

  it('per-vCPU state of a vCPU that does not exist (99)', function () {
    expect(messageOf('vcpu-99')).to.match(/^qi_trace_event_set_vcpu_state_dynamic: .*\b99\b.*does not exist/);
  });

  it('block handles, register reads, syscall skips and inline ops where they do not apply', function () {
    expect(messageOf('tb-in-init')).to.match(/^qi_tb_current: .*translation/);
    expect(messageOf('register-in-init')).to.match(/^qi_vcpu_read_register: .*execution-level/);
    expect(messageOf('register-unknown')).to.match(/^qi_vcpu_read_register: no register 'x32'/);
    expect(messageOf('skip-in-init')).to.match(/^qi_vcpu_syscall_skip: .*guest_user_syscall/);
    expect(messageOf('cond-in-exec')).to.match(/^qi_gen_exec_cond: .*translation/);
    expect(messageOf('store-too-big')).to.match(/^qi_gen_scoreboard_store: .*translation/);
  });

  it('qi_exit and qi_vm_stop in qi_init, and qi_exit with a status that is not 0-255 (the guest then runs on)', function () {
    expect(messageOf('exit-in-init')).to.match(/^qi_exit: not in qi_init/);
    expect(messageOf('vm-stop-in-init')).to.match(/^qi_vm_stop: not in qi_init/);
    expect(messageOf('exit-bad-status')).to.equal('qi_exit: the status must be an integer from 0 to 255');
  });
});
