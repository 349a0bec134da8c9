/**
 * The behaviour behind the generated qi_event_*_trace and *_gen_exec
 * functions (src/instr/api/events.ts), kept here so the generated file stays
 * declarations only.
 */
import { runtime } from './runtime.js';
import type { QICPU } from './api/types.js';

export const eventCallbacks = {
  /** qi_event_<event>_trace: trace with the configured backend, if enabled for the vCPU. */
  trace(fn: string, id: number, cpu: QICPU | undefined, args: readonly unknown[]): void {
    const rt = runtime(fn);
    rt.caller(fn);
    const ev = rt.event(id, fn);
    const index = cpu?.index ?? 0;
    if (ev.level === 'trans') {
      rt.traceTrans(ev, index, rt.irArgs(fn, ev, args));
      return;
    }
    if (rt.hooks.trace.enabled(id, index)) rt.hooks.trace.emit(id, index, args as (number | bigint | string)[]);
  },

  /** qi_event_<event>_gen_exec: only inside a translation callback. */
  genExec(fn: string, id: number, cpu: QICPU, args: readonly unknown[]): void {
    const rt = runtime(fn);
    rt.caller(fn);
    rt.requireTranslation(fn);
    const ev = rt.event(id, fn);
    void cpu;
    rt.genExec(ev, rt.irArgs(fn, ev, args));
  },
};
