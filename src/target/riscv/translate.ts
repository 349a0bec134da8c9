/**
 * One translate function per RISC-V instruction (QEMU's trans_* functions):
 * each turns a decoded instruction into IR through the builder. They return
 * true when the instruction ends the translation block.
 *
 * Anything that needs privileged state, can trap for reasons other than a
 * memory access, or is rare is a helper call on the vCPU context
 * (src/abi/helpers.ts declares each helper and its parameters,
 * src/vcpu/context.ts implements them).
 */
import { TcgBuilder } from '../../tcg/builder.js';
import { Cond, MemOp, Temp } from '../../tcg/ir.js';
import { Decoded } from './decode.js';
import { AMO, CsrOp, FP_OPS } from '../../abi/ops.js';
import { ZB_TRANS } from './translate-zb.js';

export interface TranslateHooks {
  /** Called before every guest memory access with the address temp parts (instrumentation/tracing). */
  beforeMemAccess?(b: TcgBuilder, pc: number, base: Temp, offset: number, info: number): void;
  /**
   * Before an access whose value instrumentation wants once it is done: the address as a temp
   * that survives the access (a load may overwrite its base register), or undefined when nobody
   * wants it (then no code is generated and afterMemAccess is not called).
   */
  memValueAddress?(b: TcgBuilder, pc: number, base: Temp, offset: number, info: number): Temp | undefined;
  /** After the access: its address (from memValueAddress) and the value loaded or stored. */
  afterMemAccess?(b: TcgBuilder, pc: number, vaddr: Temp, info: number, value: Temp): void;
}

export interface DisasContext {
  readonly b: TcgBuilder;
  /** Guest pc of the instruction being translated. */
  readonly pc: number;
  readonly hooks: TranslateHooks;
  /** The CPU's optional extensions as decoder feature bits (src/target/riscv/isa.ts): others are illegal. */
  readonly features: number;
  /** `-d nochain`: QEMU-shaped blocks (src/target/riscv/block-translator.ts). */
  readonly basic?: boolean;
}

type Trans = (ctx: DisasContext, d: Decoded) => boolean;

const CONTINUE = false;
const END = true;

/** The `info` byte of guest_mem_before: size shift, sign extension, endianness, store. */
export function memInfo(mem: MemOp, store: boolean): number {
  const shift = mem.size === 1 ? 0 : mem.size === 2 ? 1 : mem.size === 4 ? 2 : 3;
  return shift | (mem.signed ? 4 : 0) | (store ? 16 : 0);
}

function nextPc(ctx: DisasContext, d: Decoded): number {
  return ctx.pc + d.length;
}

// ---- integer computation --------------------------------------------------

function opImm(compute: (b: TcgBuilder, a: Temp, imm: Temp) => Temp): Trans {
  return (ctx, d) => {
    const { b } = ctx;
    b.setReg(d.rd, compute(b, b.reg(d.rs1), b.const64(BigInt(d.imm))));
    return CONTINUE;
  };
}

function opReg(compute: (b: TcgBuilder, a: Temp, c: Temp) => Temp): Trans {
  return (ctx, d) => {
    const { b } = ctx;
    b.setReg(d.rd, compute(b, b.reg(d.rs1), b.reg(d.rs2)));
    return CONTINUE;
  };
}

/** W-suffix ops compute on the low 32 bits and sign-extend the 32-bit result. */
function opRegW(compute: (b: TcgBuilder, a: Temp, c: Temp) => Temp): Trans {
  return opReg((b, a, c) => b.ext32s(compute(b, a, c)));
}

const imm63 = (b: TcgBuilder, t: Temp): Temp => b.and(t, b.const64(63n));
const imm31 = (b: TcgBuilder, t: Temp): Temp => b.and(t, b.const64(31n));

