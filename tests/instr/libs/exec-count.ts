/*
 * Test library (tests/instr/two-libraries.spec.ts): counts guest_mem_before_exec in an ordinary
 * execution-level callback, generated for every access by its own guest_mem_before_trans
 * callback; arg=NAME labels the line qi_merge prints: `exec-count[NAME]: N`. Two copies loaded as
 * two libraries must each count every access once.
 */
import type { QICPU, QIInstanceResult, QITCGv, QITCGv_cpu } from 'tsemu/qemu-instr';
import { QI_EVENT_GUEST_MEM_BEFORE_EXEC as EXEC, QI_EVENT_GUEST_MEM_BEFORE_TRANS as TRANS, qi_event_guest_mem_before_trans_gen_exec } from 'tsemu/qemu-instr/events';
import { qi_ctrl_event_set, qi_trace_event_set_state_dynamic } from 'tsemu/qemu-instr/control';

let name = '';
let count = 0;

export function qi_init(_argc: number, argv: readonly string[]): void {
  name = argv[0] ?? '';
  qi_ctrl_event_set(TRANS, (cpu: QICPU, tcg: QITCGv_cpu, vaddr: QITCGv, info: number) => qi_event_guest_mem_before_trans_gen_exec(cpu, tcg, vaddr, info));
  qi_ctrl_event_set(EXEC, () => { count++; });
  qi_trace_event_set_state_dynamic(TRANS, true);
  qi_trace_event_set_state_dynamic(EXEC, true);
}

export function qi_fini(): number {
  return count;
}

export function qi_merge(results: readonly QIInstanceResult[]): void {
  console.log(`exec-count[${name}]: ${results.reduce((s, r) => s + (r.value as number), 0)}`);
}
