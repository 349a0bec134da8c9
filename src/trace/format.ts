/**
 * The text form of one event, shared by the log backend and tsemu-simpletrace.
 *
 * QEMU's log backend prints `qemu_log("%s " FMT "\n", name, args...)`; the
 * `vcpu` property of that era prefixed the format with `"cpu=%p "` (the
 * CPUState pointer). tsemu prints the vCPU index instead, in hex, like the
 * examples of docs/devel/tracing.txt:
 *
 *     foo a=0xd1
 *     bar cpu=0x1 a=0xd2
 *
 * An empty format leaves the trailing space after the name (or after
 * `cpu=0xN`), exactly as QEMU's concatenated format does.
 */
import { normalizeArg, type EventInfo, type TraceArg } from './event-info.js';
import { compileFormat, formatCompiled, type FormatSegment } from './printf.js';

const compiled = new WeakMap<EventInfo, readonly FormatSegment[]>();

function segmentsOf(info: EventInfo): readonly FormatSegment[] {
  let segments = compiled.get(info);
  if (segments === undefined) {
    segments = compileFormat(info.format);
    compiled.set(info, segments);
  }
  return segments;
}

/** The event's arguments converted to their C types (wrapping, bool to 0/1). */
export function normalizeArgs(info: EventInfo, args: readonly TraceArg[]): TraceArg[] {
  return info.args.map((a, i) => normalizeArg(a.type, args[i] ?? 0));
}

/** `name [cpu=0xN ]formatted-args`, without the newline. */
export function formatEventLine(info: EventInfo, cpu: number, args: readonly TraceArg[]): string {
  const vcpu = info.vcpu ? `cpu=0x${cpu.toString(16)} ` : '';
  return `${info.name} ${vcpu}${formatCompiled(segmentsOf(info), normalizeArgs(info, args))}`;
}
