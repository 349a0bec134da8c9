/* An xv6-style disk probe: drives virtio-blk the way xv6-riscv's
 * kernel/virtio_disk.c does, on either virtio-mmio transport QEMU 7.2 offers:
 *   legacy (version 1, QEMU's default; -global virtio-mmio.force-legacy=on)
 *   modern (version 2; -global virtio-mmio.force-legacy=false, xv6's Makefile)
 * xv6's own command line is
 *   -machine virt -bios none -kernel K -m 128M -smp 3 -nographic
 *   -global virtio-mmio.force-legacy=false
 *   -drive file=fs.img,if=none,format=raw,id=x0 -device virtio-blk-device,drive=x0,bus=virtio-mmio-bus.0
 * The disk is the 1 MiB "sector-tag" image (tests/support/guest-manifest.ts).
 *
 * - scans the eight transports like Linux (prints magic/version/id/vendor of
 *   each) and uses the first block device (0x10001000 with bus=...bus.0, the
 *   last transport without bus=: QEMU fills them from the top);
 * - xv6's probe: magic 0x74726976, version (1 or 2, printed), device id 2,
 *   vendor 0x554d4551; reset; ACKNOWLEDGE, DRIVER; device features word 0
 *   (and word 1, printed) with RO, SCSI, CONFIG_WCE, MQ, ANY_LAYOUT,
 *   EVENT_IDX, INDIRECT_DESC cleared, written back as word 0 only (like xv6:
 *   no VERSION_1, which QEMU accepts); FEATURES_OK read back;
 * - queue 0 of 8 entries. Modern: QueueReady must be 0, three addresses and
 *   QueueReady = 1, as xv6 does. Legacy: GuestPageSize 4096, QueueNum,
 *   QueueAlign 64 (so the used ring sits right after the available ring:
 *   a device that ignored QueueAlign would miss it), QueuePFN; DRIVER_OK;
 * - xv6's three-descriptor chain {header, data, status}: reads sector 0 and
 *   sector 1234, writes sector 77 and reads it back, waiting for each
 *   completion on the PLIC (IRQ = transport + 1, M-mode context of hart 0,
 *   polled through mip.MEIP), InterruptStatus/ACK, claim/complete;
 * - prints checksums of what it read (deterministic), then the usual
 *   PASS/FAIL line; exits through the sifive_test finisher.
 * - Finally it misuses the transport (registers of the other mode, wrong
 *   access size, bad offsets, read-only registers, a descriptor whose next
 *   index is out of range) so that `-d guest_errors` and virtio_error()
 *   messages can be compared with QEMU's; a reset brings the device back. */
#include "test.h"
#include "plic.h"

#define VIRTIO_MAGIC 0x74726976
#define VIRTIO_VENDOR_QEMU 0x554d4551
#define VIRTIO_DEV_BLK 2

/* virtio-mmio registers (both versions; the legacy-only ones marked) */
#define VM_MAGIC 0x000
#define VM_VERSION 0x004
#define VM_DEVICE_ID 0x008
#define VM_VENDOR_ID 0x00c
#define VM_DEVICE_FEATURES 0x010
#define VM_DEVICE_FEATURES_SEL 0x014
#define VM_DRIVER_FEATURES 0x020
#define VM_DRIVER_FEATURES_SEL 0x024
#define VM_GUEST_PAGE_SIZE 0x028 /* legacy */
#define VM_QUEUE_SEL 0x030
#define VM_QUEUE_NUM_MAX 0x034
#define VM_QUEUE_NUM 0x038
#define VM_QUEUE_ALIGN 0x03c /* legacy */
#define VM_QUEUE_PFN 0x040   /* legacy */
#define VM_QUEUE_READY 0x044 /* modern */
#define VM_QUEUE_NOTIFY 0x050
#define VM_INTERRUPT_STATUS 0x060
#define VM_INTERRUPT_ACK 0x064
#define VM_STATUS 0x070
#define VM_QUEUE_DESC_LOW 0x080 /* modern */
#define VM_QUEUE_DESC_HIGH 0x084
#define VM_QUEUE_DRIVER_LOW 0x090
#define VM_QUEUE_DRIVER_HIGH 0x094
#define VM_QUEUE_DEVICE_LOW 0x0a0
#define VM_QUEUE_DEVICE_HIGH 0x0a4
#define VM_CONFIG_GENERATION 0x0fc /* modern */
#define VM_CONFIG 0x100

