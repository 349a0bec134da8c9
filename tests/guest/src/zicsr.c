/* Zicsr and Zifencei.
 * - every CSR instruction form (csrrw/csrrs/csrrc and the immediate forms) on a
 *   read-write CSR: old value returned, new value written, rd = rs1, rd = x0;
 * - rs1 = x0 / uimm = 0 forms do not write (legal on read-only CSRs), while
 *   any writing form on a read-only CSR, and any access to an unimplemented CSR,
 *   is an illegal instruction with mtval = the instruction bits;
 * - fence.i: code written to memory and executed after fence.i; QEMU also
 *   picks up rewritten code that was executed before, without fence.i
 *   (it invalidates translations on stores) -- documented QEMU behaviour. */
#include "test.h"
#include "trap.h"

static void test_rw_forms(void) {
  uint64_t r;
  csr_write(mscratch, 0x1234567890abcdefULL);
  __asm__ volatile("csrrw %0, mscratch, %1" : "=r"(r) : "r"(0xf0f0f0f0f0f0f0f0ULL));
  CHECK_EQ(r, 0x1234567890abcdefULL, "csrrw old");
  CHECK_EQ(csr_read(mscratch), 0xf0f0f0f0f0f0f0f0ULL, "csrrw new");
  __asm__ volatile("csrrs %0, mscratch, %1" : "=r"(r) : "r"(0x0f0000000000000fULL));
  CHECK_EQ(r, 0xf0f0f0f0f0f0f0f0ULL, "csrrs old");
  CHECK_EQ(csr_read(mscratch), 0xfff0f0f0f0f0f0ffULL, "csrrs new");
  __asm__ volatile("csrrc %0, mscratch, %1" : "=r"(r) : "r"(0xff000000000000f0ULL));
  CHECK_EQ(r, 0xfff0f0f0f0f0f0ffULL, "csrrc old");
  CHECK_EQ(csr_read(mscratch), 0x00f0f0f0f0f0f00fULL, "csrrc new");
  __asm__ volatile("csrrwi %0, mscratch, 31" : "=r"(r));
  CHECK_EQ(r, 0x00f0f0f0f0f0f00fULL, "csrrwi old");
  CHECK_EQ(csr_read(mscratch), 31, "csrrwi new");
  __asm__ volatile("csrrci %0, mscratch, 5" : "=r"(r));
  CHECK_EQ(r, 31, "csrrci old");
  CHECK_EQ(csr_read(mscratch), 26, "csrrci new");
  __asm__ volatile("csrrsi %0, mscratch, 0x11" : "=r"(r));
  CHECK_EQ(r, 26, "csrrsi old");
  CHECK_EQ(csr_read(mscratch), 27, "csrrsi new");
  __asm__ volatile("csrrsi %0, mscratch, 0" : "=r"(r));
  CHECK_EQ(r, 27, "csrrsi 0 reads");
  CHECK_EQ(csr_read(mscratch), 27, "csrrsi 0 does not change");
  __asm__ volatile("csrrci %0, mscratch, 0" : "=r"(r));
  CHECK_EQ(csr_read(mscratch), 27, "csrrci 0 does not change");
  /* rd == rs1: swap through one register */
  r = 0x55;
  __asm__ volatile("csrrw %0, mscratch, %0" : "+r"(r));
  CHECK_EQ(r, 27, "csrrw rd=rs1 old");
  CHECK_EQ(csr_read(mscratch), 0x55, "csrrw rd=rs1 new");
  /* rd = x0 forms still write */
  __asm__ volatile("csrrw x0, mscratch, %0" ::"r"(0x66UL));
  CHECK_EQ(csr_read(mscratch), 0x66, "csrrw x0 writes");
  __asm__ volatile("csrrs x0, mscratch, %0" ::"r"(0x101UL));
  CHECK_EQ(csr_read(mscratch), 0x167, "csrrs x0 writes");
  __asm__ volatile("csrrc x0, mscratch, %0" ::"r"(0x7UL));
  CHECK_EQ(csr_read(mscratch), 0x160, "csrrc x0 writes");
  __asm__ volatile("csrrwi x0, mscratch, 3");
  CHECK_EQ(csr_read(mscratch), 3, "csrrwi x0 writes");
  /* pseudo-instructions */
  __asm__ volatile("csrs mscratch, %0" ::"r"(0x30UL));
  __asm__ volatile("csrc mscratch, %0" ::"r"(0x1UL));
  __asm__ volatile("csrsi mscratch, 0x4");
  __asm__ volatile("csrci mscratch, 0x2");
  CHECK_EQ(csr_read(mscratch), 0x34, "csrs/csrc/csrsi/csrci");
  /* sscratch is a separate register */
  csr_write(sscratch, 0xabc);
  CHECK_EQ(csr_read(sscratch), 0xabc, "sscratch");
  CHECK_EQ(csr_read(mscratch), 0x34, "mscratch unaffected by sscratch");
}

