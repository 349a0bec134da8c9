/**
 * Character-device specs for -serial, -monitor and -qmp in QEMU's legacy
 * syntax (chardev/char.c qemu_chr_parse_compat), limited to the backends
 * tsemu has.
 */
import { optionError } from './option-error.js';
import { ID_HINT, isWellFormedId, lastValue, parseOnOff, parseOptParams, type OptParam } from './qemu-opts.js';

export type ChardevBackend =
  | { readonly kind: 'stdio' }
  | { readonly kind: 'null' }
  /** QEMU's default "vc:80Cx24C" text console. tsemu has no display, so nothing is shown (like QEMU with -display none). */
  | { readonly kind: 'vc' }
  | { readonly kind: 'file'; readonly path: string }
  | { readonly kind: 'unix'; readonly path: string; readonly server: true; readonly wait: boolean }
  | { readonly kind: 'tcp'; readonly host: string; readonly port: number; readonly server: true; readonly wait: boolean };

/** A serial port's backend; `muxMonitor` is QEMU's `mon:` prefix (the monitor shares the line, Ctrl-A c switches). */
export interface SerialSpec {
  readonly backend: ChardevBackend;
  readonly muxMonitor: boolean;
  /** The option as written (e.g. "-serial mon:stdio"), or undefined for a default QEMU added itself. */
  readonly origin: string | undefined;
}

export interface MonitorSpec {
  readonly backend: ChardevBackend;
  /** `readline` for the human monitor (-monitor), `control` for QMP (-qmp). */
  readonly mode: 'readline' | 'control';
  readonly origin: string | undefined;
}

/** Legacy backends QEMU knows that tsemu does not implement. */
const KNOWN_UNSUPPORTED = ['vc', 'pty', 'udp', 'telnet', 'tcp', 'websocket', 'pipe', 'chardev', 'msmouse', 'wctablet', 'braille', 'testdev', 'unix', 'spicevmc', 'spiceport', 'ringbuf', 'memory'];

function notValid(where: string, spec: string): Error {
  return optionError(where, `'${spec}' is not a valid char driver`);
}

interface SocketFlags {
  server: boolean;
  wait: boolean;
}

/** Parses the `,server,nowait` tail of unix:/tcp: specs (both short forms and key=on|off). */
function parseSocketFlags(flags: readonly string[], where: string): SocketFlags {
  const result: SocketFlags = { server: false, wait: true };
  for (const flag of flags) {
    const [key, value] = flag.includes('=') ? [flag.slice(0, flag.indexOf('=')), flag.slice(flag.indexOf('=') + 1)] : [flag, undefined];
    if (key === 'nowait' && value === undefined) result.wait = false;
    else if (key === 'server' || key === 'wait') {
      const on = value === undefined || value === 'on' ? true : value === 'off' ? false : undefined;
      if (on === undefined) throw optionError(where, `Parameter '${key}' expects 'on' or 'off'`);
      result[key] = on;
    } else throw optionError(where, `Invalid parameter '${key}'`);
  }
  return result;
}

function parseSocket(kind: 'unix' | 'tcp', rest: string, where: string, spec: string): ChardevBackend {
  const [address = '', ...flags] = rest.split(',');
  const { server, wait } = parseSocketFlags(flags, where);
  if (!server) throw optionError(where, `client-mode ${kind} sockets are not supported by tsemu (add ',server,nowait')`);
  if (kind === 'unix') {
    if (address === '') throw optionError(where, `parse error: ${spec}`);
    return { kind, path: address, server, wait };
  }
  const colon = address.lastIndexOf(':');
  const portText = colon < 0 ? '' : address.slice(colon + 1);
  if (colon < 0 || !/^[0-9]+$/.test(portText) || Number(portText) > 65535) throw optionError(where, `parse error: ${spec}`);
  return { kind, host: address.slice(0, colon), port: Number(portText), server, wait };
}

/**
 * Parses one backend spec such as `stdio`, `file:out.txt`, `unix:/tmp/m.sock,server,nowait`
 * or `tcp::4444,server=on,wait=off`. `where` is the option for error prefixes.
 */
export function parseChardevBackend(spec: string, where: string): ChardevBackend {
  if (spec === 'stdio') return { kind: 'stdio' };
  if (spec === 'null') return { kind: 'null' };
  if (spec.startsWith('file:')) {
    const path = spec.slice('file:'.length);
    if (path === '') throw optionError(where, "Could not open '': No such file or directory");
    return { kind: 'file', path };
  }
  if (spec.startsWith('unix:')) return parseSocket('unix', spec.slice('unix:'.length), where, spec);
  if (spec.startsWith('tcp:')) return parseSocket('tcp', spec.slice('tcp:'.length), where, spec);
  const name = /^[a-z]+/.exec(spec)?.[0] ?? '';
  if (KNOWN_UNSUPPORTED.includes(name) || spec.startsWith('/dev/')) {
    throw optionError(where, `char device '${spec}' is not supported by tsemu (use stdio, null, file:, unix: or tcp:)`);
  }
  throw notValid(where, spec);
}

/** `-serial SPEC`; returns undefined for `none` (no serial port backend at all). */
export function parseSerialSpec(spec: string, where: string): SerialSpec | undefined {
  if (spec === 'none') return undefined;
  const muxMonitor = spec.startsWith('mon:');
  const backend = parseChardevBackend(muxMonitor ? spec.slice('mon:'.length) : spec, where);
  return { backend, muxMonitor, origin: where };
}