#define STATUS_ACKNOWLEDGE 1
#define STATUS_DRIVER 2
#define STATUS_DRIVER_OK 4
#define STATUS_FEATURES_OK 8

/* the feature bits xv6 clears */
#define BLK_F_RO 5
#define BLK_F_SCSI 7
#define BLK_F_CONFIG_WCE 11
#define BLK_F_MQ 12
#define F_ANY_LAYOUT 27
#define RING_F_INDIRECT_DESC 28
#define RING_F_EVENT_IDX 29

#define BLK_T_IN 0
#define BLK_T_OUT 1

#define DESC_F_NEXT 1
#define DESC_F_WRITE 2

#define NUM 8 /* xv6's queue size */
#define SECTOR 512
#define PGSIZE 4096
#define LEGACY_ALIGN 64

struct virtq_desc {
  uint64_t addr;
  uint32_t len;
  uint16_t flags;
  uint16_t next;
};
struct virtq_avail {
  uint16_t flags;
  uint16_t idx;
  uint16_t ring[NUM];
  uint16_t unused;
};
struct virtq_used_elem {
  uint32_t id;
  uint32_t len;
};
struct virtq_used {
  uint16_t flags;
  uint16_t idx;
  struct virtq_used_elem ring[NUM];
};
struct virtio_blk_req {
  uint32_t type;
  uint32_t reserved;
  uint64_t sector;
};

/* Modern: xv6 gives each area its own page (kalloc). Legacy: one area from
 * the PFN, used ring at align(desc + 16*NUM + 4 + 2*NUM, QueueAlign). */
static uint8_t pages[3 * PGSIZE] __attribute__((aligned(PGSIZE)));
static volatile struct virtq_desc *desc;
static volatile struct virtq_avail *avail;
static volatile struct virtq_used *used;

static volatile struct virtio_blk_req ops[NUM];
static volatile uint8_t status_bytes[NUM];
static volatile uint8_t buf[SECTOR] __attribute__((aligned(16)));
static uintptr_t dev;
static int transport;
static uint32_t version;
static uint16_t used_idx, next_desc;

#define R(r) MMIO32(dev + (r))

static inline void fence(void) { __asm__ volatile("fence rw, rw" ::: "memory"); }

static const char *mode_name(uint32_t v) { return v == 1 ? "legacy" : v == 2 ? "modern" : "unknown"; }

static uint32_t fnv1a(const volatile uint8_t *p, unsigned n) {
  uint32_t h = 2166136261u;
  for (unsigned i = 0; i < n; i++) h = (h ^ p[i]) * 16777619u;
  return h;
}

/* Linux-style scan of all eight transports; returns the first block device. */
static int scan(void) {
  int found = -1;
  for (int i = 0; i < VIRTIO_COUNT; i++) {
    uintptr_t base = VIRTIO_BASE + VIRTIO_STRIDE * (uintptr_t)i;
    uint32_t magic = MMIO32(base + VM_MAGIC), v = MMIO32(base + VM_VERSION);
    uint32_t id = MMIO32(base + VM_DEVICE_ID), vendor = MMIO32(base + VM_VENDOR_ID);
    kprintf("virtio-mmio@%x: magic %x version %d (%s) device %d vendor %x\n", (unsigned)base, magic, v,
            mode_name(v), id, vendor);
    if (id == VIRTIO_DEV_BLK && found < 0) found = i;
  }
  return found;
}

