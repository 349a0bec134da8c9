/* Machine/supervisor CSR behaviour:
 * - misa (MXL=64, IMAFDCSU; QEMU 7.2's default CPU also reports H, which is
 *   not checked), read-only ids, misa writes ignored;
 * - mstatus/sstatus WARL fields: writable bits, SXL/UXL = 64-bit, big-endian
 *   bits fixed to 0, SD, the sstatus view and what it can write;
 * - TVM (satp/sfence.vma from S), TW (wfi in S), TSR (sret in S);
 * - medeleg/mideleg/mie/mip writable bits (standard bits only);
 * - mtvec/stvec modes (reserved modes are ignored by QEMU), satp mode WARL;
 * - mcycle/minstret/time: monotonic, writable, stopped by mcountinhibit
 *   (no values are printed; QEMU derives cycle/instret from the host clock);
 * - mcounteren/scounteren gating cycle/time/instret reads from S and U. */
#include "test.h"
#include "trap.h"

#define MISA_H (1UL << 7)

static uint64_t ext(char c) { return 1UL << (c - 'A'); }

static void test_misa_ids(void) {
  uint64_t misa = csr_read(misa);
  uint64_t want = (2UL << 62) | ext('I') | ext('M') | ext('A') | ext('F') | ext('D') | ext('C') | ext('S') | ext('U');
  CHECK_EQ(misa & ~MISA_H, want, "misa (ignoring H)");
  csr_write(misa, misa & ~ext('C'));
  CHECK_EQ(csr_read(misa), misa, "misa write is ignored");
  CHECK_EQ(csr_read(mvendorid), 0, "mvendorid");
  CHECK_EQ(csr_read(mhartid), 0, "mhartid");
  trap_expect();
  (void)csr_read(marchid);
  (void)csr_read(mimpid);
  check_no_trap("marchid/mimpid readable");
}

#define MSTATUS_STD_RW                                                                               \
  (MSTATUS_SIE | MSTATUS_MIE | MSTATUS_SPIE | MSTATUS_MPIE | MSTATUS_SPP | MSTATUS_MPP | MSTATUS_FS |  \
   MSTATUS_MPRV | MSTATUS_SUM | MSTATUS_MXR | MSTATUS_TVM | MSTATUS_TW | MSTATUS_TSR)
#define MSTATUS_SBE (1UL << 36)
#define MSTATUS_MBE (1UL << 37)
#define SSTATUS_VIEW (MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP | MSTATUS_FS | MSTATUS_SUM | MSTATUS_MXR)

static void test_mstatus(void) {
  uint64_t saved = csr_read(mstatus);
  CHECK_EQ((saved & MSTATUS_UXL) >> 32, 2, "UXL = 64-bit");
  CHECK_EQ((saved & MSTATUS_SXL) >> 34, 2, "SXL = 64-bit");

  csr_set(mstatus, MSTATUS_STD_RW & ~MSTATUS_MIE);
  uint64_t ms = csr_read(mstatus);
  CHECK_EQ(ms & MSTATUS_STD_RW, MSTATUS_STD_RW & ~MSTATUS_MIE, "standard mstatus fields are writable");
  CHECK_EQ(ms >> 63, 1, "SD set with FS = Dirty");
  csr_clear(mstatus, MSTATUS_STD_RW);
  ms = csr_read(mstatus);
  CHECK_EQ(ms & MSTATUS_STD_RW, 0, "standard mstatus fields clear");
  CHECK_EQ(ms >> 63, 0, "SD clear with FS = Off");
  CHECK_EQ(ms & (MSTATUS_UXL | MSTATUS_SXL), saved & (MSTATUS_UXL | MSTATUS_SXL), "clearing leaves SXL/UXL");
  csr_set(mstatus, MSTATUS_UBE | MSTATUS_SBE | MSTATUS_MBE | MSTATUS_XS);
  ms = csr_read(mstatus);
  CHECK_EQ(ms & (MSTATUS_UBE | MSTATUS_SBE | MSTATUS_MBE), 0, "UBE/SBE/MBE are 0 (little-endian only)");
  CHECK_EQ(ms & MSTATUS_XS, 0, "XS is 0");

  /* sstatus is a view: it shows and writes only the S fields */
  csr_write(mstatus, MSTATUS_MPIE | (3UL << MSTATUS_MPP_SHIFT) | MSTATUS_TVM | (FS_CLEAN << MSTATUS_FS_SHIFT));
  csr_write(sstatus, MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP | MSTATUS_SUM | MSTATUS_MXR | MSTATUS_MIE |
                         MSTATUS_MPRV | MSTATUS_TW | (FS_INITIAL << MSTATUS_FS_SHIFT));
  ms = csr_read(mstatus);
  CHECK_EQ(ms & MSTATUS_STD_RW,
           MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP | MSTATUS_SUM | MSTATUS_MXR | (FS_INITIAL << MSTATUS_FS_SHIFT) |
               MSTATUS_MPIE | (3UL << MSTATUS_MPP_SHIFT) | MSTATUS_TVM,
           "sstatus write changes only S fields");
  CHECK_EQ(csr_read(sstatus) & (MSTATUS_STD_RW | MSTATUS_SD), ms & SSTATUS_VIEW, "sstatus reads the S fields");
  csr_write(mstatus, saved);
}

