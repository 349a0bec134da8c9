/* Misaligned accesses.
 * QEMU 7.2 (riscv TCG) performs misaligned ordinary loads and stores in
 * hardware without trapping, in every privilege mode; this checks every width
 * at every byte offset, sign/zero extension, page-crossing accesses, and the
 * fault reported when the second half of a page-crossing access is outside RAM
 * (QEMU reports mtval = the start of the unmapped part, see below).
 * Misaligned AMOs and LR raise address-misaligned exceptions with mtval = the
 * address (QEMU 7.2 uses cause 4 for both, see test_misaligned_atomics). */
#include "test.h"
#include "trap.h"

static uint8_t buf[64] __attribute__((aligned(64)));

static void fill(void) {
  for (int i = 0; i < 64; i++) buf[i] = (uint8_t)(0x80 + i * 3);
}

/* Little-endian reference load from buf. */
static uint64_t ref_load(unsigned off, unsigned size) {
  uint64_t v = 0;
  for (unsigned i = 0; i < size; i++) v |= (uint64_t)buf[off + i] << (8 * i);
  return v;
}

static uint64_t sext(uint64_t v, unsigned size) {
  unsigned sh = 64 - 8 * size;
  return (uint64_t)((int64_t)(v << sh) >> sh);
}

static void test_loads(const char *mode) {
  fill();
  for (unsigned off = 0; off < 16; off++) {
    uintptr_t a = (uintptr_t)buf + off;
    trap_expect();
    CHECK_EQ(probe_lh(a), sext(ref_load(off, 2), 2), "%s lh +%u", mode, off);
    CHECK_EQ(probe_lhu(a), ref_load(off, 2), "%s lhu +%u", mode, off);
    CHECK_EQ(probe_lw(a), sext(ref_load(off, 4), 4), "%s lw +%u", mode, off);
    CHECK_EQ(probe_lwu(a), ref_load(off, 4), "%s lwu +%u", mode, off);
    CHECK_EQ(probe_ld(a), ref_load(off, 8), "%s ld +%u", mode, off);
    check_no_trap("misaligned loads");
  }
}

static void test_stores(const char *mode) {
  static const uint64_t v = 0x0102030405060708ULL;
  for (unsigned off = 0; off < 16; off++) {
    for (unsigned size = 2; size <= 8; size *= 2) {
      fill();
      uint8_t before[64];
      for (int i = 0; i < 64; i++) before[i] = buf[i];
      uintptr_t a = (uintptr_t)buf + 8 + off;
      trap_expect();
      if (size == 2) probe_sh(a, v);
      if (size == 4) probe_sw(a, v);
      if (size == 8) probe_sd(a, v);
      check_no_trap("misaligned store");
      int ok = 1;
      for (unsigned i = 0; i < 64; i++) {
        unsigned rel = i - (8 + off);
        uint8_t want = rel < size ? (uint8_t)(v >> (8 * rel)) : before[i];
        ok &= buf[i] == want;
      }
      CHECK(ok, "%s s%c +%u writes exactly its bytes", mode, size == 2 ? 'h' : size == 4 ? 'w' : 'd', off);
    }
  }
}

/* A doubleword straddling a 4 KiB page boundary (both pages RAM). */
static uint8_t two_pages[8192] __attribute__((aligned(4096)));

static void test_page_cross(void) {
  uintptr_t a = (uintptr_t)two_pages + 4096 - 3;
  probe_sd(a, 0x1122334455667788ULL);
  CHECK_EQ(probe_ld(a), 0x1122334455667788ULL, "ld/sd across a page boundary");
  CHECK_EQ(two_pages[4095 - 2], 0x88, "first byte before the boundary");
  CHECK_EQ(two_pages[4096], 0x55, "first byte after the boundary");
  CHECK_EQ(probe_lw(a + 1), 0x44556677ULL, "lw across a page boundary");
}

/* Access that runs off the end of RAM (-m 128M: RAM ends at 0x88000000). */
#define RAM_END 0x88000000UL

/* QEMU splits a page-crossing access into two parts and reports mtval = the
 * first byte of the unmapped part (RAM_END), not the access address. Past the
 * end of RAM there is no device, so the part inside RAM of a store has already
 * been written when the fault is raised (QEMU behaviour). */