static void negotiate(void) {
  uint32_t status = 0;
  R(VM_STATUS) = status; /* reset */
  status |= STATUS_ACKNOWLEDGE;
  R(VM_STATUS) = status;
  status |= STATUS_DRIVER;
  R(VM_STATUS) = status;

  R(VM_DEVICE_FEATURES_SEL) = 1;
  uint32_t high = R(VM_DEVICE_FEATURES);
  R(VM_DEVICE_FEATURES_SEL) = 0;
  uint32_t features = R(VM_DEVICE_FEATURES);
  kprintf("device features: word0 %x word1 %x\n", features, high);
  features &= ~(1u << BLK_F_RO);
  features &= ~(1u << BLK_F_SCSI);
  features &= ~(1u << BLK_F_CONFIG_WCE);
  features &= ~(1u << BLK_F_MQ);
  features &= ~(1u << F_ANY_LAYOUT);
  features &= ~(1u << RING_F_EVENT_IDX);
  features &= ~(1u << RING_F_INDIRECT_DESC);
  R(VM_DRIVER_FEATURES) = features;
  kprintf("driver features: word0 %x\n", features);

  status |= STATUS_FEATURES_OK;
  R(VM_STATUS) = status;
  status = R(VM_STATUS);
  kprintf("status after FEATURES_OK: %x\n", status);
  CHECK(status & STATUS_FEATURES_OK, "FEATURES_OK set");
}

static void setup_modern(void) {
  CHECK_EQ(R(VM_QUEUE_READY), 0, "queue 0 not ready before setup");
  desc = (volatile struct virtq_desc *)pages;
  avail = (volatile struct virtq_avail *)(pages + PGSIZE);
  used = (volatile struct virtq_used *)(pages + 2 * PGSIZE);
  R(VM_QUEUE_NUM) = NUM;
  R(VM_QUEUE_DESC_LOW) = (uint32_t)(uintptr_t)desc;
  R(VM_QUEUE_DESC_HIGH) = (uint32_t)((uint64_t)(uintptr_t)desc >> 32);
  R(VM_QUEUE_DRIVER_LOW) = (uint32_t)(uintptr_t)avail;
  R(VM_QUEUE_DRIVER_HIGH) = (uint32_t)((uint64_t)(uintptr_t)avail >> 32);
  R(VM_QUEUE_DEVICE_LOW) = (uint32_t)(uintptr_t)used;
  R(VM_QUEUE_DEVICE_HIGH) = (uint32_t)((uint64_t)(uintptr_t)used >> 32);
  R(VM_QUEUE_READY) = 1;
  kprintf("queue ready: %d\n", R(VM_QUEUE_READY));
}

static void setup_legacy(void) {
  CHECK_EQ(R(VM_QUEUE_PFN), 0, "queue 0 has no PFN before setup");
  desc = (volatile struct virtq_desc *)pages;
  avail = (volatile struct virtq_avail *)(pages + NUM * sizeof(struct virtq_desc));
  uintptr_t avail_end = (uintptr_t)avail + 4 + 2 * NUM;
  used = (volatile struct virtq_used *)((avail_end + LEGACY_ALIGN - 1) & ~(uintptr_t)(LEGACY_ALIGN - 1));
  R(VM_GUEST_PAGE_SIZE) = PGSIZE;
  R(VM_QUEUE_NUM) = NUM;
  R(VM_QUEUE_ALIGN) = LEGACY_ALIGN;
  R(VM_QUEUE_PFN) = (uint32_t)((uintptr_t)pages / PGSIZE);
  CHECK_EQ(R(VM_QUEUE_PFN), (uintptr_t)pages / PGSIZE, "QueuePFN reads back");
  kprintf("used ring at desc + %d\n", (int)((uintptr_t)used - (uintptr_t)desc));
}

static void init_disk(void) {
  kmemset(pages, 0, sizeof(pages));
  used_idx = 0;
  next_desc = 0;
  negotiate();
  R(VM_QUEUE_SEL) = 0;
  uint32_t max = R(VM_QUEUE_NUM_MAX);
  kprintf("queue 0 max %d\n", max);
  CHECK(max >= NUM, "queue 0 max >= %d", NUM);
  if (version == 2) setup_modern();
  else setup_legacy();
  uint32_t status = R(VM_STATUS) | STATUS_DRIVER_OK;
  R(VM_STATUS) = status;
  kprintf("status: %x\n", R(VM_STATUS));
  uint32_t cap_lo = R(VM_CONFIG), cap_hi = R(VM_CONFIG + 4);
  kprintf("capacity: %d sectors\n", (int)(cap_lo | (uint64_t)cap_hi << 32));
  kputs("config:");
  for (unsigned off = 0; off < 64; off += 4) kprintf(" %x", R(VM_CONFIG + off));
  kputs("\n");
}