/** 32-bit division semantics on sign/zero-extended operands (RISC-V divw/remw). */
function divW(opc: 'div' | 'divu' | 'rem' | 'remu'): Trans {
  return opReg((b, a, c) => {
    const unsigned = opc === 'divu' || opc === 'remu';
    const x = unsigned ? b.ext32u(a) : b.ext32s(a);
    const y = unsigned ? b.ext32u(c) : b.ext32s(c);
    return b.ext32s(b.binary(opc, x, y));
  });
}

// ---- control transfer -------------------------------------------------------

/**
 * A conditional branch leaves the block when taken and otherwise falls
 * through into the next instruction of the same block: blocks are chains of
 * basic blocks along the not-taken path (fewer translations, fewer trips
 * through the run loop). The block translator marks the new basic block.
 */
function branch(cond: Cond): Trans {
  return (ctx, d) => {
    const { b } = ctx;
    const target = ctx.pc + d.imm;
    if (!aligned(target)) return raiseMisalignedFetch(ctx, target, cond, d);
    b.exitIf(cond, b.reg(d.rs1), b.reg(d.rs2), target);
    return CONTINUE;
  };
}

/** Instructions after which a new basic block starts inside the same translation block. */
export const CONDITIONAL_BRANCHES: ReadonlySet<string> = new Set(['beq', 'bne', 'blt', 'bge', 'bltu', 'bgeu']);

/** With C enabled, targets only need 2-byte alignment; misaligned is impossible from imm. */
function aligned(target: number): boolean {
  return (target & 1) === 0;
}

function raiseMisalignedFetch(ctx: DisasContext, target: number, cond: Cond, d: Decoded): boolean {
  // Unreachable with RVC (immediates are even); kept so the intent is explicit.
  ctx.b.call('raiseMisalignedFetch', [], [target], { mayExit: true });
  void cond; void d;
  return END;
}

const jal: Trans = (ctx, d) => {
  const { b } = ctx;
  b.setReg(d.rd, b.const64(BigInt(nextPc(ctx, d))));
  b.exit(ctx.pc + d.imm);
  return END;
};

const jalr: Trans = (ctx, d) => {
  const { b } = ctx;
  const target = b.and(b.addi(b.reg(d.rs1), d.imm), b.const64(-2n));
  const t = b.materialize(target);
  b.setReg(d.rd, b.const64(BigInt(nextPc(ctx, d))));
  b.exitIndirect(t);
  return END;
};

// ---- memory ------------------------------------------------------------------

function load(size: MemOp['size'], signed: boolean): Trans {
  return (ctx, d) => {
    const { b } = ctx;
    const mem: MemOp = { size, signed };
    const base = b.reg(d.rs1);
    const info = memInfo(mem, false);
    ctx.hooks.beforeMemAccess?.(b, ctx.pc, base, d.imm, info);
    const addr = ctx.hooks.memValueAddress?.(b, ctx.pc, base, d.imm, info);
    const v = b.qemuLd(base, d.imm, mem);
    if (addr !== undefined) ctx.hooks.afterMemAccess?.(b, ctx.pc, addr, info, v);
    b.setReg(d.rd, v);
    return CONTINUE;
  };
}

function store(size: MemOp['size']): Trans {
  return (ctx, d) => {
    const { b } = ctx;
    const mem: MemOp = { size, signed: false };
    const base = b.reg(d.rs1);
    const info = memInfo(mem, true);
    ctx.hooks.beforeMemAccess?.(b, ctx.pc, base, d.imm, info);
    const addr = ctx.hooks.memValueAddress?.(b, ctx.pc, base, d.imm, info);
    if (addr !== undefined) b.call('deferStoreEnd', [], []);
    b.qemuSt(b.reg(d.rs2), base, d.imm, mem);
    if (addr !== undefined) afterStore(ctx, d, addr, info, b.reg(d.rs2));
    return CONTINUE;
  };
}

/**
 * guest_mem_after of a store, which deferStoreEnd let run even when the store ends its block (a
 * device, or a page holding translated code: QEMU's callback runs after such a store too); the
 * block then ends as the store asked.
 */
