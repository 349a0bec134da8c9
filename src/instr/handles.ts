/**
 * What the API's handle and register functions read (src/instr/api/control.ts):
 *
 * - the translation block being translated, as QEMU's plugin API shows it (qemu_plugin_tb_*,
 *   qemu_plugin_insn_*): made only when a translation-level callback asks for it, by decoding the
 *   block once more without hooks (the same front end, so the same instructions), then
 *   disassembled and named lazily per instruction;
 * - a vCPU's registers by name, from its state area (x, f, pc, CSRs), in the thread that runs it.
 */
import type { GuestMemory } from '../memory/guest-memory.js';
import { translateBlock, type BlockRequest } from '../target/riscv/block-translator.js';
import { disassemble } from '../target/riscv/disas.js';
import { CsrSlot, SLOT_CSR, SLOT_F, SLOT_FFLAGS, SLOT_FRM, SLOT_INSTRET, SLOT_PC, SLOT_PRIV, type VcpuStateViews } from '../abi/state-layout.js';
import type { QIInsn, QITB } from './api/types.js';
import type { InstrMemory } from './runtime.js';
import { decode, insnLength } from '../target/riscv/decode.js';

/** Where the translator's thread finds code and symbols. */
export interface HandleSource {
  readonly mem: GuestMemory;
  /** The guest ELF's function symbol containing `pc` ('' or undefined when none). */
  symbolAt?(pc: number): string | undefined;
}

const u64 = (v: number): bigint => BigInt.asUintN(64, BigInt(v));

class Insn implements QIInsn {
  private text: string | undefined;
  private name: string | null | undefined;
  constructor(
    readonly vaddr: bigint,
    readonly size: number,
    readonly data: Uint8Array,
    readonly paddr: bigint,
    readonly haddr: number | undefined,
    private readonly make: { disas(): string; symbol(): string | undefined },
  ) {}

  get disas(): string {
    return (this.text ??= this.make.disas());
  }

  get symbol(): string | undefined {
    if (this.name === undefined) this.name = this.make.symbol() ?? null;
    return this.name ?? undefined;
  }
}

/** The block at `req` as handles (decoded again, with no hooks: nothing is raised twice). */
export function blockHandle(src: HandleSource, req: BlockRequest): QITB {
  const block = translateBlock(src.mem, req, {});
  const insns: QIInsn[] = [];
  let size = 0;
  for (let i = 0; i < block.raws.length; i++) {
    const pc = block.ir.insnPcs[i];
    const raw = block.raws[i];
    const d = block.insns[i];
    const length: 2 | 4 = d ? d.length : (raw & 3) === 3 ? 4 : 2;
    const data = new Uint8Array(length);
    for (let k = 0; k < length; k++) data[k] = (raw >>> (8 * k)) & 0xff;
    // the block stays on its page, so the offset from its first pc is the offset from its first pa
    const pa = req.pa + (pc - req.pc);
    const off = src.mem.ramOffset(pa);
    insns.push(new Insn(u64(pc), length, data, u64(pa), off >= 0 ? off : undefined, {
      disas: () => disassemble(d, pc, raw, length),
      symbol: () => src.symbolAt?.(pc) || undefined,
    }));
    size += length;
  }
  return Object.freeze({ vaddr: u64(req.pc), n_insns: insns.length, size, insns: Object.freeze(insns) });
}

/** The translation in progress in this thread (set by the translation hooks; read by the API). */
export interface CurrentTranslation {
  /** The block handle, made on first use. */
  block(): QITB;
  /** The pc of the instruction being translated (the last beforeInsn / memory access). */
  pc: number;
}

let current: CurrentTranslation | undefined;

export function setCurrentTranslation(t: CurrentTranslation | undefined): void {
  current = t;
}

export function currentTranslation(): CurrentTranslation | undefined {
  return current;
}

// ---- registers ------------------------------------------------------------------------

const XREG = [
  'zero', 'ra', 'sp', 'gp', 'tp', 't0', 't1', 't2', 's0', 's1', 'a0', 'a1', 'a2', 'a3', 'a4', 'a5',
  'a6', 'a7', 's2', 's3', 's4', 's5', 's6', 's7', 's8', 's9', 's10', 's11', 't3', 't4', 't5', 't6',
];
const FREG = [
  'ft0', 'ft1', 'ft2', 'ft3', 'ft4', 'ft5', 'ft6', 'ft7', 'fs0', 'fs1', 'fa0', 'fa1', 'fa2', 'fa3', 'fa4', 'fa5',
  'fa6', 'fa7', 'fs2', 'fs3', 'fs4', 'fs5', 'fs6', 'fs7', 'fs8', 'fs9', 'fs10', 'fs11', 'ft8', 'ft9', 'ft10', 'ft11',
];

