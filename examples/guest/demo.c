/*
 * tsemu's bundled demo guest: a tiny S-mode kernel on top of OpenSBI.
 *
 * The boot hart finds the other harts with SBI HSM, starts them, and every
 * hart (boot hart included) performs a fixed, documented sequence of stores
 * into its own row of `rows` — the "known stores" the instrumentation
 * examples are tested against:
 *
 *   for i in 0..7:  rows[hart].d[i] = (hart << 8) | i        (8-byte stores)
 *   rows[hart].w = 0x11110000 | hart                          (4-byte store)
 *   rows[hart].h = 0x2200 | hart                              (2-byte store)
 *   rows[hart].b = 0x30 + hart                                (1-byte store)
 *
 * then it counts itself done with an AMO. The boot hart waits for everyone,
 * checks every row, prints a summary through the SBI console and powers off
 * through SBI system reset (exit status 0), like a real kernel would.
 */
#include <stdint.h>

#define MAX_HARTS 8

struct row {
  uint64_t d[8];
  uint32_t w;
  uint16_t h;
  uint8_t b;
} __attribute__((aligned(64)));

struct row rows[MAX_HARTS];
volatile uint32_t done_count;
volatile uint32_t started_mask;

extern void secondary_entry(void);

struct sbiret { long error; long value; };

static struct sbiret sbi_call(long ext, long fid, long a0, long a1, long a2) {
  register long r0 __asm__("a0") = a0;
  register long r1 __asm__("a1") = a1;
  register long r2 __asm__("a2") = a2;
  register long r6 __asm__("a6") = fid;
  register long r7 __asm__("a7") = ext;
  __asm__ volatile("ecall" : "+r"(r0), "+r"(r1) : "r"(r2), "r"(r6), "r"(r7) : "memory");
  return (struct sbiret){ r0, r1 };
}

#define SBI_EXT_HSM 0x48534DL
#define SBI_EXT_SRST 0x53525354L

static void putc_(char c) { sbi_call(0x01, 0, c, 0, 0); } /* legacy console putchar */
static void puts_(const char *s) { while (*s) putc_(*s++); }
static void putu(uint64_t v) {
  char buf[24]; int i = 0;
  do { buf[i++] = (char)('0' + v % 10); v /= 10; } while (v);
  while (i) putc_(buf[--i]);
}

static void do_stores(unsigned long hart) {
  struct row *r = &rows[hart];
  for (unsigned i = 0; i < 8; i++) r->d[i] = (hart << 8) | i;
  r->w = 0x11110000u | (uint32_t)hart;
  r->h = (uint16_t)(0x2200u | hart);
  r->b = (uint8_t)(0x30u + hart);
  __atomic_fetch_add(&done_count, 1, __ATOMIC_SEQ_CST);
}

void secondary_main(unsigned long hart) {
  do_stores(hart);
}

static int row_ok(unsigned long hart) {
  struct row *r = &rows[hart];
  for (unsigned i = 0; i < 8; i++) if (r->d[i] != ((hart << 8) | i)) return 0;
  return r->w == (0x11110000u | hart) && r->h == (0x2200u | hart) && r->b == 0x30u + hart;
}

void boot_main(unsigned long hart) {
  unsigned harts = 0;
  uint32_t present = 0;
  for (unsigned long h = 0; h < MAX_HARTS; h++) {
    struct sbiret st = sbi_call(SBI_EXT_HSM, 2, (long)h, 0, 0); /* hart_get_status */
    if (st.error == 0) { present |= 1u << h; harts++; }
  }
  puts_("demo: boot hart "); putu(hart); puts_(", "); putu(harts); puts_(" harts\n");
  for (unsigned long h = 0; h < MAX_HARTS; h++) {
    if (h == hart || !(present & (1u << h))) continue;
    sbi_call(SBI_EXT_HSM, 0, (long)h, (long)(uintptr_t)secondary_entry, 0); /* hart_start */
  }
  do_stores(hart);
  while (__atomic_load_n(&done_count, __ATOMIC_SEQ_CST) < harts) {}
  unsigned ok = 0;
  for (unsigned long h = 0; h < MAX_HARTS; h++) if ((present & (1u << h)) && row_ok(h)) ok++;
  puts_("demo: "); putu(ok); puts_(" of "); putu(harts); puts_(" harts stored their rows\n");
  sbi_call(SBI_EXT_SRST, 0, 0, 0, 0); /* shutdown */
  for (;;) {}
}
