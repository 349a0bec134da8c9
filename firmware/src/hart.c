#include "hart.h"
#include "ipi.h"
#include "riscv.h"
#include "timer.h"
#include <stddef.h>
#include <stdint.h>

_Static_assert(offsetof(struct hart, stack_top) == HART_STACK_TOP, "entry.S: HART_STACK_TOP");
_Static_assert(offsetof(struct hart, tmp0) == HART_TMP0, "entry.S: HART_TMP0");
_Static_assert(sizeof(struct hart) == HART_SIZE, "entry.S: HART_SIZE");

struct hart harts[MAX_HARTS];

/* Between a successful hart_start and the start fields being written (reported as START_PENDING). */
#define HSM_CLAIMED 0x100u

int hart_present(unsigned long hartid) {
  if (hartid >= MAX_HARTS) return 0;
  if (have_hotplug) return (*(volatile uint32_t *)HOTPLUG_PRESENT >> hartid) & 1;
  return (fdt_hart_mask >> hartid) & 1;
}

static uint32_t plugged_generation(unsigned long hartid) {
  return have_hotplug ? *(volatile uint32_t *)HOTPLUG_GENERATION(hartid) : 0;
}

void hart_arrived(struct hart *h) { h->generation = plugged_generation(h->id); }

/* A running (or suspended) state that belongs to an earlier plug-in of the hart. */
static int stale(unsigned long hartid, uint32_t state) {
  return (state == SBI_HSM_STARTED || state == SBI_HSM_SUSPENDED) && harts[hartid].generation != plugged_generation(hartid);
}

uint32_t hsm_state(unsigned long hartid) {
  uint32_t state = __atomic_load_n(&harts[hartid].hsm_state, __ATOMIC_ACQUIRE);
  if (state == HSM_CLAIMED) return SBI_HSM_START_PENDING;
  return stale(hartid, state) ? SBI_HSM_STOPPED : state;
}

/* S-mode may not execute there: the PMP keeps the firmware and the CLINT M-only (hart_init). */
static int m_only(unsigned long addr) {
  return (addr >= FW_BASE && addr - FW_BASE < FW_REGION_SIZE) || (addr >= CLINT_BASE && addr - CLINT_BASE < CLINT_SIZE);
}

/* NAPOT encoding of a naturally aligned power-of-two region. */
static unsigned long napot(unsigned long base, unsigned long size) { return (base >> 2) | ((size >> 3) - 1); }

void hart_init(struct hart *h) {
  csr_set(CSR_MSTATUS, MSTATUS_FS);
  csr_write(CSR_MCOUNTEREN, 0xffffffffUL);
  csr_write(CSR_SCOUNTEREN, 7);               /* cycle, time, instret for U-mode */
  csr_set(CSR_MENVCFG, MENVCFG_STCE);
  h->timer_via_clint = !(csr_read(CSR_MENVCFG) & MENVCFG_STCE);
  if (!h->timer_via_clint) csr_write(CSR_STIMECMP, -1UL);
  /* OpenSBI's delegation: S-mode interrupts; misaligned fetch, breakpoint, U ecall, page faults */
  csr_write(CSR_MIDELEG, MIP_SSIP | MIP_STIP | MIP_SEIP);
  csr_write(CSR_MEDELEG, (1UL << CAUSE_MISALIGNED_FETCH) | (1UL << CAUSE_BREAKPOINT) | (1UL << CAUSE_USER_ECALL) |
                             (1UL << CAUSE_FETCH_PAGE_FAULT) | (1UL << CAUSE_LOAD_PAGE_FAULT) | (1UL << CAUSE_STORE_PAGE_FAULT));
  /* OpenSBI's regions: the CLINT and the firmware itself are M-only, everything else is RWX */
  csr_write(CSR_PMPADDR0, napot(CLINT_BASE, CLINT_SIZE));
  csr_write(CSR_PMPADDR1, napot(FW_BASE, FW_REGION_SIZE));
  csr_write(CSR_PMPADDR2, -1UL);
  csr_write(CSR_PMPCFG0, (unsigned long)PMP_NAPOT | ((unsigned long)PMP_NAPOT << 8) |
                             ((unsigned long)(PMP_NAPOT | PMP_R | PMP_W | PMP_X) << 16));
  csr_write(CSR_SATP, 0);
  csr_write(CSR_MIE, MIP_MSIP);
}

void hart_enter(unsigned long addr, unsigned long mode, unsigned long arg) {
  unsigned long ms = csr_read(CSR_MSTATUS);
  ms &= ~(MSTATUS_MPP | MSTATUS_MPIE | MSTATUS_MPRV | MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP);
  ms |= mode << MSTATUS_MPP_SHIFT;
  csr_write(CSR_MSTATUS, ms);
  csr_write(CSR_MEPC, addr);
  if (mode != PRV_M) csr_write(CSR_SATP, 0);
  register unsigned long a0 __asm__("a0") = this_hart()->id;
  register unsigned long a1 __asm__("a1") = arg;
  __asm__ volatile("mret" :: "r"(a0), "r"(a1) : "memory");
  __builtin_unreachable();
}

