/**
 * The recipe both tiers of the reset-vector ROM tests share (boot-rom.unit.spec.ts against the
 * committed transcripts tests/transcripts/cli/boot-rom/*, boot-rom.oracle.spec.ts recording them
 * from riscv64-unknown-elf-objdump and QEMU 7.2).
 */
import { buildResetVectorRom } from '../../src/machine/boot-rom.js';

export const KEYS = {
  objdump: 'cli/boot-rom/objdump',
  mrom: 'cli/boot-rom/mrom',
} as const;

export const PARAMS = { startAddr: 0x80000000, fdtAddr: 0x87e00000, kernelEntry: 0x80200000n };

/** The code part of the ROM: six instructions, disassembled at 0x1000. */
export const CODE_BYTES = 0x18;

/** The instructions QEMU's riscv_setup_rom_reset_vec writes (its comments: auipc t0,%pcrel_hi(fw_dyn); addi a2,t0,%pcrel_lo(1b); csrr a0,mhartid; ld a1,32(t0); ld t0,24(t0); jr t0), as objdump prints them. */
export const EXPECTED_INSNS = ['1000 auipc t0,0x0', '1004 add a2,t0,40', '1008 csrr a0,mhartid', '100c ld a1,32(t0)', '1010 ld t0,24(t0)', '1014 jr t0'];

export const OBJDUMP_ARGS = ['-b', 'binary', '-m', 'riscv:rv64', '-D', '--adjust-vma=0x1000', `--stop-address=0x${(0x1000 + CODE_BYTES).toString(16)}`];

/** objdump's disassembly of the ROM's code: the bytes it was given (hex) and "ADDR MNEMONIC OPERANDS" per instruction. */
export type Disassembly = { readonly code: string; readonly insns: readonly string[] };

export function parseObjdump(text: string): string[] {
  return [...text.matchAll(/^\s+([0-9a-f]+):\s+[0-9a-f]{8}\s+(\S+)\s+(\S+)/gm)].map((m) => `${m[1] ?? ''} ${m[2] ?? ''} ${m[3] ?? ''}`);
}

/** The MROM QEMU builds for `-M virt -bios none` (no kernel): 0x200 bytes at 0x1000, as hex. */
export const MROM_ARGS = ['-M', 'virt', '-bios', 'none'];
export const MROM_BYTES = 0x200;
export const MROM_PARAMS = { startAddr: 0x80000000, fdtAddr: 0x87e00000, kernelEntry: 0 };
export type Mrom = { readonly rom: string };

export function ourRom(params: Parameters<typeof buildResetVectorRom>[0], size: number): Uint8Array {
  const out = new Uint8Array(size);
  out.set(buildResetVectorRom(params));
  return out;
}
