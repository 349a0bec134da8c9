/** -trace (QEMU's trace option syntax) and -instr (tsemu's instrumentation modules, like QEMU's -plugin). */
import { optionError } from './option-error.js';
import { parseOptParams } from './qemu-opts.js';

export interface TraceSpec {
  /** Event-name pattern with `*` wildcards; a leading `-` disables, as in QEMU. */
  readonly enable: string | undefined;
  /** File listing patterns, one per line. */
  readonly events: string | undefined;
  /** Output file for the trace backend. */
  readonly file: string | undefined;
}

export interface InstrSpec {
  /** Path of the instrumentation module to load. */
  readonly file: string;
  /** Every `arg=` value, in command-line order. */
  readonly args: readonly string[];
}

const TRACE_KEYS = ['enable', 'events', 'file'] as const;

function isTraceKey(key: string): key is (typeof TRACE_KEYS)[number] {
  return (TRACE_KEYS as readonly string[]).includes(key);
}

/** `-trace [enable=]PATTERN[,events=FILE][,file=FILE]`. */
export function parseTrace(arg: string, where: string, warnings: string[]): TraceSpec {
  const { params, warnings: w } = parseOptParams(arg, { style: 'qemu-opts', impliedKey: 'enable' }, where);
  warnings.push(...w);
  const spec: { enable?: string; events?: string; file?: string } = {};
  for (const { key, value } of params) {
    if (!isTraceKey(key)) throw optionError(where, `Invalid parameter '${key}'`);
    spec[key] = value;
  }
  return { enable: spec.enable, events: spec.events, file: spec.file };
}

/** `-instr [file=]PATH[,arg=A]...`: the module and its arguments in order. */
export function parseInstr(arg: string, where: string, warnings: string[]): InstrSpec {
  const { params, warnings: w } = parseOptParams(arg, { style: 'qemu-opts', impliedKey: 'file' }, where);
  warnings.push(...w);
  let file: string | undefined;
  const args: string[] = [];
  for (const { key, value } of params) {
    if (key === 'file') file = value;
    else if (key === 'arg') args.push(value);
    else throw optionError(where, `Invalid parameter '${key}'`);
  }
  if (file === undefined || file === '') throw optionError(where, "Parameter 'file' is missing");
  return { file, args };
}
