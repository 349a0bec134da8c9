/**
 * The UART fast path's ring between the vCPU workers and the main thread: every posted byte
 * reaches the device, in order, with the main thread waiting until rung (no periodic recheck),
 * whatever moment of the reader's drain-and-sleep the writers' posts fall on; bytes of several
 * vCPUs taking turns under a lock come out in the order of their turns.
 */
import { expect } from 'chai';
import { Worker } from 'node:worker_threads';
import { createUartRing, createUartShadow, UartRingReader } from '../../src/hw/uart-fast-path.js';

/** The main thread's reader on `ring`, collecting bytes; `allDelivered` resolves once `total` have come. */
function collect(ring: SharedArrayBuffer, total: number): { reader: UartRingReader; delivered: number[]; allDelivered: Promise<void> } {
  const delivered: number[] = [];
  let done: () => void = () => undefined;
  const allDelivered = new Promise<void>((resolve) => { done = resolve; });
  const reader = new UartRingReader(ring, (byte) => {
    delivered.push(byte);
    if (delivered.length === total) done();
  });
  reader.start();
  return { reader, delivered, allDelivered };
}

/** Runs a writer worker posting `count` bytes; resolves with the bytes the reader delivered. */
async function pumpThroughRing(count: number, seed: number): Promise<number[]> {
  const shadow = createUartShadow();
  const ring = createUartRing();
  const { reader, delivered, allDelivered } = collect(ring, count);
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

/**
 * Runs `writers` workers posting `count` bytes each, in lines under one spin lock; resolves with
 * the bytes delivered and the bytes the lock's log of turns says should have been.
 */
async function linesThroughRing(writers: number, count: number, seed: number): Promise<{ delivered: number[]; expected: number[] }> {
  const shadow = createUartShadow();
  const ring = createUartRing();
  const lock = new SharedArrayBuffer(4 * (2 + writers * count)); // lock word, lines logged, at most `count` lines per writer
  const total = writers * count;
  const { reader, delivered, allDelivered } = collect(ring, total);
  const workers = Array.from({ length: writers }, (_, writer) =>
    new Worker(new URL('./uart-ring-writer.js', import.meta.url), { workerData: { shadow, ring, count, seed: seed + writer, lock, writer } }));
  const reports = workers.map((w) => new Promise<{ posted: number }>((resolve, reject) => { w.once('message', resolve); w.once('error', reject); }));
  let timer: NodeJS.Timeout | undefined;
  const stalled = new Promise<'stalled'>((resolve) => { timer = setTimeout(() => resolve('stalled'), 15_000); });
  try {
    const outcome = await Promise.race([Promise.all([...reports, allDelivered]).then(() => 'delivered' as const), stalled]);
    expect(outcome, `bytes delivered: ${delivered.length} of ${total}; the rest stayed in the ring`).to.equal('delivered');
    for (const r of reports) expect((await r).posted).to.equal(count);
    const log = new Int32Array(lock);
    const expected: number[] = [];
    const lineNo = new Array<number>(writers).fill(0);
    for (let i = 0; i < log[1]; i++) {
      const writer = log[2 + i] >> 16;
      const length = log[2 + i] & 0xffff;
      for (let k = 0; k < length; k++) expected.push((writer << 6) | (lineNo[writer] & 63));
      lineNo[writer]++;
    }
    return { delivered, expected };
  } finally {
    clearTimeout(timer);
    reader.stop();
    await Promise.all(workers.map((w) => w.terminate()));
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

  for (const seed of [7, 0x5eed]) {
    it(`3 writers taking turns under a lock, 60,000 bytes each: every byte arrives, lines in the order of the turns (seed ${seed.toString(16)})`, async () => {
      const { delivered, expected } = await linesThroughRing(3, 60_000, seed);
      expect(expected.length).to.equal(180_000);
      expect(delivered.length).to.equal(expected.length);
      const firstWrong = delivered.findIndex((b, i) => b !== expected[i]);
      expect(firstWrong, `first byte out of order (of ${delivered.length})`).to.equal(-1);
    });
  }
});
