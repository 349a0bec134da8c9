/**
 * virtio-rng (virtio 1.1 spec 5.4) after QEMU 7.2 hw/virtio/virtio-rng.c: one request
 * queue of 8 entries, no feature bits, no configuration space; every device-writable
 * buffer of a request is filled with random bytes from the host.
 *
 * Deliberate difference: QEMU fills requests asynchronously from its rng backend
 * (rng-random on /dev/urandom by default, rate-limited only when max-bytes is set);
 * tsemu fills them at once from node:crypto.
 */
import { randomFillSync } from 'node:crypto';
import type { GuestDma } from './guest-dma.js';
import type { DescriptorChain, VirtioDevice } from './virtio.js';

export const VIRTIO_ID_RNG = 4;
/** QEMU's virtio_add_queue(vdev, 8, handle_input). */
const QUEUE_SIZE = 8;

export class VirtioRng implements VirtioDevice {
  readonly deviceId = VIRTIO_ID_RNG;
  readonly numQueues = 1;
  readonly queueSize = QUEUE_SIZE;
  readonly deviceFeatures = 0n;

  config(): Uint8Array {
    return new Uint8Array(0);
  }

  handleChain(_queue: number, chain: DescriptorChain, dma: GuestDma): number {
    let written = 0;
    for (const seg of chain.writable) {
      // a private buffer first: guest RAM is a SharedArrayBuffer the vCPUs write concurrently
      dma.write(seg.addr, randomFillSync(new Uint8Array(seg.len)));
      written += seg.len;
    }
    return written;
  }

  reset(): void {
    // nothing buffered: requests complete when they are made
  }
}
