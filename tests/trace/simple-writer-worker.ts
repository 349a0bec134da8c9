/**
 * Worker for simple.unit.spec.ts: attaches to the shared TraceState, appends to the
 * shared simpletrace file through its own SimpleBackend (small buffer, so many
 * chunks), starting when the main thread releases everyone at once.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { SimpleBackend } from '../../src/trace/backend-simple.js';
import { startThreadTracing } from '../../src/trace/dispatcher.js';
import { trace_riscv_trap, trace_virtio_blk_req } from '../../src/trace/generated/events.js';
import { unbindTraceRuntime } from '../../src/trace/runtime.js';
import { TraceState } from '../../src/trace/state.js';

export interface WriterJob {
  readonly path: string;
  readonly state: SharedArrayBuffer;
  /** Int32Array word 0 becomes 1 to start; word 1 counts the writers waiting for it. */
  readonly go: SharedArrayBuffer;
  readonly index: number;
  readonly count: number;
  readonly bufferBytes: number;
}

function isJob(value: unknown): value is WriterJob {
  return value !== null && typeof value === 'object' && 'path' in value && 'state' in value && 'go' in value && 'index' in value;
}

if (!isJob(workerData)) throw new Error('bad workerData');
const job = workerData;
const backend = SimpleBackend.open(job.path, { bufferBytes: job.bufferBytes });
startThreadTracing(TraceState.attach(job.state), backend);
const barrier = new Int32Array(job.go);
Atomics.add(barrier, 1, 1);
Atomics.wait(barrier, 0, 0);
for (let i = 0; i < job.count; i++) {
  trace_riscv_trap(job.index, BigInt(i), 0x8000_0000n + BigInt(i), 0n);
  trace_virtio_blk_req(job.index, BigInt(i), i & 0xff);
}
backend.close();
unbindTraceRuntime();
parentPort?.postMessage('done');