/* Expect an illegal instruction whose mtval is the given encoding. */
#define EXPECT_ILLEGAL(encoding, what)                                                               \
  do {                                                                                               \
    trap_expect();                                                                                   \
    __asm__ volatile(".word " #encoding ::: "a5", "memory");                                         \
    check_trap(what, CAUSE_ILLEGAL_INSN, encoding, PRV_M);                                           \
  } while (0)

#define EXPECT_LEGAL(encoding, what)                                                                 \
  do {                                                                                               \
    trap_expect();                                                                                   \
    __asm__ volatile(".word " #encoding ::: "a5", "memory");                                         \
    check_no_trap(what);                                                                             \
  } while (0)

static void test_read_only_and_unknown(void) {
  uint64_t r;
  __asm__ volatile("csrr %0, mhartid" : "=r"(r));
  CHECK_EQ(r, 0, "mhartid");
  /* mhartid = 0xf14, mvendorid = 0xf11, cycle = 0xc00 */
  EXPECT_LEGAL(0xf14027f3, "csrrs a5, mhartid, x0");
  EXPECT_LEGAL(0xf14067f3, "csrrsi a5, mhartid, 0");
  EXPECT_LEGAL(0xf14077f3, "csrrci a5, mhartid, 0");
  EXPECT_LEGAL(0xc00037f3, "csrrc a5, cycle, x0");
  EXPECT_ILLEGAL(0xf14797f3, "csrrw a5, mhartid, a5");
  EXPECT_ILLEGAL(0xf1479073, "csrrw x0, mhartid, a5");
  EXPECT_ILLEGAL(0xf147a7f3, "csrrs a5, mhartid, a5 (write attempt even if a5=0)");
  EXPECT_ILLEGAL(0xf140d7f3, "csrrwi a5, mhartid, 1");
  EXPECT_ILLEGAL(0xf1405073, "csrrwi x0, mhartid, 0 (always writes)");
  EXPECT_ILLEGAL(0xf140e7f3, "csrrsi a5, mhartid, 1");
  EXPECT_ILLEGAL(0xf110f7f3, "csrrci a5, mvendorid, 1");
  EXPECT_ILLEGAL(0xc0079073, "csrw cycle, a5");
  /* unimplemented CSRs */
  EXPECT_ILLEGAL(0x7c0027f3, "csrr a5, 0x7c0 (custom, absent)");
  EXPECT_ILLEGAL(0x8ff027f3, "csrr a5, 0x8ff (custom, absent)");
  EXPECT_ILLEGAL(0xfff027f3, "csrr a5, 0xfff (absent)");
  EXPECT_ILLEGAL(0x015027f3, "csrr a5, 0x015 (seed, absent)");
}

/* A small executable buffer: li a0, N ; ret */
static volatile uint32_t code_buf[16] __attribute__((aligned(64)));
typedef uint64_t (*code_fn)(void);
#define ADDI_A0_X0(imm) (0x00000513U | ((uint32_t)(imm) << 20))
#define RET 0x00008067U

static uint64_t call_buf(void) { return ((code_fn)(uintptr_t)code_buf)(); }

static void patch_block_with_fence(void) {
  /* Patch the instruction right after the store, in straight-line code; fence.i
   * between makes the new instruction visible. The patch site is restored so
   * that the function behaves the same if called again. */
  uint64_t r;
  __asm__ volatile(
      ".option push\n.option norvc\n"
      "la t0, 1f\n"
      "lw t2, 0(t0)\n"
      "li t1, 0x00200513\n" /* addi a0, x0, 2 */
      "sw t1, 0(t0)\n"
      "fence.i\n"
      "1: addi a0, x0, 1\n"
      "mv %0, a0\n"
      "sw t2, 0(t0)\n"
      "fence.i\n"
      ".option pop\n"
      : "=r"(r)
      :
      : "t0", "t1", "t2", "a0", "memory");
  CHECK_EQ(r, 2, "store to the next instruction + fence.i");
}

static void test_fence_i(void) {
  code_buf[0] = ADDI_A0_X0(11);
  code_buf[1] = RET;
  __asm__ volatile("fence.i" ::: "memory");
  CHECK_EQ(call_buf(), 11, "generated code after fence.i");
  code_buf[0] = ADDI_A0_X0(22);
  __asm__ volatile("fence.i" ::: "memory");
  CHECK_EQ(call_buf(), 22, "rewritten code after fence.i");
  /* compressed instructions in the buffer: c.li a0, 7 ; c.jr ra */
  code_buf[0] = 0x8082451dU;
  __asm__ volatile("fence.i" ::: "memory");
  CHECK_EQ(call_buf(), 7, "rewritten compressed code after fence.i");

  /* QEMU behaviour: translations are invalidated on stores, so already
   * executed code that is rewritten takes effect even without fence.i. */
  code_buf[0] = ADDI_A0_X0(33);
  code_buf[1] = RET;
  CHECK_EQ(call_buf(), 33, "rewritten code without fence.i (QEMU: new code runs)");
  code_buf[0] = ADDI_A0_X0(-44);
  CHECK_EQ(call_buf(), (uint64_t)-44, "rewritten again without fence.i (QEMU: new code runs)");
  patch_block_with_fence();
  patch_block_with_fence();
}

int main(void) {
  test_begin("zicsr");
  /* mscratch holds the M trap stack (crt0); no trap may happen until it is restored */
  uint64_t saved = csr_read(mscratch);
  test_rw_forms();
  csr_write(mscratch, saved);
  test_read_only_and_unknown();
  test_fence_i();
  return test_end();
}
