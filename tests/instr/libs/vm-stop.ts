/*
 * Test library for qi_vm_stop (tests/instr/stop-exit.spec.ts): arg=ADDR, arg=N. Counts the
 * executions of the instruction at ADDR per instance; at the N-th it calls
 * qi_vm_stop('ADDR ran N times'). qi_merge prints `vm-stop: ADDR ran TOTAL times, stopped S time(s)`.
 */
import type { QICPU, QIInstanceResult, QITCGv_cpu } from 'tsemu/qemu-instr';
import { QI_EVENT_GUEST_INST_BEFORE_EXEC as EXEC, QI_EVENT_GUEST_INST_BEFORE_TRANS as TRANS, qi_event_guest_inst_before_trans_gen_exec } from 'tsemu/qemu-instr/events';
import { qi_ctrl_event_set, qi_trace_event_set_state_dynamic, qi_vm_stop } from 'tsemu/qemu-instr/control';

let addr = 0n;
let n = 0;
let count = 0;
let stops = 0;

export function qi_init(_argc: number, argv: readonly string[]): void {
  addr = BigInt(argv[0]);
  n = Number(argv[1]);
  qi_ctrl_event_set(TRANS, (cpu: QICPU, tcg: QITCGv_cpu, vaddr: bigint, size: number) => {
    if (vaddr === addr) qi_event_guest_inst_before_trans_gen_exec(cpu, tcg, vaddr, size);
  });
  qi_ctrl_event_set(EXEC, () => {
    if (++count !== n) return;
    stops++;
    qi_vm_stop(`0x${addr.toString(16)} ran ${n} times`);
  });
  qi_trace_event_set_state_dynamic(TRANS, true);
  qi_trace_event_set_state_dynamic(EXEC, true);
}

export function qi_fini(): [number, number] {
  return [count, stops];
}

export function qi_merge(results: readonly QIInstanceResult[]): void {
  const [total, stopped] = results.map((r) => r.value as [number, number]).reduce((a, b) => [a[0] + b[0], a[1] + b[1]], [0, 0]);
  console.log(`vm-stop: 0x${addr.toString(16)} ran ${total} times, stopped ${stopped} time(s)`);
}
