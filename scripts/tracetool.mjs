#!/usr/bin/env node
/**
 * tracetool: tsemu's analogue of QEMU's scripts/tracetool.py.
 *
 * Reads `trace-events` (QEMU's syntax, docs/devel/tracing.txt) and the optional
 * `instrument-events` list (the equivalent of configure's
 * `--with-instrument-events=FILE`), and writes `src/trace/generated/events.ts`:
 * the EventId enum, the EVENTS metadata table, the EventArgs typings and one
 * typed emit function per event.
 *
 *   node scripts/tracetool.mjs [--input FILE] [--instrument-events FILE]
 *                              [--output FILE] [--runtime-dir SPEC] [--json]
 *                              [--disable-all]
 *
 * --disable-all marks every event `disable` (compiled out: empty emit
 * functions, never fires), as if each line of trace-events carried the
 * property; the benchmarks build such a copy to measure what disabled
 * events cost.
 *
 * Plain Node ESM with no dependencies, because it runs before tsc. The parser
 * is exported (parseTraceEvents) so that tsemu-simpletrace can read a
 * trace-events file given on its command line with the very same rules.
 *
 * A malformed line stops the build with `FILE:LINE: reason` and exit status 1.
 */
import { readFileSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Properties QEMU's tracetool accepts on an event line. */
const VALID_PROPERTIES = ['disable', 'tcg', 'vcpu', 'instrument'];

/**
 * Argument types tsemu accepts, and how each travels at run time.
 * bits/signed drive value normalisation (C's conversion to the parameter type).
 */
const HOST_TYPES = new Map([
  ['uint8_t', { bits: 8, signed: false, js: 'number' }],
  ['uint16_t', { bits: 16, signed: false, js: 'number' }],
  ['uint32_t', { bits: 32, signed: false, js: 'number' }],
  ['uint64_t', { bits: 64, signed: false, js: 'bigint' }],
  ['int8_t', { bits: 8, signed: true, js: 'number' }],
  ['int16_t', { bits: 16, signed: true, js: 'number' }],
  ['int32_t', { bits: 32, signed: true, js: 'number' }],
  ['int64_t', { bits: 64, signed: true, js: 'bigint' }],
  ['bool', { bits: 32, signed: false, js: 'boolean' }],
  ['const char *', { bits: 64, signed: false, js: 'string' }],
  ['void *', { bits: 64, signed: false, js: 'bigint' }],
]);

/**
 * TCG value types: only known when the guest code runs. At execution level
 * they become the host type (QEMU's TCG_2_HOST transform; TCGv is
 * target_ulong, 64-bit on RV64); at translation level they are dropped.
 */
const TCG_TYPES = new Map([
  ['TCGv', 'uint64_t'],
  ['TCGv_i32', 'uint32_t'],
  ['TCGv_i64', 'uint64_t'],
]);

/** <inttypes.h> macros as glibc defines them on an LP64 host. */
const PRI_MACRO = /^PRI([diouxX])(8|16|32|64|PTR)$/;

/** The vCPU is the implicit first argument of `vcpu` events (printed as `cpu=`). */
const VCPU_ARG_NAME = 'cpu';

export class TraceEventsError extends Error {
  constructor(file, line, reason) {
    super(`${file}:${line}: ${reason}`);
    this.name = 'TraceEventsError';
    this.file = file;
    this.line = line;
    this.reason = reason;
  }
}

// ---------------------------------------------------------------------------
// Parsing
// ---------------------------------------------------------------------------

/**
 * Parses trace-events text into concrete events (a `tcg` event `foo` becomes
 * `foo_trans` and `foo_exec`), in file order, ids counting from 0.
 * `instrumentNames` adds the `instrument` property to the named events.
 * Throws TraceEventsError for the first problem.
 */
export function parseTraceEvents(text, fileName = 'trace-events', options = {}) {
  const declarations = readDeclarations(text, fileName);
  applyInstrumentList(declarations, options.instrumentText, options.instrumentFileName ?? 'instrument-events');
  return expandDeclarations(declarations, fileName);
}

function readDeclarations(text, fileName) {
  const lines = text.split('\n');
  if (text.length > 0 && !text.endsWith('\n')) {
    throw new TraceEventsError(fileName, lines.length, 'file does not end with a new line');
  }
  const declarations = [];
  let comments = [];
  lines.forEach((raw, index) => {
    const lineNo = index + 1;
    const trimmed = raw.trim();
    if (trimmed === '') {
      comments = []; // a blank line detaches the comment block above it
      return;
    }
    if (trimmed.startsWith('#')) {
      comments.push(trimmed.replace(/^#+ ?/, ''));
      return;
    }
    try {
      declarations.push({ ...parseEventLine(raw), line: lineNo, ...describeComments(comments) });
    } catch (e) {
      if (e instanceof LineError) throw new TraceEventsError(fileName, lineNo, e.message);
      throw e;
    }
    comments = [];
  });
  return declarations;
}

/** A problem within one line; becomes a TraceEventsError with the line number. */
class LineError extends Error {}

/** Splits the comment block above an event into prose and the Mode:/Targets: lines. */
function describeComments(comments) {
  let mode;
  let targets;
  const doc = [];
  for (const c of comments) {
    const m = /^(Mode|Targets):\s*(.*)$/.exec(c);
    if (m && m[1] === 'Mode') mode = m[2];
    else if (m) targets = m[2];
    else doc.push(c);
  }
  while (doc.length > 0 && doc[doc.length - 1] === '') doc.pop();
  while (doc.length > 0 && doc[0] === '') doc.shift();
  return { doc: doc.join('\n'), mode, targets };
}

/** `[properties] name(args) "format"[, "format"]` */
function parseEventLine(raw) {
  const open = raw.indexOf('(');
  if (open < 0) throw new LineError(`expected 'name(args) "format"'`);
  const head = raw.slice(0, open).trim().split(/\s+/).filter((w) => w !== '');
  const name = head.pop();
  if (name === undefined) throw new LineError('missing event name');
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new LineError(`invalid event name '${name}'`);
  const properties = checkProperties(head);
  const close = raw.indexOf(')', open);
  if (close < 0) throw new LineError("missing ')' after the arguments");
  const args = parseArguments(raw.slice(open + 1, close));
  const formats = parseFormats(raw.slice(close + 1));
  return { name, properties, args, formats };
}

function checkProperties(words) {
  const unknown = words.filter((w) => !VALID_PROPERTIES.includes(w));
  if (unknown.length > 0) throw new LineError(`Unknown properties: ${unknown.join(', ')}`);
  const seen = new Set();
  for (const w of words) {
    if (seen.has(w)) throw new LineError(`duplicate property '${w}'`);
    seen.add(w);
  }
  return words;
}

/** QEMU's Arguments.build(): `void`, or comma-separated `type name`. */
function parseArguments(text) {
  const args = [];
  for (const piece of text.split(',')) {
    const arg = piece.trim();
    if (arg === '') throw new LineError("Empty argument (did you forget to use 'void'?)");
    if (arg === 'void') {
      if (text.trim() !== 'void') throw new LineError("'void' must be the only argument");
      continue;
    }
    args.push(parseArgument(arg));
  }
  const names = new Set();
  for (const a of args) {
    if (names.has(a.name)) throw new LineError(`duplicate argument name '${a.name}'`);
    names.add(a.name);
  }
  return args;
}

function parseArgument(arg) {
  let type;
  let name;
  const star = arg.lastIndexOf('*');
  if (star >= 0) {
    type = `${arg.slice(0, star)}*`;
    name = arg.slice(star + 1).trim();
  } else {
    const m = /^(.*\S)\s+(\S+)$/.exec(arg);
    if (m === null) throw new LineError(`argument '${arg}' has no name`);
    type = m[1];
    name = m[2];
  }
  type = type.replace(/\s*\*/g, ' *').replace(/\s+/g, ' ').trim();
  if (name === '') throw new LineError(`argument '${arg}' has no name`);
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new LineError(`invalid argument name '${name}'`);
  if (!HOST_TYPES.has(type) && !TCG_TYPES.has(type)) {
    throw new LineError(
      `Argument type '${type}' is not allowed. Only uint8_t..uint64_t, int8_t..int64_t, bool, ` +
        "'const char *', 'void *', TCGv, TCGv_i32 and TCGv_i64 can be used; other pointers should be declared as 'void *'",
    );
  }
  return { name, type };
}

/**
 * The part after `)`: one format, or two separated by a comma for `tcg`
 * events. A format is a run of C string literals and PRI* macros.
 */
function parseFormats(text) {
  const formats = [];
  let current;
  let i = 0;
  const finish = () => {
    if (current === undefined || !current.hasLiteral) throw new LineError('missing format string');
    formats.push(current);
    current = undefined;
  };
  while (i < text.length) {
    const c = text[i];
    if (/\s/.test(c)) {
      i++;
    } else if (c === '"') {
      const lit = readStringLiteral(text, i);
      current ??= { text: '', source: '', hasLiteral: false };
      current.text += lit.value;
      current.source += text.slice(i, lit.end);
      current.hasLiteral = true;
      i = lit.end;
    } else if (c === ',') {
      finish();
      i++;
    } else if (/[A-Za-z_]/.test(c)) {
      const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i))[0];
      const m = PRI_MACRO.exec(word);
      if (m === null) throw new LineError(`unexpected '${word}' in the format (only PRI* macros may appear between strings)`);
      current ??= { text: '', source: '', hasLiteral: false };
      current.text += (m[2] === '64' || m[2] === 'PTR' ? 'l' : '') + m[1];
      current.source += word;
      i += word.length;
    } else {
      throw new LineError(`unexpected '${c}' after the arguments`);
    }
  }
  if (current !== undefined || formats.length > 0) finish();
  if (formats.length === 0) throw new LineError('missing format string');
  if (formats.length > 2) throw new LineError('too many format strings');
  return formats.map(({ text: t, source }) => ({ text: t, source }));
}

const SIMPLE_ESCAPES = { n: '\n', t: '\t', r: '\r', a: '\x07', b: '\b', f: '\f', v: '\v', '\\': '\\', '"': '"', "'": "'", '?': '?' };

/** A C string literal starting at text[start] === '"'. */
function readStringLiteral(text, start) {
  let value = '';
  let i = start + 1;
  while (i < text.length) {
    const c = text[i];
    if (c === '"') return { value, end: i + 1 };
    if (c !== '\\') {
      value += c;
      i++;
      continue;
    }
    const e = text[i + 1];
    if (e === undefined) break;
    if (e in SIMPLE_ESCAPES) {
      value += SIMPLE_ESCAPES[e];
      i += 2;
    } else if (/[0-7]/.test(e)) {
      const digits = /^[0-7]{1,3}/.exec(text.slice(i + 1))[0];
      value += String.fromCharCode(parseInt(digits, 8));
      i += 1 + digits.length;
    } else if (e === 'x') {
      const digits = /^[0-9A-Fa-f]+/.exec(text.slice(i + 2));
      if (digits === null) throw new LineError('\\x used with no following hex digits');
      value += String.fromCharCode(parseInt(digits[0], 16) & 0xff);
      i += 2 + digits[0].length;
    } else {
      throw new LineError(`unknown escape sequence '\\${e}' in the format`);
    }
  }
  throw new LineError('unterminated string in the format');
}

// ---------------------------------------------------------------------------
// Format checking (what -Wformat would catch in QEMU's C build)
// ---------------------------------------------------------------------------

const CONVERSION = /%([-+ #0']*)(\d+|\*)?(?:\.(\d*|\*))?(hh|h|ll|l|j|z|t|L|q)?(.)/g;

/** The conversions of a printf format, in order (`%%` excluded). */
function conversionsOf(format) {
  const out = [];
  for (const m of format.matchAll(CONVERSION)) {
    const [spec, , width, precision, length, conv] = m;
    if (conv === '%' && spec === '%%') continue;
    if (conv === 'm') throw new LineError("Event format '%m' is forbidden, pass the error as an explicit trace argument");
    if (width === '*' || precision === '*') throw new LineError(`'*' width or precision is not supported ('${spec}')`);
    if (!'diouxXcsp'.includes(conv)) throw new LineError(`unsupported conversion '${spec}' in the format`);
    if (length === 'L' || length === 'q') throw new LineError(`unsupported length modifier in '${spec}'`);
    out.push({ spec, length: length ?? '', conv });
  }
  const stray = format.replace(CONVERSION, '').indexOf('%');
  if (stray >= 0) throw new LineError("incomplete '%' conversion at the end of the format");
  return out;
}

function checkFormat(format, args) {
  if (format.endsWith('\n')) throw new LineError('Event format must not end with a newline character');
  const convs = conversionsOf(format);
  if (convs.length !== args.length) {
    throw new LineError(`format "${escapeForMessage(format)}" has ${convs.length} conversion(s) for ${args.length} argument(s)`);
  }
  convs.forEach((c, i) => checkConversion(c, args[i]));
}

function checkConversion(conv, arg) {
  const host = HOST_TYPES.get(arg.type);
  const wide = ['l', 'll', 'j', 'z', 't'].includes(conv.length);
  const mismatch = () => new LineError(`format '${conv.spec}' does not match argument '${arg.name}' (${arg.declaredType})`);
  if (conv.conv === 's') {
    if (host.js !== 'string') throw mismatch();
  } else if (conv.conv === 'p') {
    if (arg.type !== 'void *') throw mismatch();
  } else if (host.js === 'string' || arg.type === 'void *' || wide !== (host.bits === 64)) {
    throw mismatch();
  }
}

function escapeForMessage(s) {
  return s.replace(/\n/g, '\\n');
}

// ---------------------------------------------------------------------------
// From declarations to concrete events
// ---------------------------------------------------------------------------

function applyInstrumentList(declarations, text, fileName) {
  if (text === undefined) return;
  const byName = new Map(declarations.map((d) => [d.name, d]));
  text.split('\n').forEach((raw, index) => {
    const name = raw.replace(/#.*$/, '').trim();
    if (name === '') return;
    const decl = byName.get(name);
    if (decl === undefined) throw new TraceEventsError(fileName, index + 1, `no event named '${name}' in trace-events`);
    if (decl.properties.includes('disable')) {
      throw new TraceEventsError(fileName, index + 1, `event '${name}' has the 'disable' property and cannot be instrumented`);
    }
    if (!decl.properties.includes('instrument')) decl.properties = [...decl.properties, 'instrument'];
  });
}

function expandDeclarations(declarations, fileName) {
  const events = [];
  const firstLine = new Map();
  const add = (event, line) => {
    const seen = firstLine.get(event.name);
    if (seen !== undefined) throw new TraceEventsError(fileName, line, `duplicate event '${event.name}' (see line ${seen})`);
    firstLine.set(event.name, line);
    events.push(orderedEvent(event, events.length));
  };
  for (const d of declarations) {
    try {
      for (const event of concreteEvents(d)) add(event, d.line);
    } catch (e) {
      if (e instanceof LineError) throw new TraceEventsError(fileName, d.line, e.message);
      throw e;
    }
  }
  // Both levels of a tcg event always exist, so every level has its peer.
  const idByName = new Map(events.map((e) => [e.name, e.id]));
  for (const e of events) {
    if (e.level !== undefined) e.peer = idByName.get(peerName(e));
  }
  return events;
}

/** The event object with the EventInfo fields in their documented order. */
function orderedEvent(e, id) {
  return {
    id,
    name: e.name,
    baseName: e.baseName,
    properties: e.properties,
    args: e.args,
    format: e.format,
    formatSource: e.formatSource,
    vcpu: e.vcpu,
    level: e.level,
    peer: e.peer,
    staticEnabled: e.staticEnabled,
    instrument: e.instrument,
    mode: e.mode,
    targets: e.targets,
    doc: e.doc,
    line: e.line,
  };
}

function peerName(e) {
  return `${e.baseName}_${e.level === 'trans' ? 'exec' : 'trans'}`;
}

/** One event, or the `_trans`/`_exec` pair of a `tcg` event (QEMU's read_events()). */
function concreteEvents(d) {
  const isTcg = d.properties.includes('tcg');
  const vcpu = d.properties.includes('vcpu');
  if (isTcg && d.formats.length !== 2) throw new LineError("Events with 'tcg' property must have two format strings");
  if (!isTcg && d.formats.length !== 1) throw new LineError("Only events with 'tcg' property can have two format strings");
  if (vcpu && d.args.some((a) => a.name === VCPU_ARG_NAME)) {
    throw new LineError(`argument name '${VCPU_ARG_NAME}' is reserved for the vCPU of 'vcpu' events`);
  }
  const tcgArg = d.args.find((a) => TCG_TYPES.has(a.type));
  if (!isTcg && tcgArg !== undefined) throw new LineError(`argument '${tcgArg.name}' has TCG type '${tcgArg.type}' but the event lacks the 'tcg' property`);
  const execArgs = d.args.map((a) => ({
    name: a.name,
    type: TCG_TYPES.get(a.type) ?? a.type,
    declaredType: a.type,
    isTcgValue: TCG_TYPES.has(a.type),
  }));
  const common = {
    baseName: d.name,
    properties: d.properties,
    vcpu,
    staticEnabled: !d.properties.includes('disable'),
    instrument: d.properties.includes('instrument'),
    mode: d.mode,
    targets: d.targets,
    doc: d.doc,
    line: d.line,
  };
  if (!isTcg) {
    checkFormat(d.formats[0].text, execArgs);
    return [{ ...common, name: d.name, args: execArgs, format: d.formats[0].text, formatSource: d.formats[0].source, level: undefined, peer: undefined }];
  }
  const transArgs = execArgs.filter((a) => !a.isTcgValue);
  checkFormat(d.formats[0].text, transArgs);
  checkFormat(d.formats[1].text, execArgs);
  return [
    { ...common, name: `${d.name}_trans`, args: transArgs, format: d.formats[0].text, formatSource: d.formats[0].source, level: 'trans', peer: undefined },
    { ...common, name: `${d.name}_exec`, args: execArgs, format: d.formats[1].text, formatSource: d.formats[1].source, level: 'exec', peer: undefined },
  ];
}

// ---------------------------------------------------------------------------
// Rendering src/trace/generated/events.ts
// ---------------------------------------------------------------------------

/** A TypeScript single-quoted string literal. */
function q(s) {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t').replace(/[\x00-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)}'`;
}

function tsType(arg) {
  return HOST_TYPES.get(arg.type).js;
}

function jsDoc(event, indent) {
  const lines = [];
  if (event.doc !== '') lines.push(...event.doc.split('\n'));
  if (event.level !== undefined) {
    if (lines.length > 0) lines.push('');
    lines.push(event.level === 'trans'
      ? `Translation level of \`${event.baseName}\` (raised when the guest code is translated).`
      : `Execution level of \`${event.baseName}\` (raised each time the translated code runs).`);
  }
  if (event.mode !== undefined || event.targets !== undefined) {
    if (lines.length > 0) lines.push('');
    if (event.mode !== undefined) lines.push(`Mode: ${event.mode}`);
    if (event.targets !== undefined) lines.push(`Targets: ${event.targets}`);
  }
  if (lines.length > 0) lines.push('');
  lines.push(`trace-events:${event.line}: ${event.properties.length > 0 ? `${event.properties.join(' ')} ` : ''}${event.baseName}`);
  if (!event.staticEnabled) lines.push('Disabled in trace-events (`disable`): compiled out, never fires.');
  const body = lines.map((l) => `${indent} *${l === '' ? '' : ` ${l.replace(/\*\//g, '*\\/')}`}`);
  return [`${indent}/**`, ...body, `${indent} */`];
}

function renderEnum(events) {
  const out = ['/** Every concrete event; a `tcg` event `foo` is `foo_trans` and `foo_exec`. */', 'export const enum EventId {'];
  for (const e of events) out.push(`  ${e.name} = ${e.id},`);
  out.push('}', '', `export const EVENT_COUNT = ${events.length};`);
  return out;
}

function renderArgInfo(a) {
  return `{ name: ${q(a.name)}, type: ${q(a.type)}, declaredType: ${q(a.declaredType)}, isTcgValue: ${a.isTcgValue} }`;
}

function renderEventInfo(e) {
  const opt = (v) => (v === undefined ? 'undefined' : q(v));
  const args = e.args.length === 0 ? '[]' : `[\n${e.args.map((a) => `      ${renderArgInfo(a)},`).join('\n')}\n    ]`;
  return [
    '  {',
    `    id: EventId.${e.name},`,
    `    name: ${q(e.name)},`,
    `    baseName: ${q(e.baseName)},`,
    `    properties: [${e.properties.map(q).join(', ')}],`,
    `    args: ${args},`,
    `    format: ${q(e.format)},`,
    `    formatSource: ${q(e.formatSource)},`,
    `    vcpu: ${e.vcpu},`,
    `    level: ${opt(e.level)},`,
    `    peer: ${e.peer === undefined ? 'undefined' : `EventId.${peerName(e)}`},`,
    `    staticEnabled: ${e.staticEnabled},`,
    `    instrument: ${e.instrument},`,
    `    mode: ${opt(e.mode)},`,
    `    targets: ${opt(e.targets)},`,
    `    line: ${e.line},`,
    '  },',
  ];
}

function renderEventArgs(events) {
  const out = [
    '/**',
    ' * Argument tuples of every event, without the vCPU (hooks get it separately),',
    ' * in declaration order, typed as they travel: `number` for integers up to 32',
    ' * bits and `bool` (0/1), `bigint` for 64-bit integers and `void *`, `string`',
    ' * for `const char *`. Translation levels lack the TCG-value arguments.',
    ' */',
    'export interface EventArgs {',
  ];
  for (const e of events) {
    const tuple = e.args.map((a) => `${a.name}: ${tsType(a) === 'boolean' ? 'number' : tsType(a)}`).join(', ');
    out.push(`  ${e.name}: [${tuple}];`);
  }
  out.push('}', '', '/** Name of a concrete event. */', 'export type EventName = keyof EventArgs;');
  return out;
}

/** The value as it goes into the args array (bool travels as 0/1 like C's promotion to int). */
function argValue(a) {
  return tsType(a) === 'boolean' ? `${a.name} ? 1 : 0` : a.name;
}

function renderEmitter(e) {
  const params = [...(e.vcpu ? ['cpu: number'] : []), ...e.args.map((a) => `${a.name}: ${tsType(a)}`)].join(', ');
  const out = [...jsDoc(e, '')];
  if (!e.staticEnabled) {
    out.push(`export function trace_${e.name}(${params}): void {}`);
    return out;
  }
  // Enabled non-vCPU events have every mask bit set, so bit 0 answers for them.
  const check = e.vcpu ? `(rt.dstate[EventId.${e.name}] >>> cpu) & 1` : `rt.dstate[EventId.${e.name}] & 1`;
  const call = `rt.dispatch(EventId.${e.name}, ${e.vcpu ? 'cpu' : 'NO_VCPU'}, [${e.args.map(argValue).join(', ')}]);`;
  out.push(`export function trace_${e.name}(${params}): void {`, `  if (${check}) ${call}`, '}');
  return out;
}

/** The whole generated module. `runtimeDir` is where event-info.js and runtime.js live. */
export function renderEventsModule(events, { sources = ['trace-events'], runtimeDir = '..' } = {}) {
  const out = [
    `// Generated by scripts/tracetool.mjs from ${sources.join(' and ')}: do not edit.`,
    '// Change trace-events (or instrument-events) and run `npm run build`.',
    '//',
    '// The emit functions check the event state first (one typed-array read) and',
    '// only then build the argument array and call the dispatcher bound for this',
    '// thread (see ../runtime.ts). The translator raises `*_trans` itself and emits',
    '// code that calls the `*_exec` function; it finds what it needs in EVENTS',
    '// (args[].isTcgValue, level, peer).',
    '',
    `import type { EventInfo } from '${runtimeDir}/event-info.js';`,
    `import { NO_VCPU, traceRuntime as rt } from '${runtimeDir}/runtime.js';`,
    '',
    ...renderEnum(events),
    '',
    '/** Metadata of every event, indexed by EventId. */',
    'export const EVENTS: readonly EventInfo[] = [',
    ...events.flatMap(renderEventInfo),
    '];',
    '',
    ...renderEventArgs(events),
  ];
  for (const e of events) out.push('', ...renderEmitter(e));
  return `${out.join('\n')}\n`;
}

// ---------------------------------------------------------------------------
// Command line
// ---------------------------------------------------------------------------

function parseCommandLine(argv) {
  const opts = {
    input: join(REPO_ROOT, 'trace-events'),
    instrument: undefined,
    output: join(REPO_ROOT, 'src/trace/generated/events.ts'),
    runtimeDir: '..',
    json: false,
    disableAll: false,
  };
  let instrumentGiven = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`option ${arg} needs a value`);
      return v;
    };
    if (arg === '--input') opts.input = resolve(value());
    else if (arg === '--instrument-events') {
      opts.instrument = resolve(value());
      instrumentGiven = true;
    } else if (arg === '--output') opts.output = resolve(value());
    else if (arg === '--runtime-dir') opts.runtimeDir = value();
    else if (arg === '--json') opts.json = true;
    else if (arg === '--disable-all') opts.disableAll = true;
    else throw new Error(`unknown option '${arg}'`);
  }
  if (!instrumentGiven) {
    const byDefault = join(REPO_ROOT, 'instrument-events');
    if (existsSync(byDefault)) opts.instrument = byDefault;
  }
  return opts;
}

/** The event as if its trace-events line carried `disable`. */
function compiledOut(event) {
  const properties = event.properties.includes('disable') ? event.properties : ['disable', ...event.properties];
  return { ...event, properties, staticEnabled: false };
}

/** Paths in messages: relative to the current directory, like `trace-events:12:`. */
function shown(path) {
  const rel = relative(process.cwd(), path);
  return rel === '' || rel.startsWith('..') ? path : rel;
}

function main(argv) {
  const opts = parseCommandLine(argv);
  const text = readFileSync(opts.input, 'utf8');
  const instrumentText = opts.instrument === undefined ? undefined : readFileSync(opts.instrument, 'utf8');
  const parsed = parseTraceEvents(text, shown(opts.input), { instrumentText, instrumentFileName: opts.instrument && shown(opts.instrument) });
  const events = opts.disableAll ? parsed.map(compiledOut) : parsed;
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(events, null, 2)}\n`);
    return;
  }
  const sources = [shown(opts.input), ...(opts.instrument ? [shown(opts.instrument)] : [])];
  const module = renderEventsModule(events, { sources, runtimeDir: opts.runtimeDir });
  mkdirSync(dirname(opts.output), { recursive: true });
  // Rewrite only on change so that an unchanged build leaves timestamps alone.
  if (!existsSync(opts.output) || readFileSync(opts.output, 'utf8') !== module) writeFileSync(opts.output, module);
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href;
if (invokedDirectly) {
  try {
    main(process.argv.slice(2));
  } catch (e) {
    const message = e instanceof TraceEventsError ? e.message : `tracetool: ${e instanceof Error ? e.message : String(e)}`;
    process.stderr.write(`${message}\n`);
    process.exit(1);
  }
}
