/* virtio-blk over virtio-mmio (QEMU 7.2 virt: legacy transport, version 1).
 * Needs: -drive file=IMG,format=raw,if=none,id=hd0 -device virtio-blk-device,drive=hd0
 * with IMG = 1 MiB in the "sector-tag" pattern (tests/support/guest-manifest.ts):
 * sector s = "TSEMUBLK", s as u64 LE, then bytes (s * 31 + i) & 0xff.
 * - probes the eight transports for magic/device id 2 (QEMU plugs the first
 *   -device into the last transport, 0x10008000, IRQ 8);
 * - legacy init: reset, ACKNOWLEDGE, DRIVER, feature negotiation (FLUSH),
 *   GuestPageSize, queue 0 via QueuePFN, DRIVER_OK;
 * - reads sector 0 and a multi-sector range and checks the pattern; writes a
 *   sector, flushes, reads it back and checks its neighbours; out-of-range
 *   read -> IOERR, unknown request type -> UNSUPP; used-ring lengths;
 *   used-buffer interrupt through InterruptStatus/InterruptACK and the PLIC. */
#include "test.h"
#include "plic.h"

#define VIRTIO_MAGIC 0x74726976
#define VIRTIO_VENDOR_QEMU 0x554d4551
#define VIRTIO_DEV_BLK 2

/* legacy virtio-mmio registers */
#define VM_MAGIC 0x000
#define VM_VERSION 0x004
#define VM_DEVICE_ID 0x008
#define VM_VENDOR_ID 0x00c
#define VM_HOST_FEATURES 0x010
#define VM_HOST_FEATURES_SEL 0x014
#define VM_GUEST_FEATURES 0x020
#define VM_GUEST_FEATURES_SEL 0x024
#define VM_GUEST_PAGE_SIZE 0x028
#define VM_QUEUE_SEL 0x030
#define VM_QUEUE_NUM_MAX 0x034
#define VM_QUEUE_NUM 0x038
#define VM_QUEUE_ALIGN 0x03c
#define VM_QUEUE_PFN 0x040
#define VM_QUEUE_NOTIFY 0x050
#define VM_INTERRUPT_STATUS 0x060
#define VM_INTERRUPT_ACK 0x064
#define VM_STATUS 0x070
#define VM_CONFIG 0x100

#define STATUS_ACKNOWLEDGE 1
#define STATUS_DRIVER 2
#define STATUS_DRIVER_OK 4

#define BLK_F_RO (1U << 5)
#define BLK_F_BLK_SIZE (1U << 6)
#define BLK_F_FLUSH (1U << 9)

#define BLK_T_IN 0
#define BLK_T_OUT 1
#define BLK_T_FLUSH 4
#define BLK_S_OK 0
#define BLK_S_IOERR 1
#define BLK_S_UNSUPP 2

#define DESC_F_NEXT 1
#define DESC_F_WRITE 2

#define QSIZE 8
#define SECTOR 512
#define DISK_SECTORS 2048 /* manifest: 1 MiB image */

struct vq_desc {
  uint64_t addr;
  uint32_t len;
  uint16_t flags;
  uint16_t next;
};
struct vq_avail {
  uint16_t flags;
  uint16_t idx;
  uint16_t ring[QSIZE];
  uint16_t used_event;
};
struct vq_used_elem {
  uint32_t id;
  uint32_t len;
};
struct vq_used {
  uint16_t flags;
  uint16_t idx;
  struct vq_used_elem ring[QSIZE];
  uint16_t avail_event;
};

/* Legacy layout: descriptors and avail ring in the first page, used ring at
 * the next QueueAlign (4096) boundary. */
static struct {
  struct vq_desc desc[QSIZE];
  struct vq_avail avail;
  uint8_t pad[4096 - sizeof(struct vq_desc) * QSIZE - sizeof(struct vq_avail)];
  struct vq_used used;
} __attribute__((aligned(4096))) vq;

struct blk_req_hdr {
  uint32_t type;
  uint32_t reserved;
  uint64_t sector;
};

