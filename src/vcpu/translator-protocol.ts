/**
 * Messages between the main thread and the translator service worker (src/threads/translator-worker.ts):
 * what it is started with and the control commands it drains between translations.
 */
import type { GuestMemoryBuffers } from '../memory/guest-memory.js';
import type { StateArea } from '../abi/state-layout.js';
import type { OutputChange, TracingConfig } from '../trace/thread-tracing.js';
import type { InstrCommand } from '../instr/thread-env.js';
import type { LibraryLoadMessage } from '../instr/thread-host.js';
import type { TranslatorChannelBuffers } from './translator-channel.js';

export interface TranslatorWorkerData {
  memory: GuestMemoryBuffers;
  channel: TranslatorChannelBuffers;
  log: { inAsm: boolean; op: boolean; outAsm: boolean; fd: number };
  symbols: { addr: number; size: number; name: string }[];
  tracing: TracingConfig;
  libraries: LibraryLoadMessage[];
  /** Which library callback the translator is in (src/instr/activity.ts). */
  instrActivity: SharedArrayBuffer;
  /** The simple trace backend's buffer, shared so a stuck translator's records are not lost (newTraceSpill). */
  traceSpill: SharedArrayBuffer;
  allStates: StateArea[];
  maxHarts: number;
}

export type TranslatorCommand =
  | { type: 'flush' }
  | { type: 'exit' }
  | { type: 'instr'; cmd: InstrCommand; ack: number }
  /** HMP log / logfile / trace-file: applied before the next translation, then acknowledged. */
  | { type: 'output'; change: OutputChange; ack: number };
