/** QEMU's `nop` backend: events are dropped (the state checks still run). */
import type { TraceBackend } from './backend.js';

export class NopBackend implements TraceBackend {
  emit(): void {}
  flush(): void {}
  close(): void {}
}
