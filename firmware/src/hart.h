/*
 * Per-hart state. Every hart finds its own `struct hart` through mscratch (and `tp` while it runs
 * firmware code): the trap entry reads the stack top from it, HSM keeps the hart's state there, and
 * other harts post IPI requests into it.
 */
#ifndef TSEMU_SBI_HART_H
#define TSEMU_SBI_HART_H

#include "platform.h"

/* Offsets used by entry.S (checked against offsetof in hart.c). */
#define HART_STACK_TOP 0
#define HART_TMP0      8
#define HART_SIZE      128

#ifndef __ASSEMBLER__
#include <stdint.h>
#include "sbi.h"

struct hart {
  unsigned long stack_top;          /* HART_STACK_TOP: where a trap from S/U mode puts its frame */
  unsigned long tmp0;               /* HART_TMP0: trap entry spills t0 here */
  unsigned long id;
  volatile uint32_t hsm_state;      /* SBI_HSM_* */
  volatile uint32_t ipi_pending;    /* IPI_* bits other harts post (amoor) and this hart takes (amoswap) */
  volatile uint32_t fence_requested; /* fence requests posted so far (tickets) */
  volatile uint32_t fence_done;     /* fence requests completed (the ticket seen before the last fence) */
  volatile uint32_t fence_waiters;  /* harts (bit = hart id) sleeping until this hart's fences are done */
  unsigned long start_addr;         /* hart_start / non-retentive resume: where S-mode starts */
  unsigned long start_arg;          /*   and its a1 */
  unsigned long start_mode;         /*   and its privilege (PRV_S, or the boot hart's next_mode) */
  unsigned long timer_via_clint;    /* no Sstc: the S timer is emulated with mtimecmp and MTIP */
  uint32_t generation;              /* the hot-plug controller's GENERATION when the hart arrived */
  /* A load from S-mode memory that may fault (legacy calls pass pointers): the trap handler skips
     the faulting instruction and records the cause here instead of stopping. */
  volatile unsigned long trap_expected;
  volatile unsigned long trap_cause;
} __attribute__((aligned(HART_SIZE)));   /* entry.S indexes harts[] with HART_SIZE */

#define IPI_SSIP       (1u << 0)   /* raise the supervisor software interrupt */
#define IPI_FENCE_I    (1u << 1)
#define IPI_SFENCE_VMA (1u << 2)

extern struct hart harts[MAX_HARTS];

static inline struct hart *this_hart(void) {
  struct hart *h;
  __asm__("mv %0, tp" : "=r"(h));
  return h;
}

/* Harts the board has now: the device tree's cpus, or the hot-plug controller's PRESENT mask. */
int hart_present(unsigned long hartid);
/* Records which plug-in of this hart is running (tsemu's hot-plug controller counts them). */
void hart_arrived(struct hart *h);
/*
 * The HSM state of a hart; a state a hart had before it was unplugged and plugged in again (it
 * restarted at the reset vector and has not reached the firmware yet) reads as STOPPED.
 */
uint32_t hsm_state(unsigned long hartid);
/* Per-hart machine state as OpenSBI sets it: delegation, counters, PMP, menvcfg, mtvec, mie. */
void hart_init(struct hart *h);
/* Leaves M-mode for `mode` at `addr` with a0 = hart id, a1 = arg (satp = 0, S interrupts off). */
void __attribute__((noreturn)) hart_enter(unsigned long addr, unsigned long mode, unsigned long arg);
/* A stopped hart: sleeps until hart_start makes it START_PENDING, then enters S-mode. */
void __attribute__((noreturn)) hsm_wait_for_start(void);
/* Stops and hangs the calling hart for good (after a firmware error), interrupts off. */
void __attribute__((noreturn)) hart_hang(void);
/* hart_stop: resets the M-mode stack and calls hsm_wait_for_start (entry.S). */
void __attribute__((noreturn)) hart_park(unsigned long stack_top);

struct sbiret hsm_hart_start(unsigned long hartid, unsigned long addr, unsigned long opaque);
struct sbiret hsm_hart_stop(void);
struct sbiret hsm_hart_get_status(unsigned long hartid);
struct sbiret hsm_hart_suspend(unsigned long type, unsigned long resume_addr, unsigned long opaque);

/* Board facts the cold-boot hart read from the device tree. */
extern unsigned long fdt_hart_mask;    /* bit h: cpu@h is in /cpus and enabled */
extern int have_hotplug;               /* the tsemu,cpu-hotplug controller exists */
extern unsigned long ram_base, ram_size;

#endif
#endif
