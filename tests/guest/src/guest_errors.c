/* What QEMU 7.2 logs under -d guest_errors and -d unimp for a bare-metal guest on virt, one
 * case after another (tests/guesterr holds the logs; this guest checks the traps):
 * - CSRs that do not exist: illegal instruction, nothing logged;
 * - reserved mtvec/stvec modes: ignored, logged under unimp;
 * - locked PMP entries: writes ignored, logged under guest_errors (entries 14/15 are locked
 *   with A=OFF and TOR over an empty range, so nothing is enforced);
 * - loads/stores of every size, atomics and fetches on unmapped addresses: access faults,
 *   one "Invalid ... rejected" line each (two in a page shared with a device: a QEMU subpage);
 * - misaligned accesses on device pages and across the end of RAM, split as QEMU's softmmu
 *   splits them (the fault reports the failing part);
 * - device misuse: PLIC reserved offsets and bad sizes, UART beyond its 8 registers, CLINT
 *   registers of absent harts, bad sizes and halves, goldfish RTC offsets it does not
 *   implement, sifive_test values it does not know.
 * Every probe runs in M-mode; the access-fault addresses are the ones QEMU reports. */
#include "test.h"
#include "trap.h"

#define NONE 0xffUL
#define RAM_END 0x88000000UL /* -m 128M (QEMU's default) */

enum kind { LB, LH, LW, LD, SB, SH, SW, SD, AMOADD_W, AMOADD_D, LR_W, FETCH };

struct probe {
  const char *what;
  enum kind kind;
  uintptr_t addr;
  uint64_t value;
  uint64_t cause; /* NONE: no trap expected */
  uintptr_t tval;
};

static void run(enum kind k, uintptr_t a, uint64_t v) {
  switch (k) {
    case LB: probe_lb(a); break;
    case LH: probe_lh(a); break;
    case LW: probe_lw(a); break;
    case LD: probe_ld(a); break;
    case SB: probe_sb(a, v); break;
    case SH: probe_sh(a, v); break;
    case SW: probe_sw(a, v); break;
    case SD: probe_sd(a, v); break;
    case AMOADD_W: probe_amoadd_w(a, v); break;
    case AMOADD_D: probe_amoadd_d(a, v); break;
    case LR_W: probe_lr_w(a); break;
    case FETCH: probe_fetch(a); break;
  }
}

static void run_probes(const struct probe *p, unsigned n) {
  for (unsigned i = 0; i < n; i++, p++) {
    trap_expect();
    run(p->kind, p->addr, p->value);
    if (p->cause == NONE) {
      check_no_trap(p->what);
    } else {
      check_trap(p->what, p->cause, p->tval, PRV_M);
    }
  }
}

