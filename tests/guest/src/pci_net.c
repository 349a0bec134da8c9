/* virtio-net-pci on slot 1 with -netdev user (slirp's gateway 10.0.2.2), driven through the modern
 * interface as Linux's virtio_net does:
 * - identity, class, BAR0 size (24 + 8 bytes of device configuration), the expansion ROM BAR's size,
 *   configuration space;
 * - the device features (printed, so the diff harness compares them with QEMU's), the queue sizes
 *   (receive 256, transmit 256, control 64), the MAC (QEMU's default 52:54:00:12:34:56) and STATUS;
 * - the control queue: RX_PROMISC off answered OK, an unknown class answered ERR;
 * - an ARP request for 10.0.2.2 and slirp's reply (padded to 64 bytes), an ICMP echo to 10.0.2.2
 *   and its reply, each in one mergeable receive buffer with num_buffers = 1;
 * - the INTx line (slot 1 pin A: PLIC source 33) and the ISR. */
#include "test.h"
#include "plic.h"

#include "virtio_net_pci.h"

static uint8_t ctrl_cmd[16], ctrl_ack;

static void print_bytes(const char *what, const uint8_t *p, int n) {
  kprintf("%s:", what);
  for (int i = 0; i < n; i++) kprintf("%s%02x", i % 16 ? " " : "\n  ", p[i]);
  kprintf("\n");
}

static void control(uint8_t cls, uint8_t cmd, uint8_t arg, uint8_t expected, const char *what) {
  ctrl_cmd[0] = cls; ctrl_cmd[1] = cmd; ctrl_cmd[2] = arg;
  ctrl_ack = 0xee;
  uint64_t *d = vqs[2].desc;
  d[0] = (uintptr_t)ctrl_cmd; d[1] = 2 | (1ULL << 32) | (1ULL << 48);
  d[2] = (uintptr_t)&ctrl_cmd[2]; d[3] = 1 | (1ULL << 32) | (2ULL << 48);
  d[4] = (uintptr_t)&ctrl_ack; d[5] = 1 | (2ULL << 32);
  offer(2, 0);
  kick(2);
  uint32_t id;
  uint32_t n = wait_used(2, &id, what);
  CHECK_EQ(n, 1, "%s: control used length", what);
  CHECK_EQ(ctrl_ack, expected, "%s: ack", what);
}

static void identity(void) {
  CHECK_EQ(MMIO32(CFG(NET, 0)), 0x10001af4, "virtio-net-pci (transitional) at slot 1");
  CHECK_EQ(MMIO32(CFG(NET, 8)), 0x02000000, "class: Ethernet controller");
  CHECK_EQ(MMIO32(CFG(NET, 0x2c)), 0x00011af4, "subsystem: virtio device 1");
  MMIO32(CFG(NET, 0x10)) = 0xffffffff;
  CHECK_EQ(MMIO32(CFG(NET, 0x10)), 0xffffffe1, "BAR0: 32 bytes of I/O");
  MMIO32(CFG(NET, 0x30)) = 0xffffffff;
  CHECK_EQ(MMIO32(CFG(NET, 0x30)), 0xfffc0001, "expansion ROM BAR: 256 KiB, enable bit");
  MMIO32(CFG(NET, 0x30)) = 0;
  kprintf("slot 1 config:");
  for (int i = 0; i < 0x100; i += 4) kprintf("%s%08x", i % 32 ? " " : "\n  ", MMIO32(CFG(NET, i)));
  kprintf("\n");
  MMIO32(CFG(NET, 0x10)) = NET_IO;
  MMIO32(CFG(NET, 0x14)) = NET_BAR1;
  MMIO32(CFG(NET, 0x20)) = NET_BAR4;
  MMIO32(CFG(NET, 0x24)) = 0;
  MMIO16(CFG(NET, 4)) = 0x7; /* IO | MEMORY | MASTER */
  kprintf("legacy host features: %08x\n", MMIO32(PIO + NET_IO));
  kprintf("legacy config: %08x %08x\n", MMIO32(PIO + NET_IO + 0x14), MMIO32(PIO + NET_IO + 0x18));
}

