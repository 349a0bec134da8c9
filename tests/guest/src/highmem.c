/* RAM above 2 GiB, run with -m 8G (RAM 0x80000000..0x280000000):
 * - loads and stores of every size around the 2 GiB (pa 0x100000000: where tsemu's low RAM
 *   ends), 3, 4 (pa 0x180000000), 5, 6 and 7 GiB offsets and at the top of RAM, misaligned
 *   ones straddling each boundary, and a pattern every 256 MiB (and 12 KiB + 8) over all 8 GiB;
 * - AMOs and LR/SC above 2 GiB and at the top;
 * - code copied to high RAM, run, patched and run again (fence.i);
 * - Sv39 with every page table and the data page in high RAM, A/D set by the walk;
 * - the first byte past the end of RAM faults (load and store access faults).
 * Checked against QEMU 7.2 (the expected values are written out here). */
#include "test.h"
#include "trap.h"

#define GiB (1UL << 30)
#define MiB (1UL << 20)
#define PAGE 4096UL
#define RAM_END (DRAM_BASE + 8 * GiB)

#define PTE_V (1UL << 0)
#define PTE_R (1UL << 1)
#define PTE_W (1UL << 2)
#define PTE_X (1UL << 3)
#define PTE_A (1UL << 6)
#define PTE_D (1UL << 7)

static uint64_t pattern(uintptr_t a) { return (a * 0x9e3779b97f4a7c15UL) ^ 0x0123456789abcdefUL; }

static void boundary_tests(uintptr_t b) {
  volatile uint64_t *d = (volatile uint64_t *)b;
  int top = b == RAM_END;
  d[-2] = pattern(b - 16);
  d[-1] = pattern(b - 8);
  if (!top) {
    d[0] = pattern(b);
    d[1] = pattern(b + 8);
  }
  CHECK_EQ(d[-2], pattern(b - 16), "ld at 0x%lx", b - 16);
  CHECK_EQ(d[-1], pattern(b - 8), "ld at 0x%lx", b - 8);
  CHECK_EQ(probe_lw(b - 4), (uint64_t)(int64_t)(int32_t)(pattern(b - 8) >> 32), "lw at 0x%lx", b - 4);
  CHECK_EQ(probe_lhu(b - 2), (pattern(b - 8) >> 48) & 0xffff, "lhu at 0x%lx", b - 2);
  CHECK_EQ(probe_lb(b - 1), (uint64_t)(int64_t)(int8_t)(pattern(b - 8) >> 56), "lb at 0x%lx", b - 1);
  if (top) return;
  CHECK_EQ(d[0], pattern(b), "ld at 0x%lx", b);
  CHECK_EQ(probe_lwu(b), pattern(b) & 0xffffffffUL, "lwu at 0x%lx", b);
  CHECK_EQ(probe_lh(b + 2), (uint64_t)(int64_t)(int16_t)(pattern(b) >> 16), "lh at 0x%lx", b + 2);
  /* misaligned across the boundary: QEMU splits it at the page */
  uint64_t across = (pattern(b - 8) >> 40) | (pattern(b) << 24);
  CHECK_EQ(probe_ld(b - 3), across, "misaligned ld at 0x%lx", b - 3);
  probe_sd(b - 5, 0x1122334455667788UL);
  CHECK_EQ(d[-1], (pattern(b - 8) & 0xffffffUL) | (0x4455667788UL << 24), "after misaligned sd: 0x%lx", b - 8);
  CHECK_EQ(d[0], (pattern(b) & ~0xffffffUL) | 0x112233UL, "after misaligned sd: 0x%lx", b);
  probe_sh(b - 1, 0xabcd);
  CHECK_EQ(probe_lbu(b - 1), 0xcd, "byte below 0x%lx after sh", b);
  CHECK_EQ(probe_lbu(b), 0xab, "byte at 0x%lx after sh", b);
}

static void sweep_tests(void) {
  for (uintptr_t a = DRAM_BASE + 64 * MiB; a < RAM_END; a += 256 * MiB + 0x3008) *(volatile uint64_t *)a = pattern(a);
  uint64_t bad = 0, first = 0;
  for (uintptr_t a = DRAM_BASE + 64 * MiB; a < RAM_END; a += 256 * MiB + 0x3008) {
    if (*(volatile uint64_t *)a != pattern(a)) {
      if (bad++ == 0) first = a;
    }
  }
  CHECK_EQ(bad, 0, "256 MiB sweep: mismatches (first at 0x%lx)", first);
}

