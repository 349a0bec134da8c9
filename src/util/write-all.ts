/**
 * Blocking writes that work the same in every thread (fs.writeSync on a
 * descriptor number). Retries short writes, and EAGAIN: Node may have put
 * stdout/stderr in non-blocking mode when they are pipes, and a full pipe
 * must slow the writer down rather than lose output or crash.
 */
import { writeSync } from 'node:fs';

const sleeper = new Int32Array(new SharedArrayBuffer(4));

export function writeAll(fd: number, data: Uint8Array | string, length?: number): void {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  const end = length ?? bytes.length;
  let done = 0;
  while (done < end) {
    try {
      done += writeSync(fd, bytes, done, end - done);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
      Atomics.wait(sleeper, 0, 0, 1); // the reader is behind: wait a millisecond
    }
  }
}
