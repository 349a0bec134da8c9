/*
 * Test library: calls the control API the wrong way on purpose, catches each
 * error and prints its message (`misuse: <case>: <message>`), so the test
 * can check that every refusal names the function. Cases:
 *   gen_exec-in-init      a gen_exec helper in qi_init
 *   gen_exec-in-exec      a gen_exec helper in an execution-level callback
 *   scoreboard-add-in-init qi_gen_scoreboard_add in qi_init
 *   set-non-instrumentable qi_ctrl_event_set on 'serial_write'
 *   vcpu-99               per-vCPU state of a vCPU that does not exist
 * Each case also prints `misuse: <case>: no error` if the call was accepted.
 */
import type { QICPU, QITCGv, QITCGv_cpu } from 'tsemu/qemu-instr';
import {
  QI_EVENT_GUEST_MEM_BEFORE_EXEC, qi_event_guest_mem_before_trans_gen_exec,
} from 'tsemu/qemu-instr/events';
import {
  qi_ctrl_event_set, qi_gen_scoreboard_add, qi_scoreboard_new, qi_trace_event_name, qi_trace_event_set_state_dynamic,
  qi_trace_event_set_vcpu_state_dynamic,
} from 'tsemu/qemu-instr/control';

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
  void vaddr;
}

export function serial_cb(): void {}

export function qi_init(): void {
  const cpu0: QICPU = { index: 0 };
  attempt('gen_exec-in-init', () => qi_event_guest_mem_before_trans_gen_exec(cpu0, NOT_A_TCG_CPU, NOT_A_TCGV, 16));
  const board = qi_scoreboard_new(1);
  attempt('scoreboard-add-in-init', () => qi_gen_scoreboard_add(NOT_A_TCG_CPU, board, 0, 1));
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
