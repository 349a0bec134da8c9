/**
 * A worker's start-up data: `workerData` when it was created for a known
 * job, or the first message when it was spawned early, before the job was
 * known (src/cli/early-workers.ts), so that loading its modules overlapped
 * with the main thread's own start-up.
 */
import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';

/** workerData of a worker spawned ahead of its job. */
export const DEFERRED_START = { deferredStart: true } as const;

export interface StartMessage<T> {
  type: 'start';
  data: T;
}

function isDeferred(value: unknown): boolean {
  return typeof value === 'object' && value !== null && (value as { deferredStart?: unknown }).deferredStart === true;
}

/** Was this worker spawned before its job was known (its data comes later, by message)? */
export function startDeferred(): boolean {
  return isDeferred(workerData);
}

export async function workerInput<T>(): Promise<T> {
  if (!isDeferred(workerData)) return workerData as T;
  const port = parentPort;
  if (!port) throw new Error('not a worker thread');
  for (;;) {
    // the port is drained synchronously elsewhere (receiveMessageOnPort): no 'message' listener here
    const m = receiveMessageOnPort(port);
    if (m) return (m.message as StartMessage<T>).data;
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}
