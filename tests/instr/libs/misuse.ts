/*
 * Test library: calls the control API the wrong way on purpose, catches each
 * error and prints its message (`misuse: <case>: <message>`), so the test
 * can check that every refusal names the function. Cases:
 *   gen_exec-in-init      a gen_exec helper in qi_init
 *   gen_exec-in-exec      a gen_exec helper in an execution-level callback
 *   scoreboard-add-in-init qi_gen_scoreboard_add in qi_init
 *   set-non-instrumentable qi_ctrl_event_set on 'serial_write'
 *   vcpu-99               per-vCPU state of a vCPU that does not exist
 *   tb-in-init            qi_tb_current outside a translation callback
 *   register-in-init      qi_vcpu_read_register outside an execution-level callback
 *   register-unknown      qi_vcpu_read_register of a register that does not exist (in an exec callback)
 *   skip-in-init          qi_vcpu_syscall_skip outside a guest_user_syscall callback
 *   cond-in-exec          qi_gen_exec_cond in an execution-level callback
 *   store-too-big         qi_gen_scoreboard_store of 2^60 (outside translation: the translation check comes first)
 *   exit-in-init          qi_exit in qi_init (a load fails by returning non-zero)
 *   exit-bad-status       qi_exit(256) in an execution-level callback (refused before anything stops)
 *   vm-stop-in-init       qi_vm_stop in qi_init
 * Each case also prints `misuse: <case>: no error` if the call was accepted.
 */
import type { QICPU, QITCGv, QITCGv_cpu } from 'tsemu/qemu-instr';
import {
  QI_EVENT_GUEST_MEM_BEFORE_EXEC, qi_event_guest_mem_before_trans_gen_exec,
} from 'tsemu/qemu-instr/events';
import {
  qi_ctrl_event_set, qi_gen_scoreboard_add, qi_scoreboard_new, qi_trace_event_name, qi_trace_event_set_state_dynamic,
  qi_trace_event_set_vcpu_state_dynamic, qi_tb_current, qi_vcpu_read_register, qi_vcpu_syscall_skip, qi_gen_exec_cond,
  qi_gen_scoreboard_store, qi_exit, qi_vm_stop, type QIScoreboard,
} from 'tsemu/qemu-instr/control';

let board: QIScoreboard;

/* Stand-ins for the translation-time handles only a translation callback receives. */
const NOT_A_TCG_CPU = {} as QITCGv_cpu;
const NOT_A_TCGV = {} as QITCGv;

function attempt(name: string, call: () => void): void {
  try {
    call();
    console.log(`misuse: ${name}: no error`);
  } catch (e) {
    console.log(`misuse: ${name}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

let reportedExec = false;
export function mem_exec(cpu: QICPU, vaddr: bigint, info: number): void {
  if (reportedExec) return;
  reportedExec = true;
  attempt('gen_exec-in-exec', () => qi_event_guest_mem_before_trans_gen_exec(cpu, NOT_A_TCG_CPU, NOT_A_TCGV, info));
  attempt('register-unknown', () => qi_vcpu_read_register(cpu, 'x32'));
  attempt('cond-in-exec', () => qi_gen_exec_cond(NOT_A_TCG_CPU, board, 0, 'EQ', 1, () => undefined));
  attempt('exit-bad-status', () => qi_exit(256));
  void vaddr;
}

export function serial_cb(): void {}

export function qi_init(): void {
  const cpu0: QICPU = { index: 0 };
  attempt('gen_exec-in-init', () => qi_event_guest_mem_before_trans_gen_exec(cpu0, NOT_A_TCG_CPU, NOT_A_TCGV, 16));
  board = qi_scoreboard_new(1);
  attempt('scoreboard-add-in-init', () => qi_gen_scoreboard_add(NOT_A_TCG_CPU, board, 0, 1));
  attempt('tb-in-init', () => qi_tb_current());
  attempt('register-in-init', () => qi_vcpu_read_register(0, 'a0'));
  attempt('skip-in-init', () => qi_vcpu_syscall_skip(0, 0));
  attempt('exit-in-init', () => qi_exit(0));
  attempt('vm-stop-in-init', () => qi_vm_stop('no'));
  attempt('store-too-big', () => qi_gen_scoreboard_store(NOT_A_TCG_CPU, board, 0, 2n ** 60n));
  const serial = qi_trace_event_name('serial_write');
  if (serial === undefined) {
    console.log('misuse: set-non-instrumentable: serial_write not found');
  } else {
    attempt('set-non-instrumentable', () => qi_ctrl_event_set(serial, serial_cb));
  }
  attempt('vcpu-99', () => qi_trace_event_set_vcpu_state_dynamic(99, QI_EVENT_GUEST_MEM_BEFORE_EXEC, true));
  qi_ctrl_event_set(QI_EVENT_GUEST_MEM_BEFORE_EXEC, mem_exec);
  qi_trace_event_set_state_dynamic(QI_EVENT_GUEST_MEM_BEFORE_EXEC, true);
}

export function qi_fini(): void {
  qi_trace_event_set_state_dynamic(QI_EVENT_GUEST_MEM_BEFORE_EXEC, false);
}
