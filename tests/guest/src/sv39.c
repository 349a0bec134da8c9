/* Sv39 virtual memory, with page tables built by the guest:
 * - 4 KiB, 2 MiB and 1 GiB leaves, high (sign-extended) addresses, non-canonical
 *   addresses, misaligned superpages, non-leaf PTE at level 0, W-without-R;
 * - hardware A/D updates (QEMU sets them: checked in the PTEs);
 * - load/store/fetch page faults with the right cause, tval and epc, taken in S
 *   (medeleg) and in M (not delegated);
 * - U bit, SUM and MXR rules for S and U, execute-only pages;
 * - sfence.vma after remapping; MPRV (M-mode loads/stores translated as MPP);
 * - page-crossing loads and instruction fetches whose second page faults. */
#include "test.h"
#include "trap.h"

#define PTE_V (1UL << 0)
#define PTE_R (1UL << 1)
#define PTE_W (1UL << 2)
#define PTE_X (1UL << 3)
#define PTE_U (1UL << 4)
#define PTE_G (1UL << 5)
#define PTE_A (1UL << 6)
#define PTE_D (1UL << 7)
#define PTE_AD (PTE_A | PTE_D)

#define PAGE 4096UL
#define MEGA (2UL << 20)
#define GIGA (1UL << 30)

static uint64_t root_s[512] __attribute__((aligned(4096)));
static uint64_t root_u[512] __attribute__((aligned(4096)));
static uint64_t l1[512] __attribute__((aligned(4096)));
static uint64_t l0[512] __attribute__((aligned(4096)));
static uint8_t pages[6][PAGE] __attribute__((aligned(4096)));

/* Test virtual addresses (VPN2 = 1 region, 4 KiB pages through l0) */
#define VA_BASE 0x40000000UL
#define VA_RW (VA_BASE + 0 * PAGE)        /* pages[0], RW */
#define VA_RO (VA_BASE + 1 * PAGE)        /* pages[1], R */
#define VA_AD (VA_BASE + 2 * PAGE)        /* pages[2], RW with A=D=0 */
#define VA_USER (VA_BASE + 3 * PAGE)      /* pages[3], U RW */
#define VA_XONLY (VA_BASE + 4 * PAGE)     /* pages[4], X only */
#define VA_WONLY (VA_BASE + 5 * PAGE)     /* pages[5], W only (reserved) */
#define VA_INVALID (VA_BASE + 6 * PAGE)   /* V = 0 */
#define VA_NONLEAF (VA_BASE + 7 * PAGE)   /* pointer PTE at level 0 */
#define VA_REMAP (VA_BASE + 8 * PAGE)     /* pages[0] then pages[1] */
#define VA_CODE (VA_BASE + 9 * PAGE)      /* pages[4], R X */
#define VA_UCODE (VA_BASE + 10 * PAGE)    /* pages[4], U R X */
#define VA_CROSS (VA_BASE + 11 * PAGE)    /* pages[0] RW, next page invalid */
#define VA_MEGA (VA_BASE + 1 * MEGA)      /* 2 MiB leaf -> PA_MEGA */
#define VA_MEGA_BAD (VA_BASE + 2 * MEGA)  /* 2 MiB leaf with misaligned PPN */
#define VA_GIGA_RO 0xc0000000UL           /* 1 GiB leaf -> 0x80000000, R */
#define VA_GIGA_BAD 0x100000000UL         /* 1 GiB leaf with misaligned PPN */
#define VA_HIGH 0xffffffc000000000UL      /* VPN2 = 256 -> 0x80000000, RW */
#define VA_NONCANON 0x0000008000000000UL  /* bit 39 set, bit 38 clear */
#define PA_MEGA 0x80400000UL

static uint64_t leaf(uintptr_t pa, uint64_t flags) { return ((pa >> 12) << 10) | flags | PTE_V; }
static uint64_t table(void *t) { return (((uintptr_t)t) >> 12) << 10 | PTE_V; }

