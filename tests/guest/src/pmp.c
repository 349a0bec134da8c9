/* PMP enforcement as QEMU 7.2 does it (target/riscv/pmp.c): OFF/TOR/NA4/NAPOT entries, priority by
 * index, S/U denied where no entry matches (and everything denied to them with no entry enabled), M
 * bound only by locked entries, accesses partly inside an entry refused in every mode, regions
 * smaller than a page (every access checked, none cached), fetch faults, the page walk's PTE reads,
 * locks (pmpcfg/pmpaddr writes ignored, TOR's lower address locked too). Every probe prints its
 * outcome (cause and tval relative to the probed area) and checks what the privileged spec and
 * QEMU's pmp_hart_has_privs say; the diff suite compares the output with QEMU 7.2's.
 *
 * Entry 15 is the catch-all (NAPOT over everything, RWX) that lets the test's own code, stack and
 * devices work in S/U; entries 0..14 hold the regions under test. Locking is one-way, so the lock
 * tests come last. */
#include "test.h"
#include "trap.h"

#define PAGE 4096UL
#define A_OFF 0
#define A_TOR (1 << 3)
#define A_NA4 (2 << 3)
#define A_NAPOT (3 << 3)
#define P_R 1
#define P_W 2
#define P_X 4
#define P_L 0x80

#define PTE_V (1UL << 0)
#define PTE_R (1UL << 1)
#define PTE_W (1UL << 2)
#define PTE_X (1UL << 3)
#define PTE_A (1UL << 6)
#define PTE_D (1UL << 7)
#define VA_BASE 0x40000000UL /* the gigapage at DRAM_BASE, mapped here for the page-walk probes */

/* Eight pages: 0 R only, 1 TOR RW, 2 NA4 hole, 3 sub-page NAPOT fetch, 4 locked, 5-6 locked TOR, 7 page table */
static uint8_t area[8 * PAGE] __attribute__((aligned(8 * PAGE)));
#define AREA ((uintptr_t)area)
#define PG(n) (AREA + (n) * PAGE)

enum op { LB, LW, LD, SB, SW, SD, FETCH };
static const char *const OP_NAME[] = { "lb", "lw", "ld", "sb", "sw", "sd", "fetch" };
static const char *const MODE_NAME[] = { "U", "S", "?", "M" };
#define OK 0xff

static void write_pmpaddr(int i, uint64_t v) {
  switch (i) {
  case 0: csr_write(pmpaddr0, v); break;
  case 1: csr_write(pmpaddr1, v); break;
  case 2: csr_write(pmpaddr2, v); break;
  case 3: csr_write(pmpaddr3, v); break;
  case 4: csr_write(pmpaddr4, v); break;
  case 5: csr_write(pmpaddr5, v); break;
  case 6: csr_write(pmpaddr6, v); break;
  case 7: csr_write(pmpaddr7, v); break;
  case 15: csr_write(pmpaddr15, v); break;
  default: break;
  }
}

static uint64_t read_pmpaddr(int i) {
  switch (i) {
  case 4: return csr_read(pmpaddr4);
  case 5: return csr_read(pmpaddr5);
  default: return 0;
  }
}

/* Entry i's configuration byte (entries 0..7 in pmpcfg0, 8..15 in pmpcfg2). */
static void write_cfg(int i, uint8_t cfg) {
  int shift = (i & 7) * 8;
  if (i < 8) {
    uint64_t v = csr_read(pmpcfg0);
    csr_write(pmpcfg0, (v & ~(0xffUL << shift)) | ((uint64_t)cfg << shift));
  } else {
    uint64_t v = csr_read(pmpcfg2);
    csr_write(pmpcfg2, (v & ~(0xffUL << shift)) | ((uint64_t)cfg << shift));
  }
}

static uint8_t read_cfg(int i) {
  return (uint8_t)((i < 8 ? csr_read(pmpcfg0) : csr_read(pmpcfg2)) >> ((i & 7) * 8));
}

static uint64_t napot(uintptr_t base, uint64_t size) { return (base >> 2) | ((size >> 3) - 1); }

static void set_entry(int i, uint8_t cfg, uint64_t addr) {
  write_pmpaddr(i, addr);
  write_cfg(i, cfg);
}

