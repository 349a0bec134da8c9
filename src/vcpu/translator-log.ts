/**
 * `-d in_asm` lines: the disassembler when it is available, else the raw bits.
 */
import type { TranslatedBlock } from '../target/riscv/block-translator.js';
import { disassemble, formatInAsmLine } from '../target/riscv/disas.js';

export function disassembleForLog(block: TranslatedBlock, index: number): string {
  const raw = block.raws[index];
  const d = block.insns[index];
  const length = d ? d.length : ((raw & 3) === 3 ? 4 : 2);
  const pc = block.ir.insnPcs[index];
  return formatInAsmLine(pc, raw, length, disassemble(d, pc, raw, length));
}
