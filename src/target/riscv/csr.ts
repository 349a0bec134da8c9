/**
 * CSR numbers, bit fields and write masks of the privileged architecture 1.12
 * as this hart implements them (RV64IMAFDC, M/S/U, Sv39, Sstc).
 */

/** CSR numbers, as CSR instructions encode them (where a CSR is stored is CsrSlot, src/abi/state-layout.ts). */
export const CSR_NUMBER = {
  fflags: 0x001, frm: 0x002, fcsr: 0x003,
  sstatus: 0x100, sie: 0x104, stvec: 0x105, scounteren: 0x106, senvcfg: 0x10a,
  sscratch: 0x140, sepc: 0x141, scause: 0x142, stval: 0x143, sip: 0x144, stimecmp: 0x14d, satp: 0x180,
  mstatus: 0x300, misa: 0x301, medeleg: 0x302, mideleg: 0x303, mie: 0x304, mtvec: 0x305, mcounteren: 0x306,
  menvcfg: 0x30a, mcountinhibit: 0x320, mhpmevent3: 0x323, mhpmevent31: 0x33f,
  mscratch: 0x340, mepc: 0x341, mcause: 0x342, mtval: 0x343, mip: 0x344, mtinst: 0x34a, mtval2: 0x34b,
  pmpcfg0: 0x3a0, pmpcfg15: 0x3af, pmpaddr0: 0x3b0, pmpaddr63: 0x3ef,
  mcycle: 0xb00, minstret: 0xb02, mhpmcounter3: 0xb03, mhpmcounter31: 0xb1f,
  cycle: 0xc00, time: 0xc01, instret: 0xc02, hpmcounter3: 0xc03, hpmcounter31: 0xc1f,
  mvendorid: 0xf11, marchid: 0xf12, mimpid: 0xf13, mhartid: 0xf14, mconfigptr: 0xf15,
} as const;

/** Number of PMP entries (QEMU 7.2 implements 16). */
export const PMP_ENTRIES = 16;

export const MSTATUS = {
  SIE: 1n << 1n, MIE: 1n << 3n, SPIE: 1n << 5n, UBE: 1n << 6n, MPIE: 1n << 7n, SPP: 1n << 8n,
  MPP: 3n << 11n, FS: 3n << 13n, XS: 3n << 15n, MPRV: 1n << 17n, SUM: 1n << 18n, MXR: 1n << 19n,
  TVM: 1n << 20n, TW: 1n << 21n, TSR: 1n << 22n, UXL: 3n << 32n, SXL: 3n << 34n, SD: 1n << 63n,
} as const;
export const MPP_SHIFT = 11n;
export const FS_SHIFT = 13n;

/** mstatus bits M-mode software may write. */
export const MSTATUS_WRITE_MASK = MSTATUS.SIE | MSTATUS.MIE | MSTATUS.SPIE | MSTATUS.MPIE | MSTATUS.SPP |
  MSTATUS.MPP | MSTATUS.FS | MSTATUS.MPRV | MSTATUS.SUM | MSTATUS.MXR | MSTATUS.TVM | MSTATUS.TW | MSTATUS.TSR;
/** The sstatus view of mstatus. */
export const SSTATUS_MASK = MSTATUS.SIE | MSTATUS.SPIE | MSTATUS.SPP | MSTATUS.FS | MSTATUS.SUM | MSTATUS.MXR |
  MSTATUS.UXL | MSTATUS.SD;
export const SSTATUS_WRITE_MASK = MSTATUS.SIE | MSTATUS.SPIE | MSTATUS.SPP | MSTATUS.FS | MSTATUS.SUM | MSTATUS.MXR;
/** UXL = SXL = 2 (64-bit), read-only. */
export const MSTATUS_RESET = (2n << 32n) | (2n << 34n);

/** misa: MXL=2 (RV64) and extensions A C D F I M S U. */
export const MISA_VALUE = (2n << 62n) | (1n << 0n) | (1n << 2n) | (1n << 3n) | (1n << 5n) | (1n << 8n) |
  (1n << 12n) | (1n << 18n) | (1n << 20n);

/** Interrupt bits. */
export const MIP = {
  SSIP: 1n << 1n, MSIP: 1n << 3n, STIP: 1n << 5n, MTIP: 1n << 7n, SEIP: 1n << 9n, MEIP: 1n << 11n,
} as const;
export const MIE_WRITE_MASK = MIP.SSIP | MIP.MSIP | MIP.STIP | MIP.MTIP | MIP.SEIP | MIP.MEIP;
/** Interrupts that can be delegated to S-mode. */
export const MIDELEG_WRITE_MASK = MIP.SSIP | MIP.STIP | MIP.SEIP;
/** Exceptions that can be delegated (everything but ecall from M and reserved causes). */
export const MEDELEG_WRITE_MASK = 0xb3ffn;

/**
 * menvcfg: FIOM (bit 0), CBIE/CBCFE/CBZE unused, PBMTE (62), STCE (63). QEMU 7.2 lets PBMTE be
 * written whatever the CPU, and its page walk ignores it (tests/guest/src/svpbmt.c).
 */
export const MENVCFG_STCE = 1n << 63n;
export const MENVCFG_PBMTE = 1n << 62n;
export const MENVCFG_WRITE_MASK = 1n | MENVCFG_PBMTE | MENVCFG_STCE;
export const SENVCFG_WRITE_MASK = 1n;

export const SATP_MODE_SV39 = 8n;
export const SATP_MODE_SV48 = 9n;
/**
 * Translation modes this hart accepts in satp: Sv39 and Sv48. QEMU 7.2's rv64 CPU also takes Sv57
 * (10), which Linux 6.1 then probes and uses; but tsemu keeps guest pcs in JS numbers, exact up to
 * 2^53, and Sv57 user addresses reach 2^56 (the vDSO and shared libraries sit up there), where a
 * jump would land a few bytes off. With Sv48 every canonical address fits, and Linux falls back to
 * it (the device tree's mmu-type says riscv,sv48 on QEMU and tsemu alike).
 */
export const SATP_PAGING_MODES: readonly bigint[] = [SATP_MODE_SV39, SATP_MODE_SV48];

export const enum Cause {
  InsnMisaligned = 0,
  InsnAccessFault = 1,
  IllegalInsn = 2,
  Breakpoint = 3,
  LoadMisaligned = 4,
  LoadAccessFault = 5,
  StoreMisaligned = 6,
  StoreAccessFault = 7,
  EcallU = 8,
  EcallS = 9,
  EcallM = 11,
  InsnPageFault = 12,
  LoadPageFault = 13,
  StorePageFault = 15,
}

export const enum Priv {
  U = 0,
  S = 1,
  M = 3,
}

export const enum Access {
  Read = 0,
  Write = 1,
  Exec = 2,
}
