/*
 * QEMU's contrib/plugins/howvec.c for RISC-V: executed instructions by class, counted inline
 * (one scoreboard counter per class, no callback at run time), each instruction classified at
 * translation time from its bytes (qi_insn_current().data: the major opcode, or the compressed
 * quadrant and funct3). QEMU's howvec has no RISC-V table; the classes follow the ISA's opcode map.
 * Printed in howvec's format by the primary instance, from the shared scoreboard.
 *
 *   tsemu-system-riscv64 ... -instr file=examples/instr/howvec.ts
 */
import { QI_EVENT_GUEST_INST_BEFORE_TRANS as TRANS, qi_ctrl_event_set, qi_gen_scoreboard_add, qi_insn_current, qi_scoreboard_new,
  qi_trace_event_set_state_dynamic, type QIScoreboard } from 'tsemu/qemu-instr';

const CLASSES = ['Load', 'Store', 'Branch', 'Jump', 'Integer (immediate)', 'Integer (register)', 'Upper immediate',
  'System/CSR', 'Atomic', 'Fence', 'FP load/store', 'FP arithmetic', 'Compressed', 'Unclassified'] as const;
const MAJOR: Record<number, number> = {
  0x03: 0, 0x23: 1, 0x63: 2, 0x6f: 3, 0x67: 3, 0x13: 4, 0x1b: 4, 0x33: 5, 0x3b: 5, 0x37: 6, 0x17: 6,
  0x73: 7, 0x2f: 8, 0x0f: 9, 0x07: 10, 0x27: 10, 0x53: 11, 0x43: 11, 0x47: 11, 0x4b: 11, 0x4f: 11,
};
let board: QIScoreboard;

/** Class index of an instruction from its first byte(s). */
function classOf(data: Uint8Array): number {
  if (data.length === 2) return CLASSES.indexOf('Compressed');
  return MAJOR[data[0] & 0x7f] ?? CLASSES.length - 1;
}

export function qi_init(): void {
  board = qi_scoreboard_new(CLASSES.length);
  qi_ctrl_event_set(TRANS, (_cpu, tcg_cpu) => qi_gen_scoreboard_add(tcg_cpu, board, classOf(qi_insn_current().data), 1));
  qi_trace_event_set_state_dynamic(TRANS, true);
}

export function qi_fini(): void {
  const lines = ['Instruction Classes:'];
  CLASSES.forEach((name, k) => {
    const hits = board.sum(k);
    if (hits > 0n) lines.push(`Class: ${name.padEnd(24)}\t(${hits} hits)`);
  });
  console.log(lines.join('\n'));
}
