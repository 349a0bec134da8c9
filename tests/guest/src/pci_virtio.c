/* PCIe on virt (gpex, ECAM at 0x30000000) with virtio-rng-pci on slot 1 (automatic placement) and
 * virtio-blk-pci on slot 3 (addr=3), as QEMU 7.2 builds them:
 * - the windows read all-ones where no BAR decodes (MMIO low/high, PIO) and ignore writes;
 * - ECAM: the host bridge 00:00.0, absent slots/functions/buses and extended space read all-ones,
 *   write masks of command / cache line / interrupt line / class;
 * - BAR sizing (all-ones writes) and assignment, the capability chain (MSI-X, virtio vendor caps);
 * - virtio-blk-pci through the modern interface (common cfg, device cfg, notify, ISR): features,
 *   a queue, a read of sector 5 and a write + read-back, the ISR and the INTx line on PLIC source
 *   32 + (pin A + slot 3) % 4 = 35;
 * - virtio-rng-pci through the legacy I/O BAR (QueuePFN ring): 32 random bytes, INTx on source 33.
 * Values not checked here (feature words, the config space bytes) are printed, so the diff harness
 * compares them with QEMU's. */
#include "test.h"
#include "trap.h"
#include "plic.h"

#define ECAM 0x30000000UL
#define CFG(slot, off) (ECAM + ((unsigned long)(slot) << 15) + (off))
#define PIO 0x03000000UL
#define MMIO_LOW 0x40000000UL
#define MMIO_HIGH 0x400000000UL
#define RNG 1
#define BLK 3
#define BLK_BAR4 0x40000000UL
#define BLK_BAR1 0x40100000UL
#define BLK_IO 0x1000
#define RNG_IO 0x1100
#define RNG_BAR4 0x40200000UL
#define RNG_BAR1 0x40300000UL
#define VIRTIO_F_VERSION_1_HI 1 /* bit 32 */

static uint8_t vq_mem[3][4096] __attribute__((aligned(4096)));
static uint8_t legacy_ring[2 * 4096] __attribute__((aligned(4096)));
static uint8_t hdr[16], buf[512], status_byte;
static uint8_t rnd[32];

static void window_checks(void) {
  CHECK_EQ(MMIO32(MMIO_LOW), 0xffffffff, "low MMIO window, no BAR");
  CHECK_EQ(MMIO64(MMIO_LOW + 0x3ffffff8UL), 0xffffffffffffffffUL, "end of the low window (8 bytes)");
  MMIO32(MMIO_LOW + 0x100) = 0x12345678;
  CHECK_EQ(MMIO32(MMIO_LOW + 0x100), 0xffffffff, "a write to the window is ignored");
  CHECK_EQ(MMIO8(PIO + 0x10), 0xff, "PIO window");
  CHECK_EQ(MMIO32(MMIO_HIGH), 0xffffffff, "high MMIO window");
  trap_expect();
  probe_lw(PIO + 0x10000);
  check_trap("load after the PIO window", 5, PIO + 0x10000, PRV_M);
}