static void build_tables(void) {
  l0[0] = leaf((uintptr_t)pages[0], PTE_R | PTE_W | PTE_AD);
  l0[1] = leaf((uintptr_t)pages[1], PTE_R | PTE_A);
  l0[2] = leaf((uintptr_t)pages[2], PTE_R | PTE_W);
  l0[3] = leaf((uintptr_t)pages[3], PTE_U | PTE_R | PTE_W | PTE_AD);
  l0[4] = leaf((uintptr_t)pages[4], PTE_X | PTE_A);
  l0[5] = leaf((uintptr_t)pages[5], PTE_W | PTE_AD);
  l0[6] = 0;
  l0[7] = table(pages[5]);
  l0[8] = leaf((uintptr_t)pages[0], PTE_R | PTE_W | PTE_AD);
  l0[9] = leaf((uintptr_t)pages[4], PTE_R | PTE_X | PTE_A);
  l0[10] = leaf((uintptr_t)pages[4], PTE_U | PTE_R | PTE_X | PTE_A);
  l0[11] = leaf((uintptr_t)pages[0], PTE_R | PTE_W | PTE_AD);
  l0[12] = 0;
  l1[0] = table(l0);
  l1[1] = leaf(PA_MEGA, PTE_R | PTE_W | PTE_AD);
  l1[2] = leaf(PA_MEGA + PAGE, PTE_R | PTE_W | PTE_AD);
  for (int i = 0; i < 512; i++) root_s[i] = root_u[i] = 0;
  root_s[0] = leaf(0, PTE_R | PTE_W | PTE_AD);                          /* devices */
  root_s[1] = table(l1);
  root_s[2] = leaf(DRAM_BASE, PTE_R | PTE_W | PTE_X | PTE_AD);         /* identity RAM */
  root_s[3] = leaf(DRAM_BASE, PTE_R | PTE_A);                          /* read-only alias */
  root_s[4] = leaf(DRAM_BASE + MEGA, PTE_R | PTE_W | PTE_AD);          /* misaligned gigapage */
  root_s[256] = leaf(DRAM_BASE, PTE_R | PTE_W | PTE_AD);               /* high alias */
  for (int i = 0; i < 512; i++) root_u[i] = root_s[i];
  root_u[0] |= PTE_U;
  root_u[2] |= PTE_U; /* U-mode code, data and stack live here */

  /* pages[4]: "li a0, 0x55; ret" at 0, and a 32-bit instruction at 0xffe */
  volatile uint32_t *code = (volatile uint32_t *)pages[4];
  code[0] = 0x05500513;
  code[1] = 0x00008067;
  volatile uint16_t *tail = (volatile uint16_t *)(pages[4] + PAGE - 2);
  *tail = 0x0513; /* low half of "li a0, 0x66" (0x06600513) */
  __asm__ volatile("fence.i" ::: "memory");
}

static void use_root(uint64_t *root) {
  csr_write(satp, SATP_MODE_SV39 | ((uintptr_t)root >> 12));
  __asm__ volatile("sfence.vma" ::: "memory");
}

#define PF_DELEG ((1UL << CAUSE_FETCH_PAGE_FAULT) | (1UL << CAUSE_LOAD_PAGE_FAULT) | (1UL << CAUSE_STORE_PAGE_FAULT))

static void expect_load_fault(uintptr_t va, uint64_t handler, const char *what) {
  trap_expect();
  probe_ld(va);
  check_trap(what, CAUSE_LOAD_PAGE_FAULT, va, handler);
  CHECK_EQ(trap_last.epc, (uintptr_t)probe_ld, "%s: epc", what);
}

static void expect_store_fault(uintptr_t va, uint64_t handler, const char *what) {
  trap_expect();
  probe_sd(va, 0xbad);
  check_trap(what, CAUSE_STORE_PAGE_FAULT, va, handler);
  CHECK_EQ(trap_last.epc, (uintptr_t)probe_sd, "%s: epc", what);
}

static void expect_fetch_fault(uintptr_t va, uint64_t handler, const char *what) {
  trap_expect();
  probe_fetch(va);
  check_trap(what, CAUSE_FETCH_PAGE_FAULT, va, handler);
  CHECK_EQ(trap_last.epc, va, "%s: epc", what);
}

static void expect_no_fault_load(uintptr_t va, uint64_t value, const char *what) {
  trap_expect();
  uint64_t v = probe_ld(va);
  check_no_trap(what);
  CHECK_EQ(v, value, "%s: value", what);
}

