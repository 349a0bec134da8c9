/* Inter-processor interrupts through the CLINT msip registers.
 *
 * An IPI carries no data, so a sender first posts mail[receiver][sender] and
 * then raises the receiver's msip. The receiver's handler clears its msip
 * *before* scanning its mailbox (an IPI raised after the clear is a new
 * interrupt, not lost), acknowledges each posted mail in ack_count and
 * acked_by (recording its own mhartid), and sends a wake-up IPI back to the
 * sender. Every wait is a sleep in WFI (smp_sleep_until_ge32), so each
 * acknowledgement and each turn is also a WFI wake-up by IPI.
 *
 * Phase 1, every ordered pair: each hart sends to every other hart in turn,
 * sleeping until that receiver acknowledged (and serving the IPIs sent to it
 * meanwhile; all harts start with hart 0, so interrupts coalesce there).
 * Phase 2, broadcasts: hart s waits for its turn (an IPI from hart s - 1),
 * raises the msip of all other harts at once, sleeps until all acknowledged,
 * then passes the turn on.
 * Every ordered pair (sender != receiver) must end with exactly 2
 * acknowledgements by the right hart; nobody acknowledges itself. A timer
 * armed for SMP_TIMEOUT_MS on every hart turns a lost IPI into a FAIL. */
#include "smp.h"

#define PHASES 2

static volatile uint32_t mail[SMP_MAX_HARTS][SMP_MAX_HARTS];       /* [receiver][sender] */
static volatile uint32_t acked_by[SMP_MAX_HARTS][SMP_MAX_HARTS];   /* [sender][receiver] = mhartid + 1 */
static volatile uint32_t ack_count[SMP_MAX_HARTS][SMP_MAX_HARTS];  /* [sender][receiver] */
static volatile uint32_t turn;                                     /* phase 2: whose broadcast */

static void on_irq(unsigned hart, uint64_t cause) {
  if (cause == (CAUSE_INTERRUPT | IRQ_M_TIMER)) smp_fail("no IPI arrived within %u ms", SMP_TIMEOUT_MS);
  if (cause != (CAUSE_INTERRUPT | IRQ_M_SOFT)) smp_fail("unexpected interrupt, mcause 0x%lx", cause);
  smp_clear_ipi(hart);
  SMP_FENCE(iorw, iorw);
  for (unsigned s = 0; s < smp_nharts; s++) {
    if (mail[hart][s] && amoswap_w(&mail[hart][s], 0)) {
      acked_by[s][hart] = smp_hartid() + 1;
      store_release32(&ack_count[s][hart], ack_count[s][hart] + 1);
      SMP_FENCE(w, o);
      smp_send_ipi(s); /* wake the sender */
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
    smp_sleep_until_ge32(&ack_count[hart][r], 1, "a phase 1 acknowledgement");
  }
}

static void broadcasts(unsigned hart, unsigned nharts) {
  for (unsigned s = 0; s < nharts; s++) {
    if (hart != s) {
      smp_sleep_until_ge32(&ack_count[s][hart], PHASES, "a phase 2 broadcast");
      continue;
    }
    smp_sleep_until_ge32(&turn, s, "our turn to broadcast");
    for (unsigned r = 0; r < nharts; r++)
      if (r != s) store_release32(&mail[r][s], 1);
    SMP_FENCE(w, o);
    for (unsigned r = 0; r < nharts; r++)
      if (r != s) smp_send_ipi(r);
    for (unsigned r = 0; r < nharts; r++)
      if (r != s) smp_sleep_until_ge32(&ack_count[s][r], PHASES, "a phase 2 acknowledgement");
    store_release32(&turn, s + 1);
    SMP_FENCE(w, o);
    if (s + 1 < nharts) smp_send_ipi(s + 1);
  }
}

static void run(unsigned hart, unsigned nharts) {
  smp_set_irq_handler(hart, on_irq);
  smp_set_mtimecmp(hart, smp_deadline_ms(SMP_TIMEOUT_MS));
  smp_irq_enable(MIP_MSIP | MIP_MTIP);
  smp_barrier();
  every_pair(hart, nharts);
  smp_barrier();
  broadcasts(hart, nharts);
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
  CHECK_EQ(turn, nharts, "broadcast turns taken");
}

SMP_TEST("ipi", run, check);
