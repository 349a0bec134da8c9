/**
 * RV64C: expand a 16-bit compressed instruction into the equivalent 32-bit
 * encoding (RISC-V unprivileged spec, chapter "C" tables). Returns 0 for
 * reserved or illegal encodings (0 is itself an illegal 32-bit instruction).
 */

const bit = (c: number, n: number): number => (c >>> n) & 1;
const bits = (c: number, hi: number, lo: number): number => (c >>> lo) & ((1 << (hi - lo + 1)) - 1);
/** Compressed 3-bit register field -> x8..x15. */
const creg = (v: number): number => 8 + v;
const sext = (v: number, width: number): number => (v << (32 - width)) >> (32 - width);

const OP_IMM = 0x13, OP_IMM_32 = 0x1b, OP = 0x33, OP_32 = 0x3b, LUI = 0x37, LOAD = 0x03, STORE = 0x23,
  LOAD_FP = 0x07, STORE_FP = 0x27, JAL = 0x6f, JALR = 0x67, BRANCH = 0x63;

function encI(opcode: number, rd: number, f3: number, rs1: number, imm: number): number {
  return (((imm & 0xfff) << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | opcode) | 0;
}
function encR(opcode: number, rd: number, f3: number, rs1: number, rs2: number, f7: number): number {
  return ((f7 << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | opcode) | 0;
}
function encS(opcode: number, f3: number, rs1: number, rs2: number, imm: number): number {
  return ((((imm >> 5) & 0x7f) << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | ((imm & 0x1f) << 7) | opcode) | 0;
}
function encB(f3: number, rs1: number, rs2: number, imm: number): number {
  return ((bit(imm, 12) << 31) | (bits(imm, 10, 5) << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) |
    (bits(imm, 4, 1) << 8) | (bit(imm, 11) << 7) | BRANCH) | 0;
}
function encJ(rd: number, imm: number): number {
  return ((bit(imm, 20) << 31) | (bits(imm, 10, 1) << 21) | (bit(imm, 11) << 20) | (bits(imm, 19, 12) << 12) |
    (rd << 7) | JAL) | 0;
}

function quadrant0(c: number): number {
  const rdp = creg(bits(c, 4, 2));
  const rs1p = creg(bits(c, 9, 7));
  const uimmD = (bits(c, 12, 10) << 3) | (bits(c, 6, 5) << 6); // c.ld / c.sd / c.fld / c.fsd
  const uimmW = (bits(c, 12, 10) << 3) | (bit(c, 6) << 2) | (bit(c, 5) << 6); // c.lw / c.sw
  switch (bits(c, 15, 13)) {
    case 0: { // c.addi4spn
      const nzuimm = (bits(c, 12, 11) << 4) | (bits(c, 10, 7) << 6) | (bit(c, 6) << 2) | (bit(c, 5) << 3);
      return nzuimm === 0 ? 0 : encI(OP_IMM, rdp, 0, 2, nzuimm);
    }
    case 1: return encI(LOAD_FP, rdp, 3, rs1p, uimmD); // c.fld
    case 2: return encI(LOAD, rdp, 2, rs1p, uimmW); // c.lw
    case 3: return encI(LOAD, rdp, 3, rs1p, uimmD); // c.ld
    case 5: return encS(STORE_FP, 3, rs1p, rdp, uimmD); // c.fsd
    case 6: return encS(STORE, 2, rs1p, rdp, uimmW); // c.sw
    case 7: return encS(STORE, 3, rs1p, rdp, uimmD); // c.sd
    default: return 0;
  }
}

function quadrant1(c: number): number {
  const rd = bits(c, 11, 7);
  const imm6 = sext((bit(c, 12) << 5) | bits(c, 6, 2), 6);
  const rdp = creg(bits(c, 9, 7));
  const rs2p = creg(bits(c, 4, 2));
  switch (bits(c, 15, 13)) {
    case 0: return encI(OP_IMM, rd, 0, rd, imm6); // c.addi / c.nop
    case 1: return rd === 0 ? 0 : encI(OP_IMM_32, rd, 0, rd, imm6); // c.addiw
    case 2: return encI(OP_IMM, rd, 0, 0, imm6); // c.li
    case 3: {
      if (rd === 2) { // c.addi16sp
        const nzimm = sext((bit(c, 12) << 9) | (bit(c, 6) << 4) | (bit(c, 5) << 6) | (bits(c, 4, 3) << 7) | (bit(c, 2) << 5), 10);
        return nzimm === 0 ? 0 : encI(OP_IMM, 2, 0, 2, nzimm);
      }
      const nzimm = sext((bit(c, 12) << 17) | (bits(c, 6, 2) << 12), 18); // c.lui
      return nzimm === 0 ? 0 : ((nzimm & 0xfffff000) | (rd << 7) | LUI) | 0;
    }
    case 4: return miscAlu(c, rdp, rs2p, imm6);
    case 5: { // c.j
      const imm = sext((bit(c, 12) << 11) | (bit(c, 11) << 4) | (bits(c, 10, 9) << 8) | (bit(c, 8) << 10) |
        (bit(c, 7) << 6) | (bit(c, 6) << 7) | (bits(c, 5, 3) << 1) | (bit(c, 2) << 5), 12);
      return encJ(0, imm);
    }
    default: { // 6: c.beqz, 7: c.bnez
      const imm = sext((bit(c, 12) << 8) | (bits(c, 11, 10) << 3) | (bits(c, 6, 5) << 6) | (bits(c, 4, 3) << 1) |
        (bit(c, 2) << 5), 9);
      return encB(bits(c, 15, 13) === 6 ? 0 : 1, rdp, 0, imm);
    }
  }
}

function miscAlu(c: number, rdp: number, rs2p: number, imm6: number): number {
  const shamt = (bit(c, 12) << 5) | bits(c, 6, 2);
  switch (bits(c, 11, 10)) {
    case 0: return encI(OP_IMM, rdp, 5, rdp, shamt); // c.srli
    case 1: return encI(OP_IMM, rdp, 5, rdp, shamt | 0x400); // c.srai
    case 2: return encI(OP_IMM, rdp, 7, rdp, imm6); // c.andi
    default: {
      const f2 = bits(c, 6, 5);
      if (bit(c, 12) === 0) {
        const [f3, f7] = [[0, 0x20], [4, 0], [6, 0], [7, 0]][f2]; // c.sub c.xor c.or c.and
        return encR(OP, rdp, f3, rdp, rs2p, f7);
      }
      if (f2 === 0) return encR(OP_32, rdp, 0, rdp, rs2p, 0x20); // c.subw
      if (f2 === 1) return encR(OP_32, rdp, 0, rdp, rs2p, 0); // c.addw
      return 0;
    }
  }
}

function quadrant2(c: number): number {
  const rd = bits(c, 11, 7);
  const rs2 = bits(c, 6, 2);
  switch (bits(c, 15, 13)) {
    case 0: return encI(OP_IMM, rd, 1, rd, (bit(c, 12) << 5) | rs2); // c.slli
    case 1: return encI(LOAD_FP, rd, 3, 2, (bit(c, 12) << 5) | (bits(c, 6, 5) << 3) | (bits(c, 4, 2) << 6)); // c.fldsp
    case 2: // c.lwsp
      return rd === 0 ? 0 : encI(LOAD, rd, 2, 2, (bit(c, 12) << 5) | (bits(c, 6, 4) << 2) | (bits(c, 3, 2) << 6));
    case 3: // c.ldsp
      return rd === 0 ? 0 : encI(LOAD, rd, 3, 2, (bit(c, 12) << 5) | (bits(c, 6, 5) << 3) | (bits(c, 4, 2) << 6));
    case 4:
      if (bit(c, 12) === 0) {
        if (rs2 === 0) return rd === 0 ? 0 : encI(JALR, 0, 0, rd, 0); // c.jr
        return encR(OP, rd, 0, 0, rs2, 0); // c.mv
      }
      if (rs2 === 0) return rd === 0 ? 0x00100073 : encI(JALR, 1, 0, rd, 0); // c.ebreak / c.jalr
      return encR(OP, rd, 0, rd, rs2, 0); // c.add
    case 5: return encS(STORE_FP, 3, 2, rs2, (bits(c, 12, 10) << 3) | (bits(c, 9, 7) << 6)); // c.fsdsp
    case 6: return encS(STORE, 2, 2, rs2, (bits(c, 12, 9) << 2) | (bits(c, 8, 7) << 6)); // c.swsp
    default: return encS(STORE, 3, 2, rs2, (bits(c, 12, 10) << 3) | (bits(c, 9, 7) << 6)); // c.sdsp
  }
}

export function expandCompressed(c: number): number {
  switch (c & 3) {
    case 0: return quadrant0(c);
    case 1: return quadrant1(c);
    case 2: return quadrant2(c);
    default: return 0;
  }
}
