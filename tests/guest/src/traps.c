/* Synchronous exceptions and privilege transitions:
 * - ecall from M/S/U (cause 11/9/8, mepc = the ecall, mtval = 0);
 * - ebreak (cause 3; QEMU 7.2 sets mtval = 0);
 * - illegal instructions, mtval = the instruction bits (QEMU sets them):
 *   unknown encodings, privileged instructions and CSRs from lower modes;
 * - load/store/fetch access faults on unmapped physical addresses (0x0, beyond
 *   RAM), mtval = the address, from M, S and U;
 * - mret/sret effects on MIE/MPIE/MPP, SIE/SPIE/SPP, MPRV and the privilege
 *   level, sret from M (QEMU 7.2 leaves MPRV set on xRET to a lower mode,
 *   stores mepc/sepc bit 0, and reports AMO access faults as load faults);
 * - medeleg: delegated exceptions from U and S reach the S handler with
 *   scause/sepc/stval/SPP/SPIE set; exceptions in M are never delegated. */
#include "test.h"
#include "trap.h"

/* ecall with a7 = 0 (not the switch-mode service); returns the ecall address */
static uintptr_t do_ecall(void) {
  uintptr_t at;
  __asm__ volatile(
      ".option push\n.option norvc\n"
      "la %0, 1f\n"
      "li a7, 0\n"
      "1: ecall\n"
      ".option pop\n"
      : "=&r"(at)
      :
      : "a7", "memory");
  return at;
}

static uintptr_t do_ebreak(void) {
  uintptr_t at;
  __asm__ volatile(
      ".option push\n.option norvc\n"
      "la %0, 1f\n"
      "1: ebreak\n"
      ".option pop\n"
      : "=&r"(at)::"memory");
  return at;
}

static const char *mode_name(int m) { return m == PRV_M ? "M" : m == PRV_S ? "S" : "U"; }

static void check_ecall_from(int mode, uint64_t cause) {
  switch_mode(mode);
  trap_expect();
  uintptr_t at = do_ecall();
  switch_mode(PRV_M);
  check_trap_cause(mode == PRV_M ? "ecall from M" : mode == PRV_S ? "ecall from S" : "ecall from U", cause, PRV_M);
  CHECK_EQ(trap_last.tval, 0, "ecall from %s: mtval", mode_name(mode));
  CHECK_EQ(trap_last.epc, at, "ecall from %s: mepc", mode_name(mode));
  CHECK_EQ(trap_last.from_mode, mode, "ecall from %s: MPP", mode_name(mode));
}

static void test_ecall_ebreak(void) {
  check_ecall_from(PRV_M, CAUSE_MACHINE_ECALL);
  check_ecall_from(PRV_S, CAUSE_SUPERVISOR_ECALL);
  check_ecall_from(PRV_U, CAUSE_USER_ECALL);
  for (int mode = PRV_U; mode <= PRV_M; mode += (mode == PRV_S ? 2 : 1)) {
    switch_mode(mode);
    trap_expect();
    uintptr_t at = do_ebreak();
    switch_mode(PRV_M);
    check_trap("ebreak (QEMU: mtval 0)", CAUSE_BREAKPOINT, 0, PRV_M);
    CHECK_EQ(trap_last.epc, at, "ebreak from %s: mepc", mode_name(mode));
    CHECK_EQ(trap_last.from_mode, mode, "ebreak from %s: MPP", mode_name(mode));
  }
}

/* Executes `.word encoding` in the given mode and expects an illegal
 * instruction trap with mtval = encoding (handled in M). */
