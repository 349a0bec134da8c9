/* virtio-blk over the MODERN virtio-mmio transport (version 2, virtio 1.1
 * spec 4.2.2). QEMU 7.2's virt machine defaults to the legacy transport
 * (version 1), so the command line has to ask for the modern one:
 *   -global virtio-mmio.force-legacy=false
 *   -drive file=IMG,format=raw,if=none,id=hd0 -device virtio-blk-device,drive=hd0
 * with IMG = 1 MiB in the "sector-tag" pattern (tests/support/guest-manifest.ts):
 * sector s = "TSEMUBLK", s as u64 LE, then bytes (s * 31 + i) & 0xff.
 * - probes the eight transports for magic/version 2/vendor and device id 2
 *   (QEMU plugs the first -device into the last transport, 0x10008000, IRQ 8);
 * - driver init as in spec 3.1.1: reset, ACKNOWLEDGE, DRIVER, both feature
 *   words through DeviceFeaturesSel/DriverFeaturesSel (VERSION_1, FLUSH,
 *   BLK_SIZE, INDIRECT_DESC), FEATURES_OK read back, queue 0 through
 *   QueueNum/QueueDesc/QueueDriver/QueueDevice Low+High and QueueReady, DRIVER_OK;
 * - config space read under ConfigGeneration, in 32-, 16- and 8-bit accesses;
 * - the three ring areas sit in different pages at non-page-aligned offsets,
 *   so a device that assumed the legacy contiguous layout would miss them;
 * - reads sector 0, a multi-sector range split over two descriptors, the last
 *   sector, and a read through an indirect descriptor table; writes a sector,
 *   flushes, reads it back with its neighbours; GET_ID; out-of-range read ->
 *   IOERR, unknown request type -> UNSUPP; used-ring ids and lengths;
 *   used-buffer interrupt through InterruptStatus/InterruptACK and the PLIC;
 * - a malformed request (header shorter than 16 bytes) breaks the device:
 *   NEEDS_RESET, a configuration-change interrupt (QEMU sets InterruptStatus
 *   bits 0 and 1) and a new ConfigGeneration, no used buffer; after a reset
 *   the device works again. */
#include "test.h"
#include "plic.h"

#define VIRTIO_MAGIC 0x74726976
#define VIRTIO_VENDOR_QEMU 0x554d4551
#define VIRTIO_DEV_BLK 2
#define VIRTIO_MMIO_MODERN 2

/* virtio-mmio version 2 registers */
#define VM_MAGIC 0x000
#define VM_VERSION 0x004
#define VM_DEVICE_ID 0x008
#define VM_VENDOR_ID 0x00c
#define VM_DEVICE_FEATURES 0x010
#define VM_DEVICE_FEATURES_SEL 0x014
#define VM_DRIVER_FEATURES 0x020
#define VM_DRIVER_FEATURES_SEL 0x024
#define VM_QUEUE_SEL 0x030
#define VM_QUEUE_NUM_MAX 0x034
#define VM_QUEUE_NUM 0x038
#define VM_QUEUE_READY 0x044
#define VM_QUEUE_NOTIFY 0x050
#define VM_INTERRUPT_STATUS 0x060
#define VM_INTERRUPT_ACK 0x064
#define VM_STATUS 0x070
#define VM_QUEUE_DESC_LOW 0x080
#define VM_QUEUE_DESC_HIGH 0x084
#define VM_QUEUE_DRIVER_LOW 0x090
#define VM_QUEUE_DRIVER_HIGH 0x094
#define VM_QUEUE_DEVICE_LOW 0x0a0
#define VM_QUEUE_DEVICE_HIGH 0x0a4
#define VM_CONFIG_GENERATION 0x0fc
#define VM_CONFIG 0x100

#define STATUS_ACKNOWLEDGE 1
#define STATUS_DRIVER 2
#define STATUS_DRIVER_OK 4
#define STATUS_FEATURES_OK 8
#define STATUS_NEEDS_RESET 0x40
#define STATUS_ALL_OK (STATUS_ACKNOWLEDGE | STATUS_DRIVER | STATUS_FEATURES_OK | STATUS_DRIVER_OK)

