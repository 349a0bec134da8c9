/**
 * Disassembler for `-d in_asm`, reproducing what QEMU 7.2 prints for RISC-V
 * (its own disassembler, disas/riscv.c), checked line by line against a QEMU
 * 7.2 log by tests/disas/disas.unit.spec.ts.
 *
 * The pipeline follows QEMU's, because its output depends on it:
 *   1. decode into an operand record (`Insn`): 32-bit instructions come from
 *      the emulator's decoder; compressed ones are decoded here from their 16
 *      bits straight to the base instruction they stand for, with QEMU's
 *      operand conventions (QEMU prints `addi a0,a0,1` for `c.addi a0,1`, not
 *      a `c.` mnemonic, and calls some hints "illegal");
 *   2. lift to a pseudo-instruction (`mv`, `ret`, `bgt`, `frflags`, ...) using
 *      QEMU's rules, first match wins;
 *   3. format: mnemonic padded to column 24, operands, and for pc-relative
 *      operands the decimal offset, padding to column 48 and `# 0x<target>`.
 *
 * QEMU 7.2 quirks reproduced on purpose: the rounding mode is always printed,
 * first (`fadd.d dyn,fa0,fa1,fa2`); `fmv.x.w`/`fmv.w.x` are spelled `fmv.x.s`/
 * `fmv.s.x`; `fmv.s`/`fneg.s`/`fabs.s` (and `.d`) print integer register names;
 * `blt a,b` becomes `bgt b,a` and `bgeu a,b` becomes `bleu b,a`; `lui`/`auipc`
 * print the shifted immediate in decimal.
 */
import type { Decoded } from './decode.js';

/** One instruction's operands as QEMU's disassembler sees them (its rv_decode). */
interface Insn {
  /** Mnemonic as QEMU spells it (with dots), or 'illegal'. */
  op: string;
  rd: number;
  rs1: number;
  rs2: number;
  rs3: number;
  rm: number;
  /** Immediate; for CSR instructions the CSR number (QEMU keeps it there too). */
  imm: number;
  aq: boolean;
  rl: boolean;
  pred: number;
  succ: number;
}

function insn(op: string, fields: Partial<Omit<Insn, 'op'>> = {}): Insn {
  return { op, rd: 0, rs1: 0, rs2: 0, rs3: 0, rm: 0, imm: 0, aq: false, rl: false, pred: 0, succ: 0, ...fields };
}

const ILLEGAL = insn('illegal');

// ---------------------------------------------------------------------------
// Operand formats. Placeholders: {rd} {rs1} {rs2} integer registers, {frd}
// {frs1} {frs2} {frs3} FP registers, {imm} signed decimal, {zimm} the rs1 field
// as a number, {csr} CSR name (or 0x%03x), {rm} rounding mode, {pred} {succ}
// fence sets, {off} pc-relative offset (always last: it ends with the target
// comment). Atomics get their .aq/.rl suffix on the mnemonic.
// ---------------------------------------------------------------------------

const FORMATS = new Map<string, string>();
const ATOMICS = new Set<string>();

function formats(format: string, ops: string): void {
  for (const op of ops.split(/\s+/).filter(Boolean)) FORMATS.set(op, format);
}

formats('', 'illegal fence.i ecall ebreak sret mret wfi nop ret');
formats('{rd},{imm}', 'lui');
formats('{rd},{off}', 'auipc jal');
formats('{off}', 'j');
formats('{rs1}', 'jr');
formats('{rd},{rs1},{imm}', 'jalr addi slti sltiu xori ori andi slli srli srai addiw slliw srliw sraiw');
formats('{rs1},{rs2},{off}', 'beq bne blt bge bltu bgeu');
formats('{rs1},{off}', 'beqz bnez bltz bgez');
formats('{rs2},{off}', 'blez bgtz');
formats('{rs2},{rs1},{off}', 'bgt ble bgtu bleu');
formats('{rd},{imm}({rs1})', 'lb lh lw ld lbu lhu lwu');
formats('{rs2},{imm}({rs1})', 'sb sh sw sd');
formats('{frd},{imm}({rs1})', 'flw fld');
formats('{frs2},{imm}({rs1})', 'fsw fsd');
formats('{rd},{rs1},{rs2}',
  'add sub sll slt sltu xor srl sra or and addw subw sllw srlw sraw ' +
  'mul mulh mulhsu mulhu div divu rem remu mulw divw divuw remw remuw');
