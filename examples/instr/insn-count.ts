/*
 * Count executed guest instructions per vCPU, the fast way: at translation
 * time every instruction gets an inline "add 1 to the executing vCPU's
 * counter" in the generated code (no call per instruction), on a scoreboard
 * that every instance of the library shares.
 *
 *   tsemu-system-riscv64 ... -instr file=examples/instr/insn-count.ts
 *
 * Prints one line per vCPU and the total at exit.
 */
import type { QICPU, QIScoreboard, QITCGv_cpu } from 'tsemu/qemu-instr';
import { QI_EVENT_GUEST_INST_BEFORE_TRANS } from 'tsemu/qemu-instr/events';
import { qi_ctrl_event_set, qi_gen_scoreboard_add, qi_scoreboard_new, qi_trace_event_set_state_dynamic } from 'tsemu/qemu-instr/control';

const INSNS = 0;
let insns: QIScoreboard;

/* translation time: one inline increment per guest instruction */
export function count_insn(cpu: QICPU, tcg_cpu: QITCGv_cpu, vaddr: bigint, size: number): void {
  void cpu; void vaddr; void size;
  qi_gen_scoreboard_add(tcg_cpu, insns, INSNS, 1);
}

export function qi_init(): void {
  insns = qi_scoreboard_new(1); /* the same shared counters in every instance */
  qi_ctrl_event_set(QI_EVENT_GUEST_INST_BEFORE_TRANS, count_insn);
  qi_trace_event_set_state_dynamic(QI_EVENT_GUEST_INST_BEFORE_TRANS, true);
}

export function qi_fini(): void {
  for (let cpu = 0; cpu < 16; cpu++) {
    const n = insns.get(cpu, INSNS);
    if (n !== 0n) console.log(`insn-count: cpu ${cpu}: ${n} instructions`);
  }
  console.log(`insn-count: total ${insns.sum(INSNS)} instructions`);
}
