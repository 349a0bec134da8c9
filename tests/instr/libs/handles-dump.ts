/*
 * Test library for the block and instruction handles against QEMU 7.2's (tests/instr/qemu-plugins/
 * handles.c, compared by tests/instr/qemu-api.spec.ts): in every guest_bbl_before_trans, the
 * block being translated (qi_tb_current) and each of its instructions; printed at the end (by the
 * primary, from the translator instance's qi_fini value), sorted by address, each block start and
 * each instruction once, in handles.c's format:
 *   tb 0xVADDR insns N size S
 *   insn 0xVADDR size S bytes HEX "DISAS" SYMBOL
 * DISAS is QEMU's qemu_plugin_insn_disas text: the raw instruction (4 or 8 hex digits, padded to 18
 * columns) then `-d in_asm`'s text, which is what `disas` holds.
 */
import type { QICPU, QIInstanceResult, QIInsn } from 'tsemu/qemu-instr';
import { QI_EVENT_GUEST_BBL_BEFORE_TRANS as BBL_TRANS } from 'tsemu/qemu-instr/events';
import { qi_ctrl_event_set, qi_tb_current, qi_trace_event_set_state_dynamic } from 'tsemu/qemu-instr/control';

const blocks = new Map<bigint, string>();
const insns = new Map<bigint, string>();

const hex = (v: bigint): string => `0x${v.toString(16)}`;

/** qemu_plugin_insn_disas's text: the raw bits as -d in_asm shows them, then the disassembly. */
export function qemuDisas(insn: QIInsn): string {
  const raw = insn.data.reduceRight((v, b) => v * 256 + b, 0);
  return `${raw.toString(16).padStart(insn.size * 2, '0').padEnd(18)}${insn.disas}`;
}

function insnLine(insn: QIInsn): string {
  const bytes = [...insn.data].map((b) => b.toString(16).padStart(2, '0')).join('');
  return `insn ${hex(insn.vaddr)} size ${insn.size} bytes ${bytes} "${qemuDisas(insn)}" ${insn.symbol ?? '-'}`;
}

export function qi_init(): void {
  qi_ctrl_event_set(BBL_TRANS, (_cpu: QICPU) => {
    const tb = qi_tb_current();
    if (!blocks.has(tb.vaddr)) blocks.set(tb.vaddr, `tb ${hex(tb.vaddr)} insns ${tb.n_insns} size ${tb.size}`);
    for (const insn of tb.insns) if (!insns.has(insn.vaddr)) insns.set(insn.vaddr, insnLine(insn));
  });
  qi_trace_event_set_state_dynamic(BBL_TRANS, true);
}

export function qi_fini(): [Map<bigint, string>, Map<bigint, string>] {
  return [blocks, insns];
}

const sorted = (m: Map<bigint, string>): string[] => [...m.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map((e) => e[1]);

export function qi_merge(results: readonly QIInstanceResult[]): void {
  const all = [new Map<bigint, string>(), new Map<bigint, string>()];
  for (const r of results) {
    (r.value as Map<bigint, string>[]).forEach((m, k) => m.forEach((line, a) => all[k].has(a) || all[k].set(a, line)));
  }
  console.log([...sorted(all[0]), ...sorted(all[1])].join('\n'));
}
