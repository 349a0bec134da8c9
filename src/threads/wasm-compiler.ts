/**
 * Starts a vCPU's WebAssembly compiler thread (wasm-compile-worker.ts) and gives the vCPU's block
 * cache its end of the line (src/vcpu/block-cache.ts WasmCompilePort).
 */
import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';
import type { WasmCompilePort } from '../vcpu/block-cache.js';
import type { WasmCompiled, WasmCompileRequest } from '../vcpu/wasm-tier.js';
import type { WasmCompileWorkerData, WasmCompileWire } from './wasm-compile-worker.js';
import { encodeIr } from '../tcg/ir-serialize.js';

/** Modules and IR only: the compiler needs far less heap than a vCPU. */
const COMPILER_HEAP_MB = 256;

/**
 * The port of a vCPU's compiler thread. The thread starts when the block cache first asks whether
 * it is ready (after ASYNC_AFTER_MS of compiling in the vCPU: a guest with little hot code pays
 * neither its start nor its ~8 MB), and the vCPU compiles its batches itself until it has loaded.
 */
export function startWasmCompiler(): WasmCompilePort {
  const { port1, port2 } = new MessageChannel();
  const posted = new SharedArrayBuffer(8);
  const count = new Int32Array(posted);
  let worker: Worker | undefined;
  let failed: string | undefined;
  const start = (): void => {
    const data: WasmCompileWorkerData = { port: port2, posted };
    worker = new Worker(new URL('./wasm-compile-worker.js', import.meta.url), {
      workerData: data, transferList: [port2], resourceLimits: { maxOldGenerationSizeMb: COMPILER_HEAP_MB },
    });
    worker.unref();
    // a compiler that dies answers every batch still out with an error: the vCPU then compiles them itself
    worker.on('error', (e) => { failed = e.message; });
  };
  let seen = 0;
  let sent: number[] = [];
  let loaded = false;
  return {
    ready(): boolean {
      if (loaded) return true;
      if (worker === undefined) start();
      loaded = Atomics.load(count, 1) === 1;
      return loaded;
    },
    post(req: WasmCompileRequest): void {
      if (worker === undefined) start();
      sent.push(req.id);
      // the blocks as IR wire (numbers in a Float64Array): structured cloning the op objects took
      // 100-700 us a batch on the vCPU's thread in a U-Boot start, the wire 15-110 us
      const wire: WasmCompileWire = { ...req, blocks: req.blocks.map(encodeIr) };
      port1.postMessage(wire);
    },
    take() {
      if (failed !== undefined && sent.length > 0) {
        const id = sent[0];
        sent = [];
        return { id, error: failed };
      }
      if (Atomics.load(count, 0) === seen) return undefined;
      const m = receiveMessageOnPort(port1);
      if (m === undefined) return undefined;
      seen++;
      const answer = m.message as WasmCompiled | { id: number; error: string };
      sent = sent.filter((id) => id !== answer.id);
      return answer;
    },
  };
}
