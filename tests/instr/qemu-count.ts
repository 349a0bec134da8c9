/**
 * The number of instructions QEMU executes for guests/count.elf: the oracle for the instruction
 * counters in examples.spec.ts (insn-count), two-libraries.spec.ts and load-unload.spec.ts
 * (scaled-count). Measured on qemu-system-riscv64 with one instruction per TB and
 * `-d exec,nochain`: one "Trace" line per executed instruction. Committed as
 * tests/transcripts/instr/qemu-insn-count/count.json; examples.oracle.spec.ts measures it live.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { QEMU_BINARY, virtKernelArgs } from '../support/run-guest.js';
import { makeTempDir } from '../support/tools.js';
import { readTranscript } from '../support/transcripts.js';
import { INSTR_GUESTS, linesOf } from './helpers.js';

export const COUNT_ELF = join(INSTR_GUESTS, 'count.elf');

/** What the transcript keeps. */
export type QemuInstructionCount = {
  readonly instructions: number;
};

export function qemuCountKey(elf: string): string {
  return `instr/qemu-insn-count/${basename(elf, '.elf')}`;
}

/** QEMU's count for `elf` (npm test: from the transcript). */
export function qemuInstructionCount(elf: string = COUNT_ELF): number {
  return readTranscript<QemuInstructionCount>(qemuCountKey(elf)).instructions;
}

/**
 * Measures the count on a live QEMU (oracle tier), for a single-hart bare-metal guest (`-bios
 * none`, exits through the finisher). Undefined when no spelling of "one instruction per TB" runs.
 */
export function measureQemuInstructionCount(elf: string): { value: QemuInstructionCount; command: string[] } | undefined {
  const dir = makeTempDir('qemu-count');
  try {
    const log = join(dir, 'exec.log');
    // QEMU 7.2 spells "one instruction per TB" -singlestep; later versions -accel tcg,one-insn-per-tb=on
    for (const oneInsn of [['-singlestep'], ['-accel', 'tcg,one-insn-per-tb=on']]) {
      const args = [...virtKernelArgs(elf), ...oneInsn, '-d', 'exec,nochain', '-D', log];
      const r = spawnSync(QEMU_BINARY, args, { timeout: 60_000 });
      if (r.status !== 0) continue;
      const instructions = linesOf(readFileSync(log, 'latin1')).filter((l) => l.startsWith('Trace ')).length;
      return { value: { instructions }, command: [QEMU_BINARY, ...args] };
    }
    return undefined;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
