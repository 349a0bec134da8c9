/* TCP on -netdev user without a host server: virtio-net-pci on slot 1 (set up as pci_net does), ARP
 * for the gateway, then a TCP SYN from 10.0.2.15:40000 to 10.0.2.2:1 (the host's 127.0.0.1:1, where
 * nothing listens): slirp answers RST|ACK. The answer's TCP fields that do not depend on the host
 * (ports, flags, acknowledgement number, data offset) and its checksums are printed. */
#include "test.h"
#include "plic.h"

#include "virtio_net_pci.h"

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
