/*
 * The harts other than the boot hart: they report how they entered the guest, then run the
 * commands the boot hart posts in their mailbox, with supervisor software and timer interrupts
 * enabled (the trap handler counts them). They never print.
 */
#include "test.h"

struct slot slots[MAX_HARTS];
struct entry_report entry;
volatile unsigned long entry_seq;
volatile unsigned long sv39_step, sv39_done;
volatile unsigned long sv39_seen[4];

static struct slot *my_slot(void) { return &slots[hart_id() & (MAX_HARTS - 1)]; }

static void interrupts_on(void) {
  csr_set(CSR_SIE, SIE_SSIE | SIE_STIE);
  csr_set(CSR_SSTATUS, SSTATUS_SIE);
}

static void satp_on(unsigned long satp) {
  csr_write(CSR_SATP, satp);
  sfence_vma();
}

static void satp_off(void) {
  csr_write(CSR_SATP, 0);
  sfence_vma();
}

static void suspend_ipi(struct slot *s) {
  csr_clear(CSR_SSTATUS, SSTATUS_SIE);
  csr_clear(CSR_SIP, SIP_SSIP);
  struct sbiret r = sbi_hart_suspend(SUSPEND_RET, 0, 0);
  s->r[0] = (unsigned long)r.error;
  s->r[1] = csr_read(CSR_SIP) & SIP_SSIP;
  csr_clear(CSR_SIP, SIP_SSIP);
  csr_set(CSR_SSTATUS, SSTATUS_SIE);
}

static void suspend_timer(struct slot *s) {
  csr_clear(CSR_SSTATUS, SSTATUS_SIE);
  s->r[3] = (unsigned long)sbi_set_timer(rdtime() + MS).error;
  struct sbiret r = sbi_hart_suspend(SUSPEND_RET, 0, 0);
  s->r[0] = (unsigned long)r.error;
  s->r[1] = csr_read(CSR_SIP) & SIP_STIP;
  sbi_set_timer(-1UL);
  s->r[2] = csr_read(CSR_SIP) & SIP_STIP;
  csr_set(CSR_SSTATUS, SSTATUS_SIE);
}

/* Only returns if the suspend failed; otherwise the hart comes back at resume_entry. */
static void suspend_non_retentive(struct slot *s) {
  csr_clear(CSR_SSTATUS, SSTATUS_SIE);
  satp_on(s->arg);
  struct sbiret r = sbi_hart_suspend(SUSPEND_NON_RET, (unsigned long)resume_entry, s->arg2);
  satp_off();
  s->r[0] = (unsigned long)r.error;
  csr_set(CSR_SSTATUS, SSTATUS_SIE);
}

static void fence_storm(struct slot *s) {
  unsigned long errors = 0;
  for (unsigned long i = 0; i < s->arg2; i++) {
    if (sbi2(EXT_RFENCE, 0, s->arg, 0).error) errors++;
    if (sbi_call(EXT_RFENCE, 1, s->arg, 0, 0, -1UL, 0).error) errors++;
  }
  s->r[0] = errors;
}

/* The other half of the boot hart's Sv39 check (main.c): read the page whenever it says so. */
static void sv39_reader(struct slot *s) {
  satp_on(s->arg);
  for (unsigned long k = 0; k < 4; k++) {
    while (sv39_step != k) {
    }
    __sync_synchronize();
    sv39_seen[k] = *(volatile unsigned long *)VIRT_PAGE;
    __sync_synchronize();
    sv39_done = k + 1;
  }
  satp_off();
}

static void __attribute__((noreturn)) command_loop(struct slot *s) {
  for (;;) {
    unsigned long seq;
    while ((seq = s->seq) == s->ack) {
    }
    __sync_synchronize();
    switch (s->cmd) {
    case CMD_STOP:
      csr_clear(CSR_SSTATUS, SSTATUS_SIE);
      if (s->arg) satp_on(s->arg);
      s->r[0] = (unsigned long)sbi_hart_stop().error;   /* only if it failed */
      satp_off();
      csr_set(CSR_SSTATUS, SSTATUS_SIE);
      break;
    case CMD_SUSPEND_IPI: suspend_ipi(s); break;
    case CMD_SUSPEND_TIMER: suspend_timer(s); break;
    case CMD_SUSPEND_NON_RET: suspend_non_retentive(s); break;
    case CMD_FENCE_STORM: fence_storm(s); break;
    case CMD_SV39: sv39_reader(s); break;
    default: break;
    }
    __sync_synchronize();
    s->ack = seq;
  }
}

void secondary_start(unsigned long hart, unsigned long opaque, unsigned long satp, unsigned long sstatus,
                     unsigned long resumed, unsigned long sip) {
  struct slot *s = my_slot();
  entry.a0 = hart;
  entry.a1 = opaque;
  entry.satp = satp;
  entry.sstatus = sstatus;
  entry.sip = sip;
  entry.resumed = resumed;
  /* the IPI that ended a non-retentive suspend may still be pending: it is not one to count */
  if (resumed) csr_clear(CSR_SIP, SIP_SSIP);
  __sync_synchronize();
  __atomic_fetch_add(&entry_seq, 1, __ATOMIC_SEQ_CST);
  /* a command that ended in hart_stop or a non-retentive suspend is done */
  s->r[0] = 0;
  __sync_synchronize();
  s->ack = s->seq;
  interrupts_on();
  command_loop(s);
}

struct frame {
  unsigned long ra, t0, t1, t2, a0, a1, a2, a3, a4, a5, a6, a7, t3, t4, t5, t6;
};

void s_trap(struct frame *f) {
  struct slot *s = my_slot();
  unsigned long cause = csr_read(CSR_SCAUSE);
  if (cause == (SCAUSE_INTERRUPT | IRQ_S_SOFT)) {
    csr_clear(CSR_SIP, SIP_SSIP);
    s->ssi_count++;
    return;
  }
  if (cause == (SCAUSE_INTERRUPT | IRQ_S_TIMER)) {
    s->sti_cause = cause;
    s->sti_time = rdtime();
    s->sti_count++;
    sbi_set_timer(-1UL);
    return;
  }
  unsigned long epc = csr_read(CSR_SEPC);
  if (!(cause & SCAUSE_INTERRUPT) && s->expect_trap) {
    s->trap_cause = cause;
    s->trap_epc = epc;
    s->trap_tval = csr_read(CSR_STVAL);
    s->trap_sstatus = csr_read(CSR_SSTATUS);
    s->expect_trap = 0;
    csr_write(CSR_SEPC, epc + 4);
    f->a0 = TRAP_MARK;
    return;
  }
  if (hart_id() == boot_hart) {
    say("FAIL unexpected_trap: scause got %x expected none (sepc %x stval %x)\n", cause, epc, csr_read(CSR_STVAL));
    failed++;
    finish();
  }
  /* another hart: stop here; the boot hart notices the missing answer */
  csr_clear(CSR_SIE, -1UL);
  for (;;) __asm__ volatile("wfi");
}
