/**
 * Where the machine's -d log and trace output go, in every thread. Each
 * thread (main, translator service, every vCPU worker) writes its own log
 * lines and trace records, so an HMP log / logfile / trace-file change must
 * reach them all before the caller may close a file nobody uses any more.
 * Also the main thread's own log writes (guest errors from devices) and the
 * closing of its outputs at shutdown.
 */
import { closeSync } from 'node:fs';
import { writeAll } from '../util/write-all.js';
import type { OutputChange, ThreadLogSettings, ThreadTracing } from '../trace/thread-tracing.js';
import { applyTraceOutputChange } from '../trace/thread-tracing.js';
import type { VcpuThreads } from './vcpu-threads.js';

export class OutputFanout {
  /** `log` is the machine's live -d settings object (threads started later read it). */
  constructor(private readonly log: ThreadLogSettings, private readonly tracing: ThreadTracing, private readonly threads: VcpuThreads) {}

  /**
   * Apply `change` on the main thread, then in the translator service and
   * every vCPU worker (once per worker). Resolves true once all have; false
   * if some worker did not answer within 5 s.
   */
  async change(change: OutputChange): Promise<boolean> {
    if (change.kind === 'log') Object.assign(this.log, change.log);
    applyTraceOutputChange(this.tracing, change);
    if (this.threads.isShuttingDown) return true;
    const waits = this.threads.everyThread(
      (ack) => ({ type: 'output', change, ack }),
      (hart, ack) => ({ type: 'output', hart, ack, output: change }),
    );
    const timeout = new Promise<boolean>((r) => setTimeout(() => r(false), 5000).unref());
    return Promise.race([Promise.all(waits).then(() => true), timeout]);
  }

  /** A device's complaint about the guest, logged with -d guest_errors. */
  guestError(message: string): void {
    this.deviceLog('guestErrors', `${message}\n`);
  }

  /** A device's -d guest_errors or unimp text, written as given (QEMU's texts do not all end a line). */
  deviceLog(item: 'guestErrors' | 'unimp', text: string): void {
    if (this.log[item]) writeAll(this.log.fd, text);
  }

  /** At shutdown, after every thread has ended: save the trace backend and close the -D file. */
  close(): void {
    try { this.tracing.backend.close(); } catch { /* nothing more to save */ }
    if (this.log.fd > 2) {
      try { closeSync(this.log.fd); } catch { /* already closed */ }
    }
  }
}
