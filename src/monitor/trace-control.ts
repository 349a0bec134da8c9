/**
 * QEMU 7.2's trace/qmp.c semantics on top of the target's event catalogue:
 * the checks (invalid vCPU, unknown event, not vCPU-specific, statically
 * disabled) and their texts, shared by QMP trace-event-get/set-state and the
 * HMP trace-event / info trace-events commands.
 */
import type { MonitorTarget, TraceEventInfo } from './target.js';

/** trace_event_is_pattern(): only `*` makes a pattern (a lone `?` is part of a name, as in QEMU). */
function isPattern(name: string): boolean {
  return name.includes('*');
}

/**
 * get_cpu(): QAPI passes the int64 `vcpu` to an `int`, so it is truncated to
 * 32 bits before the lookup, and printed with %u when it does not exist.
 */
function checkVcpu(target: MonitorTarget, vcpu: bigint | undefined): { index?: number; error?: string } {
  if (vcpu === undefined) return {};
  const index = Number(BigInt.asIntN(32, vcpu));
  if (!target.cpus().some((c) => c.index === index)) return { error: `invalid vCPU index ${BigInt.asUintN(32, vcpu)}` };
  return { index };
}

/** check_events(). */
function checkEvents(target: MonitorTarget, name: string, hasVcpu: boolean, ignoreUnavailable: boolean): string | undefined {
  if (!isPattern(name)) {
    const ev = target.traceEvents(name, undefined).find((e) => e.name === name);
    if (ev === undefined) return `unknown event "${name}"`;
    if (hasVcpu && !ev.vcpu) return `event "${name}" is not vCPU-specific`;
    if (!ignoreUnavailable && ev.state === 'unavailable') return `event "${name}" is disabled`;
    return undefined;
  }
  if (ignoreUnavailable) return undefined;
  const disabled = target.traceEvents(name, undefined).find((ev) => ev.state === 'unavailable');
  return disabled === undefined ? undefined : `event "${disabled.name}" is disabled`;
}

/** qmp_trace_event_get_state(): events in QEMU's (reversed) list order, or an error. */
export function traceEventGetState(target: MonitorTarget, name: string, vcpu: bigint | undefined): TraceEventInfo[] | string {
  const cpu = checkVcpu(target, vcpu);
  if (cpu.error !== undefined) return cpu.error;
  const problem = checkEvents(target, name, vcpu !== undefined, true);
  if (problem !== undefined) return problem;
  const events = target.traceEvents(name, cpu.index).filter((ev) => vcpu === undefined || ev.vcpu);
  return events.reverse(); // QEMU builds the list with QAPI_LIST_PREPEND
}

/** qmp_trace_event_set_state(): undefined on success, else the error text. */
export function traceEventSetState(
  target: MonitorTarget, name: string, enable: boolean, ignoreUnavailable: boolean, vcpu: bigint | undefined,
): string | undefined {
  const cpu = checkVcpu(target, vcpu);
  if (cpu.error !== undefined) return cpu.error;
  const problem = checkEvents(target, name, vcpu !== undefined, ignoreUnavailable);
  if (problem !== undefined) return problem;
  for (const ev of target.traceEvents(name, undefined)) {
    if (ev.state === 'unavailable' || (vcpu !== undefined && !ev.vcpu)) continue;
    target.setTraceEvent(ev.name, enable, cpu.index);
  }
  return undefined;
}
