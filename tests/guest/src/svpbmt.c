/* Svpbmt: menvcfg.PBMTE and the PTE bits 63..54 (N, PBMT, reserved) on leaf and non-leaf PTEs,
 * with PBMTE set and clear, in S-mode under Sv39. Each probe prints whether the load faulted, so
 * the same ELF documents both CPUs: the diff suite runs it with QEMU's default CPU (no Svpbmt)
 * and with -cpu rv64,svpbmt=on (manifest entries svpbmt and svpbmt_on) and compares each with
 * QEMU 7.2's output. What QEMU 7.2 shows: PBMTE is writable on both CPUs and the walk ignores it;
 * without Svpbmt any of these bits faults, with it only N and PBMT on a non-leaf PTE do. */
#include "test.h"
#include "trap.h"

#define PTE_V (1UL << 0)
#define PTE_R (1UL << 1)
#define PTE_W (1UL << 2)
#define PTE_X (1UL << 3)
#define PTE_A (1UL << 6)
#define PTE_D (1UL << 7)
#define PAGE 4096UL
#define GIGA (1UL << 30)
#define PBMTE (1UL << 62)

static uint64_t root[512] __attribute__((aligned(4096)));
static uint64_t l1[512] __attribute__((aligned(4096)));
static uint64_t l0[512] __attribute__((aligned(4096)));
static uint64_t l0_marked[512] __attribute__((aligned(4096)));
static uint64_t data[PAGE / 8] __attribute__((aligned(4096)));

#define VA_BASE 0x40000000UL
#define VA_INNER (VA_BASE + 2UL * 1024 * 1024) /* through an l1 pointer PTE that carries the probed bits */

static uint64_t leaf(uintptr_t pa, uint64_t flags) { return ((pa >> 12) << 10) | flags | PTE_V | PTE_A | PTE_D; }
static uint64_t table(void *t) { return (((uintptr_t)t) >> 12) << 10 | PTE_V; }

/* The bits probed: PBMT = NC, IO, reserved 3; N; a reserved bit (54) and the top reserved bit (60). */
static const uint64_t BITS[] = { 0, 1UL << 61, 2UL << 61, 3UL << 61, 1UL << 63, 1UL << 54, 1UL << 60 };
#define N_BITS (sizeof BITS / sizeof BITS[0])

static void probe(uintptr_t va, const char *what, uint64_t bits) {
  trap_expect();
  uint64_t v = probe_ld(va);
  if (trap_last.count != 0) kprintf("%s %lx: fault cause %lu\n", what, bits, trap_last.cause);
  else kprintf("%s %lx: load %lx\n", what, bits, v);
  trap_armed = 0;
}

static void run_probes(const char *label) {
  for (unsigned i = 0; i < N_BITS; i++) {
    switch_mode(PRV_M);
    l0[i] = leaf((uintptr_t)data, PTE_R | PTE_W) | BITS[i];
    l1[1] = table(l0_marked) | BITS[i];
    __asm__ volatile("sfence.vma" ::: "memory");
    switch_mode(PRV_S);
    kputs(label);
    probe(VA_BASE + i * PAGE, " leaf", BITS[i]);
    kputs(label);
    probe(VA_INNER, " non-leaf", BITS[i]);
  }
  switch_mode(PRV_M);
}

int main(void) {
  test_begin("svpbmt");
  data[0] = 0x0123456789abcdefUL;
  l0_marked[0] = leaf((uintptr_t)data, PTE_R | PTE_W);
  l1[0] = table(l0);
  root[1] = table(l1);
  root[2] = leaf(DRAM_BASE, PTE_R | PTE_W | PTE_X); /* identity RAM for code, stack and the tables */
  root[0] = leaf(0, PTE_R | PTE_W);                /* devices: the UART */

  csr_write(menvcfg, PBMTE);
  uint64_t pbmte = csr_read(menvcfg) & PBMTE;
  kprintf("menvcfg.PBMTE after writing 1: %lx\n", pbmte);
  csr_write(stvec, (uintptr_t)s_trap_entry);
  csr_write(medeleg, 1UL << CAUSE_LOAD_PAGE_FAULT);
  csr_write(satp, SATP_MODE_SV39 | ((uintptr_t)root >> 12));
  __asm__ volatile("sfence.vma" ::: "memory");
  run_probes(pbmte ? "PBMTE=1" : "PBMTE=0 (not writable)");
  if (pbmte) {
    csr_write(menvcfg, 0);
    run_probes("PBMTE=0");
  }
  csr_write(satp, 0);
  return test_end();
}