static void wfi_instruction(void) { __asm__ volatile("wfi"); }

static void test_tvm_tw_tsr(void) {
  /* TVM */
  csr_set(mstatus, MSTATUS_TVM);
  switch_mode(PRV_S);
  trap_expect();
  __asm__ volatile(".word 0x180027f3" ::: "a5"); /* csrr a5, satp */
  check_trap("csrr satp in S with TVM", CAUSE_ILLEGAL_INSN, 0x180027f3, PRV_M);
  trap_expect();
  __asm__ volatile(".word 0x18079073" ::: "memory"); /* csrw satp, a5 */
  check_trap("csrw satp in S with TVM", CAUSE_ILLEGAL_INSN, 0x18079073, PRV_M);
  trap_expect();
  __asm__ volatile(".word 0x12000073" ::: "memory"); /* sfence.vma */
  check_trap("sfence.vma in S with TVM", CAUSE_ILLEGAL_INSN, 0x12000073, PRV_M);
  switch_mode(PRV_M);
  csr_clear(mstatus, MSTATUS_TVM);
  switch_mode(PRV_S);
  trap_expect();
  (void)csr_read(satp);
  __asm__ volatile("sfence.vma" ::: "memory");
  check_no_trap("satp/sfence.vma in S without TVM");
  switch_mode(PRV_M);

  /* TW: wfi in S is illegal with TW=1; with TW=0 it waits, and a pending
   * (delegated, S-disabled) SSIP makes it return immediately. */
  csr_write(mideleg, MIP_SSIP);
  csr_set(mie, MIP_SSIP);
  csr_set(mip, MIP_SSIP);
  csr_set(mstatus, MSTATUS_TW);
  switch_mode(PRV_S);
  trap_expect();
  wfi_instruction();
  check_trap("wfi in S with TW", CAUSE_ILLEGAL_INSN, 0x10500073, PRV_M);
  switch_mode(PRV_M);
  csr_clear(mstatus, MSTATUS_TW);
  switch_mode(PRV_S);
  trap_expect();
  wfi_instruction();
  check_no_trap("wfi in S without TW (interrupt pending)");
  switch_mode(PRV_M);
  csr_clear(mip, MIP_SSIP);
  csr_clear(mie, MIP_SSIP);
  csr_write(mideleg, 0);
  /* wfi in M with a pending enabled interrupt (MIE=0) returns */
  csr_set(mie, MIP_SSIP);
  csr_set(mip, MIP_SSIP);
  trap_expect();
  wfi_instruction();
  check_no_trap("wfi in M with a pending interrupt and MIE=0");
  csr_clear(mip, MIP_SSIP);
  csr_clear(mie, MIP_SSIP);

  /* TSR */
  csr_set(mstatus, MSTATUS_TSR);
  switch_mode(PRV_S);
  trap_expect();
  __asm__ volatile(".word 0x10200073" ::: "memory"); /* sret */
  check_trap("sret in S with TSR", CAUSE_ILLEGAL_INSN, 0x10200073, PRV_M);
  switch_mode(PRV_M);
  csr_clear(mstatus, MSTATUS_TSR);
  /* sret in M is allowed even with TSR */
  csr_set(mstatus, MSTATUS_TSR | MSTATUS_SPP);
  __asm__ volatile("la t0, 1f\ncsrw sepc, t0\nsret\n1:\n" ::: "t0", "memory");
  switch_mode(PRV_M);
  csr_clear(mstatus, MSTATUS_TSR);
  CHECK(1, "sret in M with TSR");
}

#define STD_DELEGABLE_EXC 0xb3ffUL /* causes 0-9, 12, 13, 15 */
#define S_INTS (MIP_SSIP | MIP_STIP | MIP_SEIP)
#define STD_INTS (S_INTS | MIP_MSIP | MIP_MTIP | MIP_MEIP)

