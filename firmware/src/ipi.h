/* Inter-hart requests: SBI IPIs (supervisor software interrupts) and remote fences (RFENCE). */
#ifndef TSEMU_SBI_IPI_H
#define TSEMU_SBI_IPI_H

#include "hart.h"

/* Takes and performs this hart's pending requests; called on every machine software interrupt and
   by every wait loop (a hart waiting for others must still answer them). */
void ipi_process(struct hart *h);
/* Raises hart `hartid`'s machine software interrupt (CLINT msip). */
void ipi_kick(unsigned long hartid);

/* The harts of an SBI hart mask: hbase == -1 means every hart. Error if hbase is out of range. */
struct sbiret ipi_send_mask(unsigned long hmask, unsigned long hbase);
/* `what`: IPI_FENCE_I or IPI_SFENCE_VMA; returns once every hart named has done it. */
struct sbiret ipi_fence_mask(unsigned long hmask, unsigned long hbase, uint32_t what);

#endif
