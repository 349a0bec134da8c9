/**
 * What the generated emit functions (generated/events.ts) consult, once per
 * thread: the event-state masks of this thread's TraceState view and the
 * dispatcher that receives enabled events.
 *
 * Every thread (main, translator service, each vCPU worker) has its own copy
 * of this module, so each one binds its own TraceState (attached to the shared
 * buffer) and its own dispatcher (usually a TraceDispatcher over a backend).
 * Until a thread binds, every event reads as disabled and nothing is dispatched.
 */
import type { TraceArg } from './event-info.js';
import type { TraceState } from './state.js';

/** The `cpu` passed to the dispatcher for events without the `vcpu` property. */
export const NO_VCPU = -1;

/** Receives every event that is enabled for its vCPU; `args` excludes the vCPU. */
export type TraceDispatch = (id: number, cpu: number, args: TraceArg[]) => void;

export interface TraceRuntime {
  /**
   * TraceState's per-event masks: bit n set = enabled for vCPU n; a non-vCPU
   * event has every bit set when enabled. The emit functions test bit `cpu`
   * (vCPU events) or bit 0 (others) — one typed-array read.
   */
  dstate: Int32Array;
  dispatch: TraceDispatch;
}

function dispatchNowhere(): void {}

export const traceRuntime: TraceRuntime = { dstate: new Int32Array(0), dispatch: dispatchNowhere };

/** Makes this thread's emit functions use `state` and send enabled events to `dispatch`. */
export function bindTraceRuntime(state: TraceState, dispatch: TraceDispatch): void {
  traceRuntime.dstate = state.dstate;
  traceRuntime.dispatch = dispatch;
}

/** Back to the unbound state (every event disabled). */
export function unbindTraceRuntime(): void {
  traceRuntime.dstate = new Int32Array(0);
  traceRuntime.dispatch = dispatchNowhere;
}
