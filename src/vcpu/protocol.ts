/**
 * Messages between the main thread and a vCPU worker. Commands are drained
 * by the worker between blocks; the main thread also raises the worker's
 * exit-request word so a running or sleeping vCPU looks at once.
 */
export type VcpuCommand =
  | { type: 'stop'; ack?: number }
  | { type: 'cont'; ack?: number }
  | { type: 'reset'; ack?: number }
  | { type: 'flush'; ack?: number }
  | { type: 'exit'; ack?: number };

export type VcpuReport =
  | { type: 'ready' }
  | { type: 'ack'; id: number; pc: number }
  | { type: 'exited'; pc: number }
  | { type: 'fatal'; message: string };
