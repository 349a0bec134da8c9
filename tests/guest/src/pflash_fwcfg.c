/* The two pflash banks (pflash_cfi01 at 0x20000000 / 0x22000000) and fw_cfg (0x10100000) of QEMU 7.2's
 * virt, run as -bios with flash1 on a sector-tag image (-drive if=pflash,unit=1) and flash0 blank:
 * - flash: read array (image contents, blank zeros), CFI query (QRY, geometry, replicated per 16-bit
 *   device, any access size), device ID, program (stored as written), block erase of one 256 KiB
 *   sector, write to buffer, lock, clear/read status, an unknown command (back to read array);
 * - fw_cfg: signature and ID through the data register (1/2/4/8-byte reads, past the end reads 0),
 *   NB_CPUS, the file directory, a DMA read with select, the DMA register's signature, and the
 *   accesses QEMU refuses (selector reads, 4-byte selector writes: access faults).
 * - fw_cfg's kernel, initrd and command line items: QEMU puts -kernel/-initrd/-append there instead
 *   of RAM when flash1 holds the (S-mode) firmware, so this guest runs as -bios.
 * Values not checked one by one (the CFI table, the directory) are printed for the diff harness. */
#include "test.h"
#include "trap.h"

#define F0 0x20000000UL
#define F1 0x22000000UL
#define FW 0x10100000UL
#define SECTOR 0x40000UL

static void fw_select(uint16_t s) { MMIO16(FW + 8) = (uint16_t)((s >> 8) | (s << 8)); }
static uint32_t fw_be32(void) { uint32_t v = 0; for (int i = 0; i < 4; i++) v = (v << 8) | MMIO8(FW); return v; }

static void flash_checks(void) {
  CHECK_EQ(MMIO64(F1), 0x4b4c42554d455354UL, "flash1 image: sector 0 tag");
  CHECK_EQ(MMIO32(F1 + 512 + 8), 1, "flash1 image: sector 1 number");
  CHECK_EQ(MMIO32(F0 + 0x1fffffc), 0, "flash0 blank");
  MMIO32(F0) = 0x00980098;
  CHECK_EQ(MMIO32(F0 + 0x10 * 4), 0x00510051, "CFI 'Q' in both devices");
  CHECK_EQ(MMIO8(F0 + 0x11 * 4), 0x52, "CFI 'R' (byte read)");
  CHECK_EQ(MMIO64(F0 + 0x12 * 4), 0x0001000100590059UL, "CFI 'Y' and command set (8-byte read)");
  kprintf("cfi:");
  for (int i = 0x10; i < 0x52; i++) kprintf(" %x", MMIO32(F0 + 4 * i));
  kprintf("\n");
  MMIO32(F0) = 0xff;
  CHECK_EQ(MMIO32(F0), 0, "back to read array");
  MMIO32(F0) = 0x90;
  CHECK_EQ(MMIO32(F0), 0x00890089, "manufacturer id");
  CHECK_EQ(MMIO32(F0 + 4), 0x00180018, "device id");
  CHECK_EQ(MMIO32(F0 + 8), 0, "past the ids");
  MMIO32(F0) = 0xff;
  MMIO32(F1 + 0x100) = 0x40;
  MMIO32(F1 + 0x100) = 0x12345678;
  CHECK_EQ(MMIO32(F1 + 0x100), 0x00800080, "status after program");
  CHECK_EQ(MMIO64(F1), 0x0080008000800080UL, "status, 8-byte read");
  MMIO32(F1) = 0xff;
  CHECK_EQ(MMIO32(F1 + 0x100), 0x12345678, "programmed word");
  MMIO32(F1 + 0x100) = 0x10;
  MMIO32(F1 + 0x100) = 0xff00ff00;
  MMIO32(F1) = 0xff;
  CHECK_EQ(MMIO32(F1 + 0x100), 0xff00ff00, "program stores the value (QEMU does not AND)");
  MMIO32(F1 + SECTOR + 0x10) = 0x20;
  MMIO32(F1 + SECTOR) = 0xd0;
  CHECK_EQ(MMIO32(F1), 0x00800080, "status after erase");
  MMIO32(F1) = 0xff;
  CHECK_EQ(MMIO32(F1 + SECTOR - 4), (uint32_t)(((511 * 31 + 508) & 0xff) | (((511 * 31 + 509) & 0xff) << 8) | (((511 * 31 + 510) & 0xff) << 16) | ((uint32_t)((511 * 31 + 511) & 0xff) << 24)), "sector before kept");
  CHECK_EQ(MMIO32(F1 + SECTOR), 0xffffffff, "erased sector start");
  CHECK_EQ(MMIO32(F1 + 2 * SECTOR - 4), 0xffffffff, "erased sector end");
  CHECK_EQ(MMIO64(F1 + 2 * SECTOR), 0x4b4c42554d455354UL, "next sector kept");
  MMIO32(F1) = 0x50;
  CHECK_EQ(MMIO32(F1 + 0x100), 0xff00ff00, "clear status: read array");
  MMIO32(F1) = 0x70;
  CHECK_EQ(MMIO32(F1), 0, "status cleared");
  MMIO32(F1 + SECTOR) = 0xe8;
  CHECK_EQ(MMIO32(F1 + SECTOR), 0x00800080, "write-to-buffer status");
  MMIO32(F1 + SECTOR) = 0x00010001;
  MMIO32(F1 + SECTOR + 0x200) = 0xaaaa5555;
  MMIO32(F1 + SECTOR + 0x204) = 0x5555aaaa;
  MMIO32(F1 + SECTOR) = 0xd0;
  CHECK_EQ(MMIO32(F1), 0x00800080, "buffer confirmed");
  MMIO32(F1) = 0xff;
  CHECK_EQ(MMIO32(F1 + SECTOR + 0x200), 0xaaaa5555, "buffer word 0");
  CHECK_EQ(MMIO32(F1 + SECTOR + 0x204), 0x5555aaaa, "buffer word 1");
  CHECK_EQ(MMIO32(F1 + SECTOR + 0x208), 0xffffffff, "after the buffer");
  MMIO32(F1) = 0x60;
  MMIO32(F1) = 0x01;
  CHECK_EQ(MMIO32(F1), 0x00800080, "lock status");
  MMIO32(F1) = 0x33;
  CHECK_EQ(MMIO32(F1 + SECTOR + 0x200), 0xaaaa5555, "unknown command: read array");
  MMIO8(F1 + SECTOR + 0x300) = 0x40;
  MMIO8(F1 + SECTOR + 0x301) = 0xab;
  MMIO8(F1) = 0xff;
  CHECK_EQ(MMIO32(F1 + SECTOR + 0x300), 0xffffabff, "byte program");
  trap_expect();
  probe_lw(F1 + 0x2000000);
  check_trap("load after flash1", 5, F1 + 0x2000000, PRV_M);
}

