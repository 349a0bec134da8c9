/* Traps taken in M-mode: the frame entry.S saves, the dispatcher, and redirection to S-mode. */
#ifndef TSEMU_SBI_TRAP_H
#define TSEMU_SBI_TRAP_H

#define REG_RA 1
#define REG_SP 2
#define REG_A0 10
#define REG_A1 11
#define REG_A2 12
#define REG_A3 13
#define REG_A4 14
#define REG_A5 15
#define REG_A6 16
#define REG_A7 17

struct trap_frame {
  unsigned long regs[32];   /* x0 .. x31 as they were when the trap was taken (regs[0] unused) */
  unsigned long mepc;
  unsigned long mstatus;
};

void trap_handler(struct trap_frame *f);
/* Hands the trap `cause`/`tval` to S-mode's trap vector, as if it had been delegated. */
void trap_redirect(struct trap_frame *f, unsigned long cause, unsigned long tval);
/* Loads a word S-mode can read at virtual address `addr` (MPRV); 0 or the trap cause. */
unsigned long load_s_ulong(unsigned long addr, unsigned long *value);
/* The ecall dispatcher (ecall.c); returns 0 when the frame already says where S-mode resumes. */
int sbi_ecall(struct trap_frame *f);

void __attribute__((noreturn)) fatal(const char *what, unsigned long a, unsigned long b, unsigned long c);

#endif
