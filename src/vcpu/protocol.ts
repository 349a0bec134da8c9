/**
 * Messages between the main thread and a vCPU worker. Commands name the hart
 * they are for (a thread=single worker runs several) and are drained by the
 * worker between blocks; the main thread also raises that hart's
 * exit-request word so a running or sleeping vCPU looks at once.
 */
import type { OutputChange } from '../machine/tracing.js';

export type VcpuCommandType = 'stop' | 'cont' | 'reset' | 'flush' | 'exit' | 'unplug' | 'instr' | 'add-hart' | 'output';

export interface VcpuCommand {
  type: VcpuCommandType;
  hart: number;
  /** When set, the worker answers with an `ack` carrying this id once the command took effect. */
  ack?: number;
  /** For 'instr': the instrumentation command (src/instr/thread-env.ts InstrCommand). */
  instr?: unknown;
  /** For 'add-hart' (thread=single): the new hart (src/vcpu/worker.ts HartSpec). */
  spec?: unknown;
  /** For 'output' (HMP log / logfile / trace-file): sent once per worker, it changes the worker's writers. */
  output?: OutputChange;
}

export type VcpuReport =
  | { type: 'ready' }
  | { type: 'ack'; id: number; hart: number; pc: number; error?: string }
  | { type: 'exited'; hart: number; pc: number }
  | { type: 'fatal'; message: string };