static void fwcfg_checks(void) {
  fw_select(0);
  CHECK_EQ(MMIO32(FW), 0x554d4551, "signature QEMU (4-byte read)");
  CHECK_EQ(MMIO8(FW), 0, "past the end of the signature");
  fw_select(0);
  CHECK_EQ(MMIO16(FW), 0x4551, "signature, 2-byte read");
  CHECK_EQ(MMIO64(FW), 0x554d, "rest of the signature in an 8-byte read");
  fw_select(1);
  CHECK_EQ(MMIO32(FW), 3, "ID: traditional + DMA");
  fw_select(5);
  CHECK_EQ(MMIO16(FW), 1, "NB_CPUS");
  fw_select(0x19);
  uint32_t n = fw_be32();
  CHECK_EQ(n, 3, "files");
  uint16_t wait_sel = 0;
  for (uint32_t f = 0; f < n && f < 8; f++) {
    uint32_t size = fw_be32();
    uint16_t sel = (uint16_t)(MMIO8(FW) << 8);
    sel |= MMIO8(FW);
    (void)MMIO16(FW);
    char name[57];
    for (int i = 0; i < 56; i++) name[i] = (char)MMIO8(FW);
    name[56] = 0;
    kprintf("file %s size %d select 0x%x\n", name, size, sel);
    if (size == 4) wait_sel = sel;
  }
  /* -kernel/-initrd/-append go to fw_cfg when flash1 holds the firmware (riscv_setup_firmware_boot) */
  static const uint16_t items[] = {0x08, 0x0b, 0x14};
  for (unsigned i = 0; i < 3; i++) {
    fw_select(items[i]);
    kprintf("item 0x%x: %d\n", items[i], MMIO32(FW));
  }
  static const uint16_t data[] = {0x11, 0x12, 0x15};
  for (unsigned i = 0; i < 3; i++) {
    fw_select(data[i]);
    kprintf("item 0x%x:", data[i]);
    for (int b = 0; b < 80; b++) {
      uint8_t c = MMIO8(FW);
      if (c >= 0x20 && c < 0x7f) kprintf("%c", c);
      else kprintf("\\x%02x", c);
    }
    kprintf("\n");
  }
  fw_select(0x08);
  CHECK_EQ(MMIO32(FW), 74, "KERNEL_SIZE (tests/guest/data/fwcfg-kernel.txt)");
  fw_select(wait_sel);
  kprintf("etc/boot-fail-wait: %x\n", MMIO32(FW));
  static volatile struct { uint32_t control, length; uint64_t address; } acc __attribute__((aligned(16)));
  static volatile uint8_t out[8];
  acc.control = __builtin_bswap32((1u << 16) | 8 | 2);
  acc.length = __builtin_bswap32(4);
  acc.address = __builtin_bswap64((uintptr_t)out);
  uint64_t a = (uintptr_t)&acc;
  MMIO32(FW + 16) = __builtin_bswap32((uint32_t)(a >> 32));
  MMIO32(FW + 20) = __builtin_bswap32((uint32_t)a);
  CHECK_EQ(acc.control, 0, "DMA done");
  CHECK_EQ(*(volatile uint32_t *)out, 3, "DMA read of the ID");
  acc.control = __builtin_bswap32((0u << 16) | 8 | 0x10);
  MMIO64(FW + 16) = __builtin_bswap64(a);
  CHECK_EQ(__builtin_bswap32(acc.control), 1, "DMA write: error bit");
  CHECK_EQ(MMIO64(FW + 16), 0x47464320554d4551UL, "DMA register signature \"QEMU CFG\"");
  trap_expect();
  probe_lh(FW + 8);
  check_trap("selector read", 5, FW + 8, PRV_M);
  trap_expect();
  probe_sw(FW + 8, 0);
  check_trap("4-byte selector write", 7, FW + 8, PRV_M);
}

int main(unsigned long hartid, void *dtb) {
  (void)hartid; (void)dtb;
  test_begin("pflash_fwcfg");
  flash_checks();
  fwcfg_checks();
  return test_end();
}
