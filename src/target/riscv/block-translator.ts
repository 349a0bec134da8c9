/**
 * Front-end loop: decode guest instructions from physical memory starting at
 * a block's first pc, feed them to the translate functions, and stop at the
 * first control transfer, at a page boundary or at the size limit.
 */
import { TcgBuilder } from '../../tcg/builder.js';
import { IrBlock } from '../../tcg/ir.js';
import { GuestMemory } from '../../memory/guest-memory.js';
import { decode, Decoded, insnLength } from './decode.js';
import { CONDITIONAL_BRANCHES, translateInsn, TranslateHooks } from './translate.js';

/** Largest block, in guest instructions (keeps generated functions well under V8's optimizable size). */
export const MAX_BLOCK_INSNS = 64;

/** QEMU's TCG_MAX_INSNS: the most instructions of one of its blocks. */
export const QEMU_MAX_BLOCK_INSNS = 512;

/**
 * Where blocks end. 'tsemu': longer blocks for speed (a jal within the page is followed, a
 * conditional branch's not-taken path goes on in the block, at most MAX_BLOCK_INSNS). 'qemu':
 * QEMU 7.2's translator_loop for RISC-V: every jump and branch ends the block, as do the page
 * boundary (the next instruction would start or end on another page) and TCG_MAX_INSNS, so
 * `-d in_asm` logs QEMU's blocks.
 */
export type BlockShape = 'tsemu' | 'qemu';

export interface BlockRequest {
  /** Guest virtual pc of the first instruction. */
  pc: number;
  /** Physical address of that instruction. */
  pa: number;
  /** Physical address of the following page, for an instruction that straddles a page boundary (else -1). */
  pa2: number;
}

export interface TranslatedBlock {
  ir: IrBlock;
  /** Decoded instructions, for -d in_asm. */
  insns: (Decoded | undefined)[];
  /** Raw instruction bits per instruction. */
  raws: number[];
  /** RAM page of the first instruction, or -1 for ROM. */
  page: number;
  /** pageGen value read before decoding: the block is stale once the page's generation moves on. */
  gen: number;
}

function readHalf(mem: GuestMemory, pa: number): number {
  const off = mem.ramOffset(pa);
  if (off >= 0) {
    if (off + 1 >= mem.lowSize) return mem.mu8[off] | (mem.isRam(pa + 1) ? Number(mem.readHigh(0, 1)) << 8 : 0);
    return mem.mu8[off] | (mem.mu8[off + 1] << 8);
  }
  const h = mem.highOffset(pa);
  if (h >= 0) return Number(mem.readHigh(h, 1)) | (mem.highOffset(pa + 1) >= 0 ? Number(mem.readHigh(h + 1, 1)) << 8 : 0);
  if (mem.isRom(pa)) return Number(mem.readRom(pa, 2));
  return Math.max(mem.flashHalf(pa), 0);
}

export interface BlockTranslatorHooks extends TranslateHooks {
  /** Before each instruction: translation-level instruction events. */
  beforeInsn?(b: TcgBuilder, pc: number, length: number): void;
  /** At the start of the block: translation-level block events. */
  blockStart?(b: TcgBuilder, pc: number): void;
  /** Once per translation, before anything else (instrumentation's block handle). */
  translationStart?(req: BlockRequest): void;
}

/**
 * The target of a `jal` that translation can simply follow: same page as the
 * jump (so the block stays on one physical page) and not already in this
 * block (a jump backwards into the block ends it, making a loop).
 */
function followableJump(d: Decoded, pc: number, pa: number, visited: readonly number[]): number | undefined {
  if (d.name !== 'jal') return undefined;
  const target = pc + d.imm;
  if (Math.floor(target / 4096) !== Math.floor(pc / 4096) || visited.includes(target)) return undefined;
  void pa;
  return target;
}

export function translateBlock(mem: GuestMemory, req: BlockRequest, hooks: BlockTranslatorHooks = {}, shape: BlockShape = 'tsemu'): TranslatedBlock {
  // -d nochain (mem.basicBlocks) also asks for QEMU's blocks, so its Trace lines are QEMU's
  const qemu = shape === 'qemu' || mem.basicBlocks;
  const b = new TcgBuilder(req.pc);
  const page = mem.ramPage(req.pa);
  const gen = page >= 0 ? Atomics.load(mem.pageGen, page) : 0;
  const insns: (Decoded | undefined)[] = [];
  const raws: number[] = [];
  hooks.translationStart?.(req);
  hooks.blockStart?.(b, req.pc);
  let pc = req.pc;
  let pa = req.pa;
  /** The pcs translated so far (a short array: a Set cost more than the search, per instruction). */
  const visited: number[] = [];
  const maxInsns = mem.oneInsnPerBlock ? 1 : qemu ? QEMU_MAX_BLOCK_INSNS : MAX_BLOCK_INSNS;
  const breakpoints = mem.hasBreakpoints;
  for (let n = 0; n < maxInsns; n++) {
    // a breakpoint ends the block before its instruction: the run loop stops there (QEMU's translator_loop)
    if (n > 0 && breakpoints && mem.breakpointAt(pc)) break;
    visited.push(pc);
    const lo = readHalf(mem, pa);
    const len = insnLength(lo);
    const crossesPage = (pa & 0xfff) + len > 0x1000;
    if (crossesPage && n > 0) break; // the next block starts with it, with both pages known
    const hiPa = crossesPage ? req.pa2 : pa + 2;
    if (page >= 0) mem.markCode(mem.ramIndex(pa), crossesPage ? 2 : len);
    if (crossesPage && mem.ramIndex(hiPa) >= 0) mem.markCode(mem.ramIndex(hiPa), 2);
    const hi = len === 4 ? readHalf(mem, hiPa) : 0;
    const d = decode(lo, hi);
    const raw = len === 4 ? (lo | (hi << 16)) >>> 0 : lo;
    insns.push(d);
    raws.push(raw);
    b.insnStart(pc, len);
    hooks.beforeInsn?.(b, pc, len);
    const jump = d && !qemu ? followableJump(d, pc, pa, visited) : undefined;
    if (jump !== undefined) {
      // a direct jump within the page: link register set, translation goes on at the target
      b.setReg(d!.rd, b.const64(BigInt(pc + len)));
      pa += jump - pc;
      pc = jump;
      hooks.blockStart?.(b, pc);
      continue;
    }
    const ends = translateInsn({ b, pc, hooks, features: mem.cpuFeatures, basic: qemu }, d, raw, len);
    pc += len;
    pa += len;
    if (ends) return { ir: b.finish(), insns, raws, page, gen };
    if ((pa & 0xfff) === 0 || crossesPage) break;
    if (qemu && d && CONDITIONAL_BRANCHES.has(d.name)) break; // QEMU: a branch is DISAS_NORETURN
    // QEMU: the next instruction would end on the next page (its first half is the page's last)
    if (qemu && (pa & 0xfff) === 0xffe && insnLength(readHalf(mem, pa)) === 4) break;
    // the not-taken path of a branch is a new basic block (guest_bbl_before fires for it)
    if (hooks.blockStart && d && CONDITIONAL_BRANCHES.has(d.name) && n + 1 < maxInsns) hooks.blockStart(b, pc);
  }
  b.exit(pc);
  return { ir: b.finish(), insns, raws, page, gen };
}
