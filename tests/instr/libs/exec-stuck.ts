/*
 * Test library (stuck-callback.spec.ts): its guest_mem_before_exec callback never returns on the
 * third store it sees, in the vCPU worker that runs the store. It prints one line first, so the
 * test knows the callback is in its loop.
 */
import type { QICPU } from 'tsemu/qemu-instr';
import { QI_EVENT_GUEST_MEM_BEFORE_EXEC } from 'tsemu/qemu-instr/events';
import { qi_ctrl_event_set, qi_trace_event_set_state_dynamic } from 'tsemu/qemu-instr/control';

let stores = 0;
export function mem_exec(cpu: QICPU, vaddr: bigint, info: number): void {
  if ((info & 16) !== 0 && ++stores === 3) {
    console.log(`exec-stuck: vCPU ${cpu.index} spinning at 0x${vaddr.toString(16)}`);
    for (;;) {
      // spin: no await, nothing an event loop could interrupt
    }
  }
}

export function qi_init(): void {
  qi_ctrl_event_set(QI_EVENT_GUEST_MEM_BEFORE_EXEC, mem_exec);
  qi_trace_event_set_state_dynamic(QI_EVENT_GUEST_MEM_BEFORE_EXEC, true);
}

export function qi_fini(): void {}
