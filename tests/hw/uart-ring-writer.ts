/**
 * Worker used by uart-fast-path.unit.spec: a vCPU posting THR bytes into its ring with
 * irregular pauses and ringing the reader at irregular service points, so its posts and rings
 * land at every point of the main thread's drain-and-sleep.
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
  // a full ring refuses the byte (a real vCPU then writes synchronously, and the main thread
  // drains the ring first): ring the reader and try again
  while (!uart.write(0, 1, BigInt(i & 0xff))) {
    uart.ringReader();
    sink++;
  }
  const r = rng.u32();
  // the run loop's service points ring the reader: now and then, and before every long pause
  // (a vCPU going to sleep); otherwise back to back or a short spin
  const longPause = (r & 7) === 0;
  if (longPause || (r & 0x30) === 0) uart.ringReader();
  const spin = longPause ? r % 20_000 : r % 200;
  for (let k = 0; k < spin; k++) sink += k & 1;
}
uart.ringReader(); // the vCPU's last service point
parentPort?.postMessage({ posted: uart.posted, rings: uart.rings, sink });
