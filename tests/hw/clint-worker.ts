/**
 * Worker used by clint.unit.spec: acts as a vCPU thread sharing the CLINT state.
 * Commands arrive as messages; answers go back with postMessage.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Clint, ClintShared } from '../../src/hw/clint.js';
import { stateViews, WORD_WAKE } from '../../src/abi/state-layout.js';
import { VIRT } from '../../src/machine/virt-map.js';

interface Data {
  clint: SharedArrayBuffer;
  states: SharedArrayBuffer[];
}

const data = workerData as Data;
const shared = new ClintShared(data.clint);
const views = data.states.map((b) => stateViews(b));
const clint = new Clint(shared, views.length, (hart) => views[hart], VIRT.clint);

parentPort?.on('message', (msg: unknown) => {
  if (msg === 'mtime') {
    parentPort?.postMessage(shared.mtime());
  } else if (msg === 'msip1') {
    clint.write(4, 4, 1n); // raise MSIP of hart 1 from this thread
    parentPort?.postMessage('done');
  } else if (msg === 'wfi0') {
    // Sleep like a halted hart 0 until someone kicks WORD_WAKE.
    const wake = views[0];
    if (!wake) throw new Error('no hart 0');
    const seen = Atomics.load(wake.i32, WORD_WAKE);
    parentPort?.postMessage('sleeping');
    const result = Atomics.wait(wake.i32, WORD_WAKE, seen, 5000);
    parentPort?.postMessage(result);
  }
});
