/*
 * Test library (tests/instr/lifecycle.spec.ts): every callback is an anonymous arrow function set
 * in qi_init; executed blocks are counted per vCPU and per address in an ordinary Map in each
 * instance, returned by qi_fini and summed in qi_merge, which prints for each vCPU its most
 * executed block and that block's count:
 *
 *   arrow-blocks: cpu N top 0x<pc> count C
 *   arrow-blocks: instances I
 */
import { QI_EVENT_GUEST_BBL_BEFORE_EXEC, QI_EVENT_GUEST_BBL_BEFORE_TRANS, qi_event_guest_bbl_before_trans_gen_exec } from 'tsemu/qemu-instr/events';
import { qi_ctrl_event_set, qi_trace_event_set_state_dynamic, type QIInstanceResult } from 'tsemu/qemu-instr/control';

type Counts = Map<string, number>; /* "cpu:pc" -> executions */
const counts: Counts = new Map();

export function qi_init(): void {
  qi_ctrl_event_set(QI_EVENT_GUEST_BBL_BEFORE_TRANS, (cpu, tcg_cpu, pc) => qi_event_guest_bbl_before_trans_gen_exec(cpu, tcg_cpu, pc));
  qi_ctrl_event_set(QI_EVENT_GUEST_BBL_BEFORE_EXEC, (cpu, pc) => {
    const key = `${cpu.index}:${pc.toString(16)}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  });
  qi_trace_event_set_state_dynamic(QI_EVENT_GUEST_BBL_BEFORE_TRANS, true);
  qi_trace_event_set_state_dynamic(QI_EVENT_GUEST_BBL_BEFORE_EXEC, true);
}

export function qi_fini(): Counts {
  return counts;
}

export function qi_merge(results: readonly QIInstanceResult<Counts>[]): void {
  const top = new Map<number, { pc: string; n: number }>();
  for (const { value } of results) {
    for (const [key, n] of value) {
      const [cpu, pc] = key.split(':');
      const best = top.get(Number(cpu));
      if (!best || n > best.n) top.set(Number(cpu), { pc, n });
    }
  }
  for (const [cpu, { pc, n }] of [...top].sort((a, b) => a[0] - b[0])) console.log(`arrow-blocks: cpu ${cpu} top 0x${pc} count ${n}`);
  console.log(`arrow-blocks: instances ${results.length}`);
}
