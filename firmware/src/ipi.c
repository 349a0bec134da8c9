/*
 * A hart posts requests into another hart's `ipi_pending` (amoor) and raises its CLINT msip; the
 * target clears msip first, then takes the bits (amoswap), so a request posted in between is never
 * lost. Fences are acknowledged with tickets: the sender takes a ticket after posting, the target
 * records the last ticket it saw before performing the fence, and the sender waits until its ticket
 * is done. Only harts that are STARTED or SUSPENDED receive IPIs (OpenSBI's interruptible mask).
 *
 * A sender waiting for a fence sleeps in WFI rather than spinning: it registers in the target's
 * `fence_waiters`, and the target, once `fence_done` is stored, kicks every registered waiter. On
 * an emulator with fewer host cores than harts a spinning sender takes the core the target needs
 * to answer (Linux -smp 4 on tsemu spent most of its IPI time there); on hardware it saves power.
 */
#include "ipi.h"
#include "riscv.h"
#include <stdint.h>

static void post(struct hart *t, uint32_t bits) { __atomic_fetch_or(&t->ipi_pending, bits, __ATOMIC_ACQ_REL); }

void ipi_kick(unsigned long hartid) {
  __atomic_thread_fence(__ATOMIC_RELEASE);
  *(volatile uint32_t *)CLINT_MSIP(hartid) = 1;
}

static void wake_fence_waiters(struct hart *h);

void ipi_process(struct hart *h) {
  *(volatile uint32_t *)CLINT_MSIP(h->id) = 0;
  __atomic_thread_fence(__ATOMIC_SEQ_CST);
  for (;;) {
    uint32_t seen = __atomic_load_n(&h->fence_requested, __ATOMIC_ACQUIRE);
    uint32_t bits = __atomic_exchange_n(&h->ipi_pending, 0, __ATOMIC_ACQ_REL);
    if (bits & IPI_SSIP) csr_set(CSR_MIP, MIP_SSIP);
    if (bits & IPI_FENCE_I) __asm__ volatile("fence.i" ::: "memory");
    if (bits & IPI_SFENCE_VMA) __asm__ volatile("sfence.vma" ::: "memory");
    __atomic_store_n(&h->fence_done, seen, __ATOMIC_RELEASE);
    wake_fence_waiters(h);
    if (__atomic_load_n(&h->fence_requested, __ATOMIC_ACQUIRE) == seen) return;
  }
}

/* After fence_done is stored: a waiter registered before it reads fence_done again when kicked. */
static void wake_fence_waiters(struct hart *h) {
  uint32_t waiters = __atomic_exchange_n(&h->fence_waiters, 0, __ATOMIC_ACQ_REL);
  for (unsigned long w = 0; waiters != 0; w++, waiters >>= 1)
    if (waiters & 1) ipi_kick(w);
}

static int fence_pending(struct hart *t, uint32_t ticket) {
  return (int32_t)(__atomic_load_n(&t->fence_done, __ATOMIC_ACQUIRE) - ticket) < 0;
}

/*
 * Waits until hart t has done ticket. Registering comes before the last check, so a target that
 * finishes after that check sees the registration and kicks us (msip is level: a kick between the
 * check and WFI makes WFI return at once). A hart hot-unplugged meanwhile never answers: stop then.
 */
static void wait_fence(struct hart *self, struct hart *t, uint32_t ticket) {
  while (fence_pending(t, ticket) && hart_present(t->id)) {
    ipi_process(self); /* answer the others while waiting (two harts may fence each other) */
    __atomic_fetch_or(&t->fence_waiters, 1u << self->id, __ATOMIC_ACQ_REL);
    if (!fence_pending(t, ticket)) break;
    wfi();
  }
}

static int interruptible(unsigned long hartid) {
  if (!hart_present(hartid)) return 0;
  uint32_t state = hsm_state(hartid);
  return state == SBI_HSM_STARTED || state == SBI_HSM_SUSPENDED;
}

/*
 * The harts named by (hmask, hbase) that can take an IPI, as a mask over hart ids. A base or a
 * named hart the board does not have is SBI_ERR_INVALID_PARAM (SBI 2.0 hart masks), and then
 * nothing is sent; harts that exist but are not running are skipped (OpenSBI).
 */
static int targets(unsigned long hmask, unsigned long hbase, unsigned long *out) {
  unsigned long m = 0;
  if (hbase == -1UL) {
    for (unsigned long h = 0; h < MAX_HARTS; h++)
      if (interruptible(h)) m |= 1UL << h;
  } else {
    if (!hart_present(hbase)) return SBI_ERR_INVALID_PARAM;
    for (unsigned long i = 0; i < 64; i++) {
      if (!((hmask >> i) & 1)) continue;
      if (!hart_present(hbase + i)) return SBI_ERR_INVALID_PARAM;
      if (interruptible(hbase + i)) m |= 1UL << (hbase + i);
    }
  }
  *out = m;
  return SBI_SUCCESS;
}

struct sbiret ipi_send_mask(unsigned long hmask, unsigned long hbase) {
  unsigned long m;
  int rc = targets(hmask, hbase, &m);
  if (rc) return (struct sbiret){ rc, 0 };
  for (unsigned long h = 0; h < MAX_HARTS; h++) {
    if (!((m >> h) & 1)) continue;
    post(&harts[h], IPI_SSIP);
    ipi_kick(h);
  }
  return (struct sbiret){ SBI_SUCCESS, 0 };
}

struct sbiret ipi_fence_mask(unsigned long hmask, unsigned long hbase, uint32_t what) {
  struct hart *self = this_hart();
  unsigned long m;
  int rc = targets(hmask, hbase, &m);
  if (rc) return (struct sbiret){ rc, 0 };
  uint32_t ticket[MAX_HARTS];
  for (unsigned long h = 0; h < MAX_HARTS; h++) {
    if (!((m >> h) & 1) || h == self->id) continue;
    post(&harts[h], what);
    ticket[h] = __atomic_add_fetch(&harts[h].fence_requested, 1, __ATOMIC_ACQ_REL);
    ipi_kick(h);
  }
  if ((m >> self->id) & 1) {
    if (what & IPI_FENCE_I) __asm__ volatile("fence.i" ::: "memory");
    if (what & IPI_SFENCE_VMA) __asm__ volatile("sfence.vma" ::: "memory");
  }
  for (unsigned long h = 0; h < MAX_HARTS; h++) {
    if (!((m >> h) & 1) || h == self->id) continue;
    wait_fence(self, &harts[h], ticket[h]);
  }
  return (struct sbiret){ SBI_SUCCESS, 0 };
}