static void all_off(void) {
  csr_write(pmpcfg0, 0);
  csr_write(pmpcfg2, 0);
}

static void catch_all(void) {
  write_pmpaddr(15, ~0UL);
  write_cfg(15, A_NAPOT | P_R | P_W | P_X);
  kprintf("pmpaddr15 after writing all ones: %lx\n", csr_read(pmpaddr15));
}

static void run_op(enum op op, uintptr_t a) {
  switch (op) {
  case LB: probe_lb(a); break;
  case LW: probe_lw(a); break;
  case LD: probe_ld(a); break;
  case SB: probe_sb(a, 0x5a); break;
  case SW: probe_sw(a, 0x5a5a5a5a); break;
  case SD: probe_sd(a, 0x5a5a5a5a5a5a5a5aUL); break;
  case FETCH: probe_fetch(a); break;
  }
}

static uint64_t fault_cause(enum op op) {
  return op == FETCH ? CAUSE_FETCH_ACCESS : op >= SB ? CAUSE_STORE_ACCESS : CAUSE_LOAD_ACCESS;
}

/* Report a probe's outcome and check it: `allowed` or an access fault with tval = `tval`. */
static void report_tval(const char *what, int mode, enum op op, uintptr_t a, int allowed, uintptr_t tval) {
  if (trap_last.count == 0) kprintf("%s: %s %s +0x%lx ok\n", what, MODE_NAME[mode], OP_NAME[op], a - AREA);
  else
    kprintf("%s: %s %s +0x%lx fault cause=%lu tval=+0x%lx\n", what, MODE_NAME[mode], OP_NAME[op], a - AREA,
            trap_last.cause, trap_last.tval - AREA);
  if (allowed) {
    check_no_trap(what);
  } else {
    check_trap(what, fault_cause(op), tval, PRV_M);
  }
}

static void report(const char *what, int mode, enum op op, uintptr_t a, int allowed) {
  report_tval(what, mode, op, a, allowed, a);
}

/* One access in privilege `mode`; `allowed` is what the test expects. */
static void access(const char *what, int mode, enum op op, uintptr_t a, int allowed) {
  if (mode != PRV_M) switch_mode(mode);
  trap_expect();
  run_op(op, a);
  if (mode != PRV_M) switch_mode(PRV_M);
  report(what, mode, op, a, allowed);
}

/* A load or store from M-mode with MPRV and MPP = S: the S-mode view of memory while M-mode code
 * (and its stack) keep running, also when no PMP entry lets S-mode do anything. */
static void access_mprv_s(const char *what, enum op op, uintptr_t a, int allowed) {
  uint64_t mprv_s = MSTATUS_MPRV | ((uint64_t)PRV_S << MSTATUS_MPP_SHIFT);
  csr_clear(mstatus, MSTATUS_MPP);
  trap_expect();
  if (op == LD)
    __asm__ volatile("csrs mstatus, %0\n ld t0, 0(%1)\n csrc mstatus, %0" ::"r"(mprv_s), "r"(a) : "t0", "memory");
  else
    __asm__ volatile("csrs mstatus, %0\n sd zero, 0(%1)\n csrc mstatus, %0" ::"r"(mprv_s), "r"(a) : "memory");
  csr_clear(mstatus, MSTATUS_MPRV | MSTATUS_MPP);
  csr_set(mstatus, (uint64_t)PRV_M << MSTATUS_MPP_SHIFT);
  report(what, PRV_S, op, a, allowed);
}

/* `ret` at a: fetch probes jump there and come back. */
static void put_ret(uintptr_t a) {
  *(volatile uint32_t *)a = 0x00008067; /* jalr x0, 0(ra) */
  __asm__ volatile("fence.i" ::: "memory");
}

static void test_no_rules(void) {
  all_off();
  access_mprv_s("no entry enabled: S denied", LD, PG(0), 0);
  access_mprv_s("no entry enabled: S denied", SD, PG(0), 0);
  access("no entry enabled: M allowed", PRV_M, LD, PG(0), 1);
  access("no entry enabled: M allowed", PRV_M, SD, PG(0), 1);
  /* one entry enabled elsewhere: S still denied where nothing matches */
  set_entry(0, A_NAPOT | P_R | P_W, napot(PG(1), PAGE));
  access_mprv_s("no entry matches: S denied", LD, PG(0), 0);
  access_mprv_s("entry matches: S allowed", LD, PG(1), 1);
  all_off();
}

