/**
 * What generated code calls on the vCPU: the helpers of the context (`c` in a block, see
 * src/abi/block-code.ts), the loads and stores through the TLB (`ls`) and the block-exit protocol.
 * The IR interpreter (src/tcg/interpreter.ts), the JS backend (src/tcg/backend-js.ts) and any later
 * backend call the same methods with the same arguments; the vCPU context (src/vcpu/context.ts)
 * implements them.
 *
 * Calling convention of a helper named by an IR `call` op (TcgBuilder.call): first the op's value
 * arguments (temps and guest registers, as bigint), then its constant arguments (numbers known at
 * translation time), then, when the call may end the block, the guest pc of the instruction and
 * its index in the block. The parameter lists below are exactly those.
 *
 * Ending the block: a helper that traps or changes state the run loop must see sets `endBlock`
 * and `resumePc` (and accounts the instructions retired before it); the code that called it then
 * clears `endBlock` and returns `resumePc` as the block's next pc.
 */
import type { AMO, CsrOp } from './ops.js';

/** The helpers generated code calls on the vCPU context. */
export interface VcpuHelpers {
  /** Slow path of an inline load: `lo`/`hi` are the words of the virtual address; a fault ends the block (returns 0n). */
  ld(lo: number, hi: number, size: number, signed: number, pc: number, insnIndex: number): bigint;
  /** Slow path of an inline store (MMIO, pages holding code, faults). */
  st(lo: number, hi: number, size: number, value: bigint, pc: number, insnIndex: number, insnLength: number): void;
  /** AMO, LR or SC of `size` bytes at `base`; rd (if not x0) gets the old value or SC's result. */
  amo(base: bigint, src: bigint, op: AMO, size: 4 | 8, rd: number, pc: number, insnIndex: number): void;
  /** Computational FP operation `index` (into FP_OPS) on the named registers; `bits` is the instruction (for illegal-instruction traps). */
  fpuOp(index: number, rd: number, rs1: number, rs2: number, rs3: number, rm: number, bits: number, pc: number, insnIndex: number): void;
  /** FP loads into f[rd] and stores of f[rs2], at base + imm: they check mstatus.FS and NaN-box singles. */
  flw(base: bigint, imm: number, rd: number, bits: number, length: number, pc: number, insnIndex: number): void;
  fld(base: bigint, imm: number, rd: number, bits: number, length: number, pc: number, insnIndex: number): void;
  fsw(base: bigint, imm: number, rs2: number, bits: number, length: number, pc: number, insnIndex: number): void;
  fsd(base: bigint, imm: number, rs2: number, bits: number, length: number, pc: number, insnIndex: number): void;
  /** Zfhmin's half load (NaN-boxed into f[rd]) and store of f[rs2]'s low 16 bits. */
  flh(base: bigint, imm: number, rd: number, bits: number, length: number, pc: number, insnIndex: number): void;
  fsh(base: bigint, imm: number, rs2: number, bits: number, length: number, pc: number, insnIndex: number): void;
  /**
   * guest_mem_after of a store (generated only when that event is wanted): the next store that
   * would end its block (to a device, or to a page holding translated code) lets the block go on to
   * `endDeferredStore`, so the event reports it first. A fault ends the block as ever.
   */
  deferStoreEnd(): void;
  /** Ends the block now if the store since `deferStoreEnd` asked to; forgets the deferral either way. */
  endDeferredStore(length: number, pc: number, insnIndex: number): void;
  /** The raw 64 bits of f[reg] (guest_mem_after's value of an FP load or store). */
  fregValue(reg: number): bigint;
  /** CSR instruction on CSR number `csr`; `write` is 0 when csrrs/csrrc must not write (rs1/uimm field 0). Always ends the block. */
  csrAccess(src: bigint, op: CsrOp, csr: number, rd: number, write: number, bits: number, length: number, pc: number, insnIndex: number): void;
  ecall(bits: number, length: number, pc: number, insnIndex: number): void;
  ebreak(bits: number, length: number, pc: number, insnIndex: number): void;
  mret(bits: number, length: number, pc: number, insnIndex: number): void;
  sret(bits: number, length: number, pc: number, insnIndex: number): void;
  wfi(bits: number, length: number, pc: number, insnIndex: number): void;
  fenceI(bits: number, length: number, pc: number, insnIndex: number): void;
  /** Zihintpause's pause: a spin-wait hint (no architectural effect; the vCPU may let its host CPU go a moment). */
  pause(): void;
  /** sfence.vma: the values of rs1 and rs2 and the number of rs1. */
  sfenceVma(rs1: bigint, rs2: bigint, rs1Index: number, bits: number, length: number, pc: number, insnIndex: number): void;
  /** Illegal instruction `bits` (unknown encoding): always traps. */
  raiseIllegal(bits: number, pc: number, insnIndex: number): void;
  /** A jump or branch to a `target` that is not 2-byte aligned: always traps. */
  raiseMisalignedFetch(target: number, pc: number, insnIndex: number): void;
}

