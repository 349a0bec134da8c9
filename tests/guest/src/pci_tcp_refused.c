/* TCP on -netdev user without a host server: virtio-net-pci on slot 1 (set up as pci_net does), ARP
 * for the gateway, then a TCP SYN from 10.0.2.15:40000 to 10.0.2.2:1 (the host's 127.0.0.1:1, where
 * nothing listens): slirp answers RST|ACK. The answer's TCP fields that do not depend on the host
 * (ports, flags, acknowledgement number, data offset) and its checksums are printed. */
#include "test.h"
#include "plic.h"

#define ECAM 0x30000000UL
#define CFG(slot, off) (ECAM + ((unsigned long)(slot) << 15) + (off))
#define PIO 0x03000000UL
#define NET 1
#define NET_IO 0x1000
#define NET_BAR1 0x40100000UL
#define NET_BAR4 0x40000000UL
#define COMMON(off) (NET_BAR4 + (off))
#define DEVCFG(off) (NET_BAR4 + 0x2000 + (off))
#define ISR (NET_BAR4 + 0x1000)
#define QSIZE 8
#define HDR 12
#define BUFSZ 1536

/* feature bits used: MAC 5, MRG_RXBUF 15, STATUS 16, CTRL_VQ 17, CTRL_RX 18; VERSION_1 = bit 32 */
#define DRIVER_FEATURES ((1u << 5) | (1u << 15) | (1u << 16) | (1u << 17) | (1u << 18))

struct vq {
  uint64_t *desc;
  volatile uint16_t *avail;
  volatile uint16_t *used;
  uint16_t idx, used_seen, notify_off;
};

static uint8_t ring_mem[3][3][4096] __attribute__((aligned(4096)));
static uint8_t rxbuf[4][BUFSZ] __attribute__((aligned(16)));
static uint8_t txbuf[BUFSZ];
static struct vq vqs[3];
static const uint8_t my_mac[6] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
static const uint8_t my_ip[4] = {10, 0, 2, 15};
static const uint8_t gw_ip[4] = {10, 0, 2, 2};
static uint8_t gw_mac[6];

static void setup_queue(int q, uint16_t expected_size) {
  MMIO16(COMMON(0x16)) = q;
  CHECK_EQ(MMIO16(COMMON(0x18)), expected_size, "queue %d size", q);
  MMIO16(COMMON(0x18)) = QSIZE;
  struct vq *v = &vqs[q];
  v->desc = (uint64_t *)ring_mem[q][0];
  v->avail = (uint16_t *)ring_mem[q][1];
  v->used = (uint16_t *)ring_mem[q][2];
  v->notify_off = MMIO16(COMMON(0x1e));
  MMIO32(COMMON(0x20)) = (uintptr_t)v->desc; MMIO32(COMMON(0x24)) = 0;
  MMIO32(COMMON(0x28)) = (uintptr_t)v->avail; MMIO32(COMMON(0x2c)) = 0;
  MMIO32(COMMON(0x30)) = (uintptr_t)v->used; MMIO32(COMMON(0x34)) = 0;
  MMIO16(COMMON(0x1c)) = 1;
}

static void kick(int q) {
  MMIO16(NET_BAR4 + 0x3000 + 4 * vqs[q].notify_off) = q;
}

/* Make descriptor `d` (already filled) available on queue q. */
static void offer(int q, uint16_t d) {
  struct vq *v = &vqs[q];
  v->avail[2 + v->idx % QSIZE] = d;
  __sync_synchronize();
  v->avail[1] = ++v->idx;
  __sync_synchronize();
}

/* Wait for the next used element of queue q; returns its length, stores its id. */
static uint32_t wait_used(int q, uint32_t *id, const char *what) {
  struct vq *v = &vqs[q];
  for (long spin = 0; spin < 400000000 && v->used[1] == v->used_seen; spin++) {}
  CHECK(v->used[1] != v->used_seen, "%s: used index moved", what);
  volatile uint32_t *elem = (volatile uint32_t *)&v->used[2 + 4 * (v->used_seen % QSIZE)];
  v->used_seen++;
  *id = elem[0];
  return elem[1];
}

static void post_rx(uint16_t d) {
  vqs[0].desc[2 * d] = (uintptr_t)rxbuf[d];
  vqs[0].desc[2 * d + 1] = BUFSZ | (2ULL << 32); /* WRITE */
  offer(0, d);
}

static void send_frame(uint32_t len, const char *what) {
  for (int i = 0; i < HDR; i++) txbuf[i] = 0;
  vqs[1].desc[0] = (uintptr_t)txbuf;
  vqs[1].desc[1] = (HDR + len);
  offer(1, 0);
  kick(1);
  uint32_t id;
  uint32_t n = wait_used(1, &id, what);
  CHECK_EQ(n, 0, "%s: transmit used length", what);
}

static uint8_t *eth_header(const uint8_t *dst, uint16_t type) {
  uint8_t *f = txbuf + HDR;
  for (int i = 0; i < 6; i++) { f[i] = dst[i]; f[6 + i] = my_mac[i]; }
  f[12] = type >> 8; f[13] = type & 0xff;
  return f;
}

