/* virtio-net-pci on slot 1 (BARs at fixed addresses), driven through the modern interface: the
 * queues (virtio_pci_queue.h), sending a frame, receiving one into four posted buffers, Ethernet and the Internet
 * checksum. Shared by the guests that talk to -netdev user through it (pci_net.c, pci_tcp_refused.c);
 * each includes it once, after test.h. */
#ifndef VIRTIO_NET_PCI_H
#define VIRTIO_NET_PCI_H

#include "test.h"

#define ECAM 0x30000000UL
#define CFG(slot, off) (ECAM + ((unsigned long)(slot) << 15) + (off))
#define PIO 0x03000000UL
#define NET 1
#define NET_IO 0x1000
#define NET_BAR1 0x40100000UL
#define NET_BAR4 0x40000000UL
#define VIRTIO_BAR4 NET_BAR4
#define QSIZE 8
#define VIRTIO_QUEUES 3
#define HDR 12
#define BUFSZ 1536

#include "virtio_pci_queue.h"

/* feature bits used: MAC 5, MRG_RXBUF 15, STATUS 16, CTRL_VQ 17, CTRL_RX 18; VERSION_1 = bit 32 */
#define DRIVER_FEATURES ((1u << 5) | (1u << 15) | (1u << 16) | (1u << 17) | (1u << 18))

static uint8_t rxbuf[4][BUFSZ] __attribute__((aligned(16)));
static uint8_t txbuf[BUFSZ];
static const uint8_t my_mac[6] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
static const uint8_t my_ip[4] = {10, 0, 2, 15};
static const uint8_t gw_ip[4] = {10, 0, 2, 2};
static uint8_t gw_mac[6];


/* Wait for the next used element of queue q; returns its length, stores its id. */
__attribute__((unused)) static uint32_t wait_used(int q, uint32_t *id, const char *what) {
  struct vq *v = &vqs[q];
  for (long spin = 0; spin < 400000000 && v->used[1] == v->used_seen; spin++) {}
  CHECK(v->used[1] != v->used_seen, "%s: used index moved", what);
  volatile uint32_t *elem = (volatile uint32_t *)&v->used[2 + 4 * (v->used_seen % QSIZE)];
  v->used_seen++;
  *id = elem[0];
  return elem[1];
}

__attribute__((unused)) static void post_rx(uint16_t d) {
  vqs[0].desc[2 * d] = (uintptr_t)rxbuf[d];
  vqs[0].desc[2 * d + 1] = BUFSZ | (2ULL << 32); /* WRITE */
  offer(0, d);
}

__attribute__((unused)) static void send_frame(uint32_t len, const char *what) {
  for (int i = 0; i < HDR; i++) txbuf[i] = 0;
  vqs[1].desc[0] = (uintptr_t)txbuf;
  vqs[1].desc[1] = (HDR + len);
  offer(1, 0);
  kick(1);
  uint32_t id;
  uint32_t n = wait_used(1, &id, what);
  CHECK_EQ(n, 0, "%s: transmit used length", what);
}

__attribute__((unused)) static uint8_t *eth_header(const uint8_t *dst, uint16_t type) {
  uint8_t *f = txbuf + HDR;
  for (int i = 0; i < 6; i++) { f[i] = dst[i]; f[6 + i] = my_mac[i]; }
  f[12] = type >> 8; f[13] = type & 0xff;
  return f;
}

__attribute__((unused)) static uint16_t csum(const uint8_t *p, int n) {
  uint32_t s = 0;
  for (int i = 0; i + 1 < n; i += 2) s += (p[i] << 8) | p[i + 1];
  if (n & 1) s += p[n - 1] << 8;
  while (s >> 16) s = (s & 0xffff) + (s >> 16);
  return ~s & 0xffff;
}

/* Receive one frame: returns a pointer past the virtio header, with its length. */
__attribute__((unused)) static uint8_t *receive(uint32_t *len, const char *what) {
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

#endif