/** CSRs kept as they are in the state area (the ones computed on access, like mip's lines or time, are not here). */
const CSRS: Record<string, CsrSlot> = {
  mstatus: CsrSlot.mstatus, misa: CsrSlot.misa, medeleg: CsrSlot.medeleg, mideleg: CsrSlot.mideleg, mie: CsrSlot.mie,
  mtvec: CsrSlot.mtvec, mcounteren: CsrSlot.mcounteren, mscratch: CsrSlot.mscratch, mepc: CsrSlot.mepc,
  mcause: CsrSlot.mcause, mtval: CsrSlot.mtval, menvcfg: CsrSlot.menvcfg, mcountinhibit: CsrSlot.mcountinhibit,
  stvec: CsrSlot.stvec, scounteren: CsrSlot.scounteren, sscratch: CsrSlot.sscratch, sepc: CsrSlot.sepc,
  scause: CsrSlot.scause, stval: CsrSlot.stval, satp: CsrSlot.satp, senvcfg: CsrSlot.senvcfg,
  stimecmp: CsrSlot.stimecmp, mhartid: CsrSlot.mhartid,
};

type Reader = (s: VcpuStateViews) => bigint;

function registerReaders(): Map<string, Reader> {
  const m = new Map<string, Reader>();
  for (let i = 0; i < 32; i++) {
    const x: Reader = (s) => BigInt.asUintN(64, s.i64[i]);
    m.set(`x${i}`, x);
    m.set(XREG[i], x);
    const f: Reader = (s) => BigInt.asUintN(64, s.i64[SLOT_F + i]);
    m.set(`f${i}`, f);
    m.set(FREG[i], f);
  }
  m.set('fp', m.get('s0') as Reader);
  m.set('pc', (s) => u64(s.f64[SLOT_PC]));
  for (const [name, slot] of Object.entries(CSRS)) m.set(name, (s) => BigInt.asUintN(64, s.i64[SLOT_CSR + slot]));
  m.set('fflags', (s) => BigInt(s.i32[2 * SLOT_FFLAGS] & 0x1f));
  m.set('frm', (s) => BigInt(s.i32[2 * SLOT_FRM] & 7));
  m.set('fcsr', (s) => BigInt(((s.i32[2 * SLOT_FRM] & 7) << 5) | (s.i32[2 * SLOT_FFLAGS] & 0x1f)));
  m.set('instret', (s) => BigInt(s.f64[SLOT_INSTRET]));
  m.set('priv', (s) => BigInt(s.i32[2 * SLOT_PRIV]));
  return m;
}

const READERS = registerReaders();

/** Every name qi_vcpu_read_register accepts. */
export const REGISTER_NAMES: readonly string[] = Object.freeze([...READERS.keys()]);

/** Register `name` of the vCPU whose state this is; undefined for an unknown name. */
export function readRegister(state: VcpuStateViews, name: string): bigint | undefined {
  return READERS.get(name)?.(state);
}

/**
 * The instruction at `vaddr` as vCPU `cpu` sees it now (through its MMU), decoded and
 * disassembled on the spot: what an execution-level callback can ask for (QEMU passes such data
 * as a callback's udata; here the execution-level instance is another thread than the
 * translation-level one). No symbol: the symbol tables live where translation happens.
 */
export function insnAt(memory: InstrMemory, cpu: number, vaddr: bigint): QIInsn | undefined {
  const half = (a: bigint): number | undefined => {
    const pa = memory.virtToPhys(cpu, a);
    const b = pa === undefined ? undefined : memory.readPhys(pa, 2);
    return b === undefined ? undefined : b[0] | (b[1] << 8);
  };
  const lo = half(vaddr);
  if (lo === undefined) return undefined;
  const length: 2 | 4 = insnLength(lo) === 4 ? 4 : 2;
  const hi = length === 4 ? half(vaddr + 2n) : 0;
  if (hi === undefined) return undefined;
  const raw = length === 4 ? (lo | (hi << 16)) >>> 0 : lo;
  const data = new Uint8Array(length);
  for (let k = 0; k < length; k++) data[k] = (raw >>> (8 * k)) & 0xff;
  const pa = memory.virtToPhys(cpu, vaddr) as bigint;
  const pc = Number(BigInt.asIntN(64, vaddr));
  return new Insn(BigInt.asUintN(64, vaddr), length, data, pa, undefined, {
    disas: () => disassemble(decode(lo, hi), pc, raw, length),
    symbol: () => undefined,
  });
}