/* The completion interrupt: PLIC source transport+1 on hart 0's M context. */
static void wait_interrupt(const char *what) {
  unsigned irq = VIRTIO_IRQ(transport);
  uint64_t deadline = read_mtime() + 2 * TIMEBASE_HZ;
  while (used->idx == used_idx && read_mtime() < deadline) {
  }
  CHECK_EQ(mip_wait(MIP_MEIP, MIP_MEIP), MIP_MEIP, "%s: external interrupt pending", what);
  uint32_t claimed = plic_claim(PLIC_CTX_M(0));
  CHECK_EQ(claimed, irq, "%s: PLIC claim = transport IRQ", what);
  uint32_t isr = R(VM_INTERRUPT_STATUS);
  kprintf("%s: irq %d interrupt status %x\n", what, claimed, isr);
  R(VM_INTERRUPT_ACK) = isr & 3;
  if (claimed) plic_complete(PLIC_CTX_M(0), claimed);
}

/* xv6's virtio_disk_rw: three descriptors, header / data / status. */
static uint8_t disk_rw(uint64_t sector, int write, const char *what) {
  uint16_t idx[3];
  for (int i = 0; i < 3; i++) idx[i] = (uint16_t)((next_desc + i) % NUM);
  next_desc = (uint16_t)((next_desc + 3) % NUM);
  volatile struct virtio_blk_req *req = &ops[idx[0]];
  req->type = write ? BLK_T_OUT : BLK_T_IN;
  req->reserved = 0;
  req->sector = sector;

  desc[idx[0]].addr = (uintptr_t)req;
  desc[idx[0]].len = sizeof(struct virtio_blk_req);
  desc[idx[0]].flags = DESC_F_NEXT;
  desc[idx[0]].next = idx[1];

  desc[idx[1]].addr = (uintptr_t)buf;
  desc[idx[1]].len = SECTOR;
  desc[idx[1]].flags = (uint16_t)((write ? 0 : DESC_F_WRITE) | DESC_F_NEXT);
  desc[idx[1]].next = idx[2];

  status_bytes[idx[0]] = 0xff;
  desc[idx[2]].addr = (uintptr_t)&status_bytes[idx[0]];
  desc[idx[2]].len = 1;
  desc[idx[2]].flags = DESC_F_WRITE;
  desc[idx[2]].next = 0;

  avail->ring[avail->idx % NUM] = idx[0];
  fence();
  avail->idx += 1;
  fence();
  R(VM_QUEUE_NOTIFY) = 0;

  wait_interrupt(what);
  fence();
  CHECK_EQ(used->idx, (uint16_t)(used_idx + 1), "%s: one used element", what);
  volatile struct virtq_used_elem *e = &used->ring[used_idx % NUM];
  CHECK_EQ(e->id, idx[0], "%s: used id = chain head", what);
  kprintf("%s: used len %d status %d\n", what, e->len, status_bytes[idx[0]]);
  used_idx++;
  return status_bytes[idx[0]];
}

static void read_sector(uint64_t sector, const char *what) {
  kmemset((void *)buf, 0, SECTOR);
  CHECK_EQ(disk_rw(sector, 0, what), 0, "%s: status OK", what);
  uint64_t tag_sector = 0;
  for (int i = 0; i < 8; i++) tag_sector |= (uint64_t)buf[8 + i] << (8 * i);
  kprintf("%s: tag %c%c%c%c%c%c%c%c sector %d checksum %x\n", what, buf[0], buf[1], buf[2], buf[3], buf[4], buf[5],
          buf[6], buf[7], (int)tag_sector, fnv1a(buf, SECTOR));
}

static void disk_io(void) {
  read_sector(0, "read sector 0");
  read_sector(1234, "read sector 1234");
  for (unsigned i = 0; i < SECTOR; i++) buf[i] = (uint8_t)(0x5a ^ i ^ (i >> 8));
  uint32_t written = fnv1a(buf, SECTOR);
  kprintf("write sector 77: checksum %x\n", written);
  CHECK_EQ(disk_rw(77, 1, "write sector 77"), 0, "write sector 77: status OK");
  kmemset((void *)buf, 0, SECTOR);
  CHECK_EQ(disk_rw(77, 0, "read back sector 77"), 0, "read back sector 77: status OK");
  CHECK_EQ(fnv1a(buf, SECTOR), written, "sector 77 reads back what was written");
  kprintf("read back sector 77: checksum %x\n", fnv1a(buf, SECTOR));
}