static volatile struct blk_req_hdr hdr;
static volatile uint8_t data[4 * SECTOR] __attribute__((aligned(16)));
static volatile uint8_t status_byte;
static uintptr_t dev;
static uint16_t last_used;

#define REG(r) MMIO32(dev + (r))

static uint8_t pattern_byte(uint64_t sector, unsigned i) {
  static const char tag[8] = {'T', 'S', 'E', 'M', 'U', 'B', 'L', 'K'};
  if (i < 8) return (uint8_t)tag[i];
  if (i < 16) return (uint8_t)(sector >> (8 * (i - 8)));
  return (uint8_t)((sector * 31 + i) & 0xff);
}

/* Returns the number of bytes that differ from the sector's pattern. */
static unsigned pattern_mismatches(const volatile uint8_t *buf, uint64_t sector) {
  unsigned bad = 0;
  for (unsigned i = 0; i < SECTOR; i++) bad += buf[i] != pattern_byte(sector, i);
  return bad;
}

static int find_device(void) {
  int found = -1;
  for (int i = 0; i < VIRTIO_COUNT; i++) {
    uintptr_t base = VIRTIO_BASE + VIRTIO_STRIDE * (uintptr_t)i;
    CHECK_EQ(MMIO32(base + VM_MAGIC), VIRTIO_MAGIC, "transport %d magic", i);
    CHECK_EQ(MMIO32(base + VM_VERSION), 1, "transport %d is legacy (version 1)", i);
    CHECK_EQ(MMIO32(base + VM_VENDOR_ID), VIRTIO_VENDOR_QEMU, "transport %d vendor", i);
    uint32_t id = MMIO32(base + VM_DEVICE_ID);
    if (id == VIRTIO_DEV_BLK && found < 0) found = i;
    else CHECK_EQ(id, 0, "transport %d is empty", i);
  }
  CHECK_EQ(found, 7, "virtio-blk found on the last transport");
  return found;
}

static void init_device(void) {
  REG(VM_STATUS) = 0;
  CHECK_EQ(REG(VM_STATUS), 0, "status after reset");
  REG(VM_STATUS) = STATUS_ACKNOWLEDGE;
  REG(VM_STATUS) = STATUS_ACKNOWLEDGE | STATUS_DRIVER;
  CHECK_EQ(REG(VM_STATUS), STATUS_ACKNOWLEDGE | STATUS_DRIVER, "status ACKNOWLEDGE|DRIVER");
  REG(VM_HOST_FEATURES_SEL) = 0;
  uint32_t features = REG(VM_HOST_FEATURES);
  CHECK_EQ(features & (BLK_F_FLUSH | BLK_F_BLK_SIZE | BLK_F_RO), BLK_F_FLUSH | BLK_F_BLK_SIZE,
           "host features: FLUSH and BLK_SIZE, not RO");
  REG(VM_GUEST_FEATURES_SEL) = 0;
  REG(VM_GUEST_FEATURES) = BLK_F_FLUSH | BLK_F_BLK_SIZE;
  REG(VM_GUEST_FEATURES_SEL) = 1;
  REG(VM_GUEST_FEATURES) = 0;
  REG(VM_GUEST_PAGE_SIZE) = 4096;

  REG(VM_QUEUE_SEL) = 0;
  CHECK_EQ(REG(VM_QUEUE_PFN), 0, "queue 0 not set up yet");
  CHECK(REG(VM_QUEUE_NUM_MAX) >= QSIZE, "queue 0 size max >= %d", QSIZE);
  REG(VM_QUEUE_SEL) = 1;
  CHECK_EQ(REG(VM_QUEUE_NUM_MAX), 0, "virtio-blk has a single queue");
  REG(VM_QUEUE_SEL) = 0;
  REG(VM_QUEUE_NUM) = QSIZE;
  REG(VM_QUEUE_ALIGN) = 4096;
  REG(VM_QUEUE_PFN) = (uint32_t)((uintptr_t)&vq >> 12);
  CHECK_EQ(REG(VM_QUEUE_PFN), (uintptr_t)&vq >> 12, "QueuePFN reads back");
  REG(VM_STATUS) = STATUS_ACKNOWLEDGE | STATUS_DRIVER | STATUS_DRIVER_OK;
  CHECK_EQ(REG(VM_STATUS), STATUS_ACKNOWLEDGE | STATUS_DRIVER | STATUS_DRIVER_OK, "status DRIVER_OK");

  uint64_t capacity = MMIO32(dev + VM_CONFIG) | ((uint64_t)MMIO32(dev + VM_CONFIG + 4) << 32);
  CHECK_EQ(capacity, DISK_SECTORS, "config: capacity in sectors");
  CHECK_EQ(MMIO32(dev + VM_CONFIG + 0x14), SECTOR, "config: blk_size");
}