/* Runs in S with the S-world tables and page faults delegated to S. */
static void s_mode_tests(void) {
  volatile uint64_t *p0 = (volatile uint64_t *)pages[0];
  p0[0] = 0x1111222233334444UL;
  ((volatile uint64_t *)pages[1])[1] = 0x5555666677778888UL;
  ((volatile uint64_t *)PA_MEGA)[0x100] = 0x0123456789abcdefUL;

  /* translations */
  expect_no_fault_load(VA_RW, 0x1111222233334444UL, "4K page load");
  trap_expect();
  probe_sd(VA_RW + 8, 0xfeedfacecafebeefUL);
  check_no_trap("4K page store");
  CHECK_EQ(p0[1], 0xfeedfacecafebeefUL, "4K page store reaches its physical page");
  expect_no_fault_load(VA_RO + 8, 0x5555666677778888UL, "read-only page load");
  expect_no_fault_load(VA_MEGA + 0x800, 0x0123456789abcdefUL, "2M page load");
  expect_no_fault_load(VA_GIGA_RO + ((uintptr_t)pages[1] - DRAM_BASE) + 8, 0x5555666677778888UL, "1G page load");
  expect_no_fault_load(VA_HIGH + ((uintptr_t)pages[0] - DRAM_BASE), 0x1111222233334444UL, "high VA (VPN2=256)");
  trap_expect();
  probe_sd(VA_HIGH + ((uintptr_t)pages[0] - DRAM_BASE) + 16, 42);
  check_no_trap("high VA store");
  CHECK_EQ(p0[2], 42, "high VA store reaches its physical page");

  /* fetch through mappings */
  trap_expect();
  CHECK_EQ(probe_fetch(VA_CODE), 0x55, "execute from an R X page");
  check_no_trap("execute from an R X page");
  trap_expect();
  CHECK_EQ(probe_fetch(VA_XONLY), 0x55, "execute from an X-only page");
  check_no_trap("execute from an X-only page");

  /* faults */
  expect_load_fault(VA_INVALID, PRV_S, "load from invalid PTE");
  expect_store_fault(VA_INVALID, PRV_S, "store to invalid PTE");
  expect_fetch_fault(VA_INVALID, PRV_S, "fetch from invalid PTE");
  expect_store_fault(VA_RO, PRV_S, "store to read-only page");
  expect_fetch_fault(VA_RW, PRV_S, "fetch from non-executable page");
  expect_load_fault(VA_WONLY, PRV_S, "load from W-only (reserved) PTE");
  expect_store_fault(VA_WONLY, PRV_S, "store to W-only (reserved) PTE");
  expect_load_fault(VA_NONLEAF, PRV_S, "non-leaf PTE at level 0");
  expect_load_fault(VA_MEGA_BAD, PRV_S, "misaligned 2M superpage");
  expect_load_fault(VA_GIGA_BAD + 0x1000, PRV_S, "misaligned 1G superpage");
  expect_store_fault(VA_GIGA_RO, PRV_S, "store to read-only gigapage");
  expect_load_fault(VA_NONCANON, PRV_S, "non-canonical address");
  expect_load_fault(0xffffffbfffff0000UL, PRV_S, "non-canonical high address");
  trap_expect();
  probe_amoadd_d(VA_RO, 1);
  check_trap("AMO to read-only page", CAUSE_STORE_PAGE_FAULT, VA_RO, PRV_S);

  /* U pages from S: SUM */
  csr_clear(sstatus, MSTATUS_SUM);
  expect_load_fault(VA_USER, PRV_S, "S load from U page, SUM=0");
  expect_store_fault(VA_USER, PRV_S, "S store to U page, SUM=0");
  csr_set(sstatus, MSTATUS_SUM);
  trap_expect();
  probe_sd(VA_USER, 0x77);
  CHECK_EQ(probe_ld(VA_USER), 0x77, "S access to U page with SUM=1");
  check_no_trap("S access to U page with SUM=1");
  expect_fetch_fault(VA_UCODE, PRV_S, "S fetch from U page (even with SUM=1)");
  csr_clear(sstatus, MSTATUS_SUM);

  /* MXR */
  expect_load_fault(VA_XONLY, PRV_S, "load from X-only page, MXR=0");
  csr_set(sstatus, MSTATUS_MXR);
  expect_no_fault_load(VA_XONLY, 0x0000806705500513UL, "load from X-only page, MXR=1");
  expect_store_fault(VA_XONLY, PRV_S, "store to X-only page, MXR=1");
  csr_clear(sstatus, MSTATUS_MXR);

  /* page-crossing accesses: the second page is invalid */
  trap_expect();
  probe_ld(VA_CROSS + PAGE - 4);
  check_trap_cause("ld crossing into an invalid page", CAUSE_LOAD_PAGE_FAULT, PRV_S);
  CHECK_EQ(trap_last.tval, VA_CROSS + PAGE, "ld crossing: stval = start of the invalid page (QEMU)");
  trap_expect();
  probe_sw(VA_CROSS + PAGE - 2, 0);
  check_trap_cause("sw crossing into an invalid page", CAUSE_STORE_PAGE_FAULT, PRV_S);
  CHECK_EQ(trap_last.tval, VA_CROSS + PAGE, "sw crossing: stval = start of the invalid page (QEMU)");
  trap_expect();
  probe_fetch(VA_CODE + PAGE - 2);
  check_trap_cause("32-bit instruction crossing into a non-fetchable page", CAUSE_FETCH_PAGE_FAULT, PRV_S);
  CHECK_EQ(trap_last.epc, VA_CODE + PAGE - 2, "crossing fetch: sepc = instruction address");
  CHECK_EQ(trap_last.tval, VA_CODE + PAGE, "crossing fetch: stval = start of the second page (QEMU)");
}

