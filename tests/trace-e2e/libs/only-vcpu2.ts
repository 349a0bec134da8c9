/*
 * Test library (tests/trace-e2e/vcpu-state.spec.ts): traces
 * guest_mem_before_exec for vCPU 2 only, through the per-vCPU state setter
 * alone — no callback is set for it, so the default action (trace with the
 * configured backend) runs for every access vCPU 2 makes.
 *
 * Where the setter is called (first argument):
 *   init      (default) in qi_init;
 *   on-enter  in the guest_cpu_enter callback of vCPU 2 (which runs in vCPU
 *             2's own instance before it executes guest code).
 */
import type { QICPU } from 'tsemu/qemu-instr';
import { QI_EVENT_GUEST_CPU_ENTER, QI_EVENT_GUEST_MEM_BEFORE_EXEC } from 'tsemu/qemu-instr/events';
import { qi_ctrl_event_set, qi_trace_event_set_state_dynamic, qi_trace_event_set_vcpu_state_dynamic } from 'tsemu/qemu-instr/control';

const TRACED_VCPU = 2;

export function cpu_enter(cpu: QICPU): void {
  if (cpu.index === TRACED_VCPU) qi_trace_event_set_vcpu_state_dynamic(cpu, QI_EVENT_GUEST_MEM_BEFORE_EXEC, true);
}

export function qi_init(argc: number, argv: readonly string[]): number {
  const where = argc > 0 ? argv[0] : 'init';
  if (where === 'init') {
    qi_trace_event_set_vcpu_state_dynamic(TRACED_VCPU, QI_EVENT_GUEST_MEM_BEFORE_EXEC, true);
  } else if (where === 'on-enter') {
    qi_ctrl_event_set(QI_EVENT_GUEST_CPU_ENTER, cpu_enter);
    qi_trace_event_set_state_dynamic(QI_EVENT_GUEST_CPU_ENTER, true);
  } else {
    return 1;
  }
  return 0;
}

export function qi_fini(): void {
  qi_trace_event_set_state_dynamic(QI_EVENT_GUEST_MEM_BEFORE_EXEC, false);
}
