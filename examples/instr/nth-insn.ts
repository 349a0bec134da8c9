/*
 * Where is the guest after N instructions? An inline add counts every instruction (no callback),
 * and a conditional callback (qi_gen_exec_cond, QEMU's exec_cond_cb) runs only when the count
 * equals N: it prints that instruction (qi_vcpu_insn) and a few registers read by name. Each
 * vCPU counts its own instructions.
 *
 *   tsemu-system-riscv64 ... -instr file=examples/instr/nth-insn.ts,arg=1000000
 */
import { QI_EVENT_GUEST_INST_BEFORE_EXEC as EXEC, QI_EVENT_GUEST_INST_BEFORE_TRANS as TRANS, qi_ctrl_event_set,
  qi_event_guest_inst_before_trans_gen_exec, qi_gen_exec_cond, qi_gen_scoreboard_add, qi_scoreboard_new,
  qi_trace_event_set_state_dynamic, qi_vcpu_insn, qi_vcpu_read_register, type QIScoreboard } from 'tsemu/qemu-instr';

let count: QIScoreboard;
let n = 0n;

export function qi_init(argc: number, argv: readonly string[]): number {
  if (argc !== 1 || !/^\d+$/.test(argv[0])) {
    console.error('nth-insn: usage: arg=N (an instruction count)');
    return 1;
  }
  n = BigInt(argv[0]);
  count = qi_scoreboard_new(1);
  qi_ctrl_event_set(TRANS, (cpu, tcg_cpu, vaddr, size) => {
    qi_gen_scoreboard_add(tcg_cpu, count, 0, 1);
    qi_gen_exec_cond(tcg_cpu, count, 0, 'EQ', n, () => qi_event_guest_inst_before_trans_gen_exec(cpu, tcg_cpu, vaddr, size));
  });
  qi_ctrl_event_set(EXEC, (cpu, vaddr) => {
    const insn = qi_vcpu_insn(cpu, vaddr);
    const regs = ['sp', 'ra', 'a0', 'priv'].map((r) => `${r}=0x${qi_vcpu_read_register(cpu, r).toString(16)}`).join(' ');
    console.log(`nth-insn: cpu ${cpu.index} instruction ${n}: 0x${vaddr.toString(16)} ${insn?.disas.replace(/\s+/g, ' ').trim() ?? '?'} (${regs})`);
  });
  for (const ev of [TRANS, EXEC]) qi_trace_event_set_state_dynamic(ev, true);
  return 0;
}

export function qi_fini(): void {
  /* the line was printed when it happened */
}
