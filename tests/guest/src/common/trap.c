/* C side of the M- and S-mode trap handlers (see trap.h for the protocol). */
#include "trap.h"
#include "test.h"

#define SWITCH_MODE_MAGIC 0x5357

volatile struct trap_record trap_last;
volatile uint64_t trap_armed;
volatile uint64_t trap_resume_pc;
volatile irq_hook_t m_irq_hook;
volatile irq_hook_t s_irq_hook;

void trap_expect(void) {
  trap_last.count = 0;
  trap_last.cause = ~0UL;
  trap_last.tval = ~0UL;
  trap_last.epc = ~0UL;
  trap_last.from_mode = ~0UL;
  trap_last.handler_mode = ~0UL;
  trap_armed = 1;
  __asm__ volatile("" ::: "memory");
}

static int is_ecall(uint64_t cause) {
  return cause == CAUSE_USER_ECALL || cause == CAUSE_SUPERVISOR_ECALL || cause == CAUSE_MACHINE_ECALL;
}

static int is_fetch_fault(uint64_t cause) {
  return cause == CAUSE_FETCH_ACCESS || cause == CAUSE_FETCH_PAGE_FAULT || cause == CAUSE_MISALIGNED_FETCH;
}

/* Where to resume after an expected exception. Reading the instruction at epc
 * to find its length is safe because guests keep code identity-mapped. */
static uint64_t resume_pc(struct trap_frame *f) {
  if (trap_resume_pc) {
    uint64_t pc = trap_resume_pc;
    trap_resume_pc = 0;
    return pc;
  }
  if (is_fetch_fault(f->cause)) return f->x[1];
  uint16_t low = *(volatile uint16_t *)f->epc;
  return f->epc + ((low & 3) == 3 ? 4 : 2);
}

static void record(struct trap_frame *f, uint64_t from_mode, uint64_t handler_mode) {
  trap_last.count++;
  trap_last.cause = f->cause;
  trap_last.tval = f->tval;
  trap_last.epc = f->epc;
  trap_last.from_mode = from_mode;
  trap_last.handler_mode = handler_mode;
}

static void __attribute__((noreturn)) unexpected(const char *who, struct trap_frame *f) {
  kprintf("FAIL %s: unexpected trap in %s handler cause=0x%lx epc=0x%lx tval=0x%lx\n", test_current_name(),
          who, f->cause, f->epc, f->tval);
  guest_exit(0x7e);
}

void m_trap_handler(struct trap_frame *f) {
  uint64_t from = (f->status & MSTATUS_MPP) >> MSTATUS_MPP_SHIFT;
  if (f->cause & CAUSE_INTERRUPT) {
    if (!m_irq_hook) unexpected("M", f);
    m_irq_hook(f, f->cause);
    return;
  }
  if (is_ecall(f->cause) && f->x[17] == SWITCH_MODE_MAGIC) {
    f->status = (f->status & ~MSTATUS_MPP) | ((f->x[10] & 3) << MSTATUS_MPP_SHIFT);
    f->epc += 4;
    return;
  }
  if (!trap_armed) unexpected("M", f);
  record(f, from, PRV_M);
  f->epc = resume_pc(f);
}

void s_trap_handler(struct trap_frame *f) {
  uint64_t from = (f->status & MSTATUS_SPP) ? PRV_S : PRV_U;
  if (f->cause & CAUSE_INTERRUPT) {
    if (!s_irq_hook) unexpected("S", f);
    s_irq_hook(f, f->cause);
    return;
  }
  if (is_ecall(f->cause) && f->x[17] == SWITCH_MODE_MAGIC && f->x[10] != PRV_M) {
    f->status = (f->status & ~MSTATUS_SPP) | ((f->x[10] & 1) ? MSTATUS_SPP : 0);
    f->epc += 4;
    return;
  }
  if (!trap_armed) unexpected("S", f);
  record(f, from, PRV_S);
  f->epc = resume_pc(f);
}

void check_trap(const char *what, uint64_t cause, uint64_t tval, uint64_t handler_mode) {
  check_trap_cause(what, cause, handler_mode);
  CHECK_EQ(trap_last.tval, tval, "%s: tval", what);
}

void check_trap_cause(const char *what, uint64_t cause, uint64_t handler_mode) {
  trap_armed = 0;
  CHECK_EQ(trap_last.count, 1, "%s: trap count", what);
  CHECK_EQ(trap_last.cause, cause, "%s: cause", what);
  CHECK_EQ(trap_last.handler_mode, handler_mode, "%s: handled in mode", what);
}

void check_no_trap(const char *what) {
  trap_armed = 0;
  CHECK_EQ(trap_last.count, 0, "%s: unexpected trap (cause 0x%lx)", what, trap_last.cause);
}