static void ecam_checks(void) {
  CHECK_EQ(MMIO32(CFG(0, 0)), 0x00081b36, "host bridge id");
  CHECK_EQ(MMIO32(CFG(0, 8)), 0x06000000, "host bridge class/revision");
  CHECK_EQ(MMIO32(CFG(0, 0x2c)), 0x11001af4, "host bridge subsystem");
  CHECK_EQ(MMIO32(CFG(0, 0x100)), 0xffffffff, "extended config space");
  CHECK_EQ(MMIO32(CFG(2, 0)), 0xffffffff, "empty slot 2");
  CHECK_EQ(MMIO32(CFG(BLK, 0x1000)), 0xffffffff, "function 1 of slot 3");
  CHECK_EQ(MMIO32(ECAM + (1UL << 20)), 0xffffffff, "bus 1");
  CHECK_EQ(MMIO16(CFG(0, 2)), 0x0008, "16-bit read of the device id");
  CHECK_EQ(MMIO8(CFG(0, 0xb)), 0x06, "8-bit read of the base class");
  CHECK_EQ(MMIO64(CFG(0, 0)), 0x81b36, "8-byte read: two 4-byte pieces");
  MMIO32(CFG(0, 4)) = 0xffffffff;
  CHECK_EQ(MMIO32(CFG(0, 4)), 0x00000507, "command write mask");
  MMIO32(CFG(0, 4)) = 0;
  MMIO32(CFG(0, 8)) = 0xffffffff;
  CHECK_EQ(MMIO32(CFG(0, 8)), 0x06000000, "class is read-only");
  MMIO32(CFG(BLK, 0x3c)) = 0xffffffff;
  CHECK_EQ(MMIO32(CFG(BLK, 0x3c)), 0x000001ff, "interrupt line writable, pin A");
  MMIO8(CFG(BLK, 0x3c)) = 0;
  CHECK_EQ(MMIO32(CFG(RNG, 0)), 0x10051af4, "virtio-rng-pci (transitional) at slot 1");
  CHECK_EQ(MMIO32(CFG(BLK, 0)), 0x10011af4, "virtio-blk-pci (transitional) at slot 3");
  CHECK_EQ(MMIO32(CFG(BLK, 8)), 0x01000000, "virtio-blk-pci class");
  CHECK_EQ(MMIO32(CFG(RNG, 0x2c)), 0x00041af4, "virtio-rng-pci subsystem");
  for (int slot = 1; slot <= BLK; slot += 2) {
    kprintf("slot %d config:", slot);
    for (int i = 0; i < 0x100; i += 4) kprintf("%s%08x", i % 32 ? " " : "\n  ", MMIO32(CFG(slot, i)));
    kprintf("\n");
  }
}

static uint32_t bar_size_mask(int slot, int bar) {
  unsigned long a = CFG(slot, 0x10 + 4 * bar);
  uint32_t old = MMIO32(a);
  MMIO32(a) = 0xffffffff;
  uint32_t v = MMIO32(a);
  MMIO32(a) = old;
  return v;
}

static void bar_checks(void) {
  CHECK_EQ(bar_size_mask(BLK, 0), 0xffffff81, "blk BAR0: 128 bytes of I/O");
  CHECK_EQ(bar_size_mask(BLK, 1), 0xfffff000, "blk BAR1: 4 KiB (MSI-X)");
  CHECK_EQ(bar_size_mask(BLK, 2), 0, "blk BAR2 absent");
  CHECK_EQ(bar_size_mask(BLK, 4), 0xffffc00c, "blk BAR4: 16 KiB, 64-bit prefetchable");
  CHECK_EQ(bar_size_mask(BLK, 5), 0xffffffff, "blk BAR5: the upper half of BAR4");
  CHECK_EQ(bar_size_mask(RNG, 0), 0xffffffe1, "rng BAR0: 32 bytes of I/O");
  MMIO32(CFG(BLK, 0x10)) = BLK_IO;
  MMIO32(CFG(BLK, 0x14)) = BLK_BAR1;
  MMIO32(CFG(BLK, 0x20)) = BLK_BAR4;
  MMIO32(CFG(BLK, 0x24)) = 0;
  CHECK_EQ(MMIO32(BLK_BAR4 + 0x12), 0xffffffff, "BAR4 programmed but memory decoding off");
  MMIO16(CFG(BLK, 4)) = 0x7; /* IO | MEMORY | MASTER */
  CHECK_EQ(MMIO16(BLK_BAR4 + 0x12), 1, "common cfg num_queues through BAR4");
  MMIO32(CFG(RNG, 0x10)) = RNG_IO;
  MMIO32(CFG(RNG, 0x14)) = RNG_BAR1;
  MMIO32(CFG(RNG, 0x20)) = RNG_BAR4;
  MMIO16(CFG(RNG, 4)) = 0x5; /* IO | MASTER */
  CHECK_EQ(MMIO32(RNG_BAR4), 0xffffffff, "rng: memory decoding off");
  /* the capability chain, head first */
  static const uint8_t want[][2] = {{0x98, 0x11}, {0x84, 0x09}, {0x70, 0x09}, {0x60, 0x09}, {0x50, 0x09}, {0x40, 0x09}};
  unsigned cap = MMIO8(CFG(BLK, 0x34));
  for (unsigned i = 0; i < sizeof want / sizeof want[0]; i++) {
    CHECK_EQ(cap, want[i][0], "capability %u offset", i);
    CHECK_EQ(MMIO8(CFG(BLK, cap)), want[i][1], "capability %u id", i);
    cap = MMIO8(CFG(BLK, cap + 1));
  }
  CHECK_EQ(cap, 0, "end of the capability list");
}

