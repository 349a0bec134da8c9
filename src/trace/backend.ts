/**
 * Where enabled events go once the dispatcher has them (QEMU's tracing
 * backends). Each thread owns its backend instances; they share only files.
 */
import type { TraceArg } from './event-info.js';
import type { EventId } from './generated/events.js';

export interface TraceBackend {
  /** One event; `cpu` is the vCPU index (NO_VCPU for non-vCPU events), `args` exclude it. */
  emit(id: EventId, cpu: number, args: TraceArg[]): void;
  /** Write out anything buffered. */
  flush(): void;
  /** Flush and release what the backend owns. */
  close(): void;
}