/* A/D updates: QEMU sets A on access and D on write, in the PTE itself. */
static void s_mode_ad_tests(void) {
  CHECK_EQ(l0[2] & PTE_AD, 0, "A/D clear before access");
  trap_expect();
  probe_ld(VA_AD);
  check_no_trap("load from A=0 page (hardware A update)");
  CHECK_EQ(l0[2] & PTE_AD, PTE_A, "load sets A only");
  trap_expect();
  probe_sd(VA_AD, 1);
  check_no_trap("store to D=0 page (hardware D update)");
  CHECK_EQ(l0[2] & PTE_AD, PTE_AD, "store sets D");
  l0[2] &= ~PTE_AD;
  __asm__ volatile("sfence.vma" ::: "memory");
  trap_expect();
  probe_sd(VA_AD, 2);
  check_no_trap("store to A=D=0 page");
  CHECK_EQ(l0[2] & PTE_AD, PTE_AD, "store sets A and D");
  /* a read-only page with A=0: load sets A */
  l0[1] &= ~PTE_A;
  __asm__ volatile("sfence.vma" ::: "memory");
  probe_ld(VA_RO);
  CHECK_EQ(l0[1] & PTE_AD, PTE_A, "load from read-only page sets A");
  /* fetch sets A on an executable page */
  l0[9] &= ~PTE_A;
  __asm__ volatile("sfence.vma" ::: "memory");
  probe_fetch(VA_CODE);
  CHECK_EQ(l0[9] & PTE_AD, PTE_A, "fetch sets A");
  /* a faulting store does not set D (page is read-only) */
  trap_expect();
  probe_sd(VA_RO, 3);
  check_trap_cause("store to read-only page", CAUSE_STORE_PAGE_FAULT, PRV_S);
  CHECK_EQ(l0[1] & PTE_D, 0, "faulting store leaves D clear");
  /* superpage leaf A/D */
  l1[1] &= ~PTE_AD;
  __asm__ volatile("sfence.vma" ::: "memory");
  probe_sd(VA_MEGA, 5);
  CHECK_EQ(l1[1] & PTE_AD, PTE_AD, "store through 2M leaf sets its A and D");
}

static void s_mode_sfence_tests(void) {
  expect_no_fault_load(VA_REMAP, ((volatile uint64_t *)pages[0])[0], "remap: before");
  l0[8] = leaf((uintptr_t)pages[1], PTE_R | PTE_W | PTE_AD);
  __asm__ volatile("sfence.vma %0, zero" ::"r"(VA_REMAP) : "memory");
  expect_no_fault_load(VA_REMAP, ((volatile uint64_t *)pages[1])[0], "remap: after sfence.vma va");
  l0[8] = leaf((uintptr_t)pages[0], PTE_R | PTE_W | PTE_AD);
  __asm__ volatile("sfence.vma zero, zero" ::: "memory");
  expect_no_fault_load(VA_REMAP, ((volatile uint64_t *)pages[0])[0], "remap: after sfence.vma");
  l0[8] = 0;
  __asm__ volatile("sfence.vma zero, %0" ::"r"(0UL) : "memory");
  expect_load_fault(VA_REMAP, PRV_S, "unmap: after sfence.vma asid");
  l0[8] = leaf((uintptr_t)pages[0], PTE_R | PTE_W | PTE_AD);
  __asm__ volatile("sfence.vma" ::: "memory");
}

