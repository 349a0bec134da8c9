/**
 * Layout of one vCPU's architectural state in a SharedArrayBuffer.
 *
 * The state lives in shared memory so that the main thread (monitor, devices)
 * can read registers and kick the vCPU without a message round trip. The
 * buffer is addressed in 8-byte *slots*; every slot is viewed through three
 * typed arrays over the same bytes:
 *
 *   i64[slot]          BigInt64Array  64-bit registers and CSRs
 *   f64[slot]          Float64Array   numbers that must stay exact doubles
 *                                     (pc, instret) and raw FP register bits
 *   i32[2*slot]        Int32Array     low 32 bits (host is little-endian)
 *   i32[2*slot + 1]    Int32Array     high 32 bits
 *
 * Words that other threads write (interrupt lines, exit requests) are Int32
 * words accessed with Atomics.
 */
import { TLB_BYTES } from './tlb.js';

/** Integer registers x0..x31 occupy slots 0..31 (x0 is kept at 0). */
export const SLOT_X = 0;
/** FP registers f0..f31 occupy slots 32..63 as raw IEEE bits (NaN-boxed singles). */
export const SLOT_F = 32;
/** Program counter, as a Number holding the signed 64-bit value (exact for canonical addresses). */
export const SLOT_PC = 64;
/** Retired-instruction count, as a Number (exact below 2^53). */
export const SLOT_INSTRET = 65;
/** Current privilege level (0 U, 1 S, 3 M) in the low word. */
export const SLOT_PRIV = 66;
/** fflags (low 5 bits) in the low word. */
export const SLOT_FFLAGS = 67;
/** frm (3 bits) in the low word. */
export const SLOT_FRM = 68;
/** LR reservation: physical address (Number), or -1 when none. */
export const SLOT_RESERVATION_ADDR = 69;
/** LR reservation: value loaded by LR (as i64). */
export const SLOT_RESERVATION_VALUE = 70;
/** Offset of minstret written by the guest (minstret = retired + offset), or its frozen value while inhibited. */
export const SLOT_INSTRET_OFFSET = 71;
/** Temporary slot used by helpers to return a 64-bit value without allocation. */
export const SLOT_SCRATCH = 72;
/** Offset of mcycle (or its frozen value while mcountinhibit.CY is set); SLOT_INSTRET_OFFSET likewise for minstret. */
export const SLOT_CYCLE_OFFSET = 73;
/**
 * Where a WebAssembly block continues after a helper ended it (a Number, as SLOT_PC): the
 * helper imports write it, as wasm cannot read the context's `resumePc` (src/tcg/backend-wasm.ts).
 */
export const SLOT_RESUME_PC = 74;
/**
 * While a block's execution-level event runs (a library callback), the guest pc to go on at if
 * the thread never comes back from it (the worker is replaced, src/machine/vcpu-threads.ts), and
 * the instructions of the block retired before that pc; -1 when no event is running. Every tier
 * writes both before the call and -1 after it (src/tcg/ir.ts: eventResumePoint).
 */
export const SLOT_EVENT_PC = 75;
export const SLOT_EVENT_RETIRED = 76;

/**
 * The CSRs kept in the state buffer, by slot: each gets one 64-bit slot starting at SLOT_CSR
 * (CsrSlot.mstatus is a slot index, not the CSR's number; the numbers are CSR_NUMBER in
 * src/target/riscv/csr.ts).
 */
export const enum CsrSlot {
  mstatus,
  misa,
  medeleg,
  mideleg,
  mie,
  mip, // software-writable bits only (SSIP, STIP, SEIP); hardware lines are in WORD_IRQ_LINES
  mtvec,
  mcounteren,
  mscratch,
  mepc,
  mcause,
  mtval,
  menvcfg,
  mcountinhibit,
  stvec,
  scounteren,
  sscratch,
  sepc,
  scause,
  stval,
  satp,
  senvcfg,
  stimecmp,
  mhartid,
  mtval2,
  mtinst,
  count,
}
export const SLOT_CSR = 80;
/** PMP registers accepted as WARL: 16 pmpcfg slots then 64 pmpaddr slots. */
export const SLOT_PMPCFG = SLOT_CSR + CsrSlot.count; // 16 slots (only even ones used on RV64)
export const SLOT_PMPADDR = SLOT_PMPCFG + 16; // 64 slots

/**
 * Int32 words (index into i32 directly) used with Atomics by other threads.
 * They sit after every 64-bit slot.
 */
