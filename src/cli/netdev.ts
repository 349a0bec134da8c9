/**
 * -netdev (QEMU 7.2 net/net.c, net/socket.c, net/slirp.c option checks and messages) for the
 * backends tsemu has: `socket` (connect=, listen=, udp= with localaddr=) and `user` (only id=;
 * see src/hw/net-user.ts for the subset of slirp it models). Other backends QEMU has, and
 * options of these that tsemu lacks, are one-line "not supported by tsemu" errors.
 */
import { optionError } from './option-error.js';
import { ID_HINT, isWellFormedId, lastValue, parseOptParams, type OptParam } from './qemu-opts.js';

export interface HostPortSpec {
  readonly host: string;
  readonly port: number;
}

export type NetdevSpec =
  | { readonly type: 'user'; readonly id: string; readonly origin: string }
  | { readonly type: 'socket'; readonly id: string; readonly origin: string; readonly mode: 'connect' | 'listen'; readonly addr: HostPortSpec }
  | { readonly type: 'socket'; readonly id: string; readonly origin: string; readonly mode: 'udp'; readonly addr: HostPortSpec; readonly local: HostPortSpec };

/** Backend types of QEMU 7.2's -netdev that tsemu does not model. */
const OTHER_TYPES = ['tap', 'bridge', 'l2tpv3', 'vde', 'vhost-user', 'vhost-vdpa', 'hubport', 'stream', 'dgram', 'netmap', 'af-xdp'];
const SOCKET_KEYS = ['type', 'id', 'listen', 'connect', 'udp', 'localaddr', 'mcast', 'fd'];
const USER_KEYS_OF_QEMU = ['hostname', 'restrict', 'ipv4', 'ipv6', 'net', 'host', 'tftp', 'bootfile', 'dhcpstart', 'dns', 'ipv6-net', 'ipv6-host', 'ipv6-prefix', 'ipv6-prefixlen', 'ipv6-dns', 'smb', 'smbserver', 'hostfwd', 'guestfwd', 'tftp-server-name', 'domainname', 'dnssearch'];

/** QEMU's parse_host_port: "HOST:PORT", HOST may be empty (any address). */
function hostPort(text: string, where: string): HostPortSpec {
  const colon = text.lastIndexOf(':');
  const port = colon < 0 ? NaN : Number(text.slice(colon + 1));
  if (colon < 0 || !/^[0-9]+$/.test(text.slice(colon + 1)) || port > 65535) throw optionError(where, `host address '${text}' doesn't contain ':' separating host from port`);
  return { host: text.slice(0, colon), port };
}

function checkKeys(params: readonly OptParam[], allowed: readonly string[], where: string): void {
  for (const { key } of params) if (!allowed.includes(key)) throw optionError(where, `Invalid parameter '${key}'`);
}

/** Parses one -netdev argument; `taken` holds the ids already used. */
export function parseNetdev(arg: string, where: string, taken: Set<string>): NetdevSpec {
  const { params } = parseOptParams(arg, { style: 'qemu-opts', impliedKey: 'type' }, where);
  const type = lastValue(params, 'type');
  if (type === undefined) throw optionError(where, "Parameter 'type' is missing");
  if (type !== 'user' && type !== 'socket') {
    throw optionError(where, OTHER_TYPES.includes(type) ? `netdev type '${type}' is not supported by tsemu (only user and socket)` : `Parameter 'type' does not accept value '${type}'`);
  }
  if (type === 'socket') checkKeys(params, SOCKET_KEYS, where);
  else checkKeys(params, ['type', 'id', ...USER_KEYS_OF_QEMU], where);
  const id = lastValue(params, 'id');
  if (id === undefined) throw optionError(where, "Parameter 'id' is missing");
  if (!isWellFormedId(id)) throw optionError(where, `Parameter 'id' expects an identifier\n${ID_HINT}`);
  if (taken.has(id)) throw optionError(where, `Duplicate ID '${id}' for netdev`);
  taken.add(id);
  if (type === 'user') {
    const unsupported = params.find((p) => p.key !== 'type' && p.key !== 'id');
    if (unsupported) throw optionError(where, `option '${unsupported.key}' of -netdev user is not supported by tsemu`);
    return { type, id, origin: where };
  }
  return socketNetdev(params, id, where);
}

function socketNetdev(params: readonly OptParam[], id: string, where: string): NetdevSpec {
  const modes = (['listen', 'connect', 'mcast', 'udp', 'fd'] as const).filter((k) => lastValue(params, k) !== undefined);
  if (modes.length !== 1 || modes[0] === 'fd') {
    if (modes.length === 1) throw optionError(where, `option 'fd' of -netdev socket is not supported by tsemu`);
    throw optionError(where, 'exactly one of listen=, connect=, mcast= or udp= is required');
  }
  const mode = modes[0];
  const value = lastValue(params, mode) ?? '';
  const localaddr = lastValue(params, 'localaddr');
  if (mode === 'mcast') throw optionError(where, `option 'mcast' of -netdev socket is not supported by tsemu`);
  if (mode === 'udp') {
    if (localaddr === undefined) throw optionError(where, 'localaddr= is mandatory with udp=');
    return { type: 'socket', id, origin: where, mode, addr: hostPort(value, where), local: hostPort(localaddr, where) };
  }
  if (localaddr !== undefined) throw optionError(where, 'localaddr= is only valid with mcast= or udp=');
  return { type: 'socket', id, origin: where, mode, addr: hostPort(value, where) };
}
