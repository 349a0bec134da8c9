/* Sv39 page tables for the S-mode benchmark guests (start-sv39.S calls sv39_setup in M-mode).
 * Identity mappings: the first gigabyte (MMIO) as one gigapage; RAM's first 16 MiB (code, data,
 * the workloads' buffers) as 4 KiB pages, as an OS maps user memory, so every access goes through
 * a 4 KiB TLB entry; the rest of the first RAM gigabyte as 2 MiB megapages. */
#include <stdint.h>
#define PTE_V 0x01u
#define PTE_R 0x02u
#define PTE_W 0x04u
#define PTE_X 0x08u
#define PTE_A 0x40u
#define PTE_D 0x80u
#define LEAF (PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D)
#define RAM_BASE 0x80000000ull
#define SMALL_PAGE_TABLES 8 /* 8 x 2 MiB = 16 MiB of 4 KiB pages */

static uint64_t root[512] __attribute__((aligned(4096)));
static uint64_t ram_l1[512] __attribute__((aligned(4096)));
static uint64_t ram_l0[SMALL_PAGE_TABLES][512] __attribute__((aligned(4096)));

static uint64_t pte(uint64_t pa, uint64_t flags) { return (pa >> 12) << 10 | flags; }

uint64_t sv39_setup(void) {
  root[0] = pte(0, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D);
  root[RAM_BASE >> 30] = pte((uintptr_t)ram_l1, PTE_V);
  for (uint64_t i = 0; i < 512; i++) {
    uint64_t megapage = RAM_BASE + (i << 21);
    if (i >= SMALL_PAGE_TABLES) { ram_l1[i] = pte(megapage, LEAF); continue; }
    ram_l1[i] = pte((uintptr_t)ram_l0[i], PTE_V);
    for (uint64_t j = 0; j < 512; j++) ram_l0[i][j] = pte(megapage + (j << 12), LEAF);
  }
  return 8ull << 60 | (uintptr_t)root >> 12;
}