#define ISR_USED_BUFFER 1
#define ISR_CONFIG_CHANGE 2

/* feature bits, word 0 */
#define BLK_F_RO (1U << 5)
#define BLK_F_BLK_SIZE (1U << 6)
#define BLK_F_FLUSH (1U << 9)
#define F_INDIRECT_DESC (1U << 28)
/* feature bits, word 1 */
#define F_VERSION_1_HI (1U << (32 - 32))

#define DRIVER_FEATURES_LO (BLK_F_FLUSH | BLK_F_BLK_SIZE | F_INDIRECT_DESC)
#define DRIVER_FEATURES_HI F_VERSION_1_HI

/* config space (struct virtio_blk_config) */
#define CFG_CAPACITY 0x00
#define CFG_BLK_SIZE 0x14

#define BLK_T_IN 0
#define BLK_T_OUT 1
#define BLK_T_FLUSH 4
#define BLK_T_GET_ID 8
#define BLK_S_OK 0
#define BLK_S_IOERR 1
#define BLK_S_UNSUPP 2
#define BLK_ID_BYTES 20

#define DESC_F_NEXT 1
#define DESC_F_WRITE 2
#define DESC_F_INDIRECT 4

#define QSIZE 8
#define CHAIN_MAX 4 /* descriptors per chain; heads alternate between 0 and 4 */
#define SECTOR 512
#define DISK_SECTORS 2048 /* manifest: 1 MiB image */
#define BLK_IRQ VIRTIO_IRQ(7)

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

/* Modern queues take three independent addresses (descriptor table aligned
 * to 16, driver area to 2, device area to 4). Each area gets its own page at
 * an offset that is not page aligned, in an order unlike the legacy layout. */
#define DESC_OFFSET (2 * 4096 + 0x10)
#define AVAIL_OFFSET (0 * 4096 + 0x102)
#define USED_OFFSET (1 * 4096 + 0x204)
static uint8_t ring_mem[3 * 4096] __attribute__((aligned(4096)));
#define DESC ((volatile struct vq_desc *)(ring_mem + DESC_OFFSET))
#define AVAIL ((volatile struct vq_avail *)(ring_mem + AVAIL_OFFSET))
#define USED ((volatile struct vq_used *)(ring_mem + USED_OFFSET))

/* Indirect descriptor table (spec 2.6.5.3): 16-byte entries, chained by next. */
static volatile struct vq_desc indirect[3] __attribute__((aligned(16)));

struct blk_req_hdr {
  uint32_t type;
  uint32_t reserved;
  uint64_t sector;
};

static volatile struct blk_req_hdr hdr;
static volatile uint8_t data[4 * SECTOR] __attribute__((aligned(16)));
static volatile uint8_t status_byte;
static uintptr_t dev;
static uint16_t avail_idx, last_used;
static unsigned requests; /* selects the chain head, so used ids vary */

#define REG(r) MMIO32(dev + (r))

static inline void fence(void) { __asm__ volatile("fence rw, rw" ::: "memory"); }

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

static uint8_t written_byte(unsigned i) { return (uint8_t)(0xa5 ^ i ^ (i >> 8)); }

static int find_device(void) {
  int found = -1;
  for (int i = 0; i < VIRTIO_COUNT; i++) {
    uintptr_t base = VIRTIO_BASE + VIRTIO_STRIDE * (uintptr_t)i;
    CHECK_EQ(MMIO32(base + VM_MAGIC), VIRTIO_MAGIC, "transport %d magic", i);
    CHECK_EQ(MMIO32(base + VM_VERSION), VIRTIO_MMIO_MODERN, "transport %d is modern (version 2)", i);
    CHECK_EQ(MMIO32(base + VM_VENDOR_ID), VIRTIO_VENDOR_QEMU, "transport %d vendor", i);
    uint32_t id = MMIO32(base + VM_DEVICE_ID);
    if (id == VIRTIO_DEV_BLK && found < 0) found = i;
    else CHECK_EQ(id, 0, "transport %d is empty", i);
  }
  CHECK_EQ(found, 7, "virtio-blk found on the last transport");
  return found;
}