static void test_modes(void) {
  catch_all();
  for (int p = 0; p < 4; p++) put_ret(PG(p));
  put_ret(PG(3) + 0x20);
  *(volatile uint32_t *)(PG(3) + 0x1c) = 0x00000013; /* nop, just before the ret at +0x20 */
  __asm__ volatile("fence.i" ::: "memory");
  /* page 0: NAPOT, R only */
  set_entry(0, A_NAPOT | P_R, napot(PG(0), PAGE));
  /* page 1: TOR [pmpaddr1, pmpaddr2), RW */
  set_entry(1, A_OFF, PG(1) >> 2);
  set_entry(2, A_TOR | P_R | P_W, PG(2) >> 2);
  /* page 2: NA4 hole without permissions at +0x10 */
  set_entry(3, A_NA4, (PG(2) + 0x10) >> 2);
  /* page 3: 32-byte NAPOT at +0x20, R only (not executable), the rest of the page the catch-all's */
  set_entry(4, A_NAPOT | P_R, napot(PG(3) + 0x20, 32));

  for (int mode = PRV_U; mode <= PRV_M; mode += (mode == PRV_S ? 2 : 1)) {
    int m = mode == PRV_M;
    access("NAPOT R", mode, LD, PG(0) + 8, 1);
    access("NAPOT R", mode, SD, PG(0) + 8, m);
    access("NAPOT R", mode, FETCH, PG(0), m);
    access("TOR RW", mode, LW, PG(1) + 0xffc, 1);
    access("TOR RW", mode, SB, PG(1) + 0x800, 1);
    access("TOR RW", mode, FETCH, PG(1), m);
    access("TOR end", mode, FETCH, PG(2), 1); /* past the TOR range: the catch-all */
    access("NA4 hole", mode, LW, PG(2) + 0x10, m);
    access("NA4 hole", mode, LB, PG(2) + 0x13, m);
    access("beside NA4", mode, LW, PG(2) + 0x0c, 1);
    access("beside NA4", mode, LW, PG(2) + 0x14, 1);
    access("NA4 again", mode, SW, PG(2) + 0x10, m); /* the page stays checked after allowed accesses */
    access("partly in NA4", mode, LD, PG(2) + 0x10, 0); /* 8 bytes over a 4-byte entry: every mode */
    access("partly in NA4", mode, SD, PG(2) + 0x08, 1); /* ends before the entry */
    access("partly in NA4", mode, LW, PG(2) + 0x0e, 0); /* misaligned over its start */
    access("sub-page NAPOT", mode, FETCH, PG(3), 1);
    access("sub-page NAPOT", mode, FETCH, PG(3) + 0x20, m);
    access("sub-page NAPOT", mode, FETCH, PG(3), 1);
    /* straight-line code running into the region: QEMU 7.2 checks the fetch where a translated
     * block starts only, so the ret in the non-executable region runs (no fault in any mode) */
    if (mode != PRV_M) switch_mode(mode);
    trap_expect();
    probe_fetch(PG(3) + 0x1c);
    if (mode != PRV_M) switch_mode(PRV_M);
    report_tval("into sub-page NAPOT", mode, FETCH, PG(3) + 0x1c, 1, PG(3) + 0x20);
    access("sub-page NAPOT", mode, LD, PG(3) + 0x38, 1);
    access("sub-page NAPOT", mode, SD, PG(3) + 0x38, m);
  }
  /* M-mode with MPRV takes MPP's privilege for data */
  access_mprv_s("MPRV S on NAPOT R", SD, PG(0) + 8, 0);
  access_mprv_s("MPRV S on NAPOT R", LD, PG(0) + 8, 1);
  /* the lowest-numbered matching entry wins: page 0 opened RW by entry 0 over a read-only entry 5 */
  set_entry(5, A_NAPOT | P_R, napot(PG(0), PAGE));
  set_entry(0, A_NAPOT | P_R | P_W, napot(PG(0), 2 * PAGE));
  access("priority", PRV_S, SD, PG(0) + 8, 1);
  set_entry(0, A_OFF, 0);
  access("priority", PRV_S, SD, PG(0) + 8, 0);
  for (int i = 0; i <= 5; i++) write_cfg(i, A_OFF);
}

