/* The supervisor timer: Sstc's stimecmp when the hart has it, else mtimecmp and MTIP -> STIP. */
#ifndef TSEMU_SBI_TIMER_H
#define TSEMU_SBI_TIMER_H

void timer_set(unsigned long when);
/* Machine timer interrupt (only without Sstc): pass it on to S-mode as STIP. */
void timer_machine_interrupt(void);

#endif