static void negotiate_features(const char *round) {
  REG(VM_DEVICE_FEATURES_SEL) = 0;
  uint32_t lo = REG(VM_DEVICE_FEATURES);
  REG(VM_DEVICE_FEATURES_SEL) = 1;
  uint32_t hi = REG(VM_DEVICE_FEATURES);
  CHECK_EQ(lo & (BLK_F_FLUSH | BLK_F_BLK_SIZE | BLK_F_RO | F_INDIRECT_DESC), DRIVER_FEATURES_LO,
           "%s: device features 0-31: FLUSH, BLK_SIZE, INDIRECT_DESC, not RO", round);
  CHECK_EQ(hi & F_VERSION_1_HI, F_VERSION_1_HI, "%s: device features 32-63: VERSION_1", round);
  REG(VM_DRIVER_FEATURES_SEL) = 0;
  REG(VM_DRIVER_FEATURES) = DRIVER_FEATURES_LO;
  REG(VM_DRIVER_FEATURES_SEL) = 1;
  REG(VM_DRIVER_FEATURES) = DRIVER_FEATURES_HI;
  REG(VM_STATUS) = STATUS_ACKNOWLEDGE | STATUS_DRIVER | STATUS_FEATURES_OK;
  CHECK_EQ(REG(VM_STATUS), STATUS_ACKNOWLEDGE | STATUS_DRIVER | STATUS_FEATURES_OK,
           "%s: FEATURES_OK accepted", round);
}

static void setup_queue(const char *round) {
  REG(VM_QUEUE_SEL) = 1;
  CHECK_EQ(REG(VM_QUEUE_NUM_MAX), 0, "%s: virtio-blk has a single queue", round);
  REG(VM_QUEUE_SEL) = 0;
  CHECK_EQ(REG(VM_QUEUE_READY), 0, "%s: queue 0 not ready yet", round);
  CHECK(REG(VM_QUEUE_NUM_MAX) >= QSIZE, "%s: queue 0 size max >= %d", round, QSIZE);
  kmemset(ring_mem, 0, sizeof(ring_mem));
  avail_idx = last_used = 0;
  uint64_t desc = (uintptr_t)DESC, avail = (uintptr_t)AVAIL, used = (uintptr_t)USED;
  REG(VM_QUEUE_NUM) = QSIZE;
  REG(VM_QUEUE_DESC_LOW) = (uint32_t)desc;
  REG(VM_QUEUE_DESC_HIGH) = (uint32_t)(desc >> 32);
  REG(VM_QUEUE_DRIVER_LOW) = (uint32_t)avail;
  REG(VM_QUEUE_DRIVER_HIGH) = (uint32_t)(avail >> 32);
  REG(VM_QUEUE_DEVICE_LOW) = (uint32_t)used;
  REG(VM_QUEUE_DEVICE_HIGH) = (uint32_t)(used >> 32);
  REG(VM_QUEUE_READY) = 1;
  CHECK_EQ(REG(VM_QUEUE_READY), 1, "%s: QueueReady reads back 1", round);
}

/* Config fields are read under ConfigGeneration (spec 4.2.2.2 / 2.4.1):
 * retry until the generation is the same before and after. */
static uint32_t config_generation(void) { return REG(VM_CONFIG_GENERATION); }