/* modern common configuration (BAR4 + 0) */
#define COMMON(off) (BLK_BAR4 + (off))
static void blk_request(uint32_t type, uint64_t sector, uint16_t *idx) {
  uint64_t *desc = (uint64_t *)vq_mem[0];
  volatile uint16_t *avail = (uint16_t *)vq_mem[1];
  volatile uint16_t *used = (uint16_t *)vq_mem[2];
  *(uint32_t *)&hdr[0] = type;
  *(uint32_t *)&hdr[4] = 0;
  *(uint64_t *)&hdr[8] = sector;
  status_byte = 0xee;
  desc[0] = (uintptr_t)hdr; desc[1] = 16 | (1ULL << 32) | (1ULL << 48);
  desc[2] = (uintptr_t)buf; desc[3] = 512 | ((1ULL | (type == 0 ? 2ULL : 0)) << 32) | (2ULL << 48);
  desc[4] = (uintptr_t)&status_byte; desc[5] = 1 | (2ULL << 32);
  avail[2 + (*idx % 8)] = 0;
  __sync_synchronize();
  avail[1] = ++*idx;
  __sync_synchronize();
  MMIO16(BLK_BAR4 + 0x3000 + 4 * MMIO16(COMMON(0x1e))) = 0;
  for (long spin = 0; spin < 100000000 && used[1] != *idx; spin++) {}
  CHECK_EQ(used[1], *idx, "used index after request %u", *idx);
}

static void blk_modern(void) {
  MMIO8(COMMON(0x14)) = 0;
  CHECK_EQ(MMIO8(COMMON(0x14)), 0, "status after reset");
  MMIO8(COMMON(0x14)) = 1 | 2;
  MMIO32(COMMON(0)) = 0;
  uint32_t f0 = MMIO32(COMMON(4));
  MMIO32(COMMON(0)) = 1;
  uint32_t f1 = MMIO32(COMMON(4));
  kprintf("blk device features: %08x %08x\n", f1, f0);
  CHECK_EQ(f1 & VIRTIO_F_VERSION_1_HI, 1, "VERSION_1 offered");
  MMIO32(COMMON(8)) = 0; MMIO32(COMMON(0xc)) = 0;
  MMIO32(COMMON(8)) = 1; MMIO32(COMMON(0xc)) = VIRTIO_F_VERSION_1_HI;
  MMIO8(COMMON(0x14)) = 1 | 2 | 8;
  CHECK_EQ(MMIO8(COMMON(0x14)), 1 | 2 | 8, "FEATURES_OK kept");
  CHECK_EQ(MMIO16(COMMON(0x10)), 0xffff, "msix_config: no vector");
  MMIO16(COMMON(0x16)) = 0;
  CHECK_EQ(MMIO16(COMMON(0x18)), 256, "queue 0 size");
  CHECK_EQ(MMIO16(COMMON(0x1c)), 0, "queue 0 not enabled");
  MMIO16(COMMON(0x18)) = 8;
  MMIO32(COMMON(0x20)) = (uintptr_t)vq_mem[0]; MMIO32(COMMON(0x24)) = 0;
  MMIO32(COMMON(0x28)) = (uintptr_t)vq_mem[1]; MMIO32(COMMON(0x2c)) = 0;
  MMIO32(COMMON(0x30)) = (uintptr_t)vq_mem[2]; MMIO32(COMMON(0x34)) = 0;
  MMIO16(COMMON(0x1c)) = 1;
  CHECK_EQ(MMIO16(COMMON(0x1c)), 1, "queue 0 enabled");
  CHECK_EQ(MMIO32(COMMON(0x28)), (uintptr_t)vq_mem[1], "queue driver address reads back");
  MMIO8(COMMON(0x14)) = 1 | 2 | 4 | 8;
  CHECK_EQ(MMIO32(BLK_BAR4 + 0x2000), 2048, "device config: capacity (sectors) low word");
  CHECK_EQ(MMIO32(BLK_BAR4 + 0x2004), 0, "device config: capacity high word");
  uint16_t idx = 0;
  blk_request(0, 5, &idx);
  CHECK_EQ(status_byte, 0, "read status");
  CHECK_EQ(*(uint64_t *)&buf[0], 0x4b4c42554d455354ULL, "sector 5 tag");
  CHECK_EQ(buf[8], 5, "sector 5 number");
  CHECK_EQ(plic_pending(35), 1, "INTx of slot 3 pin A pending on PLIC source 35");
  CHECK_EQ(MMIO16(CFG(BLK, 6)) & 0x8, 0x8, "PCI status: interrupt");
  CHECK_EQ(MMIO8(BLK_BAR4 + 0x1000), 1, "ISR: used buffer");
  CHECK_EQ(MMIO8(BLK_BAR4 + 0x1000), 0, "ISR cleared by the read");
  CHECK_EQ(MMIO16(CFG(BLK, 6)) & 0x8, 0, "PCI status: interrupt deasserted");
  for (int i = 0; i < 512; i++) buf[i] = (uint8_t)(i * 7);
  blk_request(1, 9, &idx);
  CHECK_EQ(status_byte, 0, "write status");
  for (int i = 0; i < 512; i++) buf[i] = 0;
  blk_request(0, 9, &idx);
  CHECK_EQ(buf[100], (uint8_t)700, "sector 9 read back");
  (void)MMIO8(BLK_BAR4 + 0x1000);
  /* INTX_DISABLE keeps the line low */
  MMIO16(CFG(BLK, 4)) = 0x407;
  blk_request(0, 1, &idx);
  CHECK_EQ(MMIO16(CFG(BLK, 6)) & 0x8, 0x8, "status shows the interrupt with INTx disabled");
  (void)MMIO8(BLK_BAR4 + 0x1000);
  MMIO8(COMMON(0x14)) = 0;
  CHECK_EQ(MMIO16(COMMON(0x1c)), 0, "reset disables the queue");
}

