/* The modern virtio-pci queue set-up of the slot-1 guests (pci_net.c, pci_tcp_refused.c,
 * pci_serial.c): the common configuration registers at VIRTIO_BAR4, queues of QSIZE entries in
 * ring_mem, the notify area, offering a descriptor. The includer defines VIRTIO_BAR4, QSIZE and
 * VIRTIO_QUEUES (how many queues) first. */
#ifndef VIRTIO_PCI_QUEUE_H
#define VIRTIO_PCI_QUEUE_H

#include "test.h"

#define COMMON(off) (VIRTIO_BAR4 + (off))
#define DEVCFG(off) (VIRTIO_BAR4 + 0x2000 + (off))
#define ISR (VIRTIO_BAR4 + 0x1000)

struct vq {
  uint64_t *desc;
  volatile uint16_t *avail;
  volatile uint16_t *used;
  uint16_t idx, used_seen, notify_off;
};

static uint8_t ring_mem[VIRTIO_QUEUES][3][4096] __attribute__((aligned(4096)));
static struct vq vqs[VIRTIO_QUEUES];

__attribute__((unused)) static void setup_queue(int q, uint16_t expected_size) {
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

__attribute__((unused)) static void kick(int q) {
  MMIO16(VIRTIO_BAR4 + 0x3000 + 4 * vqs[q].notify_off) = q;
}

/* Make descriptor `d` (already filled) available on queue q. */
__attribute__((unused)) static void offer(int q, uint16_t d) {
  struct vq *v = &vqs[q];
  v->avail[2 + v->idx % QSIZE] = d;
  __sync_synchronize();
  v->avail[1] = ++v->idx;
  __sync_synchronize();
}

#endif
