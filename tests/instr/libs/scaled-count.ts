/*
 * Test library: counts executed instructions on its own scoreboard, adding
 * `step` (first argument) per instruction inline, and prints
 * `scaled-count[<step>]: <total>` in qi_fini. Loaded twice with different
 * steps, the totals show whether each library got its callbacks and its own
 * scoreboard (shared counters would make both print the same sum). Also
 * used, copied outside the repository, as the "library anywhere on disk"
 * that imports the API by the package's name.
 */
import type { QICPU, QIScoreboard, QITCGv_cpu } from 'tsemu/qemu-instr';
import { QI_EVENT_GUEST_INST_BEFORE_TRANS } from 'tsemu/qemu-instr/events';
import { qi_ctrl_event_set, qi_gen_scoreboard_add, qi_scoreboard_new, qi_trace_event_set_state_dynamic } from 'tsemu/qemu-instr/control';

let step = 1;
let insns: QIScoreboard;

export function count_insn(cpu: QICPU, tcg_cpu: QITCGv_cpu, vaddr: bigint, size: number): void {
  void cpu; void vaddr; void size;
  qi_gen_scoreboard_add(tcg_cpu, insns, 0, step);
}

export function qi_init(argc: number, argv: readonly string[]): number {
  step = argc > 0 ? Number(argv[0]) : 1;
  if (!Number.isInteger(step) || step < 1) return 1;
  insns = qi_scoreboard_new(1);
  qi_ctrl_event_set(QI_EVENT_GUEST_INST_BEFORE_TRANS, count_insn);
  qi_trace_event_set_state_dynamic(QI_EVENT_GUEST_INST_BEFORE_TRANS, true);
  return 0;
}

export function qi_fini(): void {
  qi_trace_event_set_state_dynamic(QI_EVENT_GUEST_INST_BEFORE_TRANS, false);
  console.log(`scaled-count[${step}]: ${insns.sum(0)}`);
}