#define LD_FAULT(what, k, a) {what, k, a, 0, CAUSE_LOAD_ACCESS, a}
#define ST_FAULT(what, k, a) {what, k, a, 0x1122334455667788UL, CAUSE_STORE_ACCESS, a}
#define ALL_SIZES(a)                                                                              \
  LD_FAULT("lb " #a, LB, a), LD_FAULT("lh " #a, LH, a), LD_FAULT("lw " #a, LW, a),                \
  LD_FAULT("ld " #a, LD, a), ST_FAULT("sb " #a, SB, a), ST_FAULT("sh " #a, SH, a),                \
  ST_FAULT("sw " #a, SW, a), ST_FAULT("sd " #a, SD, a)

/* csrr of a CSR number that QEMU 7.2's rv64 does not have: illegal, nothing logged */
#define NO_CSR(num)                                                                               \
  do {                                                                                            \
    trap_expect();                                                                                \
    __asm__ volatile(".option push\n.option norvc\ncsrr a5, " #num "\n.option pop\n" ::: "a5", "memory"); \
    check_trap("csrr " #num, CAUSE_ILLEGAL_INSN, 0x000027f3UL | ((uint64_t)(num) << 20), PRV_M); \
  } while (0)

static void test_csrs(void) {
  NO_CSR(0x7c0); /* custom M-mode */
  NO_CSR(0x5c0); /* custom S-mode */
  NO_CSR(0x8c0); /* custom U-mode */
  NO_CSR(0xcc0); /* custom U-mode read-only */
  NO_CSR(0xfc0); /* custom M-mode read-only */
  NO_CSR(0xc20); /* vl: no V */
  NO_CSR(0x3a1); /* pmpcfg1: odd pmpcfg on RV64 */
  NO_CSR(0x015); /* seed: no Zkr */
  NO_CSR(0x30c); /* mstateen0: no Smstateen */
  NO_CSR(0xda0); /* scountovf: no Sscofpmf */
  NO_CSR(0xc80); /* cycleh: RV32 only */
  NO_CSR(0x7b0); /* dcsr: no debug mode */
  trap_expect();
  __asm__ volatile(".option push\n.option norvc\nli a5, 1\ncsrw mvendorid, a5\n.option pop\n" ::: "a5", "memory");
  check_trap("csrw mvendorid (read-only)", CAUSE_ILLEGAL_INSN, 0xf1179073UL, PRV_M);

  /* reserved xtvec modes are ignored (and logged under -d unimp) */
  uint64_t mtvec = csr_read(mtvec);
  csr_write(mtvec, 0x80000002UL);
  csr_write(mtvec, 0x80000003UL);
  CHECK_EQ(csr_read(mtvec), mtvec, "mtvec keeps its value on reserved modes");
  csr_write(stvec, 0x80000100UL);
  csr_write(stvec, 0x80000002UL);
  csr_write(stvec, 0x80000003UL);
  CHECK_EQ(csr_read(stvec), 0x80000100UL, "stvec keeps its value on reserved modes");

  /* PMP locks: entry 14 L with A=OFF, entry 15 L with TOR over [pmpaddr14, pmpaddr15) = [0, 0) */
  csr_write(pmpcfg2, (0x88UL << 56) | (0x80UL << 48));
  csr_write(pmpcfg2, 0x1fUL); /* entries 8..13 take it, the locked ones log and keep theirs */
  CHECK_EQ(csr_read(pmpcfg2), (0x88UL << 56) | (0x80UL << 48) | 0x1fUL, "pmpcfg2 keeps locked entries");
  csr_write(pmpaddr15, 0x1000);
  CHECK_EQ(csr_read(pmpaddr15), 0, "pmpaddr15 locked");
  csr_write(pmpaddr14, 0x1000);
  CHECK_EQ(csr_read(pmpaddr14), 0, "pmpaddr14 locked by the TOR entry above");
  csr_write(pmpaddr13, 0x1000);
  CHECK_EQ(csr_read(pmpaddr13), 0x1000, "pmpaddr13 is not locked");
}

static const struct probe unmapped[] = {
    ALL_SIZES(0x0UL),
    ALL_SIZES(0x10009000UL), /* after the last virtio-mmio slot */
    ALL_SIZES(0x2800000UL),  /* between the CLINT and PCIe PIO */
    ALL_SIZES(0x200c000UL),  /* the CLINT slot past the MTIMER region */
    ALL_SIZES(0x90000000UL), /* past RAM */
    {"ld misaligned on an unmapped page", LD, 0x3UL, 0, CAUSE_LOAD_ACCESS, 0x0UL},
    {"amoadd.w unmapped", AMOADD_W, 0x10UL, 1, CAUSE_LOAD_ACCESS, 0x10UL},
    {"amoadd.d unmapped", AMOADD_D, 0x10UL, 1, CAUSE_LOAD_ACCESS, 0x10UL},
    {"lr.w unmapped", LR_W, 0x10UL, 0, CAUSE_LOAD_ACCESS, 0x10UL},
    {"fetch unmapped", FETCH, 0x20UL, 0, CAUSE_FETCH_ACCESS, 0x20UL},
    {"fetch beside the UART", FETCH, 0x10000010UL, 0, CAUSE_FETCH_ACCESS, 0x10000010UL},
    {"ld across the end of RAM", LD, RAM_END - 4, 0, CAUSE_LOAD_ACCESS, RAM_END},
    {"lh across the end of RAM", LH, RAM_END - 1, 0, CAUSE_LOAD_ACCESS, RAM_END},
    {"sw across the end of RAM", SW, RAM_END - 2, 0x12345678, CAUSE_STORE_ACCESS, RAM_END},
};

#define PLIC(off) (PLIC_BASE + (off))
static const struct probe plic[] = {
    {"plic read 0x0 (no source 0)", LW, PLIC(0x0), 0, NONE, 0},
    {"plic write 0x0", SW, PLIC(0x0), 1, NONE, 0},
    {"plic write source 96 priority", SW, PLIC(0x180), 3, NONE, 0},
    {"plic read past the priorities", LW, PLIC(0x184), 0, NONE, 0},
    {"plic write pending (no newline in QEMU)", SW, PLIC(0x1000), 1, NONE, 0},
    {"plic read past the pending words", LW, PLIC(0x100c), 0, NONE, 0},
    {"plic read enable word 3", LW, PLIC(0x208c), 0, NONE, 0},
    {"plic write enable word 3", SW, PLIC(0x208c), 1, NONE, 0},
    {"plic read context +8", LW, PLIC(0x200008), 0, NONE, 0},
    {"plic write context +8", SW, PLIC(0x200008), 1, NONE, 0},
    {"plic read absent context", LW, PLIC(0x202000), 0, NONE, 0},
    {"plic write absent context", SW, PLIC(0x202004), 1, NONE, 0},
    {"plic read end of window", LW, PLIC(0x5ffffc), 0, NONE, 0},
    {"plic lb", LB, PLIC(0x4), 0, CAUSE_LOAD_ACCESS, PLIC(0x4)},
    {"plic lh", LH, PLIC(0x4), 0, CAUSE_LOAD_ACCESS, PLIC(0x4)},
    {"plic ld aligned", LD, PLIC(0x8), 0, CAUSE_LOAD_ACCESS, PLIC(0x8)},
    {"plic ld misaligned (aligned part below fails)", LD, PLIC(0x4), 0, CAUSE_LOAD_ACCESS, PLIC(0x0)},
    {"plic sb", SB, PLIC(0x4), 1, CAUSE_STORE_ACCESS, PLIC(0x4)},
    {"plic sh", SH, PLIC(0x4), 1, CAUSE_STORE_ACCESS, PLIC(0x4)},
    {"plic sd misaligned (first byte fails)", SD, PLIC(0x4), 1, CAUSE_STORE_ACCESS, PLIC(0x4)},
    {"plic lw misaligned (two valid words)", LW, PLIC(0x6), 0, NONE, 0},
};

#define UART(off) (UART0_BASE + (off))
static const struct probe uart[] = {
    {"uart lb +7", LB, UART(7), 0, NONE, 0},
    {"uart ld +0 (one register)", LD, UART(0), 0, NONE, 0},
    {"uart lw +2 (two registers)", LW, UART(2), 0, NONE, 0},
    {"uart lh +7 (second half unmapped)", LH, UART(7), 0, CAUSE_LOAD_ACCESS, UART(8)},
    {"uart lw +7", LW, UART(7), 0, CAUSE_LOAD_ACCESS, UART(8)},
    {"uart ld +7", LD, UART(7), 0, CAUSE_LOAD_ACCESS, UART(8)},
    {"uart sh +7 (scratch byte, then a fault)", SH, UART(7), 0x2211, CAUSE_STORE_ACCESS, UART(8)},
    {"uart sd +7", SD, UART(7), 0x2211, CAUSE_STORE_ACCESS, UART(8)},
    ALL_SIZES(UART0_BASE + 0x10UL),
};

#define CLINT(off) (CLINT_BASE + (off))
static const struct probe clint[] = {
    {"msip of hart 7", LW, CLINT(0x1c), 0, NONE, 0},
    {"msip of hart 7 write", SW, CLINT(0x1c), 0, NONE, 0},
    {"msip lb", LB, CLINT(0x0), 0, CAUSE_LOAD_ACCESS, CLINT(0x0)},
    {"msip ld", LD, CLINT(0x0), 0, CAUSE_LOAD_ACCESS, CLINT(0x0)},
    {"msip lw misaligned (two absent harts)", LW, CLINT(0x1e), 0, NONE, 0},
    {"swi end", LW, CLINT(0x3ffc), 0, NONE, 0},
    {"swi end write", SW, CLINT(0x3ffc), 0, NONE, 0},
    {"mtimecmp of hart 7", LW, CLINT(0x4038), 0, NONE, 0},
    {"mtimecmp of hart 7 write", SW, CLINT(0x4038), 0, NONE, 0},
    {"mtimecmp lw misaligned (two valid halves)", LW, CLINT(0x4002), 0, NONE, 0},
    {"mtimecmp sw misaligned", SW, CLINT(0x4002), 0, CAUSE_STORE_ACCESS, CLINT(0x4002)},
    {"mtimecmp sd at +4", SD, CLINT(0x4004), 0, CAUSE_STORE_ACCESS, CLINT(0x4004)},
    {"mtimer lb", LB, CLINT(0x4000), 0, CAUSE_LOAD_ACCESS, CLINT(0x4000)},
    {"mtimer lh", LH, CLINT(0x4000), 0, CAUSE_LOAD_ACCESS, CLINT(0x4000)},
    {"mtimer between mtimecmp and mtime", LW, CLINT(0x8000), 0, NONE, 0},
    {"mtimer between mtimecmp and mtime write", SW, CLINT(0x8000), 0, NONE, 0},
    {"mtime sd at +4", SD, CLINT(0xbffc), 0, CAUSE_STORE_ACCESS, CLINT(0xbffc)},
};

#define RTC(off) (RTC_BASE + (off))
static const struct probe rtc[] = {
    {"rtc read 0x20", LW, RTC(0x20), 0, NONE, 0},
    {"rtc write 0x20", SW, RTC(0x20), 0, NONE, 0},
    {"rtc read CLEAR_INTERRUPT", LW, RTC(0x1c), 0, NONE, 0},
    {"rtc write ALARM_STATUS", SW, RTC(0x18), 0, NONE, 0},
    {"rtc lb (refused inside a subpage)", LB, RTC(0x0), 0, CAUSE_LOAD_ACCESS, RTC(0x0)},
    {"rtc sh", SH, RTC(0x10), 0, CAUSE_STORE_ACCESS, RTC(0x10)},
    {"rtc ld (two 32-bit reads)", LD, RTC(0x0), 0, NONE, 0},
    {"rtc ld 0x18", LD, RTC(0x18), 0, NONE, 0},
    {"rtc past its registers", LW, RTC(0xffc), 0, CAUSE_LOAD_ACCESS, RTC(0xffc)},
};

static const struct probe finisher[] = {
    {"finisher read", LW, TEST_FINISHER, 0, NONE, 0},
    {"finisher unknown status", SW, TEST_FINISHER, 0x1234, NONE, 0},
    {"finisher unknown status (16-bit)", SH, TEST_FINISHER, 0x4321, NONE, 0},
    {"finisher offset 4", SW, TEST_FINISHER + 4, 0x5555, NONE, 0},
    {"finisher offset 8 (16-bit)", SH, TEST_FINISHER + 8, 0x1234, NONE, 0},
    {"finisher sb", SB, TEST_FINISHER, 0x55, CAUSE_STORE_ACCESS, TEST_FINISHER},
    {"finisher sd", SD, TEST_FINISHER, 0x5555, CAUSE_STORE_ACCESS, TEST_FINISHER},
};

#define RUN(table) run_probes(table, sizeof(table) / sizeof(table[0]))

int main(void) {
  test_begin("guest_errors");
  test_csrs();
  RUN(unmapped);
  RUN(plic);
  CHECK_EQ(MMIO32(PLIC(0x180)), 3, "plic source 96 priority reads back");
  RUN(uart);
  CHECK_EQ(MMIO8(UART(7)), 0x11, "uart scratch got the first byte of the faulting sh");
  RUN(clint);
  RUN(rtc);
  RUN(finisher);
  return test_end();
}