export const WORD_BASE = 2 * (SLOT_PMPADDR + 64);
/** Non-zero asks the run loop to leave the block loop at the next block boundary. */
export const WORD_EXIT_REQUEST = WORD_BASE + 0;
/** Interrupt lines driven by devices: bits of mip (MSIP, MEIP, SEIP). Written with Atomics.or/and. */
export const WORD_IRQ_LINES = WORD_BASE + 1;
/** Run state of the vCPU, see RunState. */
export const WORD_RUN_STATE = WORD_BASE + 2;
/** Incremented on every wake-up request (Atomics.notify target while halted in WFI). */
export const WORD_WAKE = WORD_BASE + 3;
/** Reasons for the exit request, OR of ExitReason bits. */
export const WORD_EXIT_REASONS = WORD_BASE + 4;
/** 1 while the vCPU waits in WFI (kept while the machine is paused, unlike WORD_RUN_STATE). */
export const WORD_HALTED = WORD_BASE + 5;
/** 1 while the debugger single-steps this vCPU (set by the main thread before it lets the vCPU go on). */
export const WORD_DEBUG_STEP = WORD_BASE + 6;
/**
 * Byte address, in the state area's WebAssembly.Memory, of the TLB entries of the current
 * data-access mode (the context's `tlbBase` as a byte address): WebAssembly blocks read it on
 * entry. Only the vCPU's own thread touches it.
 */
export const WORD_WASM_TLB = WORD_BASE + 7;
/**
 * Blocks the run loop may still run before it looks at the timers (src/vcpu/run-loop.ts counts
 * it down per block). WebAssembly blocks of one batch that go straight to one another (a tail
 * call, src/tcg/backend-wasm.ts) count it down too, and go on only while it is above 1 and
 * WORD_EXIT_REQUEST is 0, so the timers and requests are seen as often as without the links.
 * Only the vCPU's own thread touches it.
 */
export const WORD_CHAIN_BUDGET = WORD_BASE + 8;
/**
 * The IR interpreter's temporaries (src/tcg/interpreter.ts): a pair of words
 * each, after the Atomics words, so one Int32Array addresses registers and
 * temporaries alike. Only the vCPU's own thread touches them.
 */
export const WORD_TEMPS = WORD_BASE + 32;
/** Temporaries a block may have and still be interpreted (larger blocks are compiled at once). */
export const INTERPRETER_TEMPS = 2048;
/** Size of the state buffer in bytes. */
export const STATE_BYTES = (WORD_TEMPS + 2 * INTERPRETER_TEMPS) * 4;
/** Byte offset of the soft TLB (src/abi/tlb.ts) in a vCPU's state area, after the state. */
export const STATE_TLB_OFFSET = STATE_BYTES;
/**
 * Bytes of one vCPU's state area: the state, then its soft TLB, rounded up to a page. A machine
 * places one area per possible vCPU after guest RAM in one shared WebAssembly.Memory
 * (src/memory/guest-memory.ts), so WebAssembly blocks reach RAM, registers and TLB in one memory.
 */
export const STATE_AREA_BYTES = Math.ceil((STATE_TLB_OFFSET + TLB_BYTES) / 4096) * 4096;

export const enum RunState {
  Running = 0,
  Halted = 1, // WFI
  Stopped = 2, // paused by the machine (monitor stop, -S)
  Exited = 3,
}

export const enum ExitReason {
  Interrupt = 1, // an interrupt line changed
  Control = 2, // a control message waits on the vCPU's port
  FlushTlb = 4, // another thread changed code pages: drop write TLB entries
  FlushCode = 8, // drop every cached translation
}

/** mip/mie bit numbers. */
export const enum Irq {
  SSIP = 1,
  MSIP = 3,
  STIP = 5,
  MTIP = 7,
  SEIP = 9,
  MEIP = 11,
}

/**
 * Where one vCPU's state area lives: a buffer of its own (offset 0), or STATE_AREA_BYTES at
 * `byteOffset` in the machine's memory. Plain data: it crosses to workers with postMessage.
 */
export interface StateArea {
  readonly buffer: SharedArrayBuffer;
  readonly byteOffset: number;
}

/** Typed views over one vCPU's state area. */
export interface VcpuStateViews {
  /** The whole buffer the area is part of; the state starts at `byteOffset`. */
  readonly buffer: SharedArrayBuffer;
  readonly byteOffset: number;
  readonly i64: BigInt64Array;
  readonly f64: Float64Array;
  readonly i32: Int32Array;
  /** The vCPU's soft TLB (src/abi/tlb.ts), at STATE_TLB_OFFSET in the area. */
  readonly tlb: Int32Array;
}

/** A state area in a buffer of its own (tests, the interpreter primer). */
export function createStateBuffer(): SharedArrayBuffer {
  return new SharedArrayBuffer(STATE_AREA_BYTES);
}

export function stateViews(area: SharedArrayBuffer | StateArea): VcpuStateViews {
  const { buffer, byteOffset } = area instanceof SharedArrayBuffer ? { buffer: area, byteOffset: 0 } : area;
  return {
    buffer,
    byteOffset,
    i64: new BigInt64Array(buffer, byteOffset, STATE_BYTES / 8),
    f64: new Float64Array(buffer, byteOffset, STATE_BYTES / 8),
    i32: new Int32Array(buffer, byteOffset, STATE_BYTES / 4),
    tlb: new Int32Array(buffer, byteOffset + STATE_TLB_OFFSET, TLB_BYTES / 4),
  };
}