static void rng_legacy(void) {
  unsigned long io = PIO + RNG_IO;
  kprintf("rng host features: %08x\n", MMIO32(io + 0));
  MMIO8(io + 0x12) = 0;
  MMIO8(io + 0x12) = 1 | 2;
  MMIO32(io + 4) = 0;
  MMIO16(io + 0xe) = 0;
  uint16_t num = MMIO16(io + 0xc);
  CHECK_EQ(num, 8, "rng queue size");
  MMIO32(io + 8) = (uintptr_t)legacy_ring / 4096;
  CHECK_EQ(MMIO32(io + 8), (uintptr_t)legacy_ring / 4096, "queue PFN reads back");
  MMIO8(io + 0x12) = 1 | 2 | 4;
  uint64_t *desc = (uint64_t *)legacy_ring;
  volatile uint16_t *avail = (uint16_t *)(legacy_ring + 16 * num);
  volatile uint16_t *used = (uint16_t *)(legacy_ring + 4096);
  desc[0] = (uintptr_t)rnd; desc[1] = sizeof rnd | (2ULL << 32);
  avail[2] = 0;
  __sync_synchronize();
  avail[1] = 1;
  __sync_synchronize();
  MMIO16(io + 0x10) = 0;
  for (long spin = 0; spin < 100000000 && used[1] != 1; spin++) {}
  CHECK_EQ(used[1], 1, "rng used index");
  CHECK_EQ(*(volatile uint32_t *)&used[4], sizeof rnd, "rng used length");
  int nonzero = 0;
  for (unsigned i = 0; i < sizeof rnd; i++) nonzero |= rnd[i];
  CHECK(nonzero, "random bytes arrived");
  CHECK_EQ(plic_pending(33), 1, "INTx of slot 1 pin A on PLIC source 33");
  CHECK_EQ(MMIO8(io + 0x13), 1, "legacy ISR");
  CHECK_EQ(MMIO8(io + 0x13), 0, "legacy ISR cleared");
}

int main(unsigned long hartid, void *dtb) {
  (void)hartid; (void)dtb;
  test_begin("pci_virtio");
  window_checks();
  ecam_checks();
  bar_checks();
  blk_modern();
  rng_legacy();
  return test_end();
}
