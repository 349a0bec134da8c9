/* Atomics and locks written directly in RISC-V A-extension instructions, so
 * the guests test exactly these instructions (no compiler builtins). */
#ifndef SMP_ATOMIC_H
#define SMP_ATOMIC_H
#include <stdint.h>

#define SMP_FENCE(pred, succ) __asm__ volatile("fence " #pred ", " #succ ::: "memory")

static inline uint32_t amoadd_w(volatile uint32_t *p, uint32_t v) {
  uint32_t old;
  __asm__ volatile("amoadd.w.aqrl %0, %2, (%1)" : "=r"(old) : "r"(p), "r"(v) : "memory");
  return old;
}
static inline uint64_t amoadd_d(volatile uint64_t *p, uint64_t v) {
  uint64_t old;
  __asm__ volatile("amoadd.d.aqrl %0, %2, (%1)" : "=r"(old) : "r"(p), "r"(v) : "memory");
  return old;
}
static inline uint32_t amoswap_w(volatile uint32_t *p, uint32_t v) {
  uint32_t old;
  __asm__ volatile("amoswap.w.aqrl %0, %2, (%1)" : "=r"(old) : "r"(p), "r"(v) : "memory");
  return old;
}
static inline uint64_t amoswap_d(volatile uint64_t *p, uint64_t v) {
  uint64_t old;
  __asm__ volatile("amoswap.d.aqrl %0, %2, (%1)" : "=r"(old) : "r"(p), "r"(v) : "memory");
  return old;
}

/* Release store / acquire load built from fences (RVWMO). */
static inline void store_release32(volatile uint32_t *p, uint32_t v) {
  SMP_FENCE(rw, w);
  *p = v;
}
static inline uint32_t load_acquire32(volatile uint32_t *p) {
  uint32_t v = *p;
  SMP_FENCE(r, rw);
  return v;
}
static inline void store_release64(volatile uint64_t *p, uint64_t v) {
  SMP_FENCE(rw, w);
  *p = v;
}
static inline uint64_t load_acquire64(volatile uint64_t *p) {
  uint64_t v = *p;
  SMP_FENCE(r, rw);
  return v;
}

/* Test-and-test-and-set lock on amoswap.w.aq; released by amoswap.w.rl. */
static inline void amoswap_lock(volatile uint32_t *lock) {
  uint32_t busy, one = 1;
  __asm__ volatile(
      "1: lw      %0, (%1)\n"
      "   bnez    %0, 1b\n"
      "   amoswap.w.aq %0, %2, (%1)\n"
      "   bnez    %0, 1b\n"
      : "=&r"(busy)
      : "r"(lock), "r"(one)
      : "memory");
}
static inline void amoswap_unlock(volatile uint32_t *lock) {
  __asm__ volatile("amoswap.w.rl zero, zero, (%0)" ::"r"(lock) : "memory");
}

/* Lock on lr.w.aq / sc.w; released by fence rw,w + sw. */
static inline void lrsc_lock(volatile uint32_t *lock) {
  uint32_t v, one = 1;
  __asm__ volatile(
      "1: lw      %0, (%1)\n"
      "   bnez    %0, 1b\n"
      "   lr.w.aq %0, (%1)\n"
      "   bnez    %0, 1b\n"
      "   sc.w    %0, %2, (%1)\n"
      "   bnez    %0, 1b\n"
      : "=&r"(v)
      : "r"(lock), "r"(one)
      : "memory");
}
static inline void lrsc_unlock(volatile uint32_t *lock) { store_release32(lock, 0); }

#endif
