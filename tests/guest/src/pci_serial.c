/* virtio-serial-pci on slot 1 with a virtconsole and a virtserialport named org.tsemu.a (both on
 * -chardev null), driven through the modern interface as Linux's virtio_console does:
 * - identity, class (communication, other), BAR0 size (24 + 12 bytes of configuration), the
 *   configuration space printed;
 * - the legacy host features, the modern device features (printed, so the diff harness compares
 *   them with QEMU's), 64 queues, the queue sizes (port 128, control 32), max_nr_ports;
 * - the multiport control protocol: DEVICE_READY answered by a DEVICE_ADD per port, PORT_READY by
 *   CONSOLE_PORT / PORT_NAME / PORT_OPEN (the console is host-open; a virtserialport on a null
 *   chardev is not), every control message printed with its length;
 * - bytes transmitted on both ports (used length 0), the INTx line (slot 1 pin A: PLIC source 33)
 *   and the ISR. */
#include "test.h"
#include "plic.h"

#define ECAM 0x30000000UL
#define CFG(slot, off) (ECAM + ((unsigned long)(slot) << 15) + (off))
#define PIO 0x03000000UL
#define SER 1
#define SER_IO 0x1000
#define SER_BAR1 0x40100000UL
#define SER_BAR4 0x40000000UL
#define VIRTIO_BAR4 SER_BAR4
#define QSIZE 8
#define NQ 6 /* port 0 rx/tx, control rx/tx, port 1 rx/tx */
#define VIRTIO_QUEUES NQ
#define CTRL_RX 2
#define CTRL_TX 3
#define BUFSZ 64

#include "virtio_pci_queue.h"

/* feature bit used: MULTIPORT 1; VERSION_1 = bit 32 */
#define DRIVER_FEATURES (1u << 1)

static uint8_t ctrl_rx[QSIZE][BUFSZ] __attribute__((aligned(16)));
static uint8_t txbuf[BUFSZ];

static const char *const EVENTS[] = {"DEVICE_READY", "DEVICE_ADD", "DEVICE_REMOVE", "PORT_READY", "CONSOLE_PORT", "RESIZE", "PORT_OPEN", "PORT_NAME"};

/* The next used element of queue q, if there is one: returns 1 and its id and length. */
static int next_used(int q, uint32_t *id, uint32_t *len) {
  struct vq *v = &vqs[q];
  if (v->used[1] == v->used_seen) return 0;
  volatile uint32_t *elem = (volatile uint32_t *)&v->used[2 + 4 * (v->used_seen % QSIZE)];
  v->used_seen++;
  *id = elem[0];
  *len = elem[1];
  return 1;
}

static uint32_t wait_used(int q, const char *what) {
  uint32_t id, len;
  for (long spin = 0; spin < 400000000; spin++) {
    if (next_used(q, &id, &len)) return len;
  }
  CHECK(0, "%s: used index moved", what);
  return 0;
}

static void post_ctrl_rx(uint16_t d) {
  vqs[CTRL_RX].desc[2 * d] = (uintptr_t)ctrl_rx[d];
  vqs[CTRL_RX].desc[2 * d + 1] = BUFSZ | (2ULL << 32); /* WRITE */
  offer(CTRL_RX, d);
}

/* Send `len` bytes of txbuf on queue q; the device uses the buffer with length 0. */
static void transmit(int q, uint32_t len, const char *what) {
  vqs[q].desc[0] = (uintptr_t)txbuf;
  vqs[q].desc[1] = len;
  offer(q, 0);
  kick(q);
  CHECK_EQ(wait_used(q, what), 0, "%s: used length", what);
}

/* Print every control message the device has put on the control receive queue; returns the count. */
static int drain_control(void) {
  uint32_t id, len;
  int n = 0;
  while (next_used(CTRL_RX, &id, &len)) {
    uint8_t *m = ctrl_rx[id % QSIZE];
    uint32_t port = m[0] | (m[1] << 8) | (m[2] << 16) | ((uint32_t)m[3] << 24);
    uint16_t event = m[4] | (m[5] << 8), value = m[6] | (m[7] << 8);
    kprintf("control: port %u %s %u (%u bytes)", port, event < 8 ? EVENTS[event] : "?", value, len);
    if (event == 7) {
      kprintf(" name \"");
      for (uint32_t i = 8; i < len && m[i]; i++) kprintf("%c", m[i]);
      kprintf("\"%s", len > 8 && m[len - 1] == 0 ? " NUL-terminated" : "");
    }
    kprintf("\n");
    post_ctrl_rx(id % QSIZE);
    n++;
  }
  kick(CTRL_RX);
  return n;
}

