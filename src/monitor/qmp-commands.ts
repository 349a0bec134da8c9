/**
 * The QMP commands tsemu has, with their QAPI argument schemas (member order
 * matters: QEMU reports the first bad member in schema order) and QEMU 7.2's
 * reply shapes. Replies are built in QAPI member order; toJson() prints them
 * in QEMU's QDict order.
 */
import { runHumanMonitorCommand } from './hmp.js';
import { formatDouble, JsonObject, jsonObject, JsonValue } from './json-value.js';
import { QmpArgs, QmpArgSpec } from './qmp-args.js';
import type { CpuInstanceProps, MonitorTarget } from './target.js';
import { traceEventGetState, traceEventSetState } from './trace-control.js';

export type QmpErrorClass = 'GenericError' | 'CommandNotFound' | 'DeviceNotFound';

/** A command failure; `desc` is QEMU's message. */
export class QmpError extends Error {
  constructor(readonly errorClass: QmpErrorClass, readonly desc: string) {
    super(desc);
  }
}

function generic(desc: string): QmpError {
  return new QmpError('GenericError', desc);
}

export interface QmpCommand {
  readonly name: string;
  /** Argument schema, or 'any' for commands that take arbitrary members (device_add). */
  readonly args: readonly QmpArgSpec[] | 'any';
  /** Returns the "return" value; throws QmpError. `raw` is the unchecked arguments object. */
  run(target: MonitorTarget, args: QmpArgs, raw: JsonObject): JsonValue | Promise<JsonValue>;
}

const EMPTY: JsonValue = new Map();
const str = (name: string, optional = false): QmpArgSpec => ({ name, type: { kind: 'str' }, optional });
const int = (name: string, optional = false): QmpArgSpec => ({ name, type: { kind: 'int' }, optional });
const bool = (name: string, optional = false): QmpArgSpec => ({ name, type: { kind: 'bool' }, optional });

/** C `int` from a QAPI int64 (QEMU passes several of them to int parameters). */
function cInt(v: bigint): number {
  return Number(BigInt.asIntN(32, v));
}

function versionInfo(target: MonitorTarget): JsonObject {
  const { qemu, package: pkg } = target.version();
  return jsonObject([
    ['qemu', jsonObject([['major', BigInt(qemu.major)], ['minor', BigInt(qemu.minor)], ['micro', BigInt(qemu.micro)]])],
    ['package', pkg],
  ]);
}

/** The QMP greeting's version member is query-version's reply. */
export function greeting(target: MonitorTarget): JsonObject {
  return jsonObject([['QMP', jsonObject([['version', versionInfo(target)], ['capabilities', ['oob']]])]]);
}

function propsJson(props: CpuInstanceProps): JsonObject {
  const n = (v: number | undefined): bigint | undefined => (v === undefined ? undefined : BigInt(v));
  return jsonObject([['node-id', n(props.nodeId)], ['socket-id', n(props.socketId)], ['core-id', n(props.coreId)], ['thread-id', n(props.threadId)]]);
}

function queryCpusFast(target: MonitorTarget): JsonValue {
  return target.cpus().map((cpu) => jsonObject([
    ['cpu-index', BigInt(cpu.index)],
    ['qom-path', cpu.qomPath],
    ['thread-id', BigInt(cpu.threadId)],
    ['props', propsJson(cpu.props)],
    ['target', 'riscv64'],
  ]));
}

function queryHotpluggableCpus(target: MonitorTarget): JsonValue {
  return [...target.hotpluggableCpus()].reverse().map((slot) => jsonObject([
    ['type', slot.type],
    ['vcpus-count', BigInt(slot.vcpusCount)],
    ['props', propsJson(slot.props)],
    ['qom-path', slot.qomPath],
  ]));
}

function traceGetState(target: MonitorTarget, args: QmpArgs): JsonValue {
  const events = traceEventGetState(target, args.str('name') ?? '', args.int('vcpu'));
  if (typeof events === 'string') throw generic(events);
  return events.map((ev) => jsonObject([['name', ev.name], ['state', ev.state], ['vcpu', ev.vcpu]]));
}

function traceSetState(target: MonitorTarget, args: QmpArgs): JsonValue {
  const error = traceEventSetState(target, args.str('name') ?? '', args.bool('enable') ?? false,
    args.bool('ignore-unavailable') ?? false, args.int('vcpu'));
  if (error !== undefined) throw generic(error);
  return EMPTY;
}

