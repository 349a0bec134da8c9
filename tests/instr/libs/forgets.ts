/*
 * Test library (tests/instr/lifecycle.spec.ts): two slips a library author makes, each to be told
 * once (one line each, however many instances): guest_mem_before_exec enabled with no callback
 * (the default would trace every access), and a callback for guest_bbl_before_exec whose event
 * is never enabled (the callback never runs). Then it unsets nothing; unloading restores the state.
 */
import { QI_EVENT_GUEST_BBL_BEFORE_EXEC, QI_EVENT_GUEST_MEM_BEFORE_EXEC } from 'tsemu/qemu-instr/events';
import { qi_ctrl_event_set, qi_trace_event_set_state_dynamic } from 'tsemu/qemu-instr/control';

export function bbl_exec(): void {}

export function qi_init(): void {
  qi_trace_event_set_state_dynamic(QI_EVENT_GUEST_MEM_BEFORE_EXEC, true);
  qi_ctrl_event_set(QI_EVENT_GUEST_BBL_BEFORE_EXEC, bbl_exec);
}

export function qi_fini(): void {}
