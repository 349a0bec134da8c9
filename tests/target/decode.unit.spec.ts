/**
 * The decode table (src/target/riscv/insn32.ts through decode.ts) against encodings made by the GNU
 * assembler (binutils 2.40, riscv64-unknown-elf-as -march=rv64gc, rv64gc_zba_zbb_zbc_zbs_svinval and rv64gc_zfhmin/rv64gc_zfh for the
 * optional extensions' rows, then objdump -M no-aliases): every
 * instruction name of the table decodes from one such encoding, with the operand fields the assembly
 * text names (registers, immediates sign-extended per format as the ISA manual's figures 2.3/2.4 draw
 * them, csr, rm, the 6-bit RV64 shamt). The expected values are read off the assembly text, never
 * taken from tsemu. Encodings that the RV64GC base and extensions leave reserved decode to nothing.
 */
import { expect } from 'chai';
import { decode, decode32, type Decoded } from '../../src/target/riscv/decode.js';
import { INSN32 } from '../../src/target/riscv/insn32.js';

const FIELDS = ['rd', 'rs1', 'rs2', 'rs3', 'rm', 'imm', 'csr'] as const;
type Fields = Partial<Pick<Decoded, (typeof FIELDS)[number]>>;

/**
 * [table name, assembly (GNU syntax, branch/jump targets relative to the instruction), the word GNU as
 * made of it, the fields the assembly names]. For `atom` rows, imm is aq (2) | rl (1); for `fence`,
 * (pred << 4) | succ with i=8 o=4 r=2 w=1; for csrr*i, rs1 is the 5-bit zero-extended immediate.
 */
