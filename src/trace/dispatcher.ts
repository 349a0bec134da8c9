/**
 * Per-thread routing of enabled events: to an instrumentation hook when one
 * is set for the event (QEMU's qi_ctrl_event_set()), else to the tracing
 * backend. A hook replaces the backend call; it may call trace() to do what
 * the backend would have done (QEMU's qi_event_<name>_trace()).
 *
 * Hooks only run for events that are enabled (static and dynamic state for
 * the vCPU), as in the instrumentation document's example, which enables the
 * event next to setting its callback.
 */
import type { TraceBackend } from './backend.js';
import type { EventInfo, TraceArg } from './event-info.js';
import { EVENTS, type EventArgs, type EventName } from './generated/events.js';
import { bindTraceRuntime, type TraceDispatch } from './runtime.js';
import type { TraceState } from './state.js';

/** Receives an event instead of the backend; `args` as in EventArgs. */
export type EventHook = (cpu: number, args: TraceArg[]) => void;

export class TraceDispatcher {
  private readonly hooks: (EventHook | undefined)[];

  constructor(
    public backend: TraceBackend,
    private readonly events: readonly EventInfo[] = EVENTS,
  ) {
    this.hooks = events.map(() => undefined);
  }

  /** The function to bind into the runtime (bound to this dispatcher). */
  readonly dispatch: TraceDispatch = (id, cpu, args) => {
    const hook = this.hooks[id];
    if (hook === undefined) this.backend.emit(id, cpu, args);
    else hook(cpu, args);
  };

  /** Hook an `instrument` event; undefined goes back to the backend. */
  setHook(id: number, hook: EventHook | undefined): void {
    const info = this.events[id];
    if (info === undefined) throw new RangeError(`no trace event with id ${id}`);
    if (!info.instrument) throw new Error(`trace event '${info.name}' does not have the 'instrument' property`);
    this.hooks[id] = hook;
  }

  hook(id: number): EventHook | undefined {
    return this.hooks[id];
  }

  /** Every hook back to the backend (library unload). */
  clearHooks(): void {
    this.hooks.fill(undefined);
  }

  /** What the backend does with the event (QEMU's qi_event_<name>_trace()). */
  trace(id: number, cpu: number, args: TraceArg[]): void {
    this.backend.emit(id, cpu, args);
  }
}

/** An EventHook from a function taking the event's typed arguments. */
export function typedHook<N extends EventName>(_name: N, fn: (cpu: number, ...args: EventArgs[N]) => void): EventHook {
  return (cpu, args) => fn(cpu, ...(args as unknown as EventArgs[N]));
}

/** Sets up this thread: its emit functions read `state` and go through a dispatcher over `backend`. */
export function startThreadTracing(state: TraceState, backend: TraceBackend): TraceDispatcher {
  const dispatcher = new TraceDispatcher(backend, state.events);
  bindTraceRuntime(state, dispatcher.dispatch);
  return dispatcher;
}
