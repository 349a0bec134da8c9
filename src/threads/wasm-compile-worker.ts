/**
 * A vCPU's WebAssembly compiler thread: turns the batches of hot blocks its vCPU sends into
 * modules (src/vcpu/wasm-tier.ts compileWasmRequest) while the vCPU goes on interpreting them,
 * so encoding and V8's compile of a batch (tens of milliseconds on a boot's cold code) are off
 * the guest's critical path. A module crosses threads as shared compiled code, not bytes.
 *
 * The vCPU does not run an event loop while it runs the guest, so it reads the answers with
 * receiveMessageOnPort; `posted` (a shared counter bumped after each answer) lets it see that
 * one is there with an Atomics.load instead of a call into Node.
 */
import { workerData, type MessagePort } from 'node:worker_threads';
import { compileWasmRequest, type WasmCompileRequest } from '../vcpu/wasm-tier.js';
import { decodeIr } from '../tcg/ir-serialize.js';
import type { IrWire } from '../abi/block-code.js';

/** A batch as the vCPU posts it: its blocks' IR on the wire (src/tcg/ir-serialize.ts). */
export type WasmCompileWire = Omit<WasmCompileRequest, 'blocks'> & { readonly blocks: readonly IrWire[] };

export interface WasmCompileWorkerData {
  readonly port: MessagePort;
  /** Answers posted so far (Int32 0); 1 once this thread has loaded and takes batches (Int32 1). */
  readonly posted: SharedArrayBuffer;
}

const { port, posted } = workerData as WasmCompileWorkerData;
const count = new Int32Array(posted);
Atomics.store(count, 1, 1);

port.on('message', (wire: WasmCompileWire) => {
  const req: WasmCompileRequest = { ...wire, blocks: wire.blocks.map(decodeIr) };
  try {
    port.postMessage(compileWasmRequest(req));
  } catch (e) {
    port.postMessage({ id: req.id, error: e instanceof Error ? e.message : String(e) });
  }
  Atomics.add(count, 0, 1);
});
