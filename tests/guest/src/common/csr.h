/* CSR access macros and architectural constants (RISC-V privileged spec 1.12). */
#ifndef CSR_H
#define CSR_H
#include "platform.h"

#ifndef __ASSEMBLER__
#include <stdint.h>

#define STR_(x) #x
#define STR(x) STR_(x)

#define csr_read(csr) ({ uint64_t v_; __asm__ volatile("csrr %0, " STR(csr) : "=r"(v_) :: "memory"); v_; })
#define csr_write(csr, val) ({ __asm__ volatile("csrw " STR(csr) ", %0" :: "rK"((uint64_t)(val)) : "memory"); })
#define csr_swap(csr, val) ({ uint64_t v_; __asm__ volatile("csrrw %0, " STR(csr) ", %1" : "=r"(v_) : "rK"((uint64_t)(val)) : "memory"); v_; })
#define csr_set(csr, val) ({ uint64_t v_; __asm__ volatile("csrrs %0, " STR(csr) ", %1" : "=r"(v_) : "rK"((uint64_t)(val)) : "memory"); v_; })
#define csr_clear(csr, val) ({ uint64_t v_; __asm__ volatile("csrrc %0, " STR(csr) ", %1" : "=r"(v_) : "rK"((uint64_t)(val)) : "memory"); v_; })

#endif /* !__ASSEMBLER__ */

/* Privilege levels */
#define PRV_U 0
#define PRV_S 1
#define PRV_M 3

/* mstatus / sstatus fields */
#define MSTATUS_SIE   (UL_(1) << 1)
#define MSTATUS_MIE   (UL_(1) << 3)
#define MSTATUS_SPIE  (UL_(1) << 5)
#define MSTATUS_UBE   (UL_(1) << 6)
#define MSTATUS_MPIE  (UL_(1) << 7)
#define MSTATUS_SPP   (UL_(1) << 8)
#define MSTATUS_VS    (UL_(3) << 9)
#define MSTATUS_MPP   (UL_(3) << 11)
#define MSTATUS_MPP_SHIFT 11
#define MSTATUS_FS    (UL_(3) << 13)
#define MSTATUS_FS_SHIFT 13
#define MSTATUS_XS    (UL_(3) << 15)
#define MSTATUS_MPRV  (UL_(1) << 17)
#define MSTATUS_SUM   (UL_(1) << 18)
#define MSTATUS_MXR   (UL_(1) << 19)
#define MSTATUS_TVM   (UL_(1) << 20)
#define MSTATUS_TW    (UL_(1) << 21)
#define MSTATUS_TSR   (UL_(1) << 22)
#define MSTATUS_UXL   (UL_(3) << 32)
#define MSTATUS_SXL   (UL_(3) << 34)
#define MSTATUS_SD    (UL_(1) << 63)

#define FS_OFF     UL_(0)
#define FS_INITIAL UL_(1)
#define FS_CLEAN   UL_(2)
#define FS_DIRTY   UL_(3)
#define MSTATUS_FS_INIT (FS_INITIAL << MSTATUS_FS_SHIFT)

/* Interrupt numbers (mip/mie bits and mcause codes) */
#define IRQ_S_SOFT  1
#define IRQ_M_SOFT  3
#define IRQ_S_TIMER 5
#define IRQ_M_TIMER 7
#define IRQ_S_EXT   9
#define IRQ_M_EXT   11
#define MIP_SSIP (UL_(1) << IRQ_S_SOFT)
#define MIP_MSIP (UL_(1) << IRQ_M_SOFT)
#define MIP_STIP (UL_(1) << IRQ_S_TIMER)
#define MIP_MTIP (UL_(1) << IRQ_M_TIMER)
#define MIP_SEIP (UL_(1) << IRQ_S_EXT)
#define MIP_MEIP (UL_(1) << IRQ_M_EXT)
#define CAUSE_INTERRUPT (UL_(1) << 63)

/* Exception codes */
#define CAUSE_MISALIGNED_FETCH   0
#define CAUSE_FETCH_ACCESS       1
#define CAUSE_ILLEGAL_INSN       2
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

/* satp */
#define SATP_MODE_SV39 (UL_(8) << 60)

/* menvcfg */
#define MENVCFG_STCE (UL_(1) << 63)

/* fflags bits */
#define FFLAG_NX 0x01
#define FFLAG_UF 0x02
#define FFLAG_OF 0x04
#define FFLAG_DZ 0x08
#define FFLAG_NV 0x10

/* Rounding modes */
#define RM_RNE 0
#define RM_RTZ 1
#define RM_RDN 2
#define RM_RUP 3
#define RM_RMM 4
#define RM_DYN 7

#endif