/* Submits header [+ data] + status as one chain and waits for completion.
 * data_len = 0 means no data descriptor. Returns the used-ring length. */
static uint32_t submit(uint32_t type, uint64_t sector, uint32_t data_len, int device_writes_data) {
  hdr.type = type;
  hdr.reserved = 0;
  hdr.sector = sector;
  status_byte = 0xff;
  int n = 0;
  vq.desc[n] = (struct vq_desc){(uintptr_t)&hdr, sizeof(hdr), DESC_F_NEXT, (uint16_t)(n + 1)};
  n++;
  if (data_len) {
    vq.desc[n] = (struct vq_desc){(uintptr_t)data, data_len,
                                  (uint16_t)(DESC_F_NEXT | (device_writes_data ? DESC_F_WRITE : 0)), (uint16_t)(n + 1)};
    n++;
  }
  vq.desc[n] = (struct vq_desc){(uintptr_t)&status_byte, 1, DESC_F_WRITE, 0};
  vq.avail.ring[vq.avail.idx % QSIZE] = 0;
  __asm__ volatile("fence rw, rw" ::: "memory");
  vq.avail.idx++;
  __asm__ volatile("fence rw, rw" ::: "memory");
  REG(VM_QUEUE_NOTIFY) = 0;

  uint64_t deadline = read_mtime() + 2 * TIMEBASE_HZ;
  while (*(volatile uint16_t *)&vq.used.idx == last_used && read_mtime() < deadline) {
  }
  __asm__ volatile("fence rw, rw" ::: "memory");
  if (!CHECK_EQ(*(volatile uint16_t *)&vq.used.idx, (uint16_t)(last_used + 1), "request type %u completed", type))
    return 0;
  struct vq_used_elem e = vq.used.ring[last_used % QSIZE];
  last_used++;
  CHECK_EQ(e.id, 0, "used element id = chain head");
  return e.len;
}

static void ack_interrupt(const char *what) {
  CHECK_EQ(REG(VM_INTERRUPT_STATUS) & 1, 1, "%s: used-buffer interrupt status", what);
  uint64_t deadline = read_mtime() + TIMEBASE_HZ;
  while (!plic_pending(VIRTIO_IRQ(7)) && read_mtime() < deadline) {
  }
  CHECK_EQ(plic_pending(VIRTIO_IRQ(7)), 1, "%s: PLIC source 8 pending", what);
  REG(VM_INTERRUPT_ACK) = REG(VM_INTERRUPT_STATUS);
  CHECK_EQ(REG(VM_INTERRUPT_STATUS), 0, "%s: interrupt acknowledged", what);
  /* drain the latched PLIC request */
  if (plic_claim(PLIC_CTX_M(0)) == VIRTIO_IRQ(7)) plic_complete(PLIC_CTX_M(0), VIRTIO_IRQ(7));
}

