/*
 * Test library (tests/instr/lifecycle.spec.ts): enables guest_mem_before_exec and
 * guest_bbl_before_exec (per vCPU, for vCPU 0), and its memory callback throws on the first store.
 * Unlike exec-throws.ts its qi_fini disables nothing: unloading the failed library must put both
 * events back as they were (disabled), or every later access would be traced by the default.
 */
import type { QICPU } from 'tsemu/qemu-instr';
import { QI_EVENT_GUEST_BBL_BEFORE_EXEC, QI_EVENT_GUEST_MEM_BEFORE_EXEC } from 'tsemu/qemu-instr/events';
import { qi_ctrl_event_set, qi_trace_event_set_state_dynamic, qi_trace_event_set_vcpu_state_dynamic } from 'tsemu/qemu-instr/control';

export function mem_exec(cpu: QICPU, vaddr: bigint, info: number): void {
  if (info & 16) throw new Error(`throws-keeps-enabled: store at 0x${vaddr.toString(16)} on cpu ${cpu.index}`);
}

export function bbl_exec(): void {}

export function qi_init(): void {
  qi_ctrl_event_set(QI_EVENT_GUEST_MEM_BEFORE_EXEC, mem_exec);
  qi_ctrl_event_set(QI_EVENT_GUEST_BBL_BEFORE_EXEC, bbl_exec);
  qi_trace_event_set_state_dynamic(QI_EVENT_GUEST_MEM_BEFORE_EXEC, true);
  qi_trace_event_set_vcpu_state_dynamic(0, QI_EVENT_GUEST_BBL_BEFORE_EXEC, true);
}

export function qi_fini(): void {}