async function humanMonitorCommand(target: MonitorTarget, args: QmpArgs): Promise<JsonValue> {
  const cpu = args.int('cpu-index');
  const output = await runHumanMonitorCommand(target, args.str('command-line') ?? '', cpu === undefined ? undefined : cInt(cpu));
  if (output === undefined) throw generic("Parameter 'cpu-index' expects a CPU number");
  return output;
}

/**
 * qemu_opts_from_qdict(): device properties as strings. Numbers print as
 * QEMU prints them, booleans as on/off; other JSON types and a non-string
 * `id` are ignored, as in QEMU.
 */
function deviceOptions(raw: JsonObject): Record<string, string> {
  const opts: Record<string, string> = {};
  for (const [key, v] of raw) {
    if (typeof v === 'string') opts[key] = v;
    else if (key === 'id') continue;
    else if (typeof v === 'bigint') opts[key] = v.toString();
    else if (typeof v === 'number') opts[key] = formatDouble(v);
    else if (typeof v === 'boolean') opts[key] = v ? 'on' : 'off';
  }
  return opts;
}

async function deviceAdd(target: MonitorTarget, raw: JsonObject): Promise<JsonValue> {
  const opts = deviceOptions(raw);
  if (opts.driver === undefined) throw generic("Parameter 'driver' is missing");
  const error = await target.deviceAdd(opts);
  if (error !== undefined) throw generic(error);
  return EMPTY;
}

async function deviceDel(target: MonitorTarget, args: QmpArgs): Promise<JsonValue> {
  const error = await target.deviceDel(args.str('id') ?? '');
  if (typeof error === 'string') throw generic(error);
  if (error !== undefined) throw new QmpError(error.errorClass, error.desc);
  return EMPTY;
}

async function instrLoad(target: MonitorTarget, args: QmpArgs): Promise<JsonValue> {
  const result = await target.instrLoad(args.str('path') ?? '', args.list('args') ?? [], args.str('id'));
  if ('error' in result) throw generic(result.error);
  return jsonObject([['id', result.id]]);
}

async function instrUnload(target: MonitorTarget, args: QmpArgs): Promise<JsonValue> {
  const error = await target.instrUnload(args.str('id') ?? '');
  if (error !== undefined) throw generic(error);
  return EMPTY;
}

/** `qmp_capabilities` is handled by the session (it changes the session's mode). */
export const QMP_CAPABILITIES_ARGS: readonly QmpArgSpec[] = [{ name: 'enable', type: { kind: 'enumList', values: ['oob'] }, optional: true }];

export const QMP_COMMANDS: readonly QmpCommand[] = [
  { name: 'query-version', args: [], run: (t) => versionInfo(t) },
  {
    name: 'query-status', args: [],
    run: (t) => { const s = t.status(); return jsonObject([['running', s.running], ['singlestep', false], ['status', s.status]]); },
  },
  { name: 'query-cpus-fast', args: [], run: queryCpusFast },
  { name: 'query-hotpluggable-cpus', args: [], run: queryHotpluggableCpus },
  { name: 'stop', args: [], run: async (t) => { await t.stop(); return EMPTY; } },
  {
    name: 'cont', args: [],
    run: async (t) => { const e = await t.cont(); if (e !== undefined) throw generic(e); return EMPTY; },
  },
  { name: 'system_reset', args: [], run: async (t) => { await t.systemReset(); return EMPTY; } },
  { name: 'quit', args: [], run: (t) => { t.quit(); return EMPTY; } },
  { name: 'trace-event-get-state', args: [str('name'), int('vcpu', true)], run: traceGetState },
  { name: 'trace-event-set-state', args: [str('name'), bool('enable'), bool('ignore-unavailable', true), int('vcpu', true)], run: traceSetState },
  { name: 'instr-load', args: [str('path'), str('id', true), { name: 'args', type: { kind: 'strList' }, optional: true }], run: instrLoad },
  { name: 'instr-unload', args: [str('id')], run: instrUnload },
  { name: 'human-monitor-command', args: [str('command-line'), int('cpu-index', true)], run: humanMonitorCommand },
  { name: 'device_add', args: 'any', run: (t, _args, raw) => deviceAdd(t, raw) },
  { name: 'device_del', args: [str('id')], run: deviceDel },
];

/** Every command name, for query-commands (qmp_capabilities included). */
export function commandNames(): string[] {
  return ['qmp_capabilities', 'query-commands', ...QMP_COMMANDS.map((c) => c.name)];
}