static void test_cross_end_of_ram(void) {
  volatile uint16_t *last = (volatile uint16_t *)(RAM_END - 2);
  *last = 0xabcd;
  trap_expect();
  probe_ld(RAM_END - 4);
  check_trap("ld across the end of RAM", CAUSE_LOAD_ACCESS, RAM_END, PRV_M);
  trap_expect();
  probe_sw(RAM_END - 2, 0x12345678);
  check_trap("sw across the end of RAM", CAUSE_STORE_ACCESS, RAM_END, PRV_M);
  CHECK_EQ(*last, 0x5678, "faulting sw across the end of RAM wrote its in-RAM half (QEMU)");
  trap_expect();
  probe_ld(RAM_END);
  check_trap("ld just past RAM", CAUSE_LOAD_ACCESS, RAM_END, PRV_M);
  trap_expect();
  probe_lh(RAM_END - 1);
  check_trap("lh across the end of RAM", CAUSE_LOAD_ACCESS, RAM_END, PRV_M);
}

static volatile uint64_t amo_buf[4] __attribute__((aligned(32)));

/* QEMU 7.2 reports misaligned AMOs as *load* address misaligned (cause 4; the
 * spec says store/AMO misaligned, cause 6 -- tsemu follows QEMU). LR is a load
 * (cause 4). A misaligned SC never holds a reservation (its LR trapped), and
 * QEMU fails it (rd = 1) without checking alignment, so no trap. */
static void test_misaligned_atomics(void) {
  uintptr_t base = (uintptr_t)amo_buf;
  for (unsigned off = 1; off < 8; off++) {
    uintptr_t a = base + off;
    amo_buf[0] = amo_buf[1] = 0x1111111111111111ULL;
    if (off % 4) {
      trap_expect();
      probe_amoadd_w(a, 1);
      check_trap("amoadd.w misaligned (QEMU: cause 4)", CAUSE_MISALIGNED_LOAD, a, PRV_M);
      trap_expect();
      probe_amoswap_w(a, 1);
      check_trap("amoswap.w misaligned (QEMU: cause 4)", CAUSE_MISALIGNED_LOAD, a, PRV_M);
      trap_expect();
      probe_lr_w(a);
      check_trap("lr.w misaligned", CAUSE_MISALIGNED_LOAD, a, PRV_M);
      trap_expect();
      CHECK_EQ(probe_sc_w(a, 1), 1, "sc.w misaligned without reservation fails (QEMU)");
      check_no_trap("sc.w misaligned without reservation (QEMU: no trap)");
    }
    trap_expect();
    probe_amoadd_d(a, 1);
    check_trap("amoadd.d misaligned (QEMU: cause 4)", CAUSE_MISALIGNED_LOAD, a, PRV_M);
    trap_expect();
    probe_amoswap_d(a, 1);
    check_trap("amoswap.d misaligned (QEMU: cause 4)", CAUSE_MISALIGNED_LOAD, a, PRV_M);
    trap_expect();
    probe_lr_d(a);
    check_trap("lr.d misaligned", CAUSE_MISALIGNED_LOAD, a, PRV_M);
    trap_expect();
    CHECK_EQ(probe_sc_d(a, 1), 1, "sc.d misaligned without reservation fails (QEMU)");
    check_no_trap("sc.d misaligned without reservation (QEMU: no trap)");
    CHECK_EQ(amo_buf[0] ^ amo_buf[1], 0, "misaligned atomics +%u left memory alone", off);
    CHECK_EQ(amo_buf[0], 0x1111111111111111ULL, "misaligned atomics +%u memory", off);
  }
  /* an aligned LR followed by a misaligned SC inside the reserved doubleword */
  amo_buf[0] = 5;
  probe_lr_d(base);
  trap_expect();
  CHECK_EQ(probe_sc_d(base + 4, 1), 1, "sc.d at another (misaligned) address fails (QEMU)");
  check_no_trap("sc.d at another (misaligned) address (QEMU: no trap)");
}

int main(void) {
  test_begin("misaligned");
  test_loads("M");
  test_stores("M");
  test_page_cross();
  test_cross_end_of_ram();
  test_misaligned_atomics();
  switch_mode(PRV_S);
  test_loads("S");
  test_stores("S");
  switch_mode(PRV_U);
  test_loads("U");
  test_stores("U");
  switch_mode(PRV_M);
  return test_end();
}