/* Runs in U with the U-world tables; traps go to M (nothing delegated). */
static void u_mode_tests(void) {
  expect_load_fault(VA_RW, PRV_M, "U load from non-U page");
  expect_store_fault(VA_RW, PRV_M, "U store to non-U page");
  expect_fetch_fault(VA_CODE, PRV_M, "U fetch from non-U page");
  trap_expect();
  probe_sd(VA_USER + 8, 0x99);
  CHECK_EQ(probe_ld(VA_USER + 8), 0x99, "U access to U page");
  check_no_trap("U access to U page");
  trap_expect();
  CHECK_EQ(probe_fetch(VA_UCODE), 0x55, "U fetch from U page");
  check_no_trap("U fetch from U page");
  expect_load_fault(VA_INVALID, PRV_M, "U load from invalid PTE (not delegated: M)");
}

/* MPRV: M-mode data accesses use MPP's privilege and translation; fetches do not. */
static uint64_t mprv_load(uintptr_t va) {
  uint64_t v;
  __asm__ volatile(
      ".option push\n.option norvc\n"
      "li t0, %2\n"
      "csrs mstatus, t0\n"
      "ld %0, 0(%1)\n"
      "csrc mstatus, t0\n"
      ".option pop\n"
      : "=&r"(v)
      : "r"(va), "i"(MSTATUS_MPRV)
      : "t0", "memory");
  return v;
}

static void set_mpp(uint64_t mode) {
  csr_clear(mstatus, MSTATUS_MPP);
  csr_set(mstatus, mode << MSTATUS_MPP_SHIFT);
}

static void m_mode_mprv_tests(void) {
  use_root(root_s);
  set_mpp(PRV_S);
  trap_expect();
  CHECK_EQ(mprv_load(VA_RW), 0x1111222233334444UL, "MPRV=1 MPP=S: load is translated");
  check_no_trap("MPRV=1 MPP=S load");
  set_mpp(PRV_S);
  trap_expect();
  mprv_load(VA_INVALID);
  check_trap("MPRV=1 MPP=S: page fault taken in M", CAUSE_LOAD_PAGE_FAULT, VA_INVALID, PRV_M);
  set_mpp(PRV_S);
  trap_expect();
  mprv_load(VA_USER);
  check_trap("MPRV=1 MPP=S SUM=0: U page faults", CAUSE_LOAD_PAGE_FAULT, VA_USER, PRV_M);
  set_mpp(PRV_U);
  trap_expect();
  mprv_load(VA_RW);
  check_trap("MPRV=1 MPP=U: non-U page faults", CAUSE_LOAD_PAGE_FAULT, VA_RW, PRV_M);
  set_mpp(PRV_M);
  trap_expect();
  CHECK_EQ(mprv_load((uintptr_t)pages[0]), 0x1111222233334444UL, "MPRV=1 MPP=M: bare");
  check_no_trap("MPRV=1 MPP=M");
  /* M mode itself ignores satp */
  trap_expect();
  probe_ld(VA_GIGA_BAD + PAGE);
  check_trap("M-mode ignores satp (physical 4 GiB: access fault)", CAUSE_LOAD_ACCESS, VA_GIGA_BAD + PAGE, PRV_M);
  trap_expect();
  CHECK_EQ(probe_ld((uintptr_t)pages[0]), 0x1111222233334444UL, "M-mode physical load with satp set");
  check_no_trap("M-mode physical load with satp set");
  csr_write(satp, 0);
}

int main(void) {
  test_begin("sv39");
  build_tables();

  csr_write(stvec, (uintptr_t)s_trap_entry);
  csr_write(medeleg, PF_DELEG);
  use_root(root_s);
  switch_mode(PRV_S);
  s_mode_tests();
  s_mode_ad_tests();
  s_mode_sfence_tests();
  /* page faults in S without delegation go to M */
  switch_mode(PRV_M);
  csr_write(medeleg, 0);
  switch_mode(PRV_S);
  expect_load_fault(VA_INVALID, PRV_M, "S page fault without delegation (M)");
  switch_mode(PRV_M);

  use_root(root_u);
  switch_mode(PRV_U);
  u_mode_tests();
  switch_mode(PRV_M);

  m_mode_mprv_tests();
  return test_end();
}
