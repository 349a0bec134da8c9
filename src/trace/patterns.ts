/**
 * Event-name patterns as QEMU's trace/control.c uses them: glob matching with
 * `*` and `?` (GLib's g_pattern_match_simple), a name counts as a pattern
 * only if it has a `*` (trace_event_is_pattern), and a leading `-` in an
 * events line disables instead of enabling.
 */
import type { EventInfo } from './event-info.js';
import { EVENTS } from './generated/events.js';
import type { TraceState } from './state.js';

/** `*` matches any run of characters (also none), `?` exactly one; nothing is escaped. */
export function globMatch(pattern: string, name: string): boolean {
  const p = Array.from(pattern);
  const s = Array.from(name);
  let pi = 0;
  let si = 0;
  let starP = -1; // position after the last `*` seen
  let starS = 0; // where that `*` started matching in the name
  while (si < s.length) {
    if (pi < p.length && (p[pi] === '?' || (p[pi] !== '*' && p[pi] === s[si]))) {
      pi++;
      si++;
    } else if (pi < p.length && p[pi] === '*') {
      starP = ++pi;
      starS = si;
    } else if (starP >= 0) {
      pi = starP; // let the last `*` swallow one more character
      si = ++starS;
    } else {
      return false;
    }
  }
  while (pi < p.length && p[pi] === '*') pi++;
  return pi === p.length;
}

/** QEMU calls a name a pattern when it contains `*` (not `?`). */
export function isPattern(text: string): boolean {
  return text.includes('*');
}

/** QEMU's trace_event_iter: the events whose names match, in id order (all events for undefined). */
export function matchingEvents(pattern: string | undefined, events: readonly EventInfo[] = EVENTS): EventInfo[] {
  return pattern === undefined ? [...events] : events.filter((e) => globMatch(pattern, e.name));
}

/** The first event with exactly this name. */
export function findEvent(name: string, events: readonly EventInfo[] = EVENTS): EventInfo | undefined {
  return events.find((e) => e.name === name);
}

/**
 * QEMU's do_trace_enable_events() for one `-trace` pattern or events-file line:
 * `[-]NAME_OR_GLOB`. A plain name (no `*`) changes the first match only and
 * warns when nothing matches or the event is not traceable; a pattern changes
 * every statically enabled match and never warns.
 * Returns the warning text (without program name or location), if any.
 */
export function applyEventPattern(state: TraceState, line: string): string | undefined {
  const enable = !line.startsWith('-');
  const pattern = enable ? line : line.slice(1);
  const isGlob = isPattern(pattern);
  for (const e of state.events) {
    if (!globMatch(pattern, e.name)) continue;
    if (!e.staticEnabled) {
      if (!isGlob) return `trace event '${pattern}' is not traceable`;
      continue;
    }
    state.setDynamic(e.id, enable);
    if (!isGlob) return undefined;
  }
  return isGlob ? undefined : `trace event '${pattern}' does not exist`;
}