formats('{rd},{rs1}', 'mv not sext.w seqz sltz fscsr fsrm fsflags fmv.s fabs.s fneg.s fmv.d fabs.d fneg.d');
formats('{rd},{rs2}', 'neg negw snez sgtz');
formats('{rd}', 'rdcycle rdtime rdinstret rdcycleh rdtimeh rdinstreth frcsr frrm frflags');
formats('{rd},{zimm}', 'fsrmi fsflagsi');
// Zba/Zbb/Zbc/Zbs with QEMU 7.2's slips: andn/orn/xnor print no rs2, slli.uw prints its shamt
// field as a register (and shamt 32..63 as illegal), ctzw is named clzw (RENAMED); Svinval's
// instructions are unknown to it (illegal)
formats('{rd},{rs1},{rs2}',
  'add.uw sh1add sh2add sh3add sh1add.uw sh2add.uw sh3add.uw slli.uw max maxu min minu rol ror rolw rorw ' +
  'clmul clmulh clmulr bclr bext binv bset');
formats('{rd},{rs1}', 'andn orn xnor clz ctz cpop clzw cpopw sext.b sext.h zext.h orc.b rev8');
formats('{rd},{rs1},{imm}', 'rori roriw bclri bexti binvi bseti');
formats('{pred},{succ}', 'fence');
formats('{rs1},{rs2}', 'sfence.vma');
formats('{rd},{csr},{rs1}', 'csrrw csrrs csrrc');
formats('{rd},{csr},{zimm}', 'csrrwi csrrsi csrrci');
for (const w of ['w', 'd']) {
  formats('{rd},({rs1})', `lr.${w}`);
  const amos = ['sc', 'amoswap', 'amoadd', 'amoxor', 'amoand', 'amoor', 'amomin', 'amomax', 'amominu', 'amomaxu'];
  formats('{rd},{rs2},({rs1})', amos.map((a) => `${a}.${w}`).join(' '));
  for (const a of ['lr', ...amos]) ATOMICS.add(`${a}.${w}`);
}
for (const p of ['s', 'd']) {
  formats('{rm},{frd},{frs1},{frs2},{frs3}', `fmadd.${p} fmsub.${p} fnmsub.${p} fnmadd.${p}`);
  formats('{rm},{frd},{frs1},{frs2}', `fadd.${p} fsub.${p} fmul.${p} fdiv.${p}`);
  formats('{rm},{frd},{frs1}', `fsqrt.${p}`);
  formats('{frd},{frs1},{frs2}', `fsgnj.${p} fsgnjn.${p} fsgnjx.${p} fmin.${p} fmax.${p}`);
  formats('{rd},{frs1},{frs2}', `feq.${p} flt.${p} fle.${p}`);
  formats('{rd},{frs1}', `fclass.${p} fmv.x.${p}`);
  formats('{frd},{rs1}', `fmv.${p}.x`);
  formats('{rm},{rd},{frs1}', `fcvt.w.${p} fcvt.wu.${p} fcvt.l.${p} fcvt.lu.${p}`);
  formats('{rm},{frd},{rs1}', `fcvt.${p}.w fcvt.${p}.wu fcvt.${p}.l fcvt.${p}.lu`);
}
formats('{rm},{frd},{frs1}', 'fcvt.s.d fcvt.d.s');

