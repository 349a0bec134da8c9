/**
 * The synchronous MMIO channel between a vCPU worker and the device models on the main thread:
 * every access is served once, in order, with the right answer, with the main thread waiting
 * until rung (no periodic recheck), wherever the requests fall in its serve-and-sleep.
 */
import { expect } from 'chai';
import { Worker } from 'node:worker_threads';
import { createMmioSlot, MmioServer, type MmioRequest } from '../../src/memory/mmio-channel.js';

interface Report { accesses: number; wrongAnswers: number }

describe('MMIO channel: a vCPU worker and the main thread server', function () {
  this.timeout(40_000);

  for (const seed of [7, 0x9e3779b9]) {
    it(`50,000 accesses with irregular pauses are each served once, in order, with the right answer (seed ${seed.toString(16)})`, async () => {
      const count = 50_000;
      const slot = createMmioSlot();
      const served: MmioRequest[] = [];
      const server = new MmioServer(slot, (req) => {
        served.push(req);
        return req.write ? 0n : BigInt(req.pa) * 2n;
      });
      server.start();
      const worker = new Worker(new URL('./mmio-client-worker.js', import.meta.url), { workerData: { slot, count, seed } });
      const report = new Promise<Report>((resolve, reject) => {
        worker.once('message', resolve);
        worker.once('error', reject);
      });
      // A lost wake-up of the server leaves the vCPU waiting for its answer for good: give up
      // after a bound far above an intact channel's time (a few seconds).
      let timer: NodeJS.Timeout | undefined;
      const stalled = new Promise<'stalled'>((resolve) => { timer = setTimeout(() => resolve('stalled'), 25_000); });
      try {
        const outcome = await Promise.race([report, stalled]);
        expect(outcome, `accesses served: ${served.length} of ${count}`).to.not.equal('stalled');
        const { accesses, wrongAnswers } = await report;
        expect(accesses).to.equal(count);
        expect(wrongAnswers).to.equal(0);
        expect(served.length).to.equal(count);
        const firstWrong = served.findIndex((req, i) => req.pa !== 0x1000_0000 + (i % 4096) * 8 || req.write !== (i % 3 === 0) || (req.write && req.value !== BigInt(i)));
        expect(firstWrong, 'first access out of order or altered').to.equal(-1);
      } finally {
        clearTimeout(timer);
        server.stop();
        await worker.terminate();
      }
    });
  }
});
