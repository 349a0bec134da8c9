/* Execution from flash bank 0 (QEMU's romd mode), the bank loaded with -drive if=pflash from
 * bin/pflash_code.bin (tests/guest/flash/pflash_code.S, padded to 32 MiB), whose first
 * instructions are where the reset vector goes (a drive on flash0) and jump here, to RAM:
 * - in read-array mode the bank's code runs (a pc-relative load from flash, a loop), and reads
 *   as data give the same words;
 * - a word programmed (0x40) before it ever ran runs as programmed once the bank is back in
 *   read-array mode (0xff);
 * - in CFI query (0x98) and read-ID (0x90) mode a fetch reads what the device answers, as QEMU 7.2
 *   fetches from a bank in I/O mode: CFI's first word is 0 (illegal instruction, tval 0); the ID
 *   0x0089 is "c.addi ra, 2", twice, then 0x0018 at +4 is a reserved c.addi4spn (illegal, tval 0x18);
 * - bank 1 (no drive: zeros) executes 0x0000, illegal.
 * Checked against QEMU 7.2. */
#include "test.h"
#include "trap.h"

#define FLASH0 0x20000000UL
#define FLASH1 0x22000000UL
#define ENTRY0 (FLASH0 + 0x40)
#define ENTRY1 (FLASH0 + 0x80)
#define ENTRY2 (FLASH0 + 0xc0)

/* Where the illegal-instruction traps resume: back to probe_fetch's caller (fix_ra_ret first
 * undoes the two "c.addi ra, 2" the read-ID answers executed). */
void plain_ret(void);
void fix_ra_ret(void);
__asm__(".globl plain_ret\nplain_ret: ret\n.globl fix_ra_ret\nfix_ra_ret: addi ra, ra, -4\n ret\n");

static void command(uintptr_t a, uint32_t cmd) { MMIO32(a) = cmd; }

static void expect_illegal_fetch(uintptr_t entry, void (*resume)(void), uint64_t tval, uintptr_t epc, const char *what) {
  trap_expect();
  trap_resume_pc = (uintptr_t)resume;
  probe_fetch(entry);
  check_trap(what, CAUSE_ILLEGAL_INSN, tval, PRV_M);
  CHECK_EQ(trap_last.epc, epc, "%s: epc", what);
}

int main(void) {
  test_begin("pflash_exec");
  CHECK_EQ(MMIO32(FLASH0), 0x00100293, "first word read as data (li t0, 1)");
  CHECK_EQ(MMIO32(ENTRY2), 0x00100513, "entry2 read as data (li a0, 1)");
  CHECK_EQ(probe_fetch(ENTRY0), 0x1122334455667788UL ^ (ENTRY0 + 12), "entry0: pc-relative load from flash, auipc");
  CHECK_EQ(probe_fetch(ENTRY1), 5050, "entry1: a loop in flash");
  CHECK_EQ(probe_fetch(ENTRY1), 5050, "entry1 again");

  command(ENTRY2, 0x40);
  MMIO32(ENTRY2) = 0x00200513;
  CHECK_EQ(MMIO32(FLASH0), 0x00800080, "status after the program");
  command(FLASH0, 0xff);
  CHECK_EQ(MMIO32(ENTRY2), 0x00200513, "programmed word read back");
  CHECK_EQ(probe_fetch(ENTRY2), 2, "entry2 runs as programmed");

  command(FLASH0, 0x98);
  expect_illegal_fetch(FLASH0, plain_ret, 0, FLASH0, "fetch in CFI query mode");
  command(FLASH0, 0xff);
  command(FLASH0, 0x90);
  expect_illegal_fetch(FLASH0, fix_ra_ret, 0x18, FLASH0 + 4, "fetch in read-ID mode");
  command(FLASH0, 0xff);
  CHECK_EQ(probe_fetch(ENTRY1), 5050, "entry1 back in read-array mode");
  CHECK_EQ(probe_fetch(ENTRY0), 0x1122334455667788UL ^ (ENTRY0 + 12), "entry0 back in read-array mode");

  expect_illegal_fetch(FLASH1, plain_ret, 0, FLASH1, "bank 1 without a drive: zeros");
  return test_end();
}
