/**
 * Event catalogs other than the built-in EVENTS: a trace-events file read at
 * run time (tsemu-simpletrace TRACE-EVENTS FILE) goes through the generator's
 * own parser, scripts/tracetool.mjs, so both agree on every rule.
 */
import { readFileSync } from 'node:fs';
import { isArgType, type EventArg, type EventInfo, type EventProperty } from './event-info.js';

/** scripts/tracetool.mjs, from dist/src/trace/ (where this module runs) or src/trace/. */
const TRACETOOL_URL = new URL('../../../scripts/tracetool.mjs', import.meta.url);

/** Parses a trace-events file (and optional instrument-events file) into EventInfo, ids from 0. */
export async function loadTraceEventsFile(path: string, instrumentPath?: string): Promise<EventInfo[]> {
  const text = readFileSync(path, 'utf8');
  const instrumentText = instrumentPath === undefined ? undefined : readFileSync(instrumentPath, 'utf8');
  const tool: unknown = await import(TRACETOOL_URL.href);
  const parse = tool !== null && typeof tool === 'object' && 'parseTraceEvents' in tool ? tool.parseTraceEvents : undefined;
  if (typeof parse !== 'function') throw new Error(`${TRACETOOL_URL.pathname} does not export parseTraceEvents`);
  const parsed: unknown = parse(text, path, { instrumentText, instrumentFileName: instrumentPath });
  if (!Array.isArray(parsed)) throw new Error('tracetool returned no event list');
  return parsed.map((value: unknown, i) => toEventInfo(value, i));
}

/** Checks one object from tracetool against the EventInfo shape. */
function toEventInfo(value: unknown, index: number): EventInfo {
  const o = record(value, `event ${index}`);
  const level = o.level;
  if (level !== undefined && level !== 'trans' && level !== 'exec') throw shapeError(`event ${index}: level`);
  return {
    id: num(o.id, 'id'),
    name: str(o.name, 'name'),
    baseName: str(o.baseName, 'baseName'),
    properties: list(o.properties, 'properties').map((p) => property(p)),
    args: list(o.args, 'args').map((a) => toEventArg(a)),
    format: str(o.format, 'format'),
    formatSource: str(o.formatSource, 'formatSource'),
    vcpu: bool(o.vcpu, 'vcpu'),
    level,
    peer: o.peer === undefined ? undefined : num(o.peer, 'peer'),
    staticEnabled: bool(o.staticEnabled, 'staticEnabled'),
    instrument: bool(o.instrument, 'instrument'),
    mode: o.mode === undefined ? undefined : str(o.mode, 'mode'),
    targets: o.targets === undefined ? undefined : str(o.targets, 'targets'),
    line: num(o.line, 'line'),
  };
}

function toEventArg(value: unknown): EventArg {
  const o = record(value, 'argument');
  const type = str(o.type, 'argument type');
  if (!isArgType(type)) throw shapeError(`argument type '${type}'`);
  return { name: str(o.name, 'argument name'), type, declaredType: str(o.declaredType, 'declaredType'), isTcgValue: bool(o.isTcgValue, 'isTcgValue') };
}

function property(value: unknown): EventProperty {
  if (value === 'disable' || value === 'tcg' || value === 'vcpu' || value === 'instrument') return value;
  throw shapeError(`property ${String(value)}`);
}

function record(value: unknown, what: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object') throw shapeError(what);
  return value as Record<string, unknown>;
}

function list(value: unknown, what: string): unknown[] {
  if (!Array.isArray(value)) throw shapeError(what);
  return value;
}

function str(value: unknown, what: string): string {
  if (typeof value !== 'string') throw shapeError(what);
  return value;
}

function num(value: unknown, what: string): number {
  if (typeof value !== 'number') throw shapeError(what);
  return value;
}

function bool(value: unknown, what: string): boolean {
  if (typeof value !== 'boolean') throw shapeError(what);
  return value;
}

function shapeError(what: string): Error {
  return new Error(`unexpected ${what} from tracetool`);
}