// ---------------------------------------------------------------------------
// Pseudo-instructions: for each base mnemonic, candidates tried in order; the
// first whose condition holds replaces the mnemonic (operands stay).
// ---------------------------------------------------------------------------

type Condition = (i: Insn) => boolean;
const always: Condition = () => true;
const rdIsZero: Condition = (i) => i.rd === 0;
const rs1IsZero: Condition = (i) => i.rs1 === 0;
const rs2IsZero: Condition = (i) => i.rs2 === 0;
const immIs = (v: number): Condition => (i) => i.imm === v;
/** CSR read with rs1 = zero (csrrs rd, csr, zero). */
const readsCsr = (csr: number): Condition => (i) => i.rs1 === 0 && i.imm === csr;

const PSEUDOS = new Map<string, ReadonlyArray<readonly [string, Condition]>>([
  ['jal', [['j', rdIsZero]]],
  // QEMU's `ret` ignores the offset: jalr zero, 8(ra) prints as ret.
  ['jalr', [['ret', (i) => i.rd === 0 && i.rs1 === 1], ['jr', (i) => i.rd === 0 && i.imm === 0]]],
  ['beq', [['beqz', rs2IsZero]]],
  ['bne', [['bnez', rs2IsZero]]],
  ['blt', [['bltz', rs2IsZero], ['bgtz', rs1IsZero], ['bgt', always]]],
  ['bge', [['blez', rs1IsZero], ['bgez', rs2IsZero], ['ble', always]]],
  ['bltu', [['bgtu', always]]],
  ['bgeu', [['bleu', always]]],
  ['addi', [['nop', (i) => i.rd === 0 && i.rs1 === 0 && i.imm === 0], ['mv', immIs(0)]]],
  ['sltiu', [['seqz', immIs(1)]]],
  ['xori', [['not', immIs(-1)]]],
  ['sub', [['neg', rs1IsZero]]],
  ['slt', [['sltz', rs2IsZero], ['sgtz', rs1IsZero]]],
  ['sltu', [['snez', rs1IsZero]]],
  ['addiw', [['sext.w', immIs(0)]]],
  ['subw', [['negw', rs1IsZero]]],
  ['csrrw', [['fscsr', immIs(0x003)], ['fsrm', immIs(0x002)], ['fsflags', immIs(0x001)]]],
  ['csrrs', [
    ['rdcycle', readsCsr(0xc00)], ['rdtime', readsCsr(0xc01)], ['rdinstret', readsCsr(0xc02)],
    ['rdcycleh', readsCsr(0xc80)], ['rdtimeh', readsCsr(0xc81)], ['rdinstreth', readsCsr(0xc82)],
    ['frcsr', readsCsr(0x003)], ['frrm', readsCsr(0x002)], ['frflags', readsCsr(0x001)],
  ]],
  ['csrrwi', [['fsrmi', immIs(0x002)], ['fsflagsi', immIs(0x001)]]],
  ...['s', 'd'].flatMap((p) => [
    [`fsgnj.${p}`, [[`fmv.${p}`, (i: Insn) => i.rs2 === i.rs1]]],
    [`fsgnjn.${p}`, [[`fneg.${p}`, (i: Insn) => i.rs2 === i.rs1]]],
    [`fsgnjx.${p}`, [[`fabs.${p}`, (i: Insn) => i.rs2 === i.rs1]]],
  ] as const),
]);

function liftPseudo(i: Insn): Insn {
  for (const [op, holds] of PSEUDOS.get(i.op) ?? []) {
    if (holds(i)) return { ...i, op };
  }
  return i;
}

// ---------------------------------------------------------------------------
// 32-bit instructions: from the emulator's decoder to QEMU's operand record.
// ---------------------------------------------------------------------------

/** Where QEMU's mnemonic differs from the decoder's name with `_` -> `.`. */
const RENAMED: Record<string, string> = { fmv_x_w: 'fmv.x.s', fmv_w_x: 'fmv.s.x', ctzw: 'clzw' };

