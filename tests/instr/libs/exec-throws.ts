/*
 * Test library: its guest_mem_before_exec callback throws on the first store
 * it sees. The library must be unloaded with one line naming it, the event
 * and the error, and the guest must run on to its normal end.
 */
import type { QICPU } from 'tsemu/qemu-instr';
import { QI_EVENT_GUEST_MEM_BEFORE_EXEC } from 'tsemu/qemu-instr/events';
import { qi_ctrl_event_set, qi_trace_event_set_state_dynamic } from 'tsemu/qemu-instr/control';

export function mem_exec(cpu: QICPU, vaddr: bigint, info: number): void {
  if (info & 16) throw new Error(`exec-throws: store at 0x${vaddr.toString(16)} on cpu ${cpu.index}`);
}

export function qi_init(): void {
  qi_ctrl_event_set(QI_EVENT_GUEST_MEM_BEFORE_EXEC, mem_exec);
  qi_trace_event_set_state_dynamic(QI_EVENT_GUEST_MEM_BEFORE_EXEC, true);
}

export function qi_fini(): void {
  qi_trace_event_set_state_dynamic(QI_EVENT_GUEST_MEM_BEFORE_EXEC, false);
}