/** A helper's name, as an IR `call` op carries it. */
export type HelperName = keyof VcpuHelpers;

/** The vCPU context as generated code sees it (`c`): the helpers, the block-exit request, the TLB set and the hart. */
export interface BlockContext extends VcpuHelpers {
  /** Set by a helper that ends the running block; generated code clears it and returns `resumePc`. */
  endBlock: boolean;
  /** Where execution continues after a helper ended the block. */
  resumePc: number;
  /** First word of the TLB entries (src/abi/tlb.ts) for the current data-access mode. */
  readonly tlbBase: number;
  readonly hartId: number;
}

/** An argument as generated code passes it: a run-time value (bigint) or a constant (number). */
export type HelperArg = bigint | number;

/**
 * Any helper, as code that calls helpers by name with an argument array sees it (the IR
 * interpreter). Declared as a method so that each helper of VcpuHelpers, with its exact parameter
 * list, is assignable to it: TypeScript compares method parameters in both directions.
 */
interface HelperByArgumentArray {
  helper(...args: HelperArg[]): bigint | void;
}
export type AnyHelper = HelperByArgumentArray['helper'];

/**
 * Guest loads and stores as generated code calls them (`ls`, src/vcpu/load-store.ts): x[rs1] + imm
 * through the soft TLB, the context's slow path on a miss. A slow path that ends the block throws
 * instead of setting `endBlock` (the run loop catches it), so the common path carries no check.
 */
export interface LoadStoreHelpers {
  ld8s(rs1: number, imm: number, pc: number, insnIndex: number): bigint;
  ld8u(rs1: number, imm: number, pc: number, insnIndex: number): bigint;
  ld16s(rs1: number, imm: number, pc: number, insnIndex: number): bigint;
  ld16u(rs1: number, imm: number, pc: number, insnIndex: number): bigint;
  ld32s(rs1: number, imm: number, pc: number, insnIndex: number): bigint;
  ld32u(rs1: number, imm: number, pc: number, insnIndex: number): bigint;
  ld64(rs1: number, imm: number, pc: number, insnIndex: number): bigint;
  /** `value` is the low 32 bits of the register (only the low `size` bytes are stored). */
  st8(rs1: number, imm: number, value: number, pc: number, insnIndex: number, insnLength: number): void;
  st16(rs1: number, imm: number, value: number, pc: number, insnIndex: number, insnLength: number): void;
  st32(rs1: number, imm: number, value: number, pc: number, insnIndex: number, insnLength: number): void;
  st64(rs1: number, imm: number, value: bigint, pc: number, insnIndex: number, insnLength: number): void;
}

/** Raises execution-level events from generated code (`ev[id](...args)`); bound to one vCPU. */
export type EventSink = readonly ((...args: unknown[]) => void)[];