/** `-monitor SPEC` / `-qmp SPEC`; undefined for `-monitor none` (QMP has no `none`, as in QEMU). */
export function parseMonitorSpec(spec: string, mode: 'readline' | 'control', where: string): MonitorSpec | undefined {
  if (mode === 'readline' && spec.startsWith('none')) return undefined;
  const backend = parseChardevBackend(spec, where);
  return { backend, mode, origin: where };
}

/** True if this backend reads the terminal. */
export function usesStdio(backend: ChardevBackend): boolean {
  return backend.kind === 'stdio';
}

/** `-chardev BACKEND,id=ID,...` (QEMU's chardev/char.c with char-socket.c, char-file.c, char-null.c), for devices such as virtconsole. */
export type NamedChardevBackend =
  | { readonly kind: 'null' }
  /** The terminal: the guest's bytes to stdout, stdin to the port (no mux, no escapes: QEMU's plain stdio chardev). */
  | { readonly kind: 'stdio' }
  | { readonly kind: 'file'; readonly path: string; readonly append: boolean }
  /** PATH.in / PATH.out (or PATH both ways), as QEMU's char-pipe.c opens them. */
  | { readonly kind: 'pipe'; readonly path: string }
  | { readonly kind: 'socket'; readonly address: SocketAddressSpec; readonly server: boolean; readonly wait: boolean };

export type SocketAddressSpec = { readonly kind: 'tcp'; readonly host: string; readonly port: number } | { readonly kind: 'unix'; readonly path: string };

export interface ChardevSpec {
  readonly id: string;
  readonly backend: NamedChardevBackend;
  readonly origin: string;
}

const CHARDEV_KEYS: Readonly<Record<string, readonly string[]>> = {
  null: ['backend', 'id'],
  stdio: ['backend', 'id', 'signal'],
  pipe: ['backend', 'id', 'path'],
  file: ['backend', 'id', 'path', 'append'],
  socket: ['backend', 'id', 'host', 'port', 'path', 'server', 'wait', 'nodelay'],
};
/** -chardev backends QEMU 7.2 has that tsemu does not. */
const OTHER_CHARDEV_BACKENDS = [ 'pty', 'udp', 'serial', 'tty', 'parallel', 'vc', 'ringbuf', 'memory', 'mux', 'msmouse', 'wctablet', 'braille', 'testdev', 'spicevmc', 'spiceport', 'qemu-vdagent', 'dbus'];

function onOffParam(params: readonly OptParam[], key: string, fallback: boolean, where: string): boolean {
  const value = lastValue(params, key);
  if (value === undefined) return fallback;
  const on = parseOnOff(value);
  if (on === undefined) throw optionError(where, `Parameter '${key}' expects 'on' or 'off'`);
  return on;
}

function socketAddress(params: readonly OptParam[], where: string): SocketAddressSpec {
  const path = lastValue(params, 'path');
  const host = lastValue(params, 'host');
  const port = lastValue(params, 'port');
  if (path !== undefined) {
    if (host !== undefined || port !== undefined) throw optionError(where, 'chardev: socket: path= cannot be combined with host= or port=');
    return { kind: 'unix', path };
  }
  if (port === undefined) throw optionError(where, 'chardev: socket: no port given');
  if (!/^[0-9]+$/.test(port) || Number(port) > 65535) throw optionError(where, `chardev: socket: invalid port '${port}'`);
  return { kind: 'tcp', host: host ?? '', port: Number(port) };
}

/** Parses one -chardev argument; `taken` holds the ids already used. */
export function parseChardevOption(arg: string, where: string, taken: Set<string>): ChardevSpec {
  const { params } = parseOptParams(arg, { style: 'qemu-opts', impliedKey: 'backend' }, where);
  const backend = lastValue(params, 'backend');
  if (backend === undefined) throw optionError(where, "Parameter 'backend' is missing");
  const keys = CHARDEV_KEYS[backend];
  if (keys === undefined) {
    if (OTHER_CHARDEV_BACKENDS.includes(backend)) throw optionError(where, `chardev backend '${backend}' is not supported by tsemu (use socket, file, pipe, stdio or null)`);
    throw optionError(where, `'${backend}' is not a valid char driver name`);
  }
  for (const { key } of params) if (!keys.includes(key)) throw optionError(where, `Invalid parameter '${key}'`);
  const id = lastValue(params, 'id');
  if (id === undefined) throw optionError(where, 'chardev: no id specified');
  if (!isWellFormedId(id)) throw optionError(where, `Parameter 'id' expects an identifier\n${ID_HINT}`);
  if (taken.has(id)) throw optionError(where, `Duplicate ID '${id}' for chardev`);
  taken.add(id);
  if (backend === 'null') return { id, backend: { kind: 'null' }, origin: where };
  if (backend === 'stdio') return { id, backend: { kind: 'stdio' }, origin: where };
  if (backend === 'file') {
    const path = lastValue(params, 'path');
    if (path === undefined || path === '') throw optionError(where, 'chardev: file: no filename given');
    return { id, backend: { kind: 'file', path, append: onOffParam(params, 'append', false, where) }, origin: where };
  }
  if (backend === 'pipe') {
    const path = lastValue(params, 'path');
    if (path === undefined || path === '') throw optionError(where, 'chardev: pipe: no filename given');
    return { id, backend: { kind: 'pipe', path }, origin: where };
  }
  const address = socketAddress(params, where);
  return { id, backend: { kind: 'socket', address, server: onOffParam(params, 'server', false, where), wait: onOffParam(params, 'wait', true, where) }, origin: where };
}
