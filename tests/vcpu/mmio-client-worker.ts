/**
 * Worker used by mmio-channel.unit.spec: a vCPU making synchronous MMIO accesses with irregular
 * pauses, so its requests land at every point of the main thread's serve-and-sleep.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Rng } from '../fuzz/rng.js';
import { MmioClient } from '../../src/memory/mmio-channel.js';

interface Data {
  slot: SharedArrayBuffer;
  count: number;
  seed: number;
}

const data = workerData as Data;
const client = new MmioClient(data.slot);
const rng = new Rng(data.seed);

let wrongAnswers = 0;
let sink = 0;
for (let i = 0; i < data.count; i++) {
  const pa = 0x1000_0000 + (i % 4096) * 8;
  if (i % 3 === 0) {
    if (client.access(pa, 8, true, BigInt(i)) !== 0n) wrongAnswers++;
  } else if (client.access(pa, 4, false, 0n) !== BigInt(pa) * 2n) {
    wrongAnswers++;
  }
  const r = rng.u32();
  const spin = (r & 7) === 0 ? r % 20_000 : r % 200;
  for (let k = 0; k < spin; k++) sink += k & 1;
}
parentPort?.postMessage({ accesses: client.accesses, wrongAnswers, sink });