function fromDecoded(d: Decoded): Insn {
  const op = RENAMED[d.name] ?? d.name.replace(/_/g, '.');
  const w = d.insn >>> 0;
  const regs = { rd: d.rd, rs1: d.rs1, rs2: d.rs2, rs3: d.rs3, rm: d.rm };
  if (op.startsWith('csrr')) return insn(op, { ...regs, rs2: 0, imm: d.csr });
  if (ATOMICS.has(op)) return insn(op, { ...regs, aq: ((w >>> 26) & 1) === 1, rl: ((w >>> 25) & 1) === 1 });
  if (op === 'fence') return insn(op, { pred: (w >>> 24) & 0xf, succ: (w >>> 20) & 0xf });
  if (op === 'slli.uw' && d.imm >= 32) return ILLEGAL; // QEMU 7.2 decodes it with a 5-bit shamt in rs2
  return insn(op, { ...regs, imm: d.imm });
}

/**
 * A 32-bit encoding the decoder rejects. QEMU 7.2 names many of these from
 * extensions tsemu does not implement (Q, V, Zb*, Zk*, RV128); those print
 * as illegal here. The one RV64GC case reproduced: QEMU reads slli/srli/srai
 * with a 7-bit shamt, so shamt 64..127 (illegal on RV64) still shows as a shift.
 */
function fromUndecodable(raw: number): Insn {
  const w = raw >>> 0;
  const opImm = (w & 0x7f) === 0x13;
  const funct3 = (w >>> 12) & 7;
  const top5 = w >>> 27;
  const fields = { rd: (w >>> 7) & 0x1f, rs1: (w >>> 15) & 0x1f, imm: (w >>> 20) & 0x7f };
  if (opImm && funct3 === 1 && top5 === 0) return insn('slli', fields);
  if (opImm && funct3 === 5 && top5 === 0) return insn('srli', fields);
  if (opImm && funct3 === 5 && top5 === 0b01000) return insn('srai', fields);
  return ILLEGAL;
}

// ---------------------------------------------------------------------------
// Compressed instructions, decoded from their 16 bits (RVC chapter of the
// unprivileged spec) to the base instruction QEMU prints. QEMU reports the
// "nonzero immediate" forms with a zero immediate as illegal, even where the
// spec calls them hints (c.addi rd,0; c.slli/c.srli/c.srai by 0).
// ---------------------------------------------------------------------------

const bit = (c: number, n: number): number => (c >>> n) & 1;
const bits = (c: number, hi: number, lo: number): number => (c >>> lo) & ((1 << (hi - lo + 1)) - 1);
const sext = (v: number, width: number): number => (v << (32 - width)) >> (32 - width);
const SP = 2;
const RA = 1;

/** Compressed register fields. */
const rvc = {
  rd: (c: number): number => bits(c, 11, 7),
  rs2: (c: number): number => bits(c, 6, 2),
  /** 3-bit fields name x8..x15. */
  rdPrime: (c: number): number => 8 + bits(c, 4, 2),
  rs1Prime: (c: number): number => 8 + bits(c, 9, 7),
};

