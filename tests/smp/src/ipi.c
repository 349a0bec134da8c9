/* Inter-processor interrupts through the CLINT msip registers.
 *
 * An IPI carries no sender, so a sender first posts mail[receiver][sender]
 * and then raises the receiver's msip. The receiver's handler clears its msip
 * *before* scanning its mailbox (a later IPI then raises a new interrupt
 * instead of being lost) and acknowledges each posted mail in the matrices
 * below, recording its own mhartid.
 *
 * Phase 1, every pair: each hart sends to every other hart, one at a time,
 * waiting for the acknowledgement (with interrupts enabled, so it keeps
 * serving the IPIs sent to it; several senders hit hart 0 first, so
 * interrupts coalesce).
 * Phase 2, wake from WFI: each hart in turn broadcasts to all others, which
 * sleep in WFI until their handler has acknowledged it.
 * Every ordered pair (sender != receiver) must end with exactly 2
 * acknowledgements by the right hart; nobody acknowledges itself. */
#include "smp.h"

#define PHASES 2

static volatile uint32_t mail[SMP_MAX_HARTS][SMP_MAX_HARTS];       /* [receiver][sender] */
static volatile uint32_t acked_by[SMP_MAX_HARTS][SMP_MAX_HARTS];   /* [sender][receiver] = mhartid + 1 */
static volatile uint32_t ack_count[SMP_MAX_HARTS][SMP_MAX_HARTS];  /* [sender][receiver] */

static void on_irq(unsigned hart, uint64_t cause) {
  if (cause == (CAUSE_INTERRUPT | IRQ_M_TIMER)) smp_fail("no IPI arrived within %u ms", SMP_TIMEOUT_MS);
  if (cause != (CAUSE_INTERRUPT | IRQ_M_SOFT)) smp_fail("unexpected interrupt, mcause 0x%lx", cause);
  smp_clear_ipi(hart);
  SMP_FENCE(iorw, iorw);
  for (unsigned s = 0; s < smp_nharts; s++) {
    if (mail[hart][s] && amoswap_w(&mail[hart][s], 0)) {
      acked_by[s][hart] = smp_hartid() + 1;
      store_release32(&ack_count[s][hart], ack_count[s][hart] + 1);
    }
  }
}

static void post(unsigned sender, unsigned receiver) {
  store_release32(&mail[receiver][sender], 1);
  SMP_FENCE(w, o);
  smp_send_ipi(receiver);
}

static void every_pair(unsigned hart, unsigned nharts) {
  for (unsigned r = 0; r < nharts; r++) {
    if (r == hart) continue;
    post(hart, r);
    smp_wait_eq32(&ack_count[hart][r], 1, "phase 1 acknowledgement");
  }
}

static void broadcast_to_sleepers(unsigned hart, unsigned nharts) {
  for (unsigned s = 0; s < nharts; s++) {
    smp_barrier();
    if (hart == s) {
      for (unsigned r = 0; r < nharts; r++)
        if (r != s) store_release32(&mail[r][s], 1);
      SMP_FENCE(w, o);
      for (unsigned r = 0; r < nharts; r++)
        if (r != s) smp_send_ipi(r);
      for (unsigned r = 0; r < nharts; r++)
        if (r != s) smp_wait_eq32(&ack_count[s][r], PHASES, "phase 2 acknowledgement");
    } else {
      /* a lost IPI would leave us asleep: the timer bounds the wait */
      smp_set_mtimecmp(hart, smp_deadline_ms(SMP_TIMEOUT_MS));
      smp_irq_enable(MIP_MSIP | MIP_MTIP);
      smp_sleep_until_ge32(&ack_count[s][hart], PHASES, "phase 2 IPI");
      smp_irq_enable(MIP_MSIP);
      smp_set_mtimecmp(hart, ~0UL);
    }
  }
}

static void run(unsigned hart, unsigned nharts) {
  smp_set_irq_handler(hart, on_irq);
  smp_irq_enable(MIP_MSIP);
  smp_barrier();
  every_pair(hart, nharts);
  smp_barrier();
  broadcast_to_sleepers(hart, nharts);
  smp_barrier();
}

static void check(unsigned nharts) {
  uint32_t pairs = 0;
  for (unsigned s = 0; s < nharts; s++) {
    for (unsigned r = 0; r < nharts; r++) {
      if (s == r) {
        CHECK_EQ(ack_count[s][r], 0, "hart %u acknowledged an IPI from itself", r);
        continue;
      }
      CHECK_EQ(ack_count[s][r], PHASES, "IPI %u -> %u acknowledgements", s, r);
      CHECK_EQ(acked_by[s][r], r + 1, "IPI %u -> %u handled on hart (+1)", s, r);
      CHECK_EQ(mail[r][s], 0, "IPI %u -> %u mail left unread", s, r);
      if (ack_count[s][r] == PHASES && acked_by[s][r] == r + 1) pairs++;
    }
  }
  CHECK_EQ(pairs, nharts * (nharts - 1), "ordered hart pairs with both IPIs acknowledged");
  for (unsigned h = 0; h < nharts; h++) CHECK_EQ(MMIO32(CLINT_MSIP(h)), 0, "msip of hart %u clear", h);
}

SMP_TEST("ipi", run, check);