/* Sv39: root table in page 7, one gigapage VA_BASE -> DRAM_BASE. Data through MPRV with MPP = S. */
static void test_page_walk(void) {
  uint64_t *root = (uint64_t *)PG(7);
  for (int i = 0; i < 512; i++) root[i] = 0;
  root[VA_BASE >> 30] = ((DRAM_BASE >> 12) << 10) | PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D;
  csr_write(satp, SATP_MODE_SV39 | (PG(7) >> 12));
  __asm__ volatile("sfence.vma" ::: "memory");
  uintptr_t va = VA_BASE + (PG(1) - DRAM_BASE);
  access_mprv_s("walk", LD, va, 1);
  set_entry(0, A_NAPOT, napot(PG(7), PAGE)); /* the page table: no access for S */
  access_mprv_s("walk PTE denied", LD, va, 0);
  access_mprv_s("walk PTE denied", SD, va, 0);
  set_entry(0, A_NAPOT | P_R, napot(PG(7), PAGE));
  set_entry(1, A_NAPOT | P_R, napot(PG(1), PAGE)); /* the data: read-only for S */
  access_mprv_s("walk PTE readable", LD, va, 1);
  access_mprv_s("walk, data read-only", SD, va, 0);
  csr_write(satp, 0);
  __asm__ volatile("sfence.vma" ::: "memory");
  write_cfg(0, A_OFF);
  write_cfg(1, A_OFF);
}

static void test_locks(void) {
  put_ret(PG(4));
  put_ret(PG(5));
  /* entry 4: page 4, locked, R only: binds M too and cannot be changed */
  set_entry(4, A_NAPOT | P_R | P_L, napot(PG(4), PAGE));
  access("locked R", PRV_M, LD, PG(4), 1);
  access("locked R", PRV_M, SD, PG(4), 0);
  access("locked R", PRV_M, FETCH, PG(4), 0);
  access("locked R", PRV_S, SD, PG(4), 0);
  write_pmpaddr(4, napot(PG(0), PAGE));
  CHECK_EQ(read_pmpaddr(4), napot(PG(4), PAGE), "locked pmpaddr4 keeps its value");
  write_cfg(4, A_NAPOT | P_R | P_W | P_X);
  CHECK_EQ(read_cfg(4), A_NAPOT | P_R | P_L, "locked pmpcfg byte 4 keeps its value");
  access("locked R after writes", PRV_M, SD, PG(4), 0);
  /* entries 5-6: TOR [pmpaddr5, pmpaddr6) = pages 5-6, locked RX: pmpaddr5 is locked with it */
  set_entry(5, A_OFF, PG(5) >> 2);
  set_entry(6, A_TOR | P_R | P_X | P_L, PG(7) >> 2);
  write_pmpaddr(5, PG(6) >> 2);
  CHECK_EQ(read_pmpaddr(5), PG(5) >> 2, "pmpaddr5 under a locked TOR entry 6 keeps its value");
  access("locked TOR RX", PRV_M, FETCH, PG(5), 1);
  access("locked TOR RX", PRV_M, SW, PG(5) + 0x100, 0);
  access("locked TOR RX", PRV_U, LW, PG(6) + 0x100, 1);
  /* an unlocked lower entry still takes precedence over a locked one */
  set_entry(0, A_NAPOT | P_R | P_W, napot(PG(4), PAGE));
  access("unlocked entry 0 over locked 4", PRV_M, SD, PG(4), 1);
  access("unlocked entry 0 over locked 4", PRV_S, SD, PG(4), 1);
}

/* QEMU 7.2's rv64 has no ePMP (x-epmp=false): mseccfg (0x747) is not a CSR. */
static void test_no_mseccfg(void) {
  trap_expect();
  __asm__ volatile("csrr t0, 0x747" ::: "t0");
  check_trap_cause("mseccfg read", CAUSE_ILLEGAL_INSN, PRV_M);
  kprintf("mseccfg read: cause=%lu\n", trap_last.cause);
}

int main(void) {
  test_begin("pmp");
  test_no_mseccfg();
  test_no_rules();
  test_modes();
  test_page_walk();
  test_locks();
  return test_end();
}
