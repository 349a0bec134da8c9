/*
 * Test library (tests/trace-e2e/vcpu-state.spec.ts): receives
 * guest_mem_before_exec, prints one line per event it gets, and disables the
 * event (for every vCPU) from inside its own callback once it has seen N
 * events (the first argument).
 *
 * Lines (stderr, written synchronously, so they interleave in time order with
 * the log backend's lines on stderr): `stop-after: event <k> cpu=<i> vaddr=0x<hex> info=<n>`.
 */
import type { QICPU } from 'tsemu/qemu-instr';
import { QI_EVENT_GUEST_MEM_BEFORE_EXEC } from 'tsemu/qemu-instr/events';
import { qi_ctrl_event_set, qi_trace_event_set_state_dynamic } from 'tsemu/qemu-instr/control';

let limit = 0;
let seen = 0;

export function mem_exec(cpu: QICPU, vaddr: bigint, info: number): void {
  seen++;
  console.error(`stop-after: event ${seen} cpu=${cpu.index} vaddr=0x${vaddr.toString(16)} info=${info}`);
  if (seen === limit) qi_trace_event_set_state_dynamic(QI_EVENT_GUEST_MEM_BEFORE_EXEC, false);
}

export function qi_init(argc: number, argv: readonly string[]): number {
  limit = argc > 0 ? Number(argv[0]) : NaN;
  if (!Number.isInteger(limit) || limit < 1) return 1;
  qi_ctrl_event_set(QI_EVENT_GUEST_MEM_BEFORE_EXEC, mem_exec);
  qi_trace_event_set_state_dynamic(QI_EVENT_GUEST_MEM_BEFORE_EXEC, true);
  return 0;
}

export function qi_fini(): void {
  qi_trace_event_set_state_dynamic(QI_EVENT_GUEST_MEM_BEFORE_EXEC, false);
}
