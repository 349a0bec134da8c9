/* SBI calls from S-mode (SBI 2.0 binary encoding) and the CSRs the guest uses. */
#ifndef SBI_TEST_SBI_H
#define SBI_TEST_SBI_H

#define EXT_BASE   0x10UL
#define EXT_TIME   0x54494D45UL
#define EXT_IPI    0x735049UL
#define EXT_RFENCE 0x52464E43UL
#define EXT_HSM    0x48534DUL
#define EXT_SRST   0x53525354UL
#define EXT_DBCN   0x4442434EUL
#define EXT_PMU    0x504D55UL

#define LEGACY_SET_TIMER      0x00UL
#define LEGACY_PUTCHAR        0x01UL
#define LEGACY_GETCHAR        0x02UL
#define LEGACY_CLEAR_IPI      0x03UL
#define LEGACY_SEND_IPI       0x04UL
#define LEGACY_REMOTE_FENCE_I 0x05UL
#define LEGACY_REMOTE_SFENCE_VMA 0x06UL
#define LEGACY_REMOTE_SFENCE_VMA_ASID 0x07UL
#define LEGACY_SHUTDOWN       0x08UL

#define SBI_SUCCESS                0L
#define SBI_ERR_FAILED            -1L
#define SBI_ERR_NOT_SUPPORTED     -2L
#define SBI_ERR_INVALID_PARAM     -3L
#define SBI_ERR_DENIED            -4L
#define SBI_ERR_INVALID_ADDRESS   -5L
#define SBI_ERR_ALREADY_AVAILABLE -6L

#define HSM_STARTED   0L
#define HSM_STOPPED   1L
#define HSM_SUSPENDED 4L

#define SUSPEND_RET     0x00000000UL
#define SUSPEND_NON_RET 0x80000000UL

struct sbiret {
  long error;
  long value;
};

static inline struct sbiret sbi_call(unsigned long ext, unsigned long fid, unsigned long arg0, unsigned long arg1,
                                     unsigned long arg2, unsigned long arg3, unsigned long arg4) {
  register unsigned long a0 __asm__("a0") = arg0;
  register unsigned long a1 __asm__("a1") = arg1;
  register unsigned long a2 __asm__("a2") = arg2;
  register unsigned long a3 __asm__("a3") = arg3;
  register unsigned long a4 __asm__("a4") = arg4;
  register unsigned long a6 __asm__("a6") = fid;
  register unsigned long a7 __asm__("a7") = ext;
  __asm__ volatile("ecall" : "+r"(a0), "+r"(a1) : "r"(a2), "r"(a3), "r"(a4), "r"(a6), "r"(a7) : "memory");
  return (struct sbiret){ (long)a0, (long)a1 };
}

#define sbi0(ext, fid) sbi_call((ext), (fid), 0, 0, 0, 0, 0)
#define sbi1(ext, fid, x) sbi_call((ext), (fid), (unsigned long)(x), 0, 0, 0, 0)
#define sbi2(ext, fid, x, y) sbi_call((ext), (fid), (unsigned long)(x), (unsigned long)(y), 0, 0, 0)
#define sbi3(ext, fid, x, y, z) sbi_call((ext), (fid), (unsigned long)(x), (unsigned long)(y), (unsigned long)(z), 0, 0)

/* A legacy (v0.1) call: the result is a0 alone. */
static inline long sbi_legacy(unsigned long ext, unsigned long arg0) {
  register unsigned long a0 __asm__("a0") = arg0;
  register unsigned long a7 __asm__("a7") = ext;
  __asm__ volatile("ecall" : "+r"(a0) : "r"(a7) : "memory", "a1");
  return (long)a0;
}

static inline struct sbiret sbi_set_timer(unsigned long when) { return sbi1(EXT_TIME, 0, when); }
static inline struct sbiret sbi_send_ipi(unsigned long hmask, unsigned long hbase) { return sbi2(EXT_IPI, 0, hmask, hbase); }
static inline struct sbiret sbi_hart_start(unsigned long hart, unsigned long addr, unsigned long opaque) {
  return sbi3(EXT_HSM, 0, hart, addr, opaque);
}
static inline struct sbiret sbi_hart_stop(void) { return sbi0(EXT_HSM, 1); }
static inline struct sbiret sbi_hart_status(unsigned long hart) { return sbi1(EXT_HSM, 2, hart); }
static inline struct sbiret sbi_hart_suspend(unsigned long type, unsigned long resume, unsigned long opaque) {
  return sbi3(EXT_HSM, 3, type, resume, opaque);
}

#define CSR_SSTATUS  0x100
#define CSR_SIE      0x104
#define CSR_STVEC    0x105
#define CSR_SSCRATCH 0x140
#define CSR_SEPC     0x141
#define CSR_SCAUSE   0x142
#define CSR_STVAL    0x143
#define CSR_SIP      0x144
#define CSR_SATP     0x180
#define CSR_TIME     0xc01

#define STR_(x) #x
#define STR(x) STR_(x)
#define csr_read(csr) ({ unsigned long v_; __asm__ volatile("csrr %0, " STR(csr) : "=r"(v_) :: "memory"); v_; })
#define csr_write(csr, val) ({ unsigned long w_ = (unsigned long)(val); __asm__ volatile("csrw " STR(csr) ", %0" :: "rK"(w_) : "memory"); })
#define csr_set(csr, val) ({ unsigned long w_ = (unsigned long)(val); __asm__ volatile("csrs " STR(csr) ", %0" :: "rK"(w_) : "memory"); })
#define csr_clear(csr, val) ({ unsigned long w_ = (unsigned long)(val); __asm__ volatile("csrc " STR(csr) ", %0" :: "rK"(w_) : "memory"); })

#define SSTATUS_SIE  (1UL << 1)
#define SSTATUS_SPIE (1UL << 5)
#define SSTATUS_SPP  (1UL << 8)
#define SIP_SSIP     (1UL << 1)
#define SIP_STIP     (1UL << 5)
#define SIE_SSIE     SIP_SSIP
#define SIE_STIE     SIP_STIP

#define SCAUSE_INTERRUPT (1UL << 63)
#define IRQ_S_SOFT  1UL
#define IRQ_S_TIMER 5UL
#define CAUSE_ILLEGAL_INSTRUCTION 2UL
#define CAUSE_LOAD_ACCESS 5UL

static inline unsigned long rdtime(void) { return csr_read(CSR_TIME); }
static inline void sfence_vma(void) { __asm__ volatile("sfence.vma" ::: "memory"); }

#endif