#define ILLEGAL_IN(mode, encoding, what)                                                             \
  do {                                                                                               \
    switch_mode(mode);                                                                               \
    trap_expect();                                                                                   \
    __asm__ volatile(".word " #encoding ::: "a5", "memory");                                         \
    switch_mode(PRV_M);                                                                              \
    check_trap(what, CAUSE_ILLEGAL_INSN, encoding, PRV_M);                                           \
    CHECK_EQ(trap_last.from_mode, mode, "%s: from mode", what);                                      \
  } while (0)

static void test_illegal(void) {
  ILLEGAL_IN(PRV_M, 0xffffffff, "all-ones word");
  ILLEGAL_IN(PRV_M, 0x0000007b, "custom-3 opcode");
  ILLEGAL_IN(PRV_M, 0x40001033, "sll with funct7=0x20");
  ILLEGAL_IN(PRV_M, 0x0000201b, "OP-IMM-32 funct3=2");
  ILLEGAL_IN(PRV_M, 0x00003067, "jalr funct3=3");
  ILLEGAL_IN(PRV_M, 0x00007003, "load funct3=7");
  ILLEGAL_IN(PRV_M, 0x00004023, "store funct3=4");
  ILLEGAL_IN(PRV_M, 0x00002063, "branch funct3=2");
  ILLEGAL_IN(PRV_M, 0x4200d033, "sra-space funct7=0x21");
  ILLEGAL_IN(PRV_M, 0x2800202f, "AMO funct5=0x05 (reserved)");
  ILLEGAL_IN(PRV_M, 0x0000102f, "AMO funct3=1");
  ILLEGAL_IN(PRV_M, 0x0600d033, "OP funct7=3");
  /* privileged instructions below M */
  ILLEGAL_IN(PRV_S, 0x30200073, "mret in S");
  ILLEGAL_IN(PRV_U, 0x30200073, "mret in U");
  ILLEGAL_IN(PRV_U, 0x10200073, "sret in U");
  ILLEGAL_IN(PRV_U, 0x10500073, "wfi in U (QEMU: always illegal in U)");
  ILLEGAL_IN(PRV_U, 0x12000073, "sfence.vma in U");
  /* CSRs above the current privilege */
  ILLEGAL_IN(PRV_S, 0x300027f3, "csrr mstatus in S");
  ILLEGAL_IN(PRV_S, 0x340027f3, "csrr mscratch in S");
  ILLEGAL_IN(PRV_S, 0xf14027f3, "csrr mhartid in S");
  ILLEGAL_IN(PRV_U, 0x100027f3, "csrr sstatus in U");
  ILLEGAL_IN(PRV_U, 0x140027f3, "csrr sscratch in U");
  ILLEGAL_IN(PRV_U, 0x180027f3, "csrr satp in U");
}

#define UNMAPPED_LOW 0x0UL
#define BEYOND_RAM 0x90000000UL
/* nothing is mapped between the CLINT (ends 0x2010000) and 0x3000000 (PCIe PIO) */
#define HOLE_AFTER_CLINT 0x2800000UL

static void access_faults_in(int mode) {
  static const uintptr_t addrs[] = {UNMAPPED_LOW, 0x8UL, BEYOND_RAM, HOLE_AFTER_CLINT};
  for (unsigned i = 0; i < sizeof(addrs) / sizeof(addrs[0]); i++) {
    uintptr_t a = addrs[i];
    switch_mode(mode);
    trap_expect();
    probe_ld(a);
    switch_mode(PRV_M);
    check_trap("load access fault", CAUSE_LOAD_ACCESS, a, PRV_M);
    CHECK_EQ(trap_last.from_mode, mode, "load fault 0x%lx from %s", a, mode_name(mode));
    switch_mode(mode);
    trap_expect();
    probe_sw(a, 0x12345678);
    switch_mode(PRV_M);
    check_trap("store access fault", CAUSE_STORE_ACCESS, a, PRV_M);
    switch_mode(mode);
    trap_expect();
    probe_amoadd_w(a, 1);
    switch_mode(PRV_M);
    check_trap("amo access fault (QEMU 7.2: load access fault)", CAUSE_LOAD_ACCESS, a, PRV_M);
    switch_mode(mode);
    trap_expect();
    probe_fetch(a);
    switch_mode(PRV_M);
    check_trap("fetch access fault", CAUSE_FETCH_ACCESS, a, PRV_M);
    CHECK_EQ(trap_last.epc, a, "fetch fault 0x%lx from %s: mepc", a, mode_name(mode));
  }
}

static void test_access_faults(void) {
  access_faults_in(PRV_M);
  access_faults_in(PRV_S);
  access_faults_in(PRV_U);
}

static void test_mret_fields(void) {
  /* mret to M: MIE <- MPIE, MPIE <- 1, MPP <- U */
  uint64_t ms;
  csr_clear(mstatus, MSTATUS_MIE | MSTATUS_MPP);
  csr_set(mstatus, MSTATUS_MPIE | (3UL << MSTATUS_MPP_SHIFT));
  __asm__ volatile(
      "la t0, 1f\n"
      "csrw mepc, t0\n"
      "mret\n"
      "1:\n" ::: "t0", "memory");
  ms = csr_read(mstatus);
  CHECK_EQ((ms >> 3) & 1, 1, "mret: MIE <- MPIE (1)");
  CHECK_EQ((ms >> 7) & 1, 1, "mret: MPIE <- 1");
  CHECK_EQ((ms & MSTATUS_MPP) >> MSTATUS_MPP_SHIFT, PRV_U, "mret: MPP <- U");
  csr_clear(mstatus, MSTATUS_MIE);

  /* MPIE = 0 -> MIE = 0 */
  csr_clear(mstatus, MSTATUS_MPIE);
  csr_set(mstatus, MSTATUS_MIE | (3UL << MSTATUS_MPP_SHIFT));
  __asm__ volatile("la t0, 1f\ncsrw mepc, t0\nmret\n1:\n" ::: "t0", "memory");
  ms = csr_read(mstatus);
  CHECK_EQ((ms >> 3) & 1, 0, "mret: MIE <- MPIE (0)");
  CHECK_EQ((ms >> 7) & 1, 1, "mret: MPIE <- 1 (from 0)");

  /* mret to S clears MPRV and lands in S */
  csr_set(mstatus, MSTATUS_MPRV);
  csr_clear(mstatus, MSTATUS_MPP);
  csr_set(mstatus, (uint64_t)PRV_S << MSTATUS_MPP_SHIFT);
  __asm__ volatile("la t0, 1f\ncsrw mepc, t0\nmret\n1:\n" ::: "t0", "memory");
  trap_expect();
  do_ecall();
  switch_mode(PRV_M);
  check_trap_cause("mret with MPP=S lands in S (ecall cause 9)", CAUSE_SUPERVISOR_ECALL, PRV_M);
  /* priv 1.12 says xRET to a lower mode clears MPRV; QEMU 7.2 does not */
  CHECK_EQ(csr_read(mstatus) & MSTATUS_MPRV, MSTATUS_MPRV, "mret to S keeps MPRV (QEMU 7.2)");
  csr_clear(mstatus, MSTATUS_MPRV);

  /* mret to M keeps MPRV */
  csr_set(mstatus, MSTATUS_MPRV | (3UL << MSTATUS_MPP_SHIFT));
  __asm__ volatile("la t0, 1f\ncsrw mepc, t0\nmret\n1:\n" ::: "t0", "memory");
  CHECK_EQ(csr_read(mstatus) & MSTATUS_MPRV, MSTATUS_MPRV, "mret to M keeps MPRV");
  csr_clear(mstatus, MSTATUS_MPRV);

  /* the spec makes mepc[0]/sepc[0] read as zero; QEMU 7.2 stores bit 0 */
  csr_write(mepc, 0x80001235UL);
  CHECK_EQ(csr_read(mepc), 0x80001235UL, "mepc[0] is stored (QEMU 7.2)");
  csr_write(sepc, 0x80001237UL);
  CHECK_EQ(csr_read(sepc), 0x80001237UL, "sepc[0] is stored (QEMU 7.2)");
}

static void test_sret_fields(void) {
  uint64_t ss;
  /* sret from S to S: SIE <- SPIE, SPIE <- 1, SPP <- U */
  switch_mode(PRV_S);
  csr_clear(sstatus, MSTATUS_SIE);
  csr_set(sstatus, MSTATUS_SPIE | MSTATUS_SPP);
  __asm__ volatile("la t0, 1f\ncsrw sepc, t0\nsret\n1:\n" ::: "t0", "memory");
  ss = csr_read(sstatus);
  CHECK_EQ((ss >> 1) & 1, 1, "sret: SIE <- SPIE");
  CHECK_EQ((ss >> 5) & 1, 1, "sret: SPIE <- 1");
  CHECK_EQ((ss >> 8) & 1, 0, "sret: SPP <- U");
  csr_clear(sstatus, MSTATUS_SIE);

  /* sret with SPP=U lands in U */
  csr_clear(sstatus, MSTATUS_SPP);
  __asm__ volatile("la t0, 1f\ncsrw sepc, t0\nsret\n1:\n" ::: "t0", "memory");
  trap_expect();
  do_ecall();
  switch_mode(PRV_M);
  check_trap_cause("sret with SPP=U lands in U", CAUSE_USER_ECALL, PRV_M);

  /* sret executed in M mode goes to SPP and clears MPRV */
  csr_set(mstatus, MSTATUS_SPP | MSTATUS_MPRV);
  __asm__ volatile("la t0, 1f\ncsrw sepc, t0\nsret\n1:\n" ::: "t0", "memory");
  trap_expect();
  do_ecall();
  switch_mode(PRV_M);
  check_trap_cause("sret from M with SPP=S lands in S", CAUSE_SUPERVISOR_ECALL, PRV_M);
  CHECK_EQ(csr_read(mstatus) & MSTATUS_MPRV, MSTATUS_MPRV, "sret to S keeps MPRV (QEMU 7.2)");
  csr_clear(mstatus, MSTATUS_MPRV);
}

static void test_delegation(void) {
  uint64_t deleg = (1UL << CAUSE_ILLEGAL_INSN) | (1UL << CAUSE_BREAKPOINT) | (1UL << CAUSE_LOAD_ACCESS) |
                   (1UL << CAUSE_STORE_ACCESS) | (1UL << CAUSE_USER_ECALL) | (1UL << CAUSE_FETCH_ACCESS);
  csr_write(stvec, (uint64_t)(uintptr_t)s_trap_entry);
  csr_write(medeleg, deleg);
  CHECK_EQ(csr_read(medeleg), deleg, "medeleg holds the delegated causes");

  /* from U: illegal instruction -> S handler */
  switch_mode(PRV_U);
  trap_expect();
  __asm__ volatile(".word 0xffffffff");
  check_trap("delegated illegal from U", CAUSE_ILLEGAL_INSN, 0xffffffff, PRV_S);
  CHECK_EQ(trap_last.from_mode, PRV_U, "delegated illegal from U: SPP = U");
  trap_expect();
  uintptr_t at = do_ecall();
  check_trap("delegated ecall from U", CAUSE_USER_ECALL, 0, PRV_S);
  CHECK_EQ(trap_last.epc, at, "delegated ecall from U: sepc");
  trap_expect();
  probe_ld(BEYOND_RAM + 8);
  check_trap("delegated load fault from U", CAUSE_LOAD_ACCESS, BEYOND_RAM + 8, PRV_S);
  trap_expect();
  probe_fetch(BEYOND_RAM);
  check_trap("delegated fetch fault from U", CAUSE_FETCH_ACCESS, BEYOND_RAM, PRV_S);
  /* U ecalls are delegated, so the S handler serves this switch (U -> S); the
   * S handler cannot switch to M, so leave S with an undelegated S ecall later. */
  switch_mode(PRV_S);

  /* from S: delegated exceptions stay in S, SPP = S, SPIE = old SIE */
  csr_set(sstatus, MSTATUS_SIE);
  trap_expect();
  uintptr_t bp = do_ebreak();
  check_trap("delegated ebreak from S", CAUSE_BREAKPOINT, 0, PRV_S);
  CHECK_EQ(trap_last.epc, bp, "delegated ebreak from S: sepc");
  CHECK_EQ(trap_last.from_mode, PRV_S, "delegated ebreak from S: SPP = S");
  uint64_t ss = csr_read(sstatus);
  CHECK_EQ((ss >> 5) & 1, 1, "delegated trap: SPIE <- SIE (1) then sret restores");
  CHECK_EQ((ss >> 1) & 1, 1, "after sret SIE restored from SPIE");
  csr_clear(sstatus, MSTATUS_SIE);
  trap_expect();
  probe_sd(UNMAPPED_LOW, 1);
  check_trap("delegated store fault from S", CAUSE_STORE_ACCESS, UNMAPPED_LOW, PRV_S);
  CHECK_EQ(csr_read(scause), CAUSE_STORE_ACCESS, "scause");
  CHECK_EQ(csr_read(stval), UNMAPPED_LOW, "stval");

  /* ecall from S is not delegated here: goes to M */
  trap_expect();
  do_ecall();
  check_trap_cause("non-delegated ecall from S goes to M", CAUSE_SUPERVISOR_ECALL, PRV_M);
  switch_mode(PRV_M);

  /* from M: never delegated */
  trap_expect();
  __asm__ volatile(".word 0xffffffff");
  check_trap("illegal in M with medeleg set stays in M", CAUSE_ILLEGAL_INSN, 0xffffffff, PRV_M);
  trap_expect();
  do_ebreak();
  check_trap_cause("ebreak in M with medeleg set stays in M", CAUSE_BREAKPOINT, PRV_M);
  csr_write(medeleg, 0);
}

int main(void) {
  test_begin("traps");
  test_ecall_ebreak();
  test_illegal();
  test_access_faults();
  test_mret_fields();
  test_sret_fields();
  test_delegation();
  return test_end();
}