static void test_io(void) {
  MMIO32(PLIC_PRIORITY(VIRTIO_IRQ(7))) = 1;
  plic_enable(PLIC_CTX_M(0), VIRTIO_IRQ(7), 1);
  MMIO32(PLIC_THRESHOLD(PLIC_CTX_M(0))) = 0;

  /* read sector 0 */
  kmemset((void *)data, 0, sizeof(data));
  uint32_t len = submit(BLK_T_IN, 0, SECTOR, 1);
  CHECK_EQ(status_byte, BLK_S_OK, "read sector 0: status");
  CHECK_EQ(len, SECTOR + 1, "read sector 0: used length = data + status");
  CHECK_EQ(pattern_mismatches(data, 0), 0, "read sector 0: bytes differing from the pattern");
  ack_interrupt("read sector 0");

  /* read sectors 5..8 in one request */
  len = submit(BLK_T_IN, 5, 4 * SECTOR, 1);
  CHECK_EQ(status_byte, BLK_S_OK, "read sectors 5-8: status");
  CHECK_EQ(len, 4 * SECTOR + 1, "read sectors 5-8: used length");
  for (unsigned s = 0; s < 4; s++)
    CHECK_EQ(pattern_mismatches(data + s * SECTOR, 5 + s), 0, "read sector %u: mismatches", 5 + s);
  ack_interrupt("read sectors 5-8");

  /* last sector */
  submit(BLK_T_IN, DISK_SECTORS - 1, SECTOR, 1);
  CHECK_EQ(status_byte, BLK_S_OK, "read last sector: status");
  CHECK_EQ(pattern_mismatches(data, DISK_SECTORS - 1), 0, "read last sector: mismatches");
  ack_interrupt("read last sector");

  /* write sector 3, flush, read back with its neighbours */
  for (unsigned i = 0; i < SECTOR; i++) data[i] = (uint8_t)(0xa5 ^ i ^ (i >> 8));
  len = submit(BLK_T_OUT, 3, SECTOR, 0);
  CHECK_EQ(status_byte, BLK_S_OK, "write sector 3: status");
  CHECK_EQ(len, 1, "write sector 3: used length = status only");
  ack_interrupt("write sector 3");
  len = submit(BLK_T_FLUSH, 0, 0, 0);
  CHECK_EQ(status_byte, BLK_S_OK, "flush: status");
  CHECK_EQ(len, 1, "flush: used length");
  ack_interrupt("flush");
  kmemset((void *)data, 0, sizeof(data));
  submit(BLK_T_IN, 2, 3 * SECTOR, 1);
  CHECK_EQ(status_byte, BLK_S_OK, "read back sectors 2-4: status");
  unsigned bad = 0;
  for (unsigned i = 0; i < SECTOR; i++) bad += data[SECTOR + i] != (uint8_t)(0xa5 ^ i ^ (i >> 8));
  CHECK_EQ(bad, 0, "sector 3 holds the written data");
  CHECK_EQ(pattern_mismatches(data, 2), 0, "sector 2 unchanged");
  CHECK_EQ(pattern_mismatches(data + 2 * SECTOR, 4), 0, "sector 4 unchanged");
  ack_interrupt("read back");

  /* errors */
  submit(BLK_T_IN, DISK_SECTORS, SECTOR, 1);
  CHECK_EQ(status_byte, BLK_S_IOERR, "read past the end: IOERR");
  ack_interrupt("read past the end");
  submit(0x55, 0, 0, 0);
  CHECK_EQ(status_byte, BLK_S_UNSUPP, "unknown request type: UNSUPP");
  ack_interrupt("unknown request");

  plic_enable(PLIC_CTX_M(0), VIRTIO_IRQ(7), 0);
  MMIO32(PLIC_THRESHOLD(PLIC_CTX_M(0))) = 0;
  REG(VM_STATUS) = 0;
  CHECK_EQ(REG(VM_QUEUE_PFN), 0, "reset clears the queue");
}

int main(void) {
  test_begin("virtio_blk");
  int slot = find_device();
  if (slot < 0) return test_end();
  dev = VIRTIO_BASE + VIRTIO_STRIDE * (uintptr_t)slot;
  init_device();
  test_io();
  return test_end();
}
