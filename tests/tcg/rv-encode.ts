/** Just enough of a RISC-V assembler for translator tests (encodings from the ISA manual, chapter 2). */
export const enum Reg { zero = 0, ra = 1, a0 = 10, a1 = 11 }

export function iType(opcode: number, funct3: number, rd: number, rs1: number, imm: number): number {
  return (((imm & 0xfff) << 20) | (rs1 << 15) | (funct3 << 12) | (rd << 7) | opcode) >>> 0;
}

export const addi = (rd: number, rs1: number, imm: number): number => iType(0x13, 0, rd, rs1, imm);
export const jalr = (rd: number, rs1: number, imm: number): number => iType(0x67, 0, rd, rs1, imm);
export const ret = (): number => jalr(Reg.zero, Reg.ra, 0);

export function beq(rs1: number, rs2: number, offset: number): number {
  const i = offset;
  return ((((i >> 12) & 1) << 31) | (((i >> 5) & 0x3f) << 25) | (rs2 << 20) | (rs1 << 15) | (0 << 12) |
    (((i >> 1) & 0xf) << 8) | (((i >> 11) & 1) << 7) | 0x63) >>> 0;
}

export function jal(rd: number, offset: number): number {
  const i = offset;
  return ((((i >> 20) & 1) << 31) | (((i >> 1) & 0x3ff) << 21) | (((i >> 11) & 1) << 20) | (((i >> 12) & 0xff) << 12) |
    (rd << 7) | 0x6f) >>> 0;
}