static void negotiate(void) {
  MMIO8(COMMON(0x14)) = 0;
  MMIO8(COMMON(0x14)) = 1 | 2;
  MMIO32(COMMON(0)) = 0;
  uint32_t f0 = MMIO32(COMMON(4));
  MMIO32(COMMON(0)) = 1;
  uint32_t f1 = MMIO32(COMMON(4));
  kprintf("net device features: %08x %08x\n", f1, f0);
  CHECK_EQ(f0 & DRIVER_FEATURES, DRIVER_FEATURES, "MAC, MRG_RXBUF, STATUS, CTRL_VQ, CTRL_RX offered");
  CHECK_EQ(MMIO16(COMMON(0x12)), 3, "three queues");
  MMIO32(COMMON(8)) = 0; MMIO32(COMMON(0xc)) = DRIVER_FEATURES;
  MMIO32(COMMON(8)) = 1; MMIO32(COMMON(0xc)) = 1;
  MMIO8(COMMON(0x14)) = 1 | 2 | 8;
  CHECK_EQ(MMIO8(COMMON(0x14)), 1 | 2 | 8, "FEATURES_OK kept");
  for (int i = 0; i < 6; i++) CHECK_EQ(MMIO8(DEVCFG(i)), my_mac[i], "MAC byte %d", i);
  CHECK_EQ(MMIO16(DEVCFG(6)), 1, "status: link up");
  CHECK_EQ(MMIO32(DEVCFG(8)), 0xffffffff, "past the 8 bytes of configuration");
  setup_queue(0, 256);
  setup_queue(1, 256);
  setup_queue(2, 64);
  for (int d = 0; d < 4; d++) post_rx(d);
  MMIO8(COMMON(0x14)) = 1 | 2 | 4 | 8;
  kick(0);
}

static void arp(void) {
  static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
  uint8_t *f = eth_header(bcast, 0x0806);
  static const uint8_t head[8] = {0, 1, 8, 0, 6, 4, 0, 1};
  for (int i = 0; i < 8; i++) f[14 + i] = head[i];
  for (int i = 0; i < 6; i++) { f[22 + i] = my_mac[i]; f[32 + i] = 0; }
  for (int i = 0; i < 4; i++) { f[28 + i] = my_ip[i]; f[38 + i] = gw_ip[i]; }
  send_frame(42, "ARP request");
  uint32_t len;
  uint8_t *r = receive(&len, "ARP reply");
  kprintf("ARP reply: %u bytes\n", len);
  print_bytes("ARP reply frame", r, len);
  CHECK_EQ(r[21], 2, "ARP opcode: reply");
  for (int i = 0; i < 6; i++) gw_mac[i] = r[22 + i];
  CHECK_EQ(plic_pending(33), 1, "INTx of slot 1 pin A on PLIC source 33");
  CHECK_EQ(MMIO8(ISR) & 1, 1, "ISR: used buffer");
  CHECK_EQ(MMIO8(ISR), 0, "ISR cleared by the read");
}

static void ping(void) {
  uint8_t *f = eth_header(gw_mac, 0x0800);
  uint8_t *ip = f + 14, *icmp = ip + 20;
  int plen = 8 + 56;
  static const uint8_t iph[12] = {0x45, 0, 0, 84, 0x12, 0x34, 0x40, 0, 64, 1, 0, 0};
  for (int i = 0; i < 12; i++) ip[i] = iph[i];
  for (int i = 0; i < 4; i++) { ip[12 + i] = my_ip[i]; ip[16 + i] = gw_ip[i]; }
  uint16_t s = csum(ip, 20);
  ip[10] = s >> 8; ip[11] = s & 0xff;
  icmp[0] = 8; icmp[1] = 0; icmp[2] = icmp[3] = 0;
  icmp[4] = 0xbe; icmp[5] = 0xef; icmp[6] = 0; icmp[7] = 1;
  for (int i = 8; i < plen; i++) icmp[i] = (uint8_t)(i * 3);
  s = csum(icmp, plen);
  icmp[2] = s >> 8; icmp[3] = s & 0xff;
  send_frame(14 + 20 + plen, "echo request");
  uint32_t len;
  uint8_t *r = receive(&len, "echo reply");
  kprintf("echo reply: %u bytes\n", len);
  print_bytes("echo reply Ethernet header", r, 14);
  uint8_t *rip = r + 14, *ricmp = rip + 20;
  kprintf("IP: ver/ihl %02x len %u proto %u src %u.%u.%u.%u dst %u.%u.%u.%u, header checksum %s\n",
          rip[0], (rip[2] << 8) | rip[3], rip[9], rip[12], rip[13], rip[14], rip[15], rip[16], rip[17], rip[18], rip[19],
          csum(rip, 20) == 0 ? "good" : "bad");
  kprintf("ICMP: type %u code %u id %02x%02x seq %u, checksum %s\n", ricmp[0], ricmp[1], ricmp[4], ricmp[5],
          (ricmp[6] << 8) | ricmp[7], csum(ricmp, plen) == 0 ? "good" : "bad");
  int same = 1;
  for (int i = 8; i < plen; i++) same &= ricmp[i] == icmp[i];
  CHECK(same, "echo payload returned");
}

int main(unsigned long hartid, void *dtb) {
  (void)hartid; (void)dtb;
  test_begin("pci_net");
  identity();
  negotiate();
  control(0, 0, 0, 0, "RX_PROMISC off");
  control(0x7f, 0, 0, 1, "unknown class");
  arp();
  ping();
  return test_end();
}