function afterStore(ctx: DisasContext, d: Decoded, addr: Temp, info: number, value: Temp): void {
  ctx.hooks.afterMemAccess?.(ctx.b, ctx.pc, addr, info, value);
  ctx.b.call('endDeferredStore', [], [d.length], { mayExit: true });
}

/** FP loads/stores go through helpers: they must check mstatus.FS and NaN-box singles. */
function fpMem(helper: 'flw' | 'fld' | 'fsw' | 'fsd' | 'flh' | 'fsh', size: MemOp['size'], isStore: boolean): Trans {
  return (ctx, d) => {
    const { b } = ctx;
    const base = b.reg(d.rs1);
    const info = memInfo({ size, signed: false }, isStore);
    ctx.hooks.beforeMemAccess?.(b, ctx.pc, base, d.imm, info);
    const freg = isStore ? d.rs2 : d.rd;
    const addr = ctx.hooks.memValueAddress?.(b, ctx.pc, base, d.imm, info);
    if (addr !== undefined && isStore) b.call('deferStoreEnd', [], []);
    b.call(helper, [base], [d.imm, freg, d.raw, d.length], { mayExit: true });
    if (addr === undefined) return CONTINUE;
    // the value stored, or loaded (NaN-boxed in f[rd]): afterMemAccess keeps the access's size
    const value = b.call('fregValue', [], [freg], { result: true })!;
    if (isStore) afterStore(ctx, d, addr, info, value);
    else ctx.hooks.afterMemAccess?.(b, ctx.pc, addr, info, value);
    return CONTINUE;
  };
}

/** AMOs, LR and SC run in a helper that uses Atomics on the shared RAM. */
function atomic(op: AMO, size: 4 | 8): Trans {
  return (ctx, d) => {
    const { b } = ctx;
    const base = b.reg(d.rs1);
    const isLr = op === AMO.lr;
    // QEMU's memops: .w atomics are sign-extending (MO_TESL), .d ones are not (MO_TEUQ)
    const info = memInfo({ size, signed: size === 4 }, !isLr);
    ctx.hooks.beforeMemAccess?.(b, ctx.pc, base, 0, info);
    // the value read (LR, AMOs) is in rd afterwards; SC's outcome is not a value: no event
    const wantsValue = op !== AMO.sc && d.rd !== 0;
    const addr = wantsValue ? ctx.hooks.memValueAddress?.(b, ctx.pc, base, 0, info) : undefined;
    b.call('amo', [base, b.reg(d.rs2)], [op, size, d.rd], { mayExit: true });
    if (addr !== undefined) ctx.hooks.afterMemAccess?.(b, ctx.pc, addr, info, b.reg(d.rd));
    return CONTINUE;
  };
}


/** Zihintpause's pause: FENCE with pred=W, succ=0, fm=0, rs1=rd=x0. */
const PAUSE = 0x0100000f;

// ---- system ----------------------------------------------------------------------

/** A helper that may trap or change privileged state: the block always ends after it. */
function system(helper: 'ecall' | 'ebreak' | 'mret' | 'sret' | 'wfi' | 'fenceI'): Trans {
  return (ctx, d) => {
    ctx.b.call(helper, [], [d.raw, d.length], { mayExit: true });
    ctx.b.exit(nextPc(ctx, d));
    return END;
  };
}

function csr(op: CsrOp, immediate: boolean): Trans {
  return (ctx, d) => {
    const { b } = ctx;
    const src = immediate ? b.const64(BigInt(d.rs1)) : b.reg(d.rs1);
    // csrrw always writes; csrrs and csrrc do not when the rs1/uimm field is 0
    const writes = op === CsrOp.Write || d.rs1 !== 0;
    b.call('csrAccess', [src], [op, d.csr, d.rd, writes ? 1 : 0, d.raw, d.length], { mayExit: true });
    b.exit(nextPc(ctx, d));
    return END;
  };
}

