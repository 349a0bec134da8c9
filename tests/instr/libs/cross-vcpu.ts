/*
 * Test library for "one vCPU translates, another executes" (tests/instr/
 * cross-vcpu.spec.ts): for the block at the address given as the first
 * argument (the guest's function F), it prints which vCPU the translation
 * callbacks received and which vCPU each execution callback received, at two
 * levels: the block (guest_bbl_before) and F's memory accesses
 * (guest_mem_before, whose translation callbacks come between F's block
 * start and the next block start of the same translation).
 *
 * Lines (stdout): `cross-vcpu: <event> cpu=<index> ...`.
 */
import type { QICPU, QITCGv, QITCGv_cpu } from 'tsemu/qemu-instr';
import {
  QI_EVENT_GUEST_BBL_BEFORE_EXEC, QI_EVENT_GUEST_BBL_BEFORE_TRANS, QI_EVENT_GUEST_MEM_BEFORE_EXEC,
  QI_EVENT_GUEST_MEM_BEFORE_TRANS, qi_event_guest_bbl_before_trans_gen_exec, qi_event_guest_mem_before_trans_gen_exec,
} from 'tsemu/qemu-instr/events';
import { qi_ctrl_event_set, qi_trace_event_set_state_dynamic } from 'tsemu/qemu-instr/control';

let target = -1n;
/** Translator instance only: is the basic block being translated F? */
let translatingTarget = false;

const hex = (v: bigint): string => `0x${v.toString(16)}`;

export function bbl_trans(cpu: QICPU, tcg_cpu: QITCGv_cpu, vaddr: bigint): void {
  translatingTarget = vaddr === target;
  if (!translatingTarget) return; /* other blocks get no execution-level code */
  console.log(`cross-vcpu: bbl_trans cpu=${cpu.index} vaddr=${hex(vaddr)}`);
  qi_event_guest_bbl_before_trans_gen_exec(cpu, tcg_cpu, vaddr);
}

export function bbl_exec(cpu: QICPU, vaddr: bigint): void {
  console.log(`cross-vcpu: bbl_exec cpu=${cpu.index} vaddr=${hex(vaddr)}`);
}

export function mem_trans(cpu: QICPU, tcg_cpu: QITCGv_cpu, vaddr: QITCGv, info: number): void {
  if (!translatingTarget) return;
  console.log(`cross-vcpu: mem_trans cpu=${cpu.index} info=${info}`);
  qi_event_guest_mem_before_trans_gen_exec(cpu, tcg_cpu, vaddr, info);
}

export function mem_exec(cpu: QICPU, vaddr: bigint, info: number): void {
  console.log(`cross-vcpu: mem_exec cpu=${cpu.index} vaddr=${hex(vaddr)} info=${info}`);
}

export function qi_init(argc: number, argv: readonly string[]): number {
  if (argc !== 1) {
    console.error('cross-vcpu: usage: arg=<address of F>');
    return 1;
  }
  target = BigInt(argv[0]);
  qi_ctrl_event_set(QI_EVENT_GUEST_BBL_BEFORE_TRANS, bbl_trans);
  qi_ctrl_event_set(QI_EVENT_GUEST_BBL_BEFORE_EXEC, bbl_exec);
  qi_ctrl_event_set(QI_EVENT_GUEST_MEM_BEFORE_TRANS, mem_trans);
  qi_ctrl_event_set(QI_EVENT_GUEST_MEM_BEFORE_EXEC, mem_exec);
  for (const ev of [QI_EVENT_GUEST_BBL_BEFORE_TRANS, QI_EVENT_GUEST_BBL_BEFORE_EXEC, QI_EVENT_GUEST_MEM_BEFORE_TRANS, QI_EVENT_GUEST_MEM_BEFORE_EXEC]) {
    qi_trace_event_set_state_dynamic(ev, true);
  }
  return 0;
}

export function qi_fini(): void {
  for (const ev of [QI_EVENT_GUEST_BBL_BEFORE_TRANS, QI_EVENT_GUEST_BBL_BEFORE_EXEC, QI_EVENT_GUEST_MEM_BEFORE_TRANS, QI_EVENT_GUEST_MEM_BEFORE_EXEC]) {
    qi_trace_event_set_state_dynamic(ev, false);
  }
}