static void test_deleg_ie_ip(void) {
  /* QEMU resets mtimecmp to 0, so MTIP is pending until mtimecmp is raised */
  CHECK_EQ(csr_read(mip) & MIP_MTIP, MIP_MTIP, "MTIP pending at reset (mtimecmp = 0)");
  MMIO64(CLINT_MTIMECMP(0)) = ~0UL;
  CHECK_EQ(csr_read(mip) & MIP_MTIP, 0, "MTIP clear after mtimecmp = max");
  csr_write(medeleg, ~0UL);
  CHECK_EQ(csr_read(medeleg) & STD_DELEGABLE_EXC, STD_DELEGABLE_EXC, "medeleg: standard causes writable");
  CHECK_EQ(csr_read(medeleg) & (1UL << 14), 0, "medeleg: reserved cause 14 reads 0");
  csr_write(medeleg, 0);
  CHECK_EQ(csr_read(medeleg), 0, "medeleg cleared");

  csr_write(mideleg, S_INTS | MIP_MSIP | MIP_MTIP | MIP_MEIP);
  CHECK_EQ(csr_read(mideleg) & STD_INTS, S_INTS, "mideleg: only S interrupts delegable");
  csr_write(mideleg, 0);

  csr_write(mie, STD_INTS);
  CHECK_EQ(csr_read(mie) & STD_INTS, STD_INTS, "mie: standard bits writable");
  csr_write(mie, 0);
  CHECK_EQ(csr_read(mie) & STD_INTS, 0, "mie cleared");

  csr_write(mip, MIP_MSIP | MIP_MTIP | MIP_MEIP);
  CHECK_EQ(csr_read(mip) & (MIP_MSIP | MIP_MTIP | MIP_MEIP), 0, "mip: M bits not writable");
  csr_write(mip, MIP_SSIP | MIP_STIP | MIP_SEIP);
  CHECK_EQ(csr_read(mip) & STD_INTS, S_INTS, "mip: S bits writable from M");
  csr_write(mip, 0);

  /* sie/sip show only delegated interrupts */
  csr_write(mie, STD_INTS);
  CHECK_EQ(csr_read(sie) & STD_INTS, 0, "sie hides undelegated interrupts");
  csr_write(mideleg, S_INTS);
  CHECK_EQ(csr_read(sie) & STD_INTS, S_INTS, "sie shows delegated S interrupts");
  csr_write(sie, 0);
  CHECK_EQ(csr_read(mie) & STD_INTS, MIP_MSIP | MIP_MTIP | MIP_MEIP, "sie write clears only S bits");
  csr_write(mie, 0);
  csr_write(sip, S_INTS);
  CHECK_EQ(csr_read(mip) & STD_INTS, MIP_SSIP, "sip: only SSIP writable");
  CHECK_EQ(csr_read(sip) & STD_INTS, MIP_SSIP, "sip reads SSIP");
  csr_write(sip, 0);
  csr_write(mideleg, 0);
}

static void test_tvec_satp(void) {
  uint64_t saved = csr_read(mtvec);
  csr_write(mtvec, 0x80004001UL);
  CHECK_EQ(csr_read(mtvec), 0x80004001UL, "mtvec vectored mode");
  csr_write(mtvec, 0x80008002UL);
  CHECK_EQ(csr_read(mtvec), 0x80004001UL, "mtvec reserved mode 2 write ignored (QEMU)");
  csr_write(mtvec, 0x80008003UL);
  CHECK_EQ(csr_read(mtvec), 0x80004001UL, "mtvec reserved mode 3 write ignored (QEMU)");
  csr_write(mtvec, saved);
  csr_write(stvec, 0x80002000UL);
  CHECK_EQ(csr_read(stvec), 0x80002000UL, "stvec direct");
  csr_write(stvec, 0x80002041UL);
  CHECK_EQ(csr_read(stvec), 0x80002041UL, "stvec vectored");
  csr_write(stvec, 0x80003002UL);
  CHECK_EQ(csr_read(stvec), 0x80002041UL, "stvec reserved mode write ignored (QEMU)");

  csr_write(satp, 0);
  csr_write(satp, (9UL << 60) | 0x1234);
  CHECK_EQ(csr_read(satp), (9UL << 60) | 0x1234, "satp Sv48 accepted (QEMU rv64 supports sv48)");
  csr_write(satp, (15UL << 60) | 0x5678);
  CHECK_EQ(csr_read(satp), (9UL << 60) | 0x1234, "satp unsupported mode 15 write ignored");
  csr_write(satp, SATP_MODE_SV39 | 0x87654UL);
  CHECK_EQ(csr_read(satp), SATP_MODE_SV39 | 0x87654UL, "satp Sv39");
  csr_write(satp, 0);
  CHECK_EQ(csr_read(satp), 0, "satp bare");
}