static void check_config(const char *round) {
  uint64_t capacity = 0, capacity16 = 0, capacity8 = 0;
  uint32_t blk_size = 0, before = 0, after = 1;
  for (int tries = 0; tries < 4 && before != after; tries++) {
    before = config_generation();
    capacity = MMIO32(dev + VM_CONFIG + CFG_CAPACITY) | ((uint64_t)MMIO32(dev + VM_CONFIG + CFG_CAPACITY + 4) << 32);
    capacity16 = 0;
    capacity8 = 0;
    for (unsigned i = 0; i < 8; i += 2) capacity16 |= (uint64_t)MMIO16(dev + VM_CONFIG + CFG_CAPACITY + i) << (8 * i);
    for (unsigned i = 0; i < 8; i++) capacity8 |= (uint64_t)MMIO8(dev + VM_CONFIG + CFG_CAPACITY + i) << (8 * i);
    blk_size = MMIO32(dev + VM_CONFIG + CFG_BLK_SIZE);
    after = config_generation();
  }
  CHECK_EQ(after, before, "%s: config generation stable across the config read", round);
  CHECK_EQ(capacity, DISK_SECTORS, "%s: config: capacity in sectors (32-bit reads)", round);
  CHECK_EQ(capacity16, DISK_SECTORS, "%s: config: capacity (16-bit reads)", round);
  CHECK_EQ(capacity8, DISK_SECTORS, "%s: config: capacity (8-bit reads)", round);
  CHECK_EQ(blk_size, SECTOR, "%s: config: blk_size", round);
}

/* Driver initialisation, spec 3.1.1 with the virtio-mmio steps of 4.2.3.2. */
static void init_device(const char *round) {
  REG(VM_STATUS) = 0;
  CHECK_EQ(REG(VM_STATUS), 0, "%s: status after reset", round);
  REG(VM_STATUS) = STATUS_ACKNOWLEDGE;
  REG(VM_STATUS) = STATUS_ACKNOWLEDGE | STATUS_DRIVER;
  CHECK_EQ(REG(VM_STATUS), STATUS_ACKNOWLEDGE | STATUS_DRIVER, "%s: status ACKNOWLEDGE|DRIVER", round);
  negotiate_features(round);
  setup_queue(round);
  REG(VM_STATUS) = STATUS_ALL_OK;
  CHECK_EQ(REG(VM_STATUS), STATUS_ALL_OK, "%s: status DRIVER_OK", round);
  check_config(round);
}

/* One buffer of a request, as the driver lays it out. */
struct seg {
  volatile void *addr;
  uint32_t len;
  uint16_t flags; /* DESC_F_WRITE or 0 */
};

/* Writes segs[] as a chain starting at descriptor `head`. */
static void write_chain(volatile struct vq_desc *table, unsigned head, const struct seg *segs, unsigned n) {
  for (unsigned i = 0; i < n; i++) {
    uint16_t more = i + 1 < n ? DESC_F_NEXT : 0;
    table[head + i].addr = (uintptr_t)segs[i].addr;
    table[head + i].len = segs[i].len;
    table[head + i].flags = (uint16_t)(segs[i].flags | more);
    table[head + i].next = (uint16_t)(head + i + 1);
  }
}

/* Makes descriptor `head` available and notifies queue 0. */
static void publish(unsigned head) {
  AVAIL->ring[avail_idx % QSIZE] = (uint16_t)head;
  fence();
  AVAIL->idx = ++avail_idx;
  fence();
  REG(VM_QUEUE_NOTIFY) = 0;
}

/* Waits for the next used element; checks its id. Returns its length (0 if none). */
static uint32_t wait_used(unsigned head, const char *what) {
  uint64_t deadline = read_mtime() + 2 * TIMEBASE_HZ;
  while (USED->idx == last_used && read_mtime() < deadline) {
  }
  fence();
  if (!CHECK_EQ(USED->idx, (uint16_t)(last_used + 1), "%s: completed", what)) return 0;
  struct vq_used_elem e = USED->ring[last_used % QSIZE];
  last_used++;
  CHECK_EQ(e.id, head, "%s: used element id = chain head", what);
  return e.len;
}

static unsigned next_head(void) { return (requests++ % (QSIZE / CHAIN_MAX)) * CHAIN_MAX; }

static void set_header(uint32_t type, uint64_t sector) {
  hdr.type = type;
  hdr.reserved = 0;
  hdr.sector = sector;
  status_byte = 0xff;
}

