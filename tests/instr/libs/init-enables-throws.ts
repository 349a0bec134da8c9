/*
 * Test library (tests/instr/lifecycle.spec.ts): qi_init enables guest_mem_before_exec, sets its
 * callback, then throws. The failed load must leave the event's state as it was (disabled), or
 * the default would trace every access of the running guest from then on.
 */
import { QI_EVENT_GUEST_MEM_BEFORE_EXEC } from 'tsemu/qemu-instr/events';
import { qi_ctrl_event_set, qi_trace_event_set_state_dynamic } from 'tsemu/qemu-instr/control';

export function mem_exec(): void {}

export function qi_init(): void {
  qi_ctrl_event_set(QI_EVENT_GUEST_MEM_BEFORE_EXEC, mem_exec);
  qi_trace_event_set_state_dynamic(QI_EVENT_GUEST_MEM_BEFORE_EXEC, true);
  throw new Error('init-enables-throws: giving up after enabling');
}

export function qi_fini(): void {}