static int less(uint64_t a, uint64_t b) { return a < b; }

static void test_counters(void) {
  uint64_t c1 = csr_read(mcycle), c2 = csr_read(mcycle);
  uint64_t i1 = csr_read(minstret), i2 = csr_read(minstret);
  uint64_t t1 = csr_read(time), m1 = read_mtime(), t2 = csr_read(time);
  CHECK(less(c1, c2), "mcycle increases");
  CHECK(less(i1, i2), "minstret increases");
  CHECK(t1 <= m1 && m1 <= t2, "time CSR agrees with CLINT mtime");
  CHECK(less(csr_read(cycle) - 1, csr_read(mcycle)), "cycle aliases mcycle");
  csr_write(mcountinhibit, 5);
  CHECK_EQ(csr_read(mcountinhibit) & 7, 5, "mcountinhibit CY|IR");
  c1 = csr_read(mcycle);
  i1 = csr_read(minstret);
  for (volatile int k = 0; k < 100; k++) {
  }
  c2 = csr_read(mcycle);
  i2 = csr_read(minstret);
  CHECK_EQ(c2, c1, "mcycle stopped by mcountinhibit");
  CHECK_EQ(i2, i1, "minstret stopped by mcountinhibit");
  csr_write(mcycle, 1000);
  csr_write(minstret, 2000);
  CHECK_EQ(csr_read(mcycle), 1000, "mcycle write while inhibited");
  CHECK_EQ(csr_read(minstret), 2000, "minstret write while inhibited");
  csr_write(mcountinhibit, 0);
  CHECK(csr_read(mcycle) > 1000, "mcycle counts from the written value");
  CHECK(csr_read(minstret) > 2000, "minstret counts from the written value");
  csr_write(mcycle, 0x4000000000000000UL);
  c1 = csr_read(mcycle);
  CHECK(c1 >= 0x4000000000000000UL && c1 < 0x4000001000000000UL, "mcycle write of a large value");
}

/* rdcycle/rdtime/rdinstret into a5, as raw words so mtval is known */
#define RDCYCLE 0xc00027f3
#define RDTIME 0xc01027f3
#define RDINSTRET 0xc02027f3

#define COUNTER_READ(enc, legal, what, ...)                                                          \
  do {                                                                                               \
    trap_expect();                                                                                   \
    __asm__ volatile(".word " STR(enc) ::: "a5");                                                    \
    if (legal)                                                                                       \
      check_no_trap(what);                                                                           \
    else                                                                                             \
      check_trap(what, CAUSE_ILLEGAL_INSN, enc, PRV_M);                                              \
  } while (0)

static void counters_from(int mode, uint64_t mcen, uint64_t scen) {
  csr_write(mcounteren, mcen);
  csr_write(scounteren, scen);
  switch_mode(mode);
  uint64_t en = mode == PRV_S ? mcen : (mcen & scen);
  COUNTER_READ(RDCYCLE, en & 1, "rdcycle");
  COUNTER_READ(RDTIME, en & 2, "rdtime");
  COUNTER_READ(RDINSTRET, en & 4, "rdinstret");
  switch_mode(PRV_M);
}

static void test_counteren(void) {
  COUNTER_READ(RDCYCLE, 1, "rdcycle in M");
  COUNTER_READ(RDTIME, 1, "rdtime in M");
  COUNTER_READ(RDINSTRET, 1, "rdinstret in M");
  static const uint64_t patterns[] = {0, 1, 2, 4, 7, 5};
  for (unsigned i = 0; i < 6; i++) {
    counters_from(PRV_S, patterns[i], 0);
    counters_from(PRV_U, patterns[i], 7);
    counters_from(PRV_U, 7, patterns[i]);
  }
  csr_write(mcounteren, 7);
  CHECK_EQ(csr_read(mcounteren) & 7, 7, "mcounteren CY|TM|IR");
  csr_write(scounteren, 0);
}

int main(void) {
  test_begin("priv_csr");
  test_misa_ids();
  test_mstatus();
  test_tvm_tw_tsr();
  test_deleg_ie_ip();
  test_tvec_satp();
  test_counters();
  test_counteren();
  return test_end();
}