/* Submits header + segs[] + status byte as one direct chain and waits for
 * it. Returns the used-ring length. */
static uint32_t submit_segs(const char *what, uint32_t type, uint64_t sector, const struct seg *data_segs, unsigned n) {
  struct seg segs[CHAIN_MAX];
  set_header(type, sector);
  segs[0] = (struct seg){&hdr, sizeof(hdr), 0};
  for (unsigned i = 0; i < n; i++) segs[1 + i] = data_segs[i];
  segs[1 + n] = (struct seg){&status_byte, 1, DESC_F_WRITE};
  unsigned head = next_head();
  write_chain(DESC, head, segs, n + 2);
  publish(head);
  return wait_used(head, what);
}

/* A request with at most one data buffer (len 0 = none). */
static uint32_t submit(const char *what, uint32_t type, uint64_t sector, uint32_t len, int device_writes) {
  struct seg d = {data, len, (uint16_t)(device_writes ? DESC_F_WRITE : 0)};
  return submit_segs(what, type, sector, &d, len ? 1 : 0);
}

static void ack_interrupt(const char *what) {
  CHECK_EQ(REG(VM_INTERRUPT_STATUS), ISR_USED_BUFFER, "%s: interrupt status = used buffer", what);
  uint64_t deadline = read_mtime() + TIMEBASE_HZ;
  while (!plic_pending(BLK_IRQ) && read_mtime() < deadline) {
  }
  CHECK_EQ(plic_pending(BLK_IRQ), 1, "%s: PLIC source 8 pending", what);
  REG(VM_INTERRUPT_ACK) = REG(VM_INTERRUPT_STATUS);
  CHECK_EQ(REG(VM_INTERRUPT_STATUS), 0, "%s: interrupt acknowledged", what);
  /* drain the latched PLIC request */
  if (plic_claim(PLIC_CTX_M(0)) == BLK_IRQ) plic_complete(PLIC_CTX_M(0), BLK_IRQ);
}

static void test_reads(void) {
  kmemset((void *)data, 0, sizeof(data));
  uint32_t len = submit("read sector 0", BLK_T_IN, 0, SECTOR, 1);
  CHECK_EQ(status_byte, BLK_S_OK, "read sector 0: status");
  CHECK_EQ(len, SECTOR + 1, "read sector 0: used length = data + status");
  CHECK_EQ(pattern_mismatches(data, 0), 0, "read sector 0: bytes differing from the pattern");
  ack_interrupt("read sector 0");

  /* sectors 5..8 into two 1 KiB buffers: header, 2 data descriptors, status */
  kmemset((void *)data, 0, sizeof(data));
  struct seg two[2] = {{data, 2 * SECTOR, DESC_F_WRITE}, {data + 2 * SECTOR, 2 * SECTOR, DESC_F_WRITE}};
  len = submit_segs("read sectors 5-8", BLK_T_IN, 5, two, 2);
  CHECK_EQ(status_byte, BLK_S_OK, "read sectors 5-8: status");
  CHECK_EQ(len, 4 * SECTOR + 1, "read sectors 5-8: used length");
  for (unsigned s = 0; s < 4; s++)
    CHECK_EQ(pattern_mismatches(data + s * SECTOR, 5 + s), 0, "read sector %u: mismatches", 5 + s);
  ack_interrupt("read sectors 5-8");

  kmemset((void *)data, 0, sizeof(data));
  submit("read last sector", BLK_T_IN, DISK_SECTORS - 1, SECTOR, 1);
  CHECK_EQ(status_byte, BLK_S_OK, "read last sector: status");
  CHECK_EQ(pattern_mismatches(data, DISK_SECTORS - 1), 0, "read last sector: mismatches");
  ack_interrupt("read last sector");
}