const ROWS: ReadonlyArray<readonly [name: string, asm: string, word: number, fields: Fields]> = [
  ['lui', 'lui x5, 0x80000', 0x800002b7, { rd: 5, imm: -0x80000000 }],
  ['auipc', 'auipc x31, 0x7ffff', 0x7fffff97, { rd: 31, imm: 0x7ffff000 }],
  ['jal', 'jal x1, .-1048576', 0x800000ef, { rd: 1, imm: -0x100000 }],
  ['jalr', 'jalr x1, -2048(x2)', 0x800100e7, { rd: 1, rs1: 2, imm: -2048 }],
  ['beq', 'beq x1, x2, .-4096', 0x80208063, { rs1: 1, rs2: 2, imm: -4096 }],
  ['bne', 'bne x3, x4, .+4094', 0x7e419fe3, { rs1: 3, rs2: 4, imm: 4094 }],
  ['blt', 'blt x5, x6, .-2', 0xfe62cfe3, { rs1: 5, rs2: 6, imm: -2 }],
  ['bge', 'bge x7, x8, .+2048', 0x0083d0e3, { rs1: 7, rs2: 8, imm: 2048 }],
  ['bltu', 'bltu x9, x10, .-2050', 0xfea4ef63, { rs1: 9, rs2: 10, imm: -2050 }],
  ['bgeu', 'bgeu x30, x31, .+6', 0x01ff7363, { rs1: 30, rs2: 31, imm: 6 }],
  ['lb', 'lb x10, -2048(x20)', 0x800a0503, { rd: 10, rs1: 20, imm: -2048 }],
  ['lh', 'lh x11, 2047(x21)', 0x7ffa9583, { rd: 11, rs1: 21, imm: 2047 }],
  ['lw', 'lw x12, -1(x22)', 0xfffb2603, { rd: 12, rs1: 22, imm: -1 }],
  ['ld', 'ld x13, 0(x23)', 0x000bb683, { rd: 13, rs1: 23, imm: 0 }],
  ['lbu', 'lbu x14, 1(x24)', 0x001c4703, { rd: 14, rs1: 24, imm: 1 }],
  ['lhu', 'lhu x15, -100(x25)', 0xf9ccd783, { rd: 15, rs1: 25, imm: -100 }],
  ['lwu', 'lwu x16, 1000(x26)', 0x3e8d6803, { rd: 16, rs1: 26, imm: 1000 }],
  ['sb', 'sb x10, -2048(x20)', 0x80aa0023, { rs2: 10, rs1: 20, imm: -2048 }],
  ['sh', 'sh x11, 2047(x21)', 0x7eba9fa3, { rs2: 11, rs1: 21, imm: 2047 }],
  ['sw', 'sw x12, -33(x22)', 0xfccb2fa3, { rs2: 12, rs1: 22, imm: -33 }],
  ['sd', 'sd x13, 32(x23)', 0x02dbb023, { rs2: 13, rs1: 23, imm: 32 }],
  ['addi', 'addi x1, x31, -2048', 0x800f8093, { rd: 1, rs1: 31, imm: -2048 }],
  ['slti', 'slti x2, x30, 2047', 0x7fff2113, { rd: 2, rs1: 30, imm: 2047 }],
  ['sltiu', 'sltiu x3, x29, -1', 0xfffeb193, { rd: 3, rs1: 29, imm: -1 }],
  ['xori', 'xori x4, x28, 1365', 0x555e4213, { rd: 4, rs1: 28, imm: 1365 }],
  ['ori', 'ori x5, x27, -1366', 0xaaade293, { rd: 5, rs1: 27, imm: -1366 }],
  ['andi', 'andi x6, x26, 1', 0x001d7313, { rd: 6, rs1: 26, imm: 1 }],
  ['addiw', 'addiw x7, x25, -7', 0xff9c839b, { rd: 7, rs1: 25, imm: -7 }],
  ['slli', 'slli x3, x4, 63', 0x03f21193, { rd: 3, rs1: 4, imm: 63 }],
  ['srli', 'srli x3, x4, 32', 0x02025193, { rd: 3, rs1: 4, imm: 32 }],
  ['srai', 'srai x3, x4, 1', 0x40125193, { rd: 3, rs1: 4, imm: 1 }],
  ['slliw', 'slliw x5, x6, 31', 0x01f3129b, { rd: 5, rs1: 6, imm: 31 }],
  ['srliw', 'srliw x5, x6, 16', 0x0103529b, { rd: 5, rs1: 6, imm: 16 }],
  ['sraiw', 'sraiw x5, x6, 1', 0x4013529b, { rd: 5, rs1: 6, imm: 1 }],
  ['add', 'add x1, x2, x3', 0x003100b3, { rd: 1, rs1: 2, rs2: 3 }],
  ['sub', 'sub x4, x7, x10', 0x40a38233, { rd: 4, rs1: 7, rs2: 10 }],
  ['sll', 'sll x7, x12, x17', 0x011613b3, { rd: 7, rs1: 12, rs2: 17 }],
  ['slt', 'slt x10, x17, x24', 0x0188a533, { rd: 10, rs1: 17, rs2: 24 }],
  ['sltu', 'sltu x13, x22, x31', 0x01fb36b3, { rd: 13, rs1: 22, rs2: 31 }],
  ['xor', 'xor x16, x27, x6', 0x006dc833, { rd: 16, rs1: 27, rs2: 6 }],
  ['srl', 'srl x19, x0, x13', 0x00d059b3, { rd: 19, rs1: 0, rs2: 13 }],
  ['sra', 'sra x22, x5, x20', 0x4142db33, { rd: 22, rs1: 5, rs2: 20 }],
  ['or', 'or x25, x10, x27', 0x01b56cb3, { rd: 25, rs1: 10, rs2: 27 }],
  ['and', 'and x28, x15, x2', 0x0027fe33, { rd: 28, rs1: 15, rs2: 2 }],
  ['addw', 'addw x31, x20, x9', 0x009a0fbb, { rd: 31, rs1: 20, rs2: 9 }],
  ['subw', 'subw x2, x25, x16', 0x410c813b, { rd: 2, rs1: 25, rs2: 16 }],
  ['sllw', 'sllw x5, x30, x23', 0x017f12bb, { rd: 5, rs1: 30, rs2: 23 }],
  ['srlw', 'srlw x8, x3, x30', 0x01e1d43b, { rd: 8, rs1: 3, rs2: 30 }],
  ['sraw', 'sraw x11, x8, x5', 0x405455bb, { rd: 11, rs1: 8, rs2: 5 }],
  ['mul', 'mul x14, x13, x12', 0x02c68733, { rd: 14, rs1: 13, rs2: 12 }],
  ['mulh', 'mulh x17, x18, x19', 0x033918b3, { rd: 17, rs1: 18, rs2: 19 }],
  ['mulhsu', 'mulhsu x20, x23, x26', 0x03abaa33, { rd: 20, rs1: 23, rs2: 26 }],
  ['mulhu', 'mulhu x23, x28, x1', 0x021e3bb3, { rd: 23, rs1: 28, rs2: 1 }],
  ['div', 'div x26, x1, x8', 0x0280cd33, { rd: 26, rs1: 1, rs2: 8 }],
  ['divu', 'divu x29, x6, x15', 0x02f35eb3, { rd: 29, rs1: 6, rs2: 15 }],
  ['rem', 'rem x0, x11, x22', 0x0365e033, { rd: 0, rs1: 11, rs2: 22 }],
  ['remu', 'remu x3, x16, x29', 0x03d871b3, { rd: 3, rs1: 16, rs2: 29 }],
  ['mulw', 'mulw x6, x21, x4', 0x024a833b, { rd: 6, rs1: 21, rs2: 4 }],
  ['divw', 'divw x9, x26, x11', 0x02bd44bb, { rd: 9, rs1: 26, rs2: 11 }],
  ['divuw', 'divuw x12, x31, x18', 0x032fd63b, { rd: 12, rs1: 31, rs2: 18 }],
  ['remw', 'remw x15, x4, x25', 0x039267bb, { rd: 15, rs1: 4, rs2: 25 }],
  ['remuw', 'remuw x18, x9, x0', 0x0204f93b, { rd: 18, rs1: 9, rs2: 0 }],
  ['fence', 'fence rw, w', 0x0310000f, { imm: 49 }],
  ['fence_i', 'fence.i', 0x0000100f, {  }],
  ['ecall', 'ecall', 0x00000073, {  }],
  ['ebreak', 'ebreak', 0x00100073, {  }],
  ['sret', 'sret', 0x10200073, {  }],
  ['mret', 'mret', 0x30200073, {  }],
  ['wfi', 'wfi', 0x10500073, {  }],
  ['sfence_vma', 'sfence.vma x1, x2', 0x12208073, { rs1: 1, rs2: 2 }],
  ['csrrw', 'csrrw x5, mstatus, x6', 0x300312f3, { rd: 5, rs1: 6, csr: 0x300 }],
  ['csrrs', 'csrrs x7, cycle, x0', 0xc00023f3, { rd: 7, rs1: 0, csr: 0xc00 }],
  ['csrrc', 'csrrc x0, sip, x9', 0x1444b073, { rd: 0, rs1: 9, csr: 0x144 }],
  ['csrrwi', 'csrrwi x10, satp, 31', 0x180fd573, { rd: 10, rs1: 31, csr: 0x180 }],
  ['csrrsi', 'csrrsi x11, 0xfff, 1', 0xfff0e5f3, { rd: 11, rs1: 1, csr: 0xfff }],
  ['csrrci', 'csrrci x12, fflags, 16', 0x00187673, { rd: 12, rs1: 16, csr: 0x1 }],
  ['lr_w', 'lr.w.aq x4, (x5)', 0x1402a22f, { rd: 4, rs1: 5, rs2: 0, imm: 2 }],
  ['sc_w', 'sc.w.rl x6, x7, (x8)', 0x1a74232f, { rd: 6, rs1: 8, rs2: 7, imm: 1 }],
  ['amoswap_w', 'amoswap.w x1, x20, (x10)', 0x094520af, { rd: 1, rs1: 10, rs2: 20, imm: 0 }],
  ['amoadd_w', 'amoadd.w.aq x2, x21, (x11)', 0x0555a12f, { rd: 2, rs1: 11, rs2: 21, imm: 2 }],
  ['amoxor_w', 'amoxor.w.rl x3, x22, (x12)', 0x236621af, { rd: 3, rs1: 12, rs2: 22, imm: 1 }],
  ['amoand_w', 'amoand.w.aqrl x4, x23, (x13)', 0x6776a22f, { rd: 4, rs1: 13, rs2: 23, imm: 3 }],
  ['amoor_w', 'amoor.w x5, x24, (x14)', 0x418722af, { rd: 5, rs1: 14, rs2: 24, imm: 0 }],
  ['amomin_w', 'amomin.w.aq x6, x25, (x15)', 0x8597a32f, { rd: 6, rs1: 15, rs2: 25, imm: 2 }],
  ['amomax_w', 'amomax.w.rl x7, x26, (x16)', 0xa3a823af, { rd: 7, rs1: 16, rs2: 26, imm: 1 }],
  ['amominu_w', 'amominu.w.aqrl x8, x27, (x17)', 0xc7b8a42f, { rd: 8, rs1: 17, rs2: 27, imm: 3 }],
  ['amomaxu_w', 'amomaxu.w x9, x28, (x18)', 0xe1c924af, { rd: 9, rs1: 18, rs2: 28, imm: 0 }],
  ['lr_d', 'lr.d.aq x4, (x5)', 0x1402b22f, { rd: 4, rs1: 5, rs2: 0, imm: 2 }],
  ['sc_d', 'sc.d.rl x6, x7, (x8)', 0x1a74332f, { rd: 6, rs1: 8, rs2: 7, imm: 1 }],
  ['amoswap_d', 'amoswap.d x1, x20, (x10)', 0x094530af, { rd: 1, rs1: 10, rs2: 20, imm: 0 }],
  ['amoadd_d', 'amoadd.d.aq x2, x21, (x11)', 0x0555b12f, { rd: 2, rs1: 11, rs2: 21, imm: 2 }],
  ['amoxor_d', 'amoxor.d.rl x3, x22, (x12)', 0x236631af, { rd: 3, rs1: 12, rs2: 22, imm: 1 }],
  ['amoand_d', 'amoand.d.aqrl x4, x23, (x13)', 0x6776b22f, { rd: 4, rs1: 13, rs2: 23, imm: 3 }],
  ['amoor_d', 'amoor.d x5, x24, (x14)', 0x418732af, { rd: 5, rs1: 14, rs2: 24, imm: 0 }],
  ['amomin_d', 'amomin.d.aq x6, x25, (x15)', 0x8597b32f, { rd: 6, rs1: 15, rs2: 25, imm: 2 }],
  ['amomax_d', 'amomax.d.rl x7, x26, (x16)', 0xa3a833af, { rd: 7, rs1: 16, rs2: 26, imm: 1 }],
  ['amominu_d', 'amominu.d.aqrl x8, x27, (x17)', 0xc7b8b42f, { rd: 8, rs1: 17, rs2: 27, imm: 3 }],
  ['amomaxu_d', 'amomaxu.d x9, x28, (x18)', 0xe1c934af, { rd: 9, rs1: 18, rs2: 28, imm: 0 }],
  ['flw', 'flw f1, -2048(x2)', 0x80012087, { rd: 1, rs1: 2, imm: -2048 }],
  ['fld', 'fld f31, 2047(x30)', 0x7fff3f87, { rd: 31, rs1: 30, imm: 2047 }],
  ['fsw', 'fsw f3, -1(x4)', 0xfe322fa7, { rs2: 3, rs1: 4, imm: -1 }],
  ['fsd', 'fsd f5, 1024(x6)', 0x40533027, { rs2: 5, rs1: 6, imm: 1024 }],
  ['fmadd_s', 'fmadd.s f1, f8, f16, f24, rne', 0xc10400c3, { rd: 1, rs1: 8, rs2: 16, rs3: 24, rm: 0 }],
  ['fmsub_s', 'fmsub.s f2, f9, f17, f25, rtz', 0xc9149147, { rd: 2, rs1: 9, rs2: 17, rs3: 25, rm: 1 }],
  ['fnmsub_s', 'fnmsub.s f3, f10, f18, f26, rdn', 0xd12521cb, { rd: 3, rs1: 10, rs2: 18, rs3: 26, rm: 2 }],
  ['fnmadd_s', 'fnmadd.s f4, f11, f19, f27, dyn', 0xd935f24f, { rd: 4, rs1: 11, rs2: 19, rs3: 27, rm: 7 }],
  ['fadd_s', 'fadd.s f2, f12, f22, rup', 0x01663153, { rd: 2, rs1: 12, rs2: 22, rm: 3 }],
  ['fsub_s', 'fsub.s f3, f13, f23, rmm', 0x0976c1d3, { rd: 3, rs1: 13, rs2: 23, rm: 4 }],
  ['fmul_s', 'fmul.s f4, f14, f24, rne', 0x11870253, { rd: 4, rs1: 14, rs2: 24, rm: 0 }],
  ['fdiv_s', 'fdiv.s f5, f15, f25, dyn', 0x1997f2d3, { rd: 5, rs1: 15, rs2: 25, rm: 7 }],
  ['fsqrt_s', 'fsqrt.s f7, f8, rtz', 0x580413d3, { rd: 7, rs1: 8, rm: 1 }],
  ['fsgnj_s', 'fsgnj.s f3, f13, f23', 0x217681d3, { rd: 3, rs1: 13, rs2: 23 }],
  ['fsgnjn_s', 'fsgnjn.s f4, f14, f24', 0x21871253, { rd: 4, rs1: 14, rs2: 24 }],
  ['fsgnjx_s', 'fsgnjx.s f5, f15, f25', 0x2197a2d3, { rd: 5, rs1: 15, rs2: 25 }],
  ['fmin_s', 'fmin.s f6, f16, f26', 0x29a80353, { rd: 6, rs1: 16, rs2: 26 }],
  ['fmax_s', 'fmax.s f7, f17, f27', 0x29b893d3, { rd: 7, rs1: 17, rs2: 27 }],
  ['feq_s', 'feq.s x8, f18, f28', 0xa1c92453, { rd: 8, rs1: 18, rs2: 28 }],
  ['flt_s', 'flt.s x9, f19, f29', 0xa1d994d3, { rd: 9, rs1: 19, rs2: 29 }],
  ['fle_s', 'fle.s x10, f20, f30', 0xa1ea0553, { rd: 10, rs1: 20, rs2: 30 }],
  ['fclass_s', 'fclass.s x9, f10', 0xe00514d3, { rd: 9, rs1: 10 }],
  ['fcvt_w_s', 'fcvt.w.s x11, f21, rne', 0xc00a85d3, { rd: 11, rs1: 21, rm: 0 }],
  ['fcvt_s_w', 'fcvt.s.w f12, x22, rne', 0xd00b0653, { rd: 12, rs1: 22, rm: 0 }],
  ['fcvt_wu_s', 'fcvt.wu.s x12, f22, rtz', 0xc01b1653, { rd: 12, rs1: 22, rm: 1 }],
  ['fcvt_s_wu', 'fcvt.s.wu f13, x23, rtz', 0xd01b96d3, { rd: 13, rs1: 23, rm: 1 }],
  ['fcvt_l_s', 'fcvt.l.s x13, f23, rdn', 0xc02ba6d3, { rd: 13, rs1: 23, rm: 2 }],
  ['fcvt_s_l', 'fcvt.s.l f14, x24, rdn', 0xd02c2753, { rd: 14, rs1: 24, rm: 2 }],
  ['fcvt_lu_s', 'fcvt.lu.s x14, f24, rup', 0xc03c3753, { rd: 14, rs1: 24, rm: 3 }],
  ['fcvt_s_lu', 'fcvt.s.lu f15, x25, rup', 0xd03cb7d3, { rd: 15, rs1: 25, rm: 3 }],
  ['fmadd_d', 'fmadd.d f1, f8, f16, f24, rne', 0xc30400c3, { rd: 1, rs1: 8, rs2: 16, rs3: 24, rm: 0 }],
  ['fmsub_d', 'fmsub.d f2, f9, f17, f25, rtz', 0xcb149147, { rd: 2, rs1: 9, rs2: 17, rs3: 25, rm: 1 }],
  ['fnmsub_d', 'fnmsub.d f3, f10, f18, f26, rdn', 0xd32521cb, { rd: 3, rs1: 10, rs2: 18, rs3: 26, rm: 2 }],
  ['fnmadd_d', 'fnmadd.d f4, f11, f19, f27, dyn', 0xdb35f24f, { rd: 4, rs1: 11, rs2: 19, rs3: 27, rm: 7 }],
  ['fadd_d', 'fadd.d f2, f12, f22, rup', 0x03663153, { rd: 2, rs1: 12, rs2: 22, rm: 3 }],
  ['fsub_d', 'fsub.d f3, f13, f23, rmm', 0x0b76c1d3, { rd: 3, rs1: 13, rs2: 23, rm: 4 }],
  ['fmul_d', 'fmul.d f4, f14, f24, rne', 0x13870253, { rd: 4, rs1: 14, rs2: 24, rm: 0 }],
  ['fdiv_d', 'fdiv.d f5, f15, f25, dyn', 0x1b97f2d3, { rd: 5, rs1: 15, rs2: 25, rm: 7 }],
  ['fsqrt_d', 'fsqrt.d f7, f8, rtz', 0x5a0413d3, { rd: 7, rs1: 8, rm: 1 }],
  ['fsgnj_d', 'fsgnj.d f3, f13, f23', 0x237681d3, { rd: 3, rs1: 13, rs2: 23 }],
  ['fsgnjn_d', 'fsgnjn.d f4, f14, f24', 0x23871253, { rd: 4, rs1: 14, rs2: 24 }],
  ['fsgnjx_d', 'fsgnjx.d f5, f15, f25', 0x2397a2d3, { rd: 5, rs1: 15, rs2: 25 }],
  ['fmin_d', 'fmin.d f6, f16, f26', 0x2ba80353, { rd: 6, rs1: 16, rs2: 26 }],
  ['fmax_d', 'fmax.d f7, f17, f27', 0x2bb893d3, { rd: 7, rs1: 17, rs2: 27 }],
  ['feq_d', 'feq.d x8, f18, f28', 0xa3c92453, { rd: 8, rs1: 18, rs2: 28 }],
  ['flt_d', 'flt.d x9, f19, f29', 0xa3d994d3, { rd: 9, rs1: 19, rs2: 29 }],
  ['fle_d', 'fle.d x10, f20, f30', 0xa3ea0553, { rd: 10, rs1: 20, rs2: 30 }],
  ['fclass_d', 'fclass.d x9, f10', 0xe20514d3, { rd: 9, rs1: 10 }],
  ['fcvt_w_d', 'fcvt.w.d x11, f21, rne', 0xc20a85d3, { rd: 11, rs1: 21, rm: 0 }],
  ['fcvt_d_w', 'fcvt.d.w f12, x22', 0xd20b0653, { rd: 12, rs1: 22 }],
  ['fcvt_wu_d', 'fcvt.wu.d x12, f22, rtz', 0xc21b1653, { rd: 12, rs1: 22, rm: 1 }],
  ['fcvt_d_wu', 'fcvt.d.wu f13, x23', 0xd21b86d3, { rd: 13, rs1: 23 }],
  ['fcvt_l_d', 'fcvt.l.d x13, f23, rdn', 0xc22ba6d3, { rd: 13, rs1: 23, rm: 2 }],
  ['fcvt_d_l', 'fcvt.d.l f14, x24, rdn', 0xd22c2753, { rd: 14, rs1: 24, rm: 2 }],
  ['fcvt_lu_d', 'fcvt.lu.d x14, f24, rup', 0xc23c3753, { rd: 14, rs1: 24, rm: 3 }],
  ['fcvt_d_lu', 'fcvt.d.lu f15, x25, rup', 0xd23cb7d3, { rd: 15, rs1: 25, rm: 3 }],
  ['fmv_x_w', 'fmv.x.w x1, f2', 0xe00100d3, { rd: 1, rs1: 2 }],
  ['fmv_w_x', 'fmv.w.x f3, x4', 0xf00201d3, { rd: 3, rs1: 4 }],
  ['fmv_x_d', 'fmv.x.d x5, f6', 0xe20302d3, { rd: 5, rs1: 6 }],
  ['fmv_d_x', 'fmv.d.x f7, x8', 0xf20403d3, { rd: 7, rs1: 8 }],
  ['fcvt_s_d', 'fcvt.s.d f9, f10, rmm', 0x401544d3, { rd: 9, rs1: 10, rm: 4 }],
  ['fcvt_d_s', 'fcvt.d.s f11, f12', 0x420605d3, { rd: 11, rs1: 12 }],
  // Zfhmin (as -march=rv64gc_zfhmin)
  ['flh', 'flh f1, -2048(x2)', 0x80011087, { rd: 1, rs1: 2, imm: -2048 }],
  ['fsh', 'fsh f3, 2047(x4)', 0x7e321fa7, { rs2: 3, rs1: 4, imm: 2047 }],
  ['fcvt_s_h', 'fcvt.s.h f5, f6', 0x402302d3, { rd: 5, rs1: 6, rm: 0 }],
  ['fcvt_h_s', 'fcvt.h.s f7, f8, rtz', 0x440413d3, { rd: 7, rs1: 8, rm: 1 }],
  ['fcvt_d_h', 'fcvt.d.h f9, f10', 0x422504d3, { rd: 9, rs1: 10, rm: 0 }],
  ['fcvt_h_d', 'fcvt.h.d f11, f12, rup', 0x441635d3, { rd: 11, rs1: 12, rm: 3 }],
  ['fmv_x_h', 'fmv.x.h x13, f14', 0xe40706d3, { rd: 13, rs1: 14 }],
  ['fmv_h_x', 'fmv.h.x f15, x16', 0xf40807d3, { rd: 15, rs1: 16 }],
  // Zfh (as -march=rv64gc_zfh)
  ['fadd_h', 'fadd.h f1, f2, f3, rne', 0x043100d3, { rd: 1, rs1: 2, rs2: 3, rm: 0 }],
  ['fsub_h', 'fsub.h f4, f5, f6, rtz', 0x0c629253, { rd: 4, rs1: 5, rs2: 6, rm: 1 }],
  ['fmul_h', 'fmul.h f7, f8, f9, rdn', 0x149423d3, { rd: 7, rs1: 8, rs2: 9, rm: 2 }],
  ['fdiv_h', 'fdiv.h f10, f11, f12, rup', 0x1cc5b553, { rd: 10, rs1: 11, rs2: 12, rm: 3 }],
  ['fsqrt_h', 'fsqrt.h f13, f14, rmm', 0x5c0746d3, { rd: 13, rs1: 14, rm: 4 }],
  ['fsgnj_h', 'fsgnj.h f15, f16, f17', 0x251807d3, { rd: 15, rs1: 16, rs2: 17 }],
  ['fsgnjn_h', 'fsgnjn.h f18, f19, f20', 0x25499953, { rd: 18, rs1: 19, rs2: 20 }],
  ['fsgnjx_h', 'fsgnjx.h f21, f22, f23', 0x257b2ad3, { rd: 21, rs1: 22, rs2: 23 }],
  ['fmin_h', 'fmin.h f24, f25, f26', 0x2dac8c53, { rd: 24, rs1: 25, rs2: 26 }],
  ['fmax_h', 'fmax.h f27, f28, f29', 0x2dde1dd3, { rd: 27, rs1: 28, rs2: 29 }],
  ['fcvt_w_h', 'fcvt.w.h x1, f2, rtz', 0xc40110d3, { rd: 1, rs1: 2, rm: 1 }],
  ['fcvt_wu_h', 'fcvt.wu.h x3, f4, rne', 0xc41201d3, { rd: 3, rs1: 4, rm: 0 }],
  ['fcvt_l_h', 'fcvt.l.h x5, f6, rdn', 0xc42322d3, { rd: 5, rs1: 6, rm: 2 }],
  ['fcvt_lu_h', 'fcvt.lu.h x7, f8, rup', 0xc43433d3, { rd: 7, rs1: 8, rm: 3 }],
  ['feq_h', 'feq.h x9, f10, f11', 0xa4b524d3, { rd: 9, rs1: 10, rs2: 11 }],
  ['flt_h', 'flt.h x12, f13, f14', 0xa4e69653, { rd: 12, rs1: 13, rs2: 14 }],
  ['fle_h', 'fle.h x15, f16, f17', 0xa51807d3, { rd: 15, rs1: 16, rs2: 17 }],
  ['fclass_h', 'fclass.h x18, f19', 0xe4099953, { rd: 18, rs1: 19 }],
  ['fcvt_h_w', 'fcvt.h.w f20, x21, rne', 0xd40a8a53, { rd: 20, rs1: 21, rm: 0 }],
  ['fcvt_h_wu', 'fcvt.h.wu f22, x23, rtz', 0xd41b9b53, { rd: 22, rs1: 23, rm: 1 }],
  ['fcvt_h_l', 'fcvt.h.l f24, x25, rdn', 0xd42cac53, { rd: 24, rs1: 25, rm: 2 }],
  ['fcvt_h_lu', 'fcvt.h.lu f26, x27, rmm', 0xd43dcd53, { rd: 26, rs1: 27, rm: 4 }],
  ['fmadd_h', 'fmadd.h f1, f2, f3, f4, rne', 0x243100c3, { rd: 1, rs1: 2, rs2: 3, rs3: 4, rm: 0 }],
  ['fmsub_h', 'fmsub.h f5, f6, f7, f8, rtz', 0x447312c7, { rd: 5, rs1: 6, rs2: 7, rs3: 8, rm: 1 }],
  ['fnmsub_h', 'fnmsub.h f9, f10, f11, f12, rdn', 0x64b524cb, { rd: 9, rs1: 10, rs2: 11, rs3: 12, rm: 2 }],
  ['fnmadd_h', 'fnmadd.h f13, f14, f15, f16, rup', 0x84f736cf, { rd: 13, rs1: 14, rs2: 15, rs3: 16, rm: 3 }],
  // Svinval, Zba, Zbb, Zbc, Zbs (as -march=rv64gc_zba_zbb_zbc_zbs_svinval)
  ['sinval_vma', 'sinval.vma x5, x6', 0x16628073, { rs1: 5, rs2: 6 }],
  ['sfence_w_inval', 'sfence.w.inval', 0x18000073, {}],
  ['sfence_inval_ir', 'sfence.inval.ir', 0x18100073, {}],
  ['add_uw', 'add.uw x1, x2, x3', 0x083100bb, { rd: 1, rs1: 2, rs2: 3 }],
  ['sh1add', 'sh1add x4, x5, x6', 0x2062a233, { rd: 4, rs1: 5, rs2: 6 }],
  ['sh2add', 'sh2add x7, x8, x9', 0x209443b3, { rd: 7, rs1: 8, rs2: 9 }],
  ['sh3add', 'sh3add x10, x11, x12', 0x20c5e533, { rd: 10, rs1: 11, rs2: 12 }],
  ['sh1add_uw', 'sh1add.uw x13, x14, x15', 0x20f726bb, { rd: 13, rs1: 14, rs2: 15 }],
  ['sh2add_uw', 'sh2add.uw x16, x17, x18', 0x2128c83b, { rd: 16, rs1: 17, rs2: 18 }],
  ['sh3add_uw', 'sh3add.uw x19, x20, x21', 0x215a69bb, { rd: 19, rs1: 20, rs2: 21 }],
  ['slli_uw', 'slli.uw x22, x23, 63', 0x0bfb9b1b, { rd: 22, rs1: 23, imm: 63 }],
  ['andn', 'andn x1, x2, x3', 0x403170b3, { rd: 1, rs1: 2, rs2: 3 }],
  ['orn', 'orn x4, x5, x6', 0x4062e233, { rd: 4, rs1: 5, rs2: 6 }],
  ['xnor', 'xnor x7, x8, x9', 0x409443b3, { rd: 7, rs1: 8, rs2: 9 }],
  ['clz', 'clz x10, x11', 0x60059513, { rd: 10, rs1: 11 }],
  ['ctz', 'ctz x12, x13', 0x60169613, { rd: 12, rs1: 13 }],
  ['cpop', 'cpop x14, x15', 0x60279713, { rd: 14, rs1: 15 }],
  ['sext_b', 'sext.b x16, x17', 0x60489813, { rd: 16, rs1: 17 }],
  ['sext_h', 'sext.h x18, x19', 0x60599913, { rd: 18, rs1: 19 }],
  ['clzw', 'clzw x20, x21', 0x600a9a1b, { rd: 20, rs1: 21 }],
  ['ctzw', 'ctzw x22, x23', 0x601b9b1b, { rd: 22, rs1: 23 }],
  ['cpopw', 'cpopw x24, x25', 0x602c9c1b, { rd: 24, rs1: 25 }],
  ['max', 'max x26, x27, x28', 0x0bcded33, { rd: 26, rs1: 27, rs2: 28 }],
  ['maxu', 'maxu x29, x30, x31', 0x0bff7eb3, { rd: 29, rs1: 30, rs2: 31 }],
  ['min', 'min x1, x3, x5', 0x0a51c0b3, { rd: 1, rs1: 3, rs2: 5 }],
  ['minu', 'minu x2, x4, x6', 0x0a625133, { rd: 2, rs1: 4, rs2: 6 }],
  ['orc_b', 'orc.b x7, x9', 0x2874d393, { rd: 7, rs1: 9 }],
  ['rev8', 'rev8 x8, x10', 0x6b855413, { rd: 8, rs1: 10 }],
  ['rol', 'rol x11, x12, x13', 0x60d615b3, { rd: 11, rs1: 12, rs2: 13 }],
  ['ror', 'ror x14, x15, x16', 0x6107d733, { rd: 14, rs1: 15, rs2: 16 }],
  ['rori', 'rori x17, x18, 63', 0x63f95893, { rd: 17, rs1: 18, imm: 63 }],
  ['rolw', 'rolw x19, x20, x21', 0x615a19bb, { rd: 19, rs1: 20, rs2: 21 }],
  ['rorw', 'rorw x22, x23, x24', 0x618bdb3b, { rd: 22, rs1: 23, rs2: 24 }],
  ['roriw', 'roriw x25, x26, 31', 0x61fd5c9b, { rd: 25, rs1: 26, imm: 31 }],
  ['zext_h', 'zext.h x27, x28', 0x080e4dbb, { rd: 27, rs1: 28 }],
  ['clmul', 'clmul x1, x2, x3', 0x0a3110b3, { rd: 1, rs1: 2, rs2: 3 }],
  ['clmulh', 'clmulh x4, x5, x6', 0x0a62b233, { rd: 4, rs1: 5, rs2: 6 }],
  ['clmulr', 'clmulr x7, x8, x9', 0x0a9423b3, { rd: 7, rs1: 8, rs2: 9 }],
  ['bclr', 'bclr x10, x11, x12', 0x48c59533, { rd: 10, rs1: 11, rs2: 12 }],
  ['bclri', 'bclri x13, x14, 32', 0x4a071693, { rd: 13, rs1: 14, imm: 32 }],
  ['bext', 'bext x15, x16, x17', 0x491857b3, { rd: 15, rs1: 16, rs2: 17 }],
  ['bexti', 'bexti x18, x19, 1', 0x4819d913, { rd: 18, rs1: 19, imm: 1 }],
  ['binv', 'binv x20, x21, x22', 0x696a9a33, { rd: 20, rs1: 21, rs2: 22 }],
  ['binvi', 'binvi x23, x24, 62', 0x6bec1b93, { rd: 23, rs1: 24, imm: 62 }],
  ['bset', 'bset x25, x26, x27', 0x29bd1cb3, { rd: 25, rs1: 26, rs2: 27 }],
  ['bseti', 'bseti x28, x29, 0', 0x280e9e13, { rd: 28, rs1: 29, imm: 0 }],
];

