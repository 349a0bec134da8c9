/*
 * What the boot hart (main.c) and the other harts (harts.c) share: one mailbox per hart through
 * which the boot hart runs commands on it, what a hart reports when it enters the guest, the
 * interrupt counts of the S-mode trap handler, and the output helpers (print.c).
 */
#ifndef SBI_TEST_TEST_H
#define SBI_TEST_TEST_H

#include "sbi.h"

#define MAX_HARTS 8          /* hart ids the guest serves (the test runs at -smp 4) */
#define NHARTS 4             /* harts the test expects: 0 (boot) and 1..3 */
#define TIMEBASE 10000000UL  /* virt's timebase-frequency */
#define MS (TIMEBASE / 1000)
/* A hart that does not answer within this much guest time has failed. */
#define TIMEOUT (10UL * TIMEBASE)

/* Commands the boot hart posts in a hart's mailbox (harts.c runs them). */
enum command {
  CMD_NOP,
  CMD_STOP,              /* arg: satp to leave set (0: none); sbi_hart_stop */
  CMD_SUSPEND_IPI,       /* retentive suspend with S interrupts off, woken by an IPI */
  CMD_SUSPEND_TIMER,     /* retentive suspend woken by this hart's own timer */
  CMD_SUSPEND_NON_RET,   /* arg: satp to leave set, arg2: opaque; non-retentive suspend */
  CMD_FENCE_STORM,       /* arg: hart mask to fence, arg2: rounds */
  CMD_SV39,              /* arg: satp; read VIRT_PAGE at every step the boot hart allows */
};

struct slot {
  volatile unsigned long cmd, arg, arg2;
  volatile unsigned long seq;   /* the boot hart bumps it after writing cmd/arg */
  volatile unsigned long ack;   /* the hart sets it to seq once the command is done */
  volatile unsigned long r[4];  /* command results */
  /* S-mode trap handler */
  volatile unsigned long ssi_count, sti_count;
  volatile unsigned long sti_cause, sti_time;
  volatile unsigned long expect_trap;   /* 1: the next exception is a probe's (skip the instruction) */
  volatile unsigned long trap_cause, trap_epc, trap_tval, trap_sstatus;
} __attribute__((aligned(64)));

extern struct slot slots[MAX_HARTS];

/* What the last hart to enter the guest (hart_start or non-retentive resume) found. */
struct entry_report {
  volatile unsigned long a0, a1, satp, sstatus, sip, resumed;
};
extern struct entry_report entry;
extern volatile unsigned long entry_seq;   /* bumped after every report */

/* The Sv39 check: a 4 KiB page at VIRT_PAGE, first mapped to page_a, then to page_b. */
#define VIRT_PAGE 0x40123000UL
extern volatile unsigned long sv39_step, sv39_done;
extern volatile unsigned long sv39_seen[4];

/* Entry points in start.S. */
void hart_entry(void);
void resume_entry(void);
/* Ecall `ext` with a0 = arg at the instruction legacy_probe_ecall (for a fault the firmware redirects). */
long legacy_probe(unsigned long ext, unsigned long arg);
extern char legacy_probe_ecall[];
/* Executes the S-mode-illegal `csrr a0, mstatus` at illegal_probe_insn. */
long illegal_probe(void);
extern char illegal_probe_insn[];
/* See start.S: every register but sp holds a pattern across an ecall; dump gets x0..x31 after it. */
void regs_probe(unsigned long ext, unsigned long fid, unsigned long arg0, unsigned long arg1, unsigned long *dump);
#define REG_PATTERN(i) (0x5ac3000000000000UL | ((unsigned long)(i) << 40) | (0x01010101UL * (unsigned long)(i)))

/* Value the trap handler leaves in a0 when it skips a probe's faulting instruction. */
#define TRAP_MARK 0x7a7a7a7a7a7a7a7aUL

/* print.c: output (through SBI DBCN, a line at a time) and the PASS/FAIL lines. */
void say(const char *fmt, ...);           /* %s %c %d (long) %u %x (unsigned long, 0x...) */
const char *name(const char *fmt, ...);   /* a check name built like say(); valid until the next call */
void pass(const char *check);
void fail(const char *check, const char *what, const char *got, const char *expected);
/* One PASS or FAIL line; values in hex (expect_hex) or signed decimal (expect_dec). Returns got == exp. */
int expect_hex(const char *check, const char *what, unsigned long got, unsigned long exp);
int expect_dec(const char *check, const char *what, long got, long exp);
extern unsigned long passed, failed;

static inline unsigned long hart_id(void) {
  unsigned long tp;
  __asm__("mv %0, tp" : "=r"(tp));
  return tp;
}

/* Spins until `cond` holds or TIMEOUT of guest time passes; 1 if it held. */
#define WAIT_UNTIL(cond) ({ unsigned long t0_ = rdtime(); int ok_ = 1; \
  while (!(cond)) { if (rdtime() - t0_ > TIMEOUT) { ok_ = (cond); break; } } ok_; })

static inline void delay(unsigned long ticks) {
  unsigned long t0 = rdtime();
  while (rdtime() - t0 < ticks) {
  }
}

void secondary_start(unsigned long hart, unsigned long opaque, unsigned long satp, unsigned long sstatus,
                     unsigned long resumed, unsigned long sip);
extern unsigned long boot_hart;
void finish(void) __attribute__((noreturn));

#endif
