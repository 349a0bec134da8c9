/*
 * insn — QEMU's tests/plugin/insn.c with inline per-vCPU counts: every instruction gets an inline
 * "add 1 to the executing vCPU's counter" (no callback at run time), on a shared scoreboard.
 * Output as QEMU's insn.c with its per-vCPU inline scoreboard (QEMU 9):
 *
 *   cpu 0 insns: 4015
 *   total insns: 4015
 *
 *   tsemu-system-riscv64 ... -instr file=examples/instr/contrib/insn.ts
 */
import type { QICPU, QIScoreboard, QITCGv_cpu } from 'tsemu/qemu-instr';
import { QI_EVENT_GUEST_INST_BEFORE_TRANS } from 'tsemu/qemu-instr/events';
import { qi_ctrl_event_set, qi_gen_scoreboard_add, qi_scoreboard_new, qi_trace_event_set_state_dynamic } from 'tsemu/qemu-instr/control';
import { parseArgs } from './common.js';

let insns: QIScoreboard;

export function qi_init(_argc: number, argv: readonly string[]): void {
  parseArgs('insn', argv, []);
  insns = qi_scoreboard_new(1);
  qi_ctrl_event_set(QI_EVENT_GUEST_INST_BEFORE_TRANS, (_cpu: QICPU, tcg_cpu: QITCGv_cpu) => qi_gen_scoreboard_add(tcg_cpu, insns, 0, 1));
  qi_trace_event_set_state_dynamic(QI_EVENT_GUEST_INST_BEFORE_TRANS, true);
}

/* the scoreboard is shared: every instance prints the same lines, shown once */
export function qi_fini(): void {
  const lines: string[] = [];
  for (let cpu = 0; cpu < 256; cpu++) {
    let n: bigint;
    try { n = insns.get(cpu, 0); } catch { break; } /* past the last possible vCPU */
    if (n !== 0n) lines.push(`cpu ${cpu} insns: ${n}`);
  }
  lines.push(`total insns: ${insns.sum(0)}`);
  console.log(lines.join('\n'));
}