void hart_hang(void) {
  csr_write(CSR_MIE, 0);
  for (;;) wfi();
}

void hsm_wait_for_start(void) {
  struct hart *h = this_hart();
  csr_write(CSR_MIE, MIP_MSIP);
  for (;;) {
    ipi_process(h);
    if (__atomic_load_n(&h->hsm_state, __ATOMIC_ACQUIRE) == SBI_HSM_START_PENDING) break;
    wfi();
  }
  csr_clear(CSR_MIP, MIP_SSIP);
  __atomic_store_n(&h->hsm_state, SBI_HSM_STARTED, __ATOMIC_RELEASE);
  hart_enter(h->start_addr, h->start_mode, h->start_arg);
}

struct sbiret hsm_hart_start(unsigned long hartid, unsigned long addr, unsigned long opaque) {
  if (!hart_present(hartid)) return (struct sbiret){ SBI_ERR_INVALID_PARAM, 0 };
  if (m_only(addr)) return (struct sbiret){ SBI_ERR_INVALID_ADDRESS, 0 };
  struct hart *t = &harts[hartid];
  for (;;) {
    uint32_t state = __atomic_load_n(&t->hsm_state, __ATOMIC_ACQUIRE);
    if (state != SBI_HSM_STOPPED && !stale(hartid, state))
      return (struct sbiret){ state == SBI_HSM_STARTED ? SBI_ERR_ALREADY_AVAILABLE : SBI_ERR_INVALID_PARAM, 0 };
    /* (the hart may be arriving right now and turn a stale state into STOPPED: then try again) */
    if (__atomic_compare_exchange_n(&t->hsm_state, &state, HSM_CLAIMED, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) break;
  }
  t->start_addr = addr;
  t->start_arg = opaque;
  t->start_mode = PRV_S;
  __atomic_store_n(&t->hsm_state, SBI_HSM_START_PENDING, __ATOMIC_RELEASE);
  ipi_kick(hartid);
  return (struct sbiret){ SBI_SUCCESS, 0 };
}

struct sbiret hsm_hart_stop(void) {
  struct hart *h = this_hart();
  uint32_t state = SBI_HSM_STARTED;
  if (!__atomic_compare_exchange_n(&h->hsm_state, &state, SBI_HSM_STOPPED, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
    return (struct sbiret){ SBI_ERR_FAILED, 0 };
  hart_park(h->stack_top);
}

struct sbiret hsm_hart_get_status(unsigned long hartid) {
  if (!hart_present(hartid)) return (struct sbiret){ SBI_ERR_INVALID_PARAM, 0 };
  return (struct sbiret){ SBI_SUCCESS, hsm_state(hartid) };
}

/* Sleeps until an interrupt S-mode enabled is pending, answering IPIs and the emulated timer. */
static void wait_for_s_interrupt(struct hart *h) {
  const unsigned long s_irqs = MIP_SSIP | MIP_STIP | MIP_SEIP;
  for (;;) {
    ipi_process(h);
    unsigned long pending = csr_read(CSR_MIP) & csr_read(CSR_MIE);
    if (pending & MIP_MTIP) timer_machine_interrupt();
    if (csr_read(CSR_MIP) & csr_read(CSR_MIE) & s_irqs) return;
    wfi();
  }
}

struct sbiret hsm_hart_suspend(unsigned long type, unsigned long resume_addr, unsigned long opaque) {
  struct hart *h = this_hart();
  if (type > 0xffffffffUL) return (struct sbiret){ SBI_ERR_INVALID_PARAM, 0 };
  int retentive = type < 0x80000000UL;
  unsigned long kind = type & 0x7fffffffUL;
  if (kind != 0) return (struct sbiret){ kind < 0x10000000UL ? SBI_ERR_INVALID_PARAM : SBI_ERR_NOT_SUPPORTED, 0 };
  if (!retentive && m_only(resume_addr)) return (struct sbiret){ SBI_ERR_INVALID_ADDRESS, 0 };
  __atomic_store_n(&h->hsm_state, SBI_HSM_SUSPENDED, __ATOMIC_RELEASE);
  wait_for_s_interrupt(h);
  __atomic_store_n(&h->hsm_state, SBI_HSM_STARTED, __ATOMIC_RELEASE);
  if (!retentive) hart_enter(resume_addr, PRV_S, opaque);
  return (struct sbiret){ SBI_SUCCESS, 0 };
}