/* Accesses QEMU logs with -d guest_errors (hw/virtio/virtio-mmio.c). They
 * read 0 / are ignored and change nothing. */
static void misuse_registers(void) {
  uint32_t other_mode = version == 2 ? R(VM_QUEUE_PFN) : R(VM_QUEUE_READY);
  if (version == 2) {
    R(VM_GUEST_PAGE_SIZE) = PGSIZE;
    R(VM_QUEUE_ALIGN) = PGSIZE;
    R(VM_QUEUE_PFN) = 1;
  } else {
    R(VM_QUEUE_READY) = 1;
    R(VM_QUEUE_DESC_LOW) = 0;
    (void)R(VM_CONFIG_GENERATION);
  }
  uint32_t wo = R(VM_QUEUE_NOTIFY), bad = R(0x0f0);
  uint16_t narrow = MMIO16(dev + VM_STATUS);
  MMIO16(dev + VM_STATUS) = 0;
  R(VM_MAGIC) = 0;
  R(0x0f0) = 1;
  kprintf("misuse: other mode %x write-only %x bad offset %x 16-bit %x status %x\n", other_mode, wo, bad, narrow,
          R(VM_STATUS));
}

/* A chain whose second descriptor's next index is past the queue: QEMU's
 * virtio_error("Desc next is %u"); the device stops until a reset. */
static void broken_chain(void) {
  uint16_t head = next_desc;
  volatile struct virtio_blk_req *req = &ops[head];
  req->type = BLK_T_IN;
  req->reserved = 0;
  req->sector = 1;
  desc[head].addr = (uintptr_t)req;
  desc[head].len = sizeof(struct virtio_blk_req);
  desc[head].flags = DESC_F_NEXT;
  desc[head].next = NUM + 3;
  avail->ring[avail->idx % NUM] = head;
  fence();
  avail->idx += 1;
  fence();
  R(VM_QUEUE_NOTIFY) = 0;
  /* nothing completes: wait for the device's reaction to become visible
   * (QEMU handles the notify on its I/O thread), then look */
  uint64_t deadline = read_mtime() + TIMEBASE_HZ / 5;
  while (read_mtime() < deadline) {
  }
  kprintf("broken chain: used idx %d status %x\n", used->idx - used_idx, R(VM_STATUS));
}

int main(void) {
  test_begin("xv6_disk");
  transport = scan();
  if (!CHECK(transport >= 0, "a block device is present")) return test_end();
  dev = VIRTIO_BASE + VIRTIO_STRIDE * (uintptr_t)transport;
  kprintf("disk on virtio-mmio-bus.%d (irq %d)\n", transport, VIRTIO_IRQ(transport));

  /* xv6's probe */
  version = R(VM_VERSION);
  CHECK_EQ(R(VM_MAGIC), VIRTIO_MAGIC, "magic");
  CHECK(version == 1 || version == 2, "version 1 or 2");
  CHECK_EQ(R(VM_DEVICE_ID), VIRTIO_DEV_BLK, "device id");
  CHECK_EQ(R(VM_VENDOR_ID), VIRTIO_VENDOR_QEMU, "vendor");
  kprintf("version %d: %s interface\n", version, mode_name(version));

  MMIO32(PLIC_PRIORITY(VIRTIO_IRQ(transport))) = 1;
  MMIO32(PLIC_THRESHOLD(PLIC_CTX_M(0))) = 0;
  plic_enable(PLIC_CTX_M(0), VIRTIO_IRQ(transport), 1);
  csr_set(mie, MIP_MEIP); /* mip.MEIP is polled; mstatus.MIE stays 0 */

  init_disk();
  disk_io();
  misuse_registers();
  broken_chain();
  /* a reset and a new setup bring the device back */
  init_disk();
  read_sector(1234, "after reset: read sector 1234");
  return test_end();
}