static uint16_t csum(const uint8_t *p, int n) {
  uint32_t s = 0;
  for (int i = 0; i + 1 < n; i += 2) s += (p[i] << 8) | p[i + 1];
  if (n & 1) s += p[n - 1] << 8;
  while (s >> 16) s = (s & 0xffff) + (s >> 16);
  return ~s & 0xffff;
}

/* Receive one frame: returns a pointer past the virtio header, with its length. */
static uint8_t *receive(uint32_t *len, const char *what) {
  uint32_t id;
  uint32_t n = wait_used(0, &id, what);
  CHECK(id < 4, "%s: buffer id %u", what, id);
  uint8_t *b = rxbuf[id & 3];
  kprintf("%s: used length %u, num_buffers %u\n", what, n, b[10] | (b[11] << 8));
  *len = n - HDR;
  post_rx(id & 3);
  kick(0);
  return b + HDR;
}

static void setup(void) {
  CHECK_EQ(MMIO32(CFG(NET, 0)), 0x10001af4, "virtio-net-pci (transitional) at slot 1");
  MMIO32(CFG(NET, 0x10)) = NET_IO;
  MMIO32(CFG(NET, 0x14)) = NET_BAR1;
  MMIO32(CFG(NET, 0x20)) = NET_BAR4;
  MMIO32(CFG(NET, 0x24)) = 0;
  MMIO16(CFG(NET, 4)) = 0x7; /* IO | MEMORY | MASTER */
  MMIO8(COMMON(0x14)) = 0;
  MMIO8(COMMON(0x14)) = 1 | 2;
  MMIO32(COMMON(8)) = 0; MMIO32(COMMON(0xc)) = DRIVER_FEATURES;
  MMIO32(COMMON(8)) = 1; MMIO32(COMMON(0xc)) = 1;
  MMIO8(COMMON(0x14)) = 1 | 2 | 8;
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
  CHECK_EQ(r[21], 2, "ARP opcode: reply");
  for (int i = 0; i < 6; i++) gw_mac[i] = r[22 + i];
}

/* TCP checksum over the pseudo-header and `len` bytes of segment. */
static uint16_t tcp_csum(const uint8_t *src, const uint8_t *dst, const uint8_t *seg, int len) {
  static uint8_t buf[12 + 64];
  for (int i = 0; i < 4; i++) { buf[i] = src[i]; buf[4 + i] = dst[i]; }
  buf[8] = 0; buf[9] = 6; buf[10] = len >> 8; buf[11] = len & 0xff;
  for (int i = 0; i < len && i < 64; i++) buf[12 + i] = seg[i];
  return csum(buf, 12 + len);
}

static void syn_to_closed_port(void) {
  uint8_t *f = eth_header(gw_mac, 0x0800);
  uint8_t *ip = f + 14, *tcp = ip + 20;
  static const uint8_t iph[12] = {0x45, 0, 0, 44, 0x12, 0x35, 0x40, 0, 64, 6, 0, 0};
  for (int i = 0; i < 12; i++) ip[i] = iph[i];
  for (int i = 0; i < 4; i++) { ip[12 + i] = my_ip[i]; ip[16 + i] = gw_ip[i]; }
  uint16_t s = csum(ip, 20);
  ip[10] = s >> 8; ip[11] = s & 0xff;
  static const uint8_t th[24] = {0x9c, 0x40, 0, 1, 0x11, 0x22, 0x33, 0x44, 0, 0, 0, 0, 0x60, 0x02, 0xfa, 0xf0, 0, 0, 0, 0, 2, 4, 0x05, 0xb4};
  for (int i = 0; i < 24; i++) tcp[i] = th[i];
  s = tcp_csum(my_ip, gw_ip, tcp, 24);
  tcp[16] = s >> 8; tcp[17] = s & 0xff;
  send_frame(14 + 20 + 24, "SYN");
  uint32_t len;
  uint8_t *r = receive(&len, "answer to the SYN");
  uint8_t *rip = r + 14, *rtcp = rip + 20;
  int tlen = ((rip[2] << 8) | rip[3]) - 20;
  kprintf("IP: proto %u src %u.%u.%u.%u dst %u.%u.%u.%u, header checksum %s\n", rip[9], rip[12], rip[13], rip[14], rip[15],
          rip[16], rip[17], rip[18], rip[19], csum(rip, 20) == 0 ? "good" : "bad");
  kprintf("TCP: %u -> %u flags %02x ack %02x%02x%02x%02x data offset %u, %d bytes, checksum %s\n", (rtcp[0] << 8) | rtcp[1],
          (rtcp[2] << 8) | rtcp[3], rtcp[13], rtcp[8], rtcp[9], rtcp[10], rtcp[11], rtcp[12] >> 4, tlen,
          tcp_csum(rip + 12, rip + 16, rtcp, tlen) == 0 ? "good" : "bad");
  CHECK_EQ(rtcp[13] & 0x04, 0x04, "RST set");
}

int main(unsigned long hartid, void *dtb) {
  (void)hartid; (void)dtb;
  test_begin("pci_tcp_refused");
  setup();
  arp();
  syn_to_closed_port();
  return test_end();
}