static void control(uint32_t port, uint16_t event, uint16_t value, const char *what) {
  txbuf[0] = port; txbuf[1] = port >> 8; txbuf[2] = port >> 16; txbuf[3] = port >> 24;
  txbuf[4] = event; txbuf[5] = event >> 8; txbuf[6] = value; txbuf[7] = value >> 8;
  transmit(CTRL_TX, 8, what);
  kprintf("after %s: %d control messages\n", what, drain_control());
}

static void identity(void) {
  CHECK_EQ(MMIO32(CFG(SER, 0)), 0x10031af4, "virtio-serial-pci (transitional) at slot 1");
  CHECK_EQ(MMIO32(CFG(SER, 8)), 0x07800000, "class: communication controller, other");
  CHECK_EQ(MMIO32(CFG(SER, 0x2c)), 0x00031af4, "subsystem: virtio device 3");
  MMIO32(CFG(SER, 0x10)) = 0xffffffff;
  CHECK_EQ(MMIO32(CFG(SER, 0x10)), 0xffffffc1, "BAR0: 64 bytes of I/O");
  kprintf("slot 1 config:");
  for (int i = 0; i < 0x100; i += 4) kprintf("%s%08x", i % 32 ? " " : "\n  ", MMIO32(CFG(SER, i)));
  kprintf("\n");
  MMIO32(CFG(SER, 0x10)) = SER_IO;
  MMIO32(CFG(SER, 0x14)) = SER_BAR1;
  MMIO32(CFG(SER, 0x20)) = SER_BAR4;
  MMIO32(CFG(SER, 0x24)) = 0;
  MMIO16(CFG(SER, 4)) = 0x7; /* IO | MEMORY | MASTER */
  kprintf("legacy host features: %08x\n", MMIO32(PIO + SER_IO));
  kprintf("legacy config: %08x %08x %08x\n", MMIO32(PIO + SER_IO + 0x14), MMIO32(PIO + SER_IO + 0x18), MMIO32(PIO + SER_IO + 0x1c));
}

static void negotiate(void) {
  MMIO8(COMMON(0x14)) = 0;
  MMIO8(COMMON(0x14)) = 1 | 2;
  MMIO32(COMMON(0)) = 0;
  uint32_t f0 = MMIO32(COMMON(4));
  MMIO32(COMMON(0)) = 1;
  uint32_t f1 = MMIO32(COMMON(4));
  kprintf("serial device features: %08x %08x\n", f1, f0);
  CHECK_EQ(f0 & DRIVER_FEATURES, DRIVER_FEATURES, "MULTIPORT offered");
  CHECK_EQ(MMIO16(COMMON(0x12)), 64, "64 queues (31 ports and port 0, control)");
  MMIO32(COMMON(8)) = 0; MMIO32(COMMON(0xc)) = DRIVER_FEATURES;
  MMIO32(COMMON(8)) = 1; MMIO32(COMMON(0xc)) = 1;
  MMIO8(COMMON(0x14)) = 1 | 2 | 8;
  CHECK_EQ(MMIO8(COMMON(0x14)), 1 | 2 | 8, "FEATURES_OK kept");
  kprintf("config: cols %u rows %u max_nr_ports %u\n", MMIO16(DEVCFG(0)), MMIO16(DEVCFG(2)), MMIO32(DEVCFG(4)));
  CHECK_EQ(MMIO32(DEVCFG(4)), 31, "max_nr_ports");
  setup_queue(0, 128);
  setup_queue(1, 128);
  setup_queue(CTRL_RX, 32);
  setup_queue(CTRL_TX, 32);
  setup_queue(4, 128);
  setup_queue(5, 128);
  for (int d = 0; d < QSIZE; d++) post_ctrl_rx(d);
  MMIO8(COMMON(0x14)) = 1 | 2 | 4 | 8;
  kick(CTRL_RX);
}

int main(unsigned long hartid, void *dtb) {
  (void)hartid; (void)dtb;
  test_begin("pci_serial");
  identity();
  negotiate();
  CHECK_EQ(drain_control(), 0, "nothing on the control queue before DEVICE_READY");
  control(0, 0, 1, "DEVICE_READY");
  control(0, 3, 1, "PORT_READY 0");
  control(1, 3, 1, "PORT_READY 1");
  control(0, 6, 1, "PORT_OPEN 0");
  control(1, 6, 1, "PORT_OPEN 1");
  control(7, 3, 1, "PORT_READY of an absent port");
  kmemcpy(txbuf, "console bytes\n", 14);
  transmit(1, 14, "port 0 transmit");
  kmemcpy(txbuf, "port bytes\n", 11);
  transmit(5, 11, "port 1 transmit");
  CHECK_EQ(plic_pending(33), 1, "INTx of slot 1 pin A on PLIC source 33");
  CHECK_EQ(MMIO8(ISR) & 1, 1, "ISR: used buffer");
  CHECK_EQ(MMIO8(ISR), 0, "ISR cleared by the read");
  return test_end();
}
