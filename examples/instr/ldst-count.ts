/*
 * Per-vCPU load and store counts on a shared scoreboard. Whether an access
 * is a load or a store is known at translation time (the info byte), so each
 * access gets an inline increment of the right counter: no callback runs
 * when the guest executes.
 *
 *   tsemu-system-riscv64 ... -instr file=examples/instr/ldst-count.ts
 */
import type { QICPU, QIScoreboard, QITCGv, QITCGv_cpu } from 'tsemu/qemu-instr';
import { QI_EVENT_GUEST_MEM_BEFORE_TRANS } from 'tsemu/qemu-instr/events';
import { qi_ctrl_event_set, qi_gen_scoreboard_add, qi_scoreboard_new, qi_trace_event_set_state_dynamic } from 'tsemu/qemu-instr/control';

const LOADS = 0;
const STORES = 1;
let counts: QIScoreboard;

export function count_access(cpu: QICPU, tcg_cpu: QITCGv_cpu, vaddr: QITCGv, info: number): void {
  void cpu; void vaddr;
  qi_gen_scoreboard_add(tcg_cpu, counts, info & 16 ? STORES : LOADS, 1);
}

export function qi_init(): void {
  counts = qi_scoreboard_new(2);
  qi_ctrl_event_set(QI_EVENT_GUEST_MEM_BEFORE_TRANS, count_access);
  qi_trace_event_set_state_dynamic(QI_EVENT_GUEST_MEM_BEFORE_TRANS, true);
}

export function qi_fini(): void {
  for (let cpu = 0; cpu < 16; cpu++) {
    const loads = counts.get(cpu, LOADS);
    const stores = counts.get(cpu, STORES);
    if (loads + stores !== 0n) console.log(`ldst-count: cpu ${cpu}: loads ${loads} stores ${stores}`);
  }
  console.log(`ldst-count: total loads ${counts.sum(LOADS)} stores ${counts.sum(STORES)}`);
}