static void atomic_tests(uintptr_t a) {
  *(volatile uint64_t *)a = 40;
  CHECK_EQ(probe_amoadd_d(a, 2), 40, "amoadd.d old at 0x%lx", a);
  CHECK_EQ(*(volatile uint64_t *)a, 42, "amoadd.d new at 0x%lx", a);
  CHECK_EQ(probe_amoswap_w(a + 4, 0x80000001UL), 0, "amoswap.w old at 0x%lx", a + 4);
  CHECK_EQ(*(volatile uint64_t *)a, 0x800000010000002aUL, "amoswap.w new at 0x%lx", a);
  uint64_t r, ok;
  __asm__ volatile("lr.d %0, (%2)\n sc.d %1, %3, (%2)" : "=&r"(r), "=&r"(ok) : "r"(a), "r"(7UL) : "memory");
  CHECK_EQ(r, 0x800000010000002aUL, "lr.d at 0x%lx", a);
  CHECK_EQ(ok, 0, "sc.d succeeds at 0x%lx", a);
  CHECK_EQ(*(volatile uint64_t *)a, 7, "sc.d stored at 0x%lx", a);
  __asm__ volatile("lr.w %0, (%2)\n sw zero, 0(%2)\n sc.w %1, %3, (%2)" : "=&r"(r), "=&r"(ok) : "r"(a), "r"(9UL) : "memory");
  CHECK_EQ(r, 7, "lr.w at 0x%lx", a);
  CHECK_EQ(*(volatile uint32_t *)a, ok ? 0 : 9, "sc.w after a store at 0x%lx: memory agrees with its result", a);
}

static void code_tests(uintptr_t a) {
  volatile uint32_t *code = (volatile uint32_t *)a;
  code[0] = 0x05500513; /* li a0, 0x55 */
  code[1] = 0x00008067; /* ret */
  __asm__ volatile("fence.i" ::: "memory");
  CHECK_EQ(probe_fetch(a), 0x55, "code at 0x%lx", a);
  code[0] = 0x06600513; /* li a0, 0x66 */
  __asm__ volatile("fence.i" ::: "memory");
  CHECK_EQ(probe_fetch(a), 0x66, "patched code at 0x%lx", a);
}

/* Sv39 tables in high RAM: VA 0x40000000 -> the last page of RAM, through l1 and l0 */
#define ROOT (DRAM_BASE + 7 * GiB)
#define L1 (ROOT + PAGE)
#define L0 (ROOT + 2 * PAGE)
#define DATA (RAM_END - PAGE)
#define VA 0x40000000UL

static uint64_t leaf(uintptr_t pa, uint64_t flags) { return ((pa >> 12) << 10) | flags | PTE_V; }

static void sv39_tests(void) {
  volatile uint64_t *root = (volatile uint64_t *)ROOT, *l1 = (volatile uint64_t *)L1, *l0 = (volatile uint64_t *)L0;
  for (int i = 0; i < 512; i++) root[i] = l1[i] = l0[i] = 0;
  root[0] = leaf(0, PTE_R | PTE_W | PTE_A | PTE_D);                     /* devices (console) */
  root[1] = ((L1 >> 12) << 10) | PTE_V;
  root[2] = leaf(DRAM_BASE, PTE_R | PTE_W | PTE_X | PTE_A | PTE_D);    /* the program */
  l1[0] = ((L0 >> 12) << 10) | PTE_V;
  l0[0] = leaf(DATA, PTE_R | PTE_W);                                    /* A and D clear */
  *(volatile uint64_t *)DATA = 0x5555aaaa5555aaaaUL;
  csr_write(satp, SATP_MODE_SV39 | (ROOT >> 12));
  __asm__ volatile("sfence.vma" ::: "memory");
  switch_mode(PRV_S);
  CHECK_EQ(*(volatile uint64_t *)VA, 0x5555aaaa5555aaaaUL, "S-mode load through high page tables");
  switch_mode(PRV_M);
  CHECK_EQ(l0[0] & (PTE_A | PTE_D), PTE_A, "A set by the load's walk, D clear");
  switch_mode(PRV_S);
  *(volatile uint64_t *)(VA + 8) = 0x0102030405060708UL;
  switch_mode(PRV_M);
  CHECK_EQ(l0[0] & (PTE_A | PTE_D), PTE_A | PTE_D, "D set by the store's walk");
  CHECK_EQ(*(volatile uint64_t *)(DATA + 8), 0x0102030405060708UL, "S-mode store reached the last page of RAM");
  csr_write(satp, 0);
}

static void past_end_tests(void) {
  trap_expect();
  probe_ld(RAM_END);
  check_trap("ld past the end of RAM", CAUSE_LOAD_ACCESS, RAM_END, PRV_M);
  trap_expect();
  probe_sw(RAM_END, 1);
  check_trap("sw past the end of RAM", CAUSE_STORE_ACCESS, RAM_END, PRV_M);
  trap_expect();
  probe_ld(RAM_END - 4);
  check_trap("ld straddling the end of RAM", CAUSE_LOAD_ACCESS, RAM_END, PRV_M);
}

int main(void) {
  test_begin("highmem");
  for (uintptr_t b = DRAM_BASE + 2 * GiB; b <= RAM_END; b += GiB) boundary_tests(b);
  sweep_tests();
  atomic_tests(DRAM_BASE + 2 * GiB + 64);
  atomic_tests(RAM_END - 16);
  code_tests(DRAM_BASE + 2 * GiB + 2 * MiB);
  code_tests(RAM_END - 2 * PAGE);
  sv39_tests();
  past_end_tests();
  return test_end();
}
