/*
 * The syscall filter and register reads in user mode (tests/instr/api.spec.ts): in
 * guest_user_syscall, the registers the call was made with (a7, a0-a2 by ABI name and by x
 * number) against the event's arguments, then, for write(1, ...), the text written (read from
 * guest memory) and the call skipped with its length as the result (qi_vcpu_syscall_skip): the
 * program's line never reaches stdout. guest_user_syscall_ret shows what the call returned.
 * The translation block at `main` (a symbol of the program's ELF) is printed in -d in_asm's
 * line format from the block handle.
 *
 * Lines (stderr, so the guest's own stdout stays what it wrote): `filter: ...`.
 */
import type { QICPU, QITCGv_cpu } from 'tsemu/qemu-instr';
import { QI_EVENT_GUEST_BBL_BEFORE_TRANS, QI_EVENT_GUEST_USER_SYSCALL, QI_EVENT_GUEST_USER_SYSCALL_RET } from 'tsemu/qemu-instr/events';
import {
  qi_ctrl_event_set, qi_insn_disas, qi_insn_symbol, qi_mem_read_virt, qi_tb_current, qi_trace_event_set_state_dynamic,
  qi_vcpu_read_register, qi_vcpu_syscall_skip,
} from 'tsemu/qemu-instr/control';

const NR_WRITE = 64n;

export function on_syscall(cpu: QICPU, num: bigint, a0: bigint, a1: bigint, a2: bigint): void {
  const r = (name: string): bigint => qi_vcpu_read_register(cpu, name);
  const same = r('a7') === num && r('x17') === num && r('a0') === a0 && r('x10') === a0 && r('a1') === a1 && r('a2') === a2;
  if (!same) console.error(`filter: registers differ from the call's arguments: a7=${r('a7')} num=${num}`);
  if (num !== NR_WRITE || a0 !== 1n) return;
  const bytes = qi_mem_read_virt(cpu, a1, Number(a2)) ?? new Uint8Array();
  console.error(`filter: skip write(1, ${JSON.stringify(new TextDecoder().decode(bytes))}, ${a2}) a7=${r('a7')} pc=0x${r('pc').toString(16)}`);
  qi_vcpu_syscall_skip(cpu, a2);
}

export function on_syscall_ret(_cpu: QICPU, num: bigint, ret: bigint): void {
  if (num === NR_WRITE) console.error(`filter: write returned ${BigInt.asIntN(64, ret)}`);
}

export function on_block(_cpu: QICPU, _tcg: QITCGv_cpu, vaddr: bigint): void {
  const tb = qi_tb_current();
  if (tb.vaddr !== vaddr || qi_insn_symbol(tb.insns[0]) !== 'main') return;
  for (const insn of tb.insns) {
    const bits = [...insn.data].reverse().map((b) => b.toString(16).padStart(2, '0')).join('');
    console.error(`filter: in_asm 0x${insn.vaddr.toString(16).padStart(16, '0')}:  ${bits.padEnd(18)}${qi_insn_disas(insn)}`);
  }
}

export function qi_init(): void {
  qi_ctrl_event_set(QI_EVENT_GUEST_USER_SYSCALL, on_syscall);
  qi_ctrl_event_set(QI_EVENT_GUEST_USER_SYSCALL_RET, on_syscall_ret);
  qi_ctrl_event_set(QI_EVENT_GUEST_BBL_BEFORE_TRANS, on_block);
  qi_trace_event_set_state_dynamic(QI_EVENT_GUEST_USER_SYSCALL, true);
  qi_trace_event_set_state_dynamic(QI_EVENT_GUEST_USER_SYSCALL_RET, true);
  qi_trace_event_set_state_dynamic(QI_EVENT_GUEST_BBL_BEFORE_TRANS, true);
}

export function qi_fini(): void {
  /* user mode runs qi_fini in the primary instance only: the lines above say it all */
}
