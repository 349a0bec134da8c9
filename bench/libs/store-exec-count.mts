/*
 * Stores-only execution callbacks, like examples/instr/instrument.ts but
 * without tracing: at translation time every store gets execution-level code
 * (gen_exec); when the store runs, the callback only adds 1 to a variable.
 * The counterpart of bench/qemu-plugins/store-count.c.
 *
 * Each vCPU worker's instance counts its own stores in a module variable;
 * qi_fini returns it and qi_merge, in the primary instance, prints the sum
 * ("store-count: <n> stores", as the QEMU plugin does), which the bench
 * compares with QEMU's count.
 */
import type { QICPU, QIInstanceResult, QITCGv, QITCGv_cpu } from 'tsemu/qemu-instr';
import {
  QI_EVENT_GUEST_MEM_BEFORE_EXEC, QI_EVENT_GUEST_MEM_BEFORE_TRANS, qi_event_guest_mem_before_trans_gen_exec,
} from 'tsemu/qemu-instr/events';
import { qi_ctrl_event_set, qi_trace_event_set_state_dynamic } from 'tsemu/qemu-instr/control';

const STORE = 16; /* info bit 4 */
let stores = 0;

export function store_trans(cpu: QICPU, tcg_cpu: QITCGv_cpu, vaddr: QITCGv, info: number): void {
  if (info & STORE) qi_event_guest_mem_before_trans_gen_exec(cpu, tcg_cpu, vaddr, info);
}

export function store_exec(cpu: QICPU, vaddr: bigint, info: number): void {
  void cpu; void vaddr; void info;
  stores++;
}

export function qi_init(): void {
  qi_ctrl_event_set(QI_EVENT_GUEST_MEM_BEFORE_TRANS, store_trans);
  qi_trace_event_set_state_dynamic(QI_EVENT_GUEST_MEM_BEFORE_TRANS, true);
  qi_ctrl_event_set(QI_EVENT_GUEST_MEM_BEFORE_EXEC, store_exec);
  qi_trace_event_set_state_dynamic(QI_EVENT_GUEST_MEM_BEFORE_EXEC, true);
}

export function qi_fini(): number {
  return stores;
}

export function qi_merge(results: readonly QIInstanceResult<number>[]): void {
  let total = 0;
  for (const r of results) total += r.value;
  console.log(`store-count: ${total} stores`);
}
