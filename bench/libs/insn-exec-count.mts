/*
 * An execution-level callback on every guest instruction: at translation time
 * each instruction gets a call to its guest_inst_before_exec callback
 * (gen_exec), which only adds 1 to a variable. The counterpart of
 * bench/qemu-plugins/insn-exec-count.c (qemu_plugin_register_vcpu_insn_exec_cb).
 *
 * Each vCPU worker's instance counts its own instructions; only the guest
 * time is compared, so nothing is printed.
 */
import type { QICPU, QITCGv_cpu } from 'tsemu/qemu-instr';
import {
  QI_EVENT_GUEST_INST_BEFORE_EXEC, QI_EVENT_GUEST_INST_BEFORE_TRANS, qi_event_guest_inst_before_trans_gen_exec,
} from 'tsemu/qemu-instr/events';
import { qi_ctrl_event_set, qi_trace_event_set_state_dynamic } from 'tsemu/qemu-instr/control';

let insns = 0;

export function insn_trans(cpu: QICPU, tcg_cpu: QITCGv_cpu, vaddr: bigint, size: number): void {
  qi_event_guest_inst_before_trans_gen_exec(cpu, tcg_cpu, vaddr, size);
}

export function insn_exec(cpu: QICPU, vaddr: bigint, size: number): void {
  void cpu; void vaddr; void size;
  insns++;
}

export function qi_init(): void {
  qi_ctrl_event_set(QI_EVENT_GUEST_INST_BEFORE_TRANS, insn_trans);
  qi_ctrl_event_set(QI_EVENT_GUEST_INST_BEFORE_EXEC, insn_exec);
  qi_trace_event_set_state_dynamic(QI_EVENT_GUEST_INST_BEFORE_TRANS, true);
  qi_trace_event_set_state_dynamic(QI_EVENT_GUEST_INST_BEFORE_EXEC, true);
}

export function qi_fini(): void {
  void insns;
}
