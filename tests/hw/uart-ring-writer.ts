/**
 * Worker used by uart-fast-path.unit.spec: a vCPU posting THR bytes into its ring with
 * irregular pauses, so its posts land at every point of the main thread's drain-and-sleep.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Rng } from '../fuzz/rng.js';
import { UartFastPath } from '../../src/hw/uart-fast-path.js';

interface Data {
  shadow: SharedArrayBuffer;
  ring: SharedArrayBuffer;
  count: number;
  seed: number;
}

const data = workerData as Data;
const uart = new UartFastPath(data.shadow, data.ring, 0);
const rng = new Rng(data.seed);

let sink = 0;
for (let i = 0; i < data.count; i++) {
  // a full ring refuses the byte (a real vCPU then writes synchronously): try again
  while (!uart.write(0, 1, BigInt(i & 0xff))) sink++;
  const r = rng.u32();
  // mostly back to back or a short spin; now and then long enough for the reader to fall asleep
  const spin = (r & 7) === 0 ? r % 20_000 : r % 200;
  for (let k = 0; k < spin; k++) sink += k & 1;
}
parentPort?.postMessage({ posted: uart.posted, sink });
