/**
 * Worker used by uart-fast-path.unit.spec: a vCPU posting THR bytes into the ring with
 * irregular pauses and ringing the reader at irregular service points, so its posts and rings
 * land at every point of the main thread's drain-and-sleep. With `lock`, several of these take
 * turns as a guest's console does: each line under a spin lock, which also logs the line
 * (writer, length) in the order the lock was taken.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Rng } from '../fuzz/rng.js';
import { UartFastPath } from '../../src/hw/uart-fast-path.js';

interface Data {
  shadow: SharedArrayBuffer;
  ring: SharedArrayBuffer;
  count: number;
  seed: number;
  /** Lines mode: Int32 words [lock, lines logged, log...]; this writer's id (0..3). */
  lock?: SharedArrayBuffer;
  writer?: number;
}

const data = workerData as Data;
const uart = new UartFastPath(data.shadow, data.ring, 0);
const rng = new Rng(data.seed);

let sink = 0;
/** Post one byte; a full ring refuses it (a real vCPU then writes synchronously, after the main thread drained): ring and retry. */
function post(byte: number): void {
  while (!uart.write(0, 1, BigInt(byte))) {
    uart.ringReader();
    sink++;
  }
}

if (data.lock !== undefined) postLines(new Int32Array(data.lock), data.writer ?? 0);
else postBytes();
uart.ringReader(); // the vCPU's last service point
parentPort?.postMessage({ posted: uart.posted, rings: uart.rings, sink });

/** Lines of 1-24 bytes, each byte (writer << 6) | (line number & 63), under the shared lock. */
function postLines(lock: Int32Array, writer: number): void {
  let line = 0;
  for (let sent = 0; sent < data.count; line++) {
    const length = Math.min(1 + (rng.u32() % 24), data.count - sent);
    // a vCPU spinning on the guest's lock still reaches the run loop's service points
    for (let spins = 1; Atomics.compareExchange(lock, 0, 0, 1) !== 0; spins++) if ((spins & 1023) === 0) uart.ringReader();
    for (let k = 0; k < length; k++) post((writer << 6) | (line & 63));
    lock[2 + Atomics.add(lock, 1, 1)] = (writer << 16) | length;
    Atomics.store(lock, 0, 0);
    sent += length;
    const r = rng.u32();
    if ((r & 3) === 0) uart.ringReader();
    for (let k = 0; k < r % 2000; k++) sink += k & 1;
  }
}

function postBytes(): void {
  for (let i = 0; i < data.count; i++) {
    post(i & 0xff);
    const r = rng.u32();
    // the run loop's service points ring the reader: now and then, and before every long pause
    // (a vCPU going to sleep); otherwise back to back or a short spin
    const longPause = (r & 7) === 0;
    if (longPause || (r & 0x30) === 0) uart.ringReader();
    const spin = longPause ? r % 20_000 : r % 200;
    for (let k = 0; k < spin; k++) sink += k & 1;
  }
}
