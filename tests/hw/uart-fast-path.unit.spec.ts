/**
 * The UART fast path's ring between a vCPU worker and the main thread: every posted byte
 * reaches the device, in order, with the main thread waiting until rung (no periodic recheck),
 * whatever moment of the reader's drain-and-sleep the writer's posts fall on.
 */
import { expect } from 'chai';
import { Worker } from 'node:worker_threads';
import { createUartRing, createUartShadow, UartRingReader } from '../../src/hw/uart-fast-path.js';

/** Runs a writer worker posting `count` bytes; resolves with the bytes the reader delivered. */
async function pumpThroughRing(count: number, seed: number): Promise<number[]> {
  const shadow = createUartShadow();
  const ring = createUartRing();
  const delivered: number[] = [];
  let done: () => void = () => undefined;
  const allDelivered = new Promise<void>((resolve) => { done = resolve; });
  const reader = new UartRingReader(ring, (byte) => {
    delivered.push(byte);
    if (delivered.length === count) done();
  });
  reader.start();
  const worker = new Worker(new URL('./uart-ring-writer.js', import.meta.url), { workerData: { shadow, ring, count, seed } });
  const report = new Promise<{ posted: number; rings: number }>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  // A lost wake-up leaves bytes in the ring for good (and, once the ring is full, the writer
  // waiting for room): give up after a bound far above an intact ring's time (well under 1 s).
  let timer: NodeJS.Timeout | undefined;
  const stalled = new Promise<'stalled'>((resolve) => { timer = setTimeout(() => resolve('stalled'), 15_000); });
  try {
    const outcome = await Promise.race([Promise.all([report, allDelivered]).then(() => 'delivered' as const), stalled]);
    expect(outcome, `bytes delivered: ${delivered.length} of ${count}; the rest stayed in the ring`).to.equal('delivered');
    const { posted, rings } = await report;
    expect(posted).to.equal(count);
    // rung at service points, not per byte: far fewer rings than bytes
    expect(rings).to.be.above(0).and.below(count / 2);
    return delivered;
  } finally {
    clearTimeout(timer);
    reader.stop();
    await worker.terminate();
  }
}

describe('UART fast path: the vCPU ring and the main thread reader', function () {
  this.timeout(30_000);

  for (const seed of [1, 0x2545f491, 0xdeadbeef]) {
    it(`200,000 bytes posted with irregular pauses all arrive, in order, with no recheck timer (seed ${seed.toString(16)})`, async () => {
      const count = 200_000;
      const got = await pumpThroughRing(count, seed);
      expect(got.length).to.equal(count);
      const firstWrong = got.findIndex((b, i) => b !== (i & 0xff));
      expect(firstWrong, 'first byte out of order').to.equal(-1);
    });
  }
});
