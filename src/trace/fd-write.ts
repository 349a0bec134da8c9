/**
 * Blocking writes that work the same in every thread (fs.writeSync on a
 * descriptor number). Retries short writes, and EAGAIN: Node may have put
 * stderr in non-blocking mode when it is a pipe, and a full pipe must slow
 * tracing down rather than lose or crash it.
 */
import { writeSync } from 'node:fs';
import { errnoCode } from './errno-text.js';

const sleeper = new Int32Array(new SharedArrayBuffer(4));

export function writeAllSync(fd: number, data: Uint8Array | string, length?: number): void {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  const end = length ?? bytes.length;
  let done = 0;
  while (done < end) {
    try {
      done += writeSync(fd, bytes, done, end - done);
    } catch (e) {
      if (errnoCode(e) !== 'EAGAIN') throw e;
      Atomics.wait(sleeper, 0, 0, 1); // the reader is behind: wait a millisecond
    }
  }
}