/** Compressed immediates (byte offsets / values, already scaled). */
const rvcImm = {
  ci: (c: number): number => sext((bit(c, 12) << 5) | bits(c, 6, 2), 6),
  shamt: (c: number): number => (bit(c, 12) << 5) | bits(c, 6, 2),
  lui: (c: number): number => sext((bit(c, 12) << 17) | (bits(c, 6, 2) << 12), 18),
  addi16sp: (c: number): number =>
    sext((bit(c, 12) << 9) | (bits(c, 4, 3) << 7) | (bit(c, 5) << 6) | (bit(c, 2) << 5) | (bit(c, 6) << 4), 10),
  addi4spn: (c: number): number => (bits(c, 10, 7) << 6) | (bits(c, 12, 11) << 4) | (bit(c, 5) << 3) | (bit(c, 6) << 2),
  word: (c: number): number => (bit(c, 5) << 6) | (bits(c, 12, 10) << 3) | (bit(c, 6) << 2),
  double: (c: number): number => (bits(c, 6, 5) << 6) | (bits(c, 12, 10) << 3),
  lwsp: (c: number): number => (bits(c, 3, 2) << 6) | (bit(c, 12) << 5) | (bits(c, 6, 4) << 2),
  ldsp: (c: number): number => (bits(c, 4, 2) << 6) | (bit(c, 12) << 5) | (bits(c, 6, 5) << 3),
  swsp: (c: number): number => (bits(c, 8, 7) << 6) | (bits(c, 12, 9) << 2),
  sdsp: (c: number): number => (bits(c, 9, 7) << 6) | (bits(c, 12, 10) << 3),
  jump: (c: number): number =>
    sext((bit(c, 12) << 11) | (bit(c, 8) << 10) | (bits(c, 10, 9) << 8) | (bit(c, 6) << 7) | (bit(c, 7) << 6) |
      (bit(c, 2) << 5) | (bit(c, 11) << 4) | (bits(c, 5, 3) << 1), 12),
  branch: (c: number): number =>
    sext((bit(c, 12) << 8) | (bits(c, 6, 5) << 6) | (bit(c, 2) << 5) | (bits(c, 11, 10) << 3) | (bits(c, 4, 3) << 1), 9),
};

/** QEMU's "imm must be nonzero" compressed forms: a zero immediate disassembles as illegal. */
function nonzeroImm(i: Insn): Insn {
  return i.imm === 0 ? ILLEGAL : i;
}

function compressedQuadrant0(c: number): Insn {
  const rd = rvc.rdPrime(c);
  const rs1 = rvc.rs1Prime(c);
  switch (bits(c, 15, 13)) {
    case 0: return nonzeroImm(insn('addi', { rd, rs1: SP, imm: rvcImm.addi4spn(c) })); // c.addi4spn
    case 1: return insn('fld', { rd, rs1, imm: rvcImm.double(c) }); // c.fld
    case 2: return insn('lw', { rd, rs1, imm: rvcImm.word(c) }); // c.lw
    case 3: return insn('ld', { rd, rs1, imm: rvcImm.double(c) }); // c.ld
    case 5: return insn('fsd', { rs1, rs2: rd, imm: rvcImm.double(c) }); // c.fsd
    case 6: return insn('sw', { rs1, rs2: rd, imm: rvcImm.word(c) }); // c.sw
    case 7: return insn('sd', { rs1, rs2: rd, imm: rvcImm.double(c) }); // c.sd
    default: return ILLEGAL; // funct3 100 is reserved (Zcb is not in QEMU 7.2)
  }
}

function compressedQuadrant1(c: number): Insn {
  const rd = rvc.rd(c);
  switch (bits(c, 15, 13)) {
    case 0: // c.nop (all operand bits zero) / c.addi
      if (bits(c, 12, 2) === 0) return insn('addi');
      return nonzeroImm(insn('addi', { rd, rs1: rd, imm: rvcImm.ci(c) }));
    case 1: return insn('addiw', { rd, rs1: rd, imm: rvcImm.ci(c) }); // c.addiw
    case 2: return insn('addi', { rd, imm: rvcImm.ci(c) }); // c.li
    case 3:
      if (rd === SP) return nonzeroImm(insn('addi', { rd: SP, rs1: SP, imm: rvcImm.addi16sp(c) })); // c.addi16sp
      return nonzeroImm(insn('lui', { rd, imm: rvcImm.lui(c) })); // c.lui
    case 4: return compressedArithmetic(c);
    case 5: return insn('jal', { imm: rvcImm.jump(c) }); // c.j
    case 6: return insn('beq', { rs1: rvc.rs1Prime(c), imm: rvcImm.branch(c) }); // c.beqz
    default: return insn('bne', { rs1: rvc.rs1Prime(c), imm: rvcImm.branch(c) }); // c.bnez
  }
}