/* Sector 9 through one descriptor pointing at an indirect table of three. */
static void test_indirect(void) {
  kmemset((void *)data, 0, sizeof(data));
  set_header(BLK_T_IN, 9);
  struct seg segs[3] = {{&hdr, sizeof(hdr), 0}, {data, SECTOR, DESC_F_WRITE}, {&status_byte, 1, DESC_F_WRITE}};
  write_chain(indirect, 0, segs, 3);
  unsigned head = next_head();
  DESC[head].addr = (uintptr_t)indirect;
  DESC[head].len = sizeof(indirect);
  DESC[head].flags = DESC_F_INDIRECT;
  DESC[head].next = 0;
  publish(head);
  uint32_t len = wait_used(head, "indirect read sector 9");
  CHECK_EQ(status_byte, BLK_S_OK, "indirect read sector 9: status");
  CHECK_EQ(len, SECTOR + 1, "indirect read sector 9: used length");
  CHECK_EQ(pattern_mismatches(data, 9), 0, "indirect read sector 9: mismatches");
  ack_interrupt("indirect read");
}

static void test_write_flush(void) {
  for (unsigned i = 0; i < SECTOR; i++) data[i] = written_byte(i);
  uint32_t len = submit("write sector 3", BLK_T_OUT, 3, SECTOR, 0);
  CHECK_EQ(status_byte, BLK_S_OK, "write sector 3: status");
  CHECK_EQ(len, 1, "write sector 3: used length = status only");
  ack_interrupt("write sector 3");

  len = submit("flush", BLK_T_FLUSH, 0, 0, 0);
  CHECK_EQ(status_byte, BLK_S_OK, "flush: status");
  CHECK_EQ(len, 1, "flush: used length");
  ack_interrupt("flush");

  kmemset((void *)data, 0, sizeof(data));
  submit("read back sectors 2-4", BLK_T_IN, 2, 3 * SECTOR, 1);
  CHECK_EQ(status_byte, BLK_S_OK, "read back sectors 2-4: status");
  unsigned bad = 0;
  for (unsigned i = 0; i < SECTOR; i++) bad += data[SECTOR + i] != written_byte(i);
  CHECK_EQ(bad, 0, "sector 3 holds the written data");
  CHECK_EQ(pattern_mismatches(data, 2), 0, "sector 2 unchanged");
  CHECK_EQ(pattern_mismatches(data + 2 * SECTOR, 4), 0, "sector 4 unchanged");
  ack_interrupt("read back");
}

/* Without serial=, the id is the empty string: one NUL byte is written. */
static void test_get_id(void) {
  kmemset((void *)data, 0xee, BLK_ID_BYTES);
  uint32_t len = submit("GET_ID", BLK_T_GET_ID, 0, BLK_ID_BYTES, 1);
  CHECK_EQ(status_byte, BLK_S_OK, "GET_ID: status");
  CHECK_EQ(len, BLK_ID_BYTES + 1, "GET_ID: used length = buffer + status");
  CHECK_EQ(data[0], 0, "GET_ID: empty serial, NUL terminated");
  CHECK_EQ(data[1], 0xee, "GET_ID: nothing written after the NUL");
  ack_interrupt("GET_ID");
}

static void test_errors(void) {
  submit("read past the end", BLK_T_IN, DISK_SECTORS, SECTOR, 1);
  CHECK_EQ(status_byte, BLK_S_IOERR, "read past the end: IOERR");
  ack_interrupt("read past the end");
  submit("unknown request", 0x55, 0, 0, 0);
  CHECK_EQ(status_byte, BLK_S_UNSUPP, "unknown request type: UNSUPP");
  ack_interrupt("unknown request");
}

/* A header descriptor shorter than struct virtio_blk_outhdr is a driver
 * error (spec 2.1.2 / QEMU virtio_error): the device sets NEEDS_RESET,
 * bumps ConfigGeneration and raises a configuration-change interrupt (QEMU
 * 7.2 virtio_notify_config(): InterruptStatus |= 0x3). It
 * consumes the buffer without putting it on the used ring. */