/** Words RV64GC leaves reserved, each derived by hand from a valid row above (bits named in the comment). */
const RESERVED: ReadonlyArray<readonly [word: number, why: string]> = [
  [0xffffffff, 'all ones: bits 6:0 = 1111111 announce an instruction longer than 32 bits'],
  [0x0000000b, 'custom-0 major opcode'],
  [0x07f21193, 'slli x3, x4, 63 with funct6 = 000001 (bit 26 set)'],
  [0x44125193, 'srai x3, x4, 1 with funct6 = 010001 (bit 26 set)'],
  [0x03f3129b, 'slliw x5, x6, 31 with shamt[5] = 1 (bit 25): reserved on RV64'],
  [0x043100b3, 'add x1, x2, x3 with funct7 = 0000010'],
  [0x0200103b, 'OP-32, funct7 = 0000001, funct3 = 001: no M instruction there'],
  [0x800110e7, 'jalr with funct3 = 001'],
  [0x8020a063, 'beq with funct3 = 010'],
  [0x000bf683, 'ld x13, 0(x23) with funct3 = 111 (no 64-bit unsigned load)'],
  [0x02dbc023, 'sd x13, 32(x23) with funct3 = 100'],
  [0x000000f3, 'ecall with rd = x1'],
  [0x102000f3, 'sret with rd = x1'],
  [0x10508073, 'wfi with rs1 = x1'],
  [0x122080f3, 'sfence.vma x1, x2 with rd = x1'],
  [0x300342f3, 'csrrw x5, mstatus, x6 with funct3 = 100'],
  [0x1412a22f, 'lr.w.aq x4, (x5) with rs2 = x1'],
  [0x0555812f, 'amoadd.w.aq with width funct3 = 000'],
  [0x294520af, 'amoswap.w with funct5 = 00101'],
  [0x80014087, 'flw with width funct3 = 100 (flq: Q is not implemented)'],
  [0xc70400c3, 'fmadd with fmt = 11 (quad precision: no Q extension; fmt = 10 is Zfh)'],
  [0x07663153, 'fadd.d with fmt = 11 (quad precision)'],
  [0x581413d3, 'fsqrt.s f7, f8 with rs2 = x1'],
  [0x2176b1d3, 'fsgnj.s with funct3 = 011'],
  [0xe00120d3, 'fmv.x.w with funct3 = 010'],
  [0xc04a85d3, 'fcvt.w.s with rs2 = 00100'],
  [0x400544d3, 'fcvt.s.d with rs2 = 00000 (fcvt.s.s does not exist)'],
];