/** Quadrant 1, funct3 100: c.srli c.srai c.andi and the register-register group. */
function compressedArithmetic(c: number): Insn {
  const rd = rvc.rs1Prime(c);
  switch (bits(c, 11, 10)) {
    case 0: return nonzeroImm(insn('srli', { rd, rs1: rd, imm: rvcImm.shamt(c) }));
    case 1: return nonzeroImm(insn('srai', { rd, rs1: rd, imm: rvcImm.shamt(c) }));
    case 2: return insn('andi', { rd, rs1: rd, imm: rvcImm.ci(c) });
    default: {
      const op = ['sub', 'xor', 'or', 'and', 'subw', 'addw'][(bit(c, 12) << 2) | bits(c, 6, 5)];
      return op === undefined ? ILLEGAL : insn(op, { rd, rs1: rd, rs2: rvc.rdPrime(c) });
    }
  }
}

function compressedQuadrant2(c: number): Insn {
  const rd = rvc.rd(c);
  const rs2 = rvc.rs2(c);
  switch (bits(c, 15, 13)) {
    case 0: return nonzeroImm(insn('slli', { rd, rs1: rd, imm: rvcImm.shamt(c) })); // c.slli
    case 1: return insn('fld', { rd, rs1: SP, imm: rvcImm.ldsp(c) }); // c.fldsp
    case 2: return insn('lw', { rd, rs1: SP, imm: rvcImm.lwsp(c) }); // c.lwsp
    case 3: return insn('ld', { rd, rs1: SP, imm: rvcImm.ldsp(c) }); // c.ldsp
    case 4:
      if (bit(c, 12) === 0) {
        return rs2 === 0
          ? insn('jalr', { rs1: rd }) // c.jr
          : insn('addi', { rd, rs1: rs2 }); // c.mv
      }
      if (rs2 !== 0) return insn('add', { rd, rs1: rd, rs2 }); // c.add
      return rd === 0 ? insn('ebreak') : insn('jalr', { rd: RA, rs1: rd }); // c.ebreak / c.jalr
    case 5: return insn('fsd', { rs1: SP, rs2, imm: rvcImm.sdsp(c) }); // c.fsdsp
    case 6: return insn('sw', { rs1: SP, rs2, imm: rvcImm.swsp(c) }); // c.swsp
    default: return insn('sd', { rs1: SP, rs2, imm: rvcImm.sdsp(c) }); // c.sdsp
  }
}

function fromCompressed(c: number): Insn {
  switch (c & 3) {
    case 0: return compressedQuadrant0(c);
    case 1: return compressedQuadrant1(c);
    case 2: return compressedQuadrant2(c);
    default: return ILLEGAL; // low bits 11: not a 16-bit instruction (length and raw disagree)
  }
}

// ---------------------------------------------------------------------------
// Names.
// ---------------------------------------------------------------------------

const XREG = [
  'zero', 'ra', 'sp', 'gp', 'tp', 't0', 't1', 't2', 's0', 's1', 'a0', 'a1', 'a2', 'a3', 'a4', 'a5',
  'a6', 'a7', 's2', 's3', 's4', 's5', 's6', 's7', 's8', 's9', 's10', 's11', 't3', 't4', 't5', 't6',
];
const FREG = [
  'ft0', 'ft1', 'ft2', 'ft3', 'ft4', 'ft5', 'ft6', 'ft7', 'fs0', 'fs1', 'fa0', 'fa1', 'fa2', 'fa3', 'fa4', 'fa5',
  'fa6', 'fa7', 'fs2', 'fs3', 'fs4', 'fs5', 'fs6', 'fs7', 'fs8', 'fs9', 'fs10', 'fs11', 'ft8', 'ft9', 'ft10', 'ft11',
];
const ROUNDING = ['rne', 'rtz', 'rdn', 'rup', 'rmm', 'inv', 'inv', 'dyn'];

