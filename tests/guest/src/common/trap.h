/* Trap handling shared by all guests.
 *
 * Expected traps: call trap_expect(), run the faulting instruction (usually a
 * probe_* helper), then look at trap_last. The handler resumes at
 * trap_resume_pc if set (one-shot), at the caller (ra) for instruction-fetch
 * faults (probe_fetch jumps with jalr ra), else after the trapping instruction.
 * Any trap that is not expected and not an interrupt with a hook installed is
 * reported as a FAIL and ends the guest. */
#ifndef TRAP_H
#define TRAP_H
#include <stdint.h>
#include "csr.h"

struct trap_frame {
  uint64_t x[32];
  uint64_t epc, status, cause, tval;
};

struct trap_record {
  uint64_t count;        /* traps recorded since trap_expect() */
  uint64_t cause;
  uint64_t tval;
  uint64_t epc;
  uint64_t from_mode;    /* privilege the trap was taken from (xPP) */
  uint64_t handler_mode; /* PRV_M or PRV_S: which handler took it */
};

extern volatile struct trap_record trap_last;
extern volatile uint64_t trap_armed;
extern volatile uint64_t trap_resume_pc;

/* Interrupt hooks: called for interrupts taken in M (resp. S) mode. */
typedef void (*irq_hook_t)(struct trap_frame *f, uint64_t cause);
extern volatile irq_hook_t m_irq_hook;
extern volatile irq_hook_t s_irq_hook;

void trap_expect(void);
void switch_mode(int mode);
void s_trap_entry(void);
void trap_entry(void);

/* Check that exactly one trap with this cause/tval happened since trap_expect()
 * and was handled in handler_mode. `what` labels FAIL lines. */
void check_trap(const char *what, uint64_t cause, uint64_t tval, uint64_t handler_mode);
/* Same but does not check tval. */
void check_trap_cause(const char *what, uint64_t cause, uint64_t handler_mode);
/* Check that no trap happened since trap_expect() (and disarm). */
void check_no_trap(const char *what);

/* Single-instruction probes (probe.S). Loads return the loaded value; when the
 * access traps the return value is meaningless. */
uint64_t probe_lb(uintptr_t a), probe_lh(uintptr_t a), probe_lw(uintptr_t a), probe_ld(uintptr_t a);
uint64_t probe_lbu(uintptr_t a), probe_lhu(uintptr_t a), probe_lwu(uintptr_t a);
void probe_sb(uintptr_t a, uint64_t v), probe_sh(uintptr_t a, uint64_t v);
void probe_sw(uintptr_t a, uint64_t v), probe_sd(uintptr_t a, uint64_t v);
/* Jump to addr with ra = return address; code there must `ret` (or fault). */
uint64_t probe_fetch(uintptr_t a);
uint64_t probe_amoadd_w(uintptr_t a, uint64_t v), probe_amoadd_d(uintptr_t a, uint64_t v);
uint64_t probe_amoswap_w(uintptr_t a, uint64_t v), probe_amoswap_d(uintptr_t a, uint64_t v);
uint64_t probe_lr_w(uintptr_t a), probe_lr_d(uintptr_t a);
uint64_t probe_sc_w(uintptr_t a, uint64_t v), probe_sc_d(uintptr_t a, uint64_t v);
/* Load through MPRV-style translation is done by the caller setting mstatus. */

#endif