const hex = (w: number): string => `0x${(w >>> 0).toString(16).padStart(8, '0')}`;

describe('target/riscv: decode table against the GNU assembler', function () {
  it('has a row here for every instruction name of the table, and no other', function () {
    expect([...new Set(ROWS.map((r) => r[0]))].sort()).to.deep.equal(INSN32.map((r) => r[0]).sort());
  });

  for (const [name, asm, word, fields] of ROWS) {
    it(`${asm} (${hex(word)}) is ${name}`, function () {
      const d = decode32(word | 0);
      expect(d, 'decoded').to.not.equal(undefined);
      if (d === undefined) return;
      expect(d.name).to.equal(name);
      expect(d.length).to.equal(4);
      for (const field of FIELDS) if (fields[field] !== undefined) expect(d[field], field).to.equal(fields[field]);
    });
  }

  it('reads the well-known words of the ISA manual: nop, ret, ecall, ebreak', function () {
    expect(decode32(0x00000013)).to.include({ name: 'addi', rd: 0, rs1: 0, imm: 0 });
    expect(decode32(0x00008067)).to.include({ name: 'jalr', rd: 0, rs1: 1, imm: 0 });
    expect(decode32(0x00000073)?.name).to.equal('ecall');
    expect(decode32(0x00100073)?.name).to.equal('ebreak');
  });

  it('sign-extends the top immediate bit into every format and keeps csr numbers unsigned', function () {
    // I: imm[11] = bit 31; S: the same bit, low 5 bits from rd's place; B: imm[12] = bit 31;
    // U: bits 31:12 as the upper 20 of a sign-extended 32-bit value; J: imm[20] = bit 31.
    expect(decode32(0xfff00013 | 0)?.imm, 'addi x0, x0, -1').to.equal(-1);
    expect(decode32(0xfe000fa3 | 0)?.imm, 'sb x0, -1(x0)').to.equal(-1);
    expect(decode32(0xfe000fe3 | 0)?.imm, 'beq x0, x0, .-2').to.equal(-2);
    expect(decode32(0xfffff037 | 0)?.imm, 'lui x0, 0xfffff').to.equal(-4096);
    expect(decode32(0xfffff06f | 0)?.imm, 'jal x0, .-2').to.equal(-2);
    expect(decode32(0xfff02073 | 0)?.csr, 'csrrs x0, 0xfff, x0').to.equal(0xfff);
  });

  for (const [word, why] of RESERVED) {
    it(`${hex(word)} decodes to nothing: ${why}`, function () {
      expect(decode32(word | 0)).to.equal(undefined);
    });
  }

  it('decode() joins the two halfwords of a 32-bit instruction and keeps what was fetched as raw', function () {
    // sd x13, 32(x23) = 0x02dbb023: low halfword 0xb023, high 0x02db
    const d = decode(0xb023, 0x02db);
    expect(d).to.include({ name: 'sd', length: 4, rs1: 23, rs2: 13, imm: 32 });
    expect((d?.raw ?? 0) >>> 0).to.equal(0x02dbb023);
    expect(decode(0xffff, 0xffff), 'all ones').to.equal(undefined);
  });
});