/**
 * QEMU 7.2's CSR name table. It has names for CSRs that no longer exist (N
 * extension, old debug/host ones) and none for newer ones (menvcfg, stimecmp,
 * mcountinhibit, hpmcounterN, ...), which print as 0x%03x.
 */
const CSR_NAMES: ReadonlyMap<number, string> = (() => {
  const names = new Map<number, string>(Object.entries({
    ustatus: 0x000, fflags: 0x001, frm: 0x002, fcsr: 0x003, uie: 0x004, utvec: 0x005,
    vstart: 0x008, vxsat: 0x009, vxrm: 0x00a, vcsr: 0x00f, seed: 0x015,
    uscratch: 0x040, uepc: 0x041, ucause: 0x042, utval: 0x043, uip: 0x044,
    sstatus: 0x100, sie: 0x104, stvec: 0x105, scounteren: 0x106,
    sscratch: 0x140, sepc: 0x141, scause: 0x142, stval: 0x143, sip: 0x144, satp: 0x180,
    hstatus: 0x200, hedeleg: 0x202, hideleg: 0x203, hie: 0x204, htvec: 0x205,
    hscratch: 0x240, hepc: 0x241, hcause: 0x242, hbadaddr: 0x243, hip: 0x244,
    mstatus: 0x300, misa: 0x301, medeleg: 0x302, mideleg: 0x303, mie: 0x304, mtvec: 0x305, mcounteren: 0x306,
    mucounteren: 0x320, mscounteren: 0x321, mhcounteren: 0x322,
    mscratch: 0x340, mepc: 0x341, mcause: 0x342, mtval: 0x343, mip: 0x344,
    mbase: 0x380, mbound: 0x381, mibase: 0x382, mibound: 0x383, mdbase: 0x384, mdbound: 0x385,
    mtohost: 0x780, mfromhost: 0x781, mreset: 0x782, mipi: 0x783, miobase: 0x784,
    tselect: 0x7a0, tdata1: 0x7a1, tdata2: 0x7a2, tdata3: 0x7a3, dcsr: 0x7b0, dpc: 0x7b1, dscratch: 0x7b2,
    mcycle: 0xb00, mtime: 0xb01, minstret: 0xb02, mcycleh: 0xb80, mtimeh: 0xb81, minstreth: 0xb82,
    cycle: 0xc00, time: 0xc01, instret: 0xc02, vl: 0xc20, vtype: 0xc21, vlenb: 0xc22,
    cycleh: 0xc80, timeh: 0xc81, instreth: 0xc82,
    scycle: 0xd00, stime: 0xd01, sinstret: 0xd02, scycleh: 0xd80, stimeh: 0xd81, sinstreth: 0xd82,
    hcycle: 0xe00, htime: 0xe01, hinstret: 0xe02, hcycleh: 0xe80, htimeh: 0xe81, hinstreth: 0xe82,
    mvendorid: 0xf11, marchid: 0xf12, mimpid: 0xf13, mhartid: 0xf14,
  }).map(([name, csr]) => [csr, name]));
  const numbered = (first: number, prefix: string, from: number, to: number, suffix = ''): void => {
    for (let n = from; n <= to; n++) names.set(first + n - from, `${prefix}${n}${suffix}`);
  };
  numbered(0x323, 'mhpmevent', 3, 31);
  numbered(0x3a0, 'pmpcfg', 0, 15);
  numbered(0x3b0, 'pmpaddr', 0, 63);
  numbered(0xb03, 'mhpmcounter', 3, 31);
  numbered(0xb83, 'mhpmcounter', 3, 31, 'h');
  return names;
})();

