/* Multi-hart benchmark guests (smp.c, locks.c): every hart runs the same
 * workload; hart 0 counts the harts in the device tree, starts the clock once
 * all have arrived, releases them with an IPI, and reports when all are done.
 *
 * Nobody spins while waiting: waiting harts sleep in WFI with only MSIE
 * enabled and are woken by a CLINT IPI, so on an emulator with fewer host
 * cores than vCPUs a waiting hart does not steal time from a working one.
 *
 * A guest defines  guest_name,  uint64_t hart_work(unsigned hart)  (returns
 * a checksum) and  uint64_t guest_result(uint64_t sum)  (the reported result,
 * given the sum of the harts' checksums); there is no main(): start-smp.S
 * calls hart_main(). */
#include "bench.h"

#define HARTS_MAX 8            /* start-smp.S parks harts beyond this */
#define HART_STACK_BYTES 16384 /* must match the shift in start-smp.S */
#define CLINT_MSIP ((volatile uint32_t *)0x02000000)
#define CLINT_MTIME (*(volatile uint64_t *)0x0200bff8)
#define MIP_MSIP 8u

uint8_t hart_stacks[HARTS_MAX][HART_STACK_BYTES] __attribute__((aligned(16)));

/* One cache line per hart so the harts' reports never share a line. */
struct hart_slot { uint64_t instret, result; uint64_t pad[6]; };
static struct hart_slot slots[HARTS_MAX] __attribute__((aligned(64)));
static volatile uint32_t arrived, finished;
static volatile uint32_t nharts;

uint64_t hart_work(unsigned hart);
uint64_t guest_result(uint64_t sum);

static inline uint32_t amoadd_w(volatile uint32_t *p, uint32_t v) {
  uint32_t old;
  __asm__ volatile("amoadd.w.aqrl %0, %2, (%1)" : "=r"(old) : "r"(p), "r"(v) : "memory");
  return old;
}
static inline uint32_t read_mip(void) { uint64_t v; __asm__ volatile("csrr %0, mip" : "=r"(v)); return (uint32_t)v; }
static inline void wfi(void) { __asm__ volatile("wfi" ::: "memory"); }
/* Orders memory and device (CLINT) accesses alike. */
static inline void fence(void) { __asm__ volatile("fence iorw, iorw" ::: "memory"); }

/* --- device tree: count the /cpus/cpu@N nodes (devicetree spec v0.4, ch. 5) --- */
static uint32_t be32(const uint8_t *p) { return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3]; }
static unsigned fdt_count_cpus(const uint8_t *fdt) {
  if (be32(fdt) != 0xd00dfeedu) return 1;
  uint32_t off = be32(fdt + 8), end = off + be32(fdt + 36);
  unsigned depth = 0, count = 0;
  int in_cpus = 0;
  while (off < end) {
    uint32_t token = be32(fdt + off);
    off += 4;
    if (token == 1) { /* BEGIN_NODE name */
      const char *name = (const char *)fdt + off;
      uint32_t len = 0;
      while (name[len]) len++;
      off += (len + 4) & ~3u;
      depth++;
      if (depth == 2) in_cpus = name[0] == 'c' && name[1] == 'p' && name[2] == 'u' && name[3] == 's' && name[4] == 0;
      if (depth == 3 && in_cpus && name[0] == 'c' && name[1] == 'p' && name[2] == 'u' && name[3] == '@') count++;
    } else if (token == 2) { /* END_NODE */
      depth--;
    } else if (token == 3) { /* PROP len nameoff value */
      off += 8 + ((be32(fdt + off) + 3) & ~3u);
    } else if (token == 9) { /* END */
      break;
    } /* 4 = NOP */
  }
  return count == 0 ? 1 : count;
}

/* --- IPIs --- */
static void send_ipi(unsigned hart) { CLINT_MSIP[hart] = 1; }
/* Clear our own IPI. Never wait for mip.MSIP to read 0 afterwards: another
 * hart may raise it again at once, and the wait would never end. Until the
 * clear reaches mip, sleep_until_ipi() just returns and the caller's loop
 * looks at its condition once more. */
static void ack_ipi(unsigned hart) { CLINT_MSIP[hart] = 0; fence(); }
static void sleep_until_ipi(void) { while (!(read_mip() & MIP_MSIP)) wfi(); }

static void run_work(unsigned hart) {
  uint64_t start = instret();
  uint64_t result = hart_work(hart);
  slots[hart].instret = instret() - start;
  slots[hart].result = result;
}

static void secondary(unsigned hart) {
  __asm__ volatile("csrw mie, %0" ::"r"((uint64_t)MIP_MSIP)); /* MSIE only: wakes WFI, never traps */
  amoadd_w(&arrived, 1);
  sleep_until_ipi(); /* the release */
  ack_ipi(hart);
  run_work(hart);
  fence();
  amoadd_w(&finished, 1);
  send_ipi(0);
  __asm__ volatile("csrw mie, zero");
  for (;;) wfi();
}

/* Prints "<name> instret=<sum> result=<sum>" and "<name> harts=<n> ticks=<mtime ticks> agree=<0|1>". */
static int primary(const char *name, const void *dtb) {
  unsigned n = fdt_count_cpus(dtb);
  if (n > HARTS_MAX) n = HARTS_MAX;
  nharts = n;
  __asm__ volatile("csrw mie, %0" ::"r"((uint64_t)MIP_MSIP));
  while (arrived != n - 1) {} /* secondaries boot in parallel: brief */
  uint64_t t0 = CLINT_MTIME;
  for (unsigned h = 1; h < n; h++) send_ipi(h);
  run_work(0);
  for (;;) {
    ack_ipi(0);
    if (finished == n - 1) break;
    sleep_until_ipi();
  }
  fence();
  uint64_t ticks = CLINT_MTIME - t0;
  uint64_t total = 0, sum = 0;
  int agree = 1;
  for (unsigned h = 0; h < n; h++) {
    total += slots[h].instret;
    sum += slots[h].result;
    if (slots[h].result != slots[0].result) agree = 0;
  }
  puts_(name); puts_(" instret="); putu(total); puts_(" result="); putu(guest_result(sum)); putc_('\n');
  puts_(name); puts_(" harts="); putu(n); puts_(" ticks="); putu(ticks); puts_(" agree="); putu((uint64_t)agree); putc_('\n');
  return 0;
}

/* The guest's name for its report lines. */
extern const char guest_name[];

int hart_main(unsigned long hart, const void *dtb) {
  if (hart != 0) secondary((unsigned)hart);
  return primary(guest_name, dtb);
}