static void test_broken_request(void) {
  uint32_t gen = config_generation();
  set_header(BLK_T_IN, 0);
  struct seg segs[2] = {{&hdr, 8, 0}, {&status_byte, 1, DESC_F_WRITE}};
  unsigned head = next_head();
  write_chain(DESC, head, segs, 2);
  publish(head);
  uint64_t deadline = read_mtime() + 2 * TIMEBASE_HZ;
  while (!(REG(VM_STATUS) & STATUS_NEEDS_RESET) && read_mtime() < deadline) {
  }
  CHECK_EQ(REG(VM_STATUS), STATUS_ALL_OK | STATUS_NEEDS_RESET, "short header: status has NEEDS_RESET");
  /* QEMU's virtio_notify_config() sets both ISR bits (0x3), not just bit 1. */
  CHECK_EQ(REG(VM_INTERRUPT_STATUS), ISR_CONFIG_CHANGE | ISR_USED_BUFFER,
           "short header: interrupt status = config change | used buffer (QEMU)");
  CHECK(config_generation() != gen, "short header: config generation changed");
  fence();
  CHECK_EQ(USED->idx, last_used, "short header: no used buffer");
  CHECK_EQ(status_byte, 0xff, "short header: status byte untouched");
  deadline = read_mtime() + TIMEBASE_HZ;
  while (!plic_pending(BLK_IRQ) && read_mtime() < deadline) {
  }
  CHECK_EQ(plic_pending(BLK_IRQ), 1, "short header: PLIC source 8 pending");
  REG(VM_INTERRUPT_ACK) = ISR_CONFIG_CHANGE | ISR_USED_BUFFER;
  CHECK_EQ(REG(VM_INTERRUPT_STATUS), 0, "short header: interrupt acknowledged");
  if (plic_claim(PLIC_CTX_M(0)) == BLK_IRQ) plic_complete(PLIC_CTX_M(0), BLK_IRQ);
}

/* After a reset the device is usable again: sector 3 still holds what was written. */
static void test_recovery(void) {
  REG(VM_STATUS) = 0;
  CHECK_EQ(REG(VM_STATUS), 0, "reset clears NEEDS_RESET");
  REG(VM_QUEUE_SEL) = 0;
  CHECK_EQ(REG(VM_QUEUE_READY), 0, "reset clears QueueReady");
  init_device("re-init");
  kmemset((void *)data, 0, sizeof(data));
  uint32_t len = submit("re-init read sector 3", BLK_T_IN, 3, SECTOR, 1);
  CHECK_EQ(status_byte, BLK_S_OK, "re-init read sector 3: status");
  CHECK_EQ(len, SECTOR + 1, "re-init read sector 3: used length");
  unsigned bad = 0;
  for (unsigned i = 0; i < SECTOR; i++) bad += data[i] != written_byte(i);
  CHECK_EQ(bad, 0, "re-init: sector 3 still holds the written data");
  ack_interrupt("re-init read");
}

int main(void) {
  test_begin("virtio_blk");
  int slot = find_device();
  if (slot < 0) return test_end();
  dev = VIRTIO_BASE + VIRTIO_STRIDE * (uintptr_t)slot;
  /* A legacy transport (QEMU without -global virtio-mmio.force-legacy=false)
   * has none of the registers below: stop here rather than time out. */
  if (REG(VM_VERSION) != VIRTIO_MMIO_MODERN) return test_end();
  init_device("init");

  MMIO32(PLIC_PRIORITY(BLK_IRQ)) = 1;
  plic_enable(PLIC_CTX_M(0), BLK_IRQ, 1);
  MMIO32(PLIC_THRESHOLD(PLIC_CTX_M(0))) = 0;
  test_reads();
  test_indirect();
  test_write_flush();
  test_get_id();
  test_errors();
  test_broken_request();
  test_recovery();
  plic_enable(PLIC_CTX_M(0), BLK_IRQ, 0);

  REG(VM_STATUS) = 0;
  CHECK_EQ(REG(VM_QUEUE_READY), 0, "final reset clears QueueReady");
  return test_end();
}