function csrName(csr: number): string {
  return CSR_NAMES.get(csr) ?? `0x${csr.toString(16).padStart(3, '0')}`;
}

/** Fence sets in QEMU's order: i o r w. */
function fenceSet(v: number): string {
  return ['i', 'o', 'r', 'w'].filter((_, k) => (v >> (3 - k)) & 1).join('');
}

// ---------------------------------------------------------------------------
// Formatting.
// ---------------------------------------------------------------------------

/** Column (within the disassembly text) where operands start, and where the target comment starts. */
const OPERAND_COLUMN = 24;
const COMMENT_COLUMN = 48;

function hex64(v: bigint): string {
  return BigInt.asUintN(64, v).toString(16);
}

function operand(name: string, i: Insn): string {
  switch (name) {
    case 'rd': return XREG[i.rd];
    case 'rs1': return XREG[i.rs1];
    case 'rs2': return XREG[i.rs2];
    case 'frd': return FREG[i.rd];
    case 'frs1': return FREG[i.rs1];
    case 'frs2': return FREG[i.rs2];
    case 'frs3': return FREG[i.rs3];
    case 'imm': case 'off': return String(i.imm);
    case 'zimm': return String(i.rs1);
    case 'csr': return csrName(i.imm & 0xfff);
    case 'rm': return ROUNDING[i.rm];
    case 'pred': return fenceSet(i.pred);
    case 'succ': return fenceSet(i.succ);
    default: throw new Error(`disas: unknown operand {${name}}`);
  }
}

function format(i: Insn, pc: bigint): string {
  const template = FORMATS.get(i.op);
  if (template === undefined) throw new Error(`disas: no format for ${i.op}`);
  const suffix = ATOMICS.has(i.op) ? (i.aq ? '.aq' : '') + (i.rl ? '.rl' : '') : '';
  let text = (i.op + suffix).padEnd(OPERAND_COLUMN) + template.replace(/\{(\w+)\}/g, (_, name: string) => operand(name, i));
  if (template.endsWith('{off}')) text = text.padEnd(COMMENT_COLUMN) + `# 0x${hex64(pc + BigInt(i.imm))}`;
  return text;
}

function toBigPc(pc: number | bigint): bigint {
  return typeof pc === 'bigint' ? pc : BigInt(pc);
}

/**
 * Mnemonic and operands of one instruction as QEMU 7.2 prints them in
 * `-d in_asm` (everything after the raw bits). `d` is the decoder's result for
 * 32-bit instructions (undefined: illegal); compressed instructions (length 2)
 * are disassembled from `raw`, since QEMU's view of them differs from the
 * decoder's expansion. `pc` may be a negative number or a bigint for addresses
 * above 2^53 (treated as 64-bit two's complement).
 */
export function disassemble(d: Decoded | undefined, pc: number | bigint, raw: number, length: 2 | 4): string {
  let i: Insn;
  if (length === 2) i = fromCompressed(raw & 0xffff);
  else i = d === undefined ? fromUndecodable(raw) : fromDecoded(d);
  if (!FORMATS.has(i.op)) i = ILLEGAL; // an instruction the decoder knows but QEMU 7.2's disassembler would not
  return format(liftPseudo(i), toBigPc(pc));
}

/**
 * One `-d in_asm` line as QEMU 7.2 prints it:
 * `0x<pc, 16 digits>:  <raw, 4 or 8 digits padded to 18 columns><text>`.
 */
export function formatInAsmLine(pc: number | bigint, raw: number, length: 2 | 4, text: string): string {
  const bitsText = length === 2
    ? (raw & 0xffff).toString(16).padStart(4, '0').padEnd(18)
    : (raw >>> 0).toString(16).padStart(8, '0').padEnd(18);
  return `0x${hex64(toBigPc(pc)).padStart(16, '0')}:  ${bitsText}${text}`;
}