function sfenceVma(ctx: DisasContext, d: Decoded): boolean {
  ctx.b.call('sfenceVma', [ctx.b.reg(d.rs1), ctx.b.reg(d.rs2)], [d.rs1, d.raw, d.length], { mayExit: true });
  if (ctx.basic === true) return CONTINUE; // QEMU's block goes on after it
  ctx.b.exit(nextPc(ctx, d));
  return END;
}

// ---- floating point ----------------------------------------------------------------


/** FP operation `index` of FP_OPS: the vCPU's table says which of the fields it reads (src/target/riscv/fpu/op-table.ts). */
function fpOp(index: number): Trans {
  return (ctx, d) => {
    ctx.b.call('fpuOp', [], [index, d.rd, d.rs1, d.rs2, d.rs3, d.rm, d.raw], { mayExit: true });
    return CONTINUE;
  };
}

// ---- the table -------------------------------------------------------------------------

const TRANS: Record<string, Trans> = {
  lui: (ctx, d) => { ctx.b.setReg(d.rd, ctx.b.const64(BigInt(d.imm))); return CONTINUE; },
  auipc: (ctx, d) => { ctx.b.setReg(d.rd, ctx.b.const64(BigInt(ctx.pc) + BigInt(d.imm))); return CONTINUE; },
  jal,
  jalr,
  beq: branch('eq'), bne: branch('ne'), blt: branch('lt'), bge: branch('ge'), bltu: branch('ltu'), bgeu: branch('geu'),
  lb: load(1, true), lh: load(2, true), lw: load(4, true), ld: load(8, false), // 8 bytes: nothing to extend (QEMU: MO_TEUQ)
  lbu: load(1, false), lhu: load(2, false), lwu: load(4, false),
  sb: store(1), sh: store(2), sw: store(4), sd: store(8),
  addi: opImm((b, a, i) => b.add(a, i)),
  slti: opImm((b, a, i) => b.setcond('lt', a, i)),
  sltiu: opImm((b, a, i) => b.setcond('ltu', a, i)),
  xori: opImm((b, a, i) => b.xor(a, i)),
  ori: opImm((b, a, i) => b.or(a, i)),
  andi: opImm((b, a, i) => b.and(a, i)),
  slli: opImm((b, a, i) => b.shl(a, i)),
  srli: opImm((b, a, i) => b.shr(a, i)),
  srai: opImm((b, a, i) => b.sar(a, i)),
  add: opReg((b, x, y) => b.add(x, y)),
  sub: opReg((b, x, y) => b.sub(x, y)),
  sll: opReg((b, x, y) => b.shl(x, imm63(b, y))),
  slt: opReg((b, x, y) => b.setcond('lt', x, y)),
  sltu: opReg((b, x, y) => b.setcond('ltu', x, y)),
  xor: opReg((b, x, y) => b.xor(x, y)),
  srl: opReg((b, x, y) => b.shr(x, imm63(b, y))),
  sra: opReg((b, x, y) => b.sar(x, imm63(b, y))),
  or: opReg((b, x, y) => b.or(x, y)),
  and: opReg((b, x, y) => b.and(x, y)),
  addiw: opImm((b, a, i) => b.ext32s(b.add(a, i))),
  slliw: opImm((b, a, i) => b.ext32s(b.shl(a, i))),
  srliw: opImm((b, a, i) => b.ext32s(b.shr(b.ext32u(a), i))),
  sraiw: opImm((b, a, i) => b.sar(b.ext32s(a), i)),
  addw: opRegW((b, x, y) => b.add(x, y)),
  subw: opRegW((b, x, y) => b.sub(x, y)),
  sllw: opRegW((b, x, y) => b.shl(x, imm31(b, y))),
  srlw: opReg((b, x, y) => b.ext32s(b.shr(b.ext32u(x), imm31(b, y)))),
  sraw: opReg((b, x, y) => b.sar(b.ext32s(x), imm31(b, y))),
  mul: opReg((b, x, y) => b.binary('mul', x, y)),
  mulh: opReg((b, x, y) => b.binary('mulsh', x, y)),
  mulhsu: opReg((b, x, y) => b.binary('mulsuh', x, y)),
  mulhu: opReg((b, x, y) => b.binary('muluh', x, y)),
  div: opReg((b, x, y) => b.binary('div', x, y)),
  divu: opReg((b, x, y) => b.binary('divu', x, y)),
  rem: opReg((b, x, y) => b.binary('rem', x, y)),
  remu: opReg((b, x, y) => b.binary('remu', x, y)),
  mulw: opRegW((b, x, y) => b.binary('mul', x, y)),
  divw: divW('div'), divuw: divW('divu'), remw: divW('rem'), remuw: divW('remu'),
  // RAM accesses are sequentially consistent across workers already; pause (fence w,0) is the
  // spin-wait hint that cpu_relax() executes
  fence: (ctx, d) => {
    if (d.raw === PAUSE) ctx.b.call('pause', [], [], { mayExit: false });
    return CONTINUE;
  },
  fence_i: system('fenceI'),
  ecall: system('ecall'),
  ebreak: system('ebreak'),
  sret: system('sret'),
  mret: system('mret'),
  wfi: system('wfi'),
  sfence_vma: sfenceVma,
  sinval_vma: sfenceVma, // QEMU 7.2 flushes for it exactly as for sfence.vma
  // QEMU 7.2 only requires S-mode to exist: no privilege check, nothing to order in tsemu's TLB
  sfence_w_inval: () => CONTINUE,
  sfence_inval_ir: () => CONTINUE,
  csrrw: csr(CsrOp.Write, false), csrrs: csr(CsrOp.Set, false), csrrc: csr(CsrOp.Clear, false),
  csrrwi: csr(CsrOp.Write, true), csrrsi: csr(CsrOp.Set, true), csrrci: csr(CsrOp.Clear, true),
  lr_w: atomic(AMO.lr, 4), sc_w: atomic(AMO.sc, 4), amoswap_w: atomic(AMO.swap, 4), amoadd_w: atomic(AMO.add, 4),
  amoxor_w: atomic(AMO.xor, 4), amoand_w: atomic(AMO.and, 4), amoor_w: atomic(AMO.or, 4),
  amomin_w: atomic(AMO.min, 4), amomax_w: atomic(AMO.max, 4), amominu_w: atomic(AMO.minu, 4), amomaxu_w: atomic(AMO.maxu, 4),
  lr_d: atomic(AMO.lr, 8), sc_d: atomic(AMO.sc, 8), amoswap_d: atomic(AMO.swap, 8), amoadd_d: atomic(AMO.add, 8),
  amoxor_d: atomic(AMO.xor, 8), amoand_d: atomic(AMO.and, 8), amoor_d: atomic(AMO.or, 8),
  amomin_d: atomic(AMO.min, 8), amomax_d: atomic(AMO.max, 8), amominu_d: atomic(AMO.minu, 8), amomaxu_d: atomic(AMO.maxu, 8),
  flw: fpMem('flw', 4, false), fld: fpMem('fld', 8, false), fsw: fpMem('fsw', 4, true), fsd: fpMem('fsd', 8, true),
  flh: fpMem('flh', 2, false), fsh: fpMem('fsh', 2, true),
};
FP_OPS.forEach((name, index) => { TRANS[name] = fpOp(index); });
for (const [name, zb] of Object.entries(ZB_TRANS)) TRANS[name] = (ctx, d) => { zb(ctx.b, d); return CONTINUE; };

/** Translate one decoded instruction; an unknown one, or one of an extension the CPU lacks, raises illegal-instruction. */
export function translateInsn(ctx: DisasContext, d: Decoded | undefined, raw: number, length: number): boolean {
  const enabled = d !== undefined && (d.feature & ctx.features) === d.feature;
  const trans = d && enabled ? TRANS[d.name] : undefined;
  if (!d || !trans) {
    ctx.b.call('raiseIllegal', [], [raw >>> 0], { mayExit: true });
    ctx.b.exit(ctx.pc + length); // not reached: the helper always traps
    return END;
  }
  return trans(ctx, d);
}
