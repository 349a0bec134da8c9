/* SiFive PLIC as configured on QEMU virt: hart h has context 2h (M) and
 * 2h + 1 (S). */
#ifndef PLIC_H
#define PLIC_H
#include "test.h"

#define PLIC_PRIORITY(src) (PLIC_BASE + 4UL * (src))
#define PLIC_PENDING(word) (PLIC_BASE + 0x1000UL + 4UL * (word))
#define PLIC_ENABLE(ctx, word) (PLIC_BASE + 0x2000UL + 0x80UL * (ctx) + 4UL * (word))
#define PLIC_THRESHOLD(ctx) (PLIC_BASE + 0x200000UL + 0x1000UL * (ctx))
#define PLIC_CLAIM(ctx) (PLIC_BASE + 0x200004UL + 0x1000UL * (ctx))
#define PLIC_CTX_M(h) (2 * (h))
#define PLIC_CTX_S(h) (2 * (h) + 1)

static inline int plic_pending(unsigned src) { return (MMIO32(PLIC_PENDING(src / 32)) >> (src % 32)) & 1; }
static inline void plic_enable(unsigned ctx, unsigned src, int on) {
  uint32_t v = MMIO32(PLIC_ENABLE(ctx, src / 32));
  v = on ? (v | (1U << (src % 32))) : (v & ~(1U << (src % 32)));
  MMIO32(PLIC_ENABLE(ctx, src / 32)) = v;
}
static inline uint32_t plic_claim(unsigned ctx) { return MMIO32(PLIC_CLAIM(ctx)); }
static inline void plic_complete(unsigned ctx, uint32_t src) { MMIO32(PLIC_CLAIM(ctx)) = src; }

#endif
