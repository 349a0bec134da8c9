/* CSR access and the privileged-architecture constants tsemu-sbi uses (RISC-V privileged spec 1.12). */
#ifndef TSEMU_SBI_RISCV_H
#define TSEMU_SBI_RISCV_H

#define CSR_SSTATUS   0x100
#define CSR_STVEC     0x105
#define CSR_SCOUNTEREN 0x106
#define CSR_SEPC      0x141
#define CSR_SCAUSE    0x142
#define CSR_STVAL     0x143
#define CSR_STIMECMP  0x14d
#define CSR_SATP      0x180
#define CSR_MSTATUS   0x300
#define CSR_MISA      0x301
#define CSR_MEDELEG   0x302
#define CSR_MIDELEG   0x303
#define CSR_MIE       0x304
#define CSR_MTVEC     0x305
#define CSR_MCOUNTEREN 0x306
#define CSR_MENVCFG   0x30a
#define CSR_MCOUNTINHIBIT 0x320
#define CSR_MSCRATCH  0x340
#define CSR_MEPC      0x341
#define CSR_MCAUSE    0x342
#define CSR_MTVAL     0x343
#define CSR_MIP       0x344
#define CSR_PMPCFG0   0x3a0
#define CSR_PMPADDR0  0x3b0
#define CSR_PMPADDR1  0x3b1
#define CSR_PMPADDR2  0x3b2
#define CSR_MVENDORID 0xf11
#define CSR_MARCHID   0xf12
#define CSR_MIMPID    0xf13
#define CSR_MHARTID   0xf14

#define STR_(x) #x
#define STR(x) STR_(x)
#define csr_read(csr) ({ unsigned long v_; __asm__ volatile("csrr %0, " STR(csr) : "=r"(v_) :: "memory"); v_; })
#define csr_write(csr, val) ({ unsigned long w_ = (unsigned long)(val); __asm__ volatile("csrw " STR(csr) ", %0" :: "rK"(w_) : "memory"); })
#define csr_set(csr, val) ({ unsigned long w_ = (unsigned long)(val); __asm__ volatile("csrs " STR(csr) ", %0" :: "rK"(w_) : "memory"); })
#define csr_clear(csr, val) ({ unsigned long w_ = (unsigned long)(val); __asm__ volatile("csrc " STR(csr) ", %0" :: "rK"(w_) : "memory"); })

#define MSTATUS_SIE   (1UL << 1)
#define MSTATUS_MIE   (1UL << 3)
#define MSTATUS_SPIE  (1UL << 5)
#define MSTATUS_MPIE  (1UL << 7)
#define MSTATUS_SPP   (1UL << 8)
#define MSTATUS_MPP_SHIFT 11
#define MSTATUS_MPP   (3UL << MSTATUS_MPP_SHIFT)
#define MSTATUS_FS    (3UL << 13)
#define MSTATUS_MPRV  (1UL << 17)

#define PRV_U 0UL
#define PRV_S 1UL
#define PRV_M 3UL

#define IRQ_S_SOFT  1
#define IRQ_M_SOFT  3
#define IRQ_S_TIMER 5
#define IRQ_M_TIMER 7
#define IRQ_S_EXT   9
#define IRQ_M_EXT   11
#define MIP_SSIP (1UL << IRQ_S_SOFT)
#define MIP_MSIP (1UL << IRQ_M_SOFT)
#define MIP_STIP (1UL << IRQ_S_TIMER)
#define MIP_MTIP (1UL << IRQ_M_TIMER)
#define MIP_SEIP (1UL << IRQ_S_EXT)
#define MIP_MEIP (1UL << IRQ_M_EXT)

#define CAUSE_MISALIGNED_FETCH   0
#define CAUSE_FETCH_ACCESS       1
#define CAUSE_ILLEGAL_INSTRUCTION 2
#define CAUSE_BREAKPOINT         3
#define CAUSE_MISALIGNED_LOAD    4
#define CAUSE_LOAD_ACCESS        5
#define CAUSE_MISALIGNED_STORE   6
#define CAUSE_STORE_ACCESS       7
#define CAUSE_USER_ECALL         8
#define CAUSE_SUPERVISOR_ECALL   9
#define CAUSE_MACHINE_ECALL      11
#define CAUSE_FETCH_PAGE_FAULT   12
#define CAUSE_LOAD_PAGE_FAULT    13
#define CAUSE_STORE_PAGE_FAULT   15
#define MCAUSE_INTERRUPT (1UL << 63)

#define MENVCFG_STCE (1UL << 63)

#define PMP_R 0x01
#define PMP_W 0x02
#define PMP_X 0x04
#define PMP_NAPOT 0x18

static inline void wfi(void) { __asm__ volatile("wfi" ::: "memory"); }

#endif
