/**
 * Sockets and eventfd as objects inside the emulator (file-object.ts). AF_UNIX (socketpair, or
 * bound to a path) and AF_INET on the loopback network, SOCK_STREAM and SOCK_DGRAM, reach the other
 * sockets of this tsemu (every guest process of it, since fork shares the descriptions): a
 * connection is two sockets whose writes go into each other's receive queues, as the loopback
 * device would carry them. Why not the host's sockets through net/dgram: Node has no synchronous
 * socket calls, so bind/connect/getsockname would all have to park for an event-loop turn, and the
 * guest-to-guest case (the one a test can compare with QEMU) gains nothing from it. A path a unix
 * socket binds gets a real socket file (a host listener that accepts nothing), so stat, unlink and
 * EADDRINUSE behave as on Linux.
 */
import * as net from 'node:net';
import * as fs from 'node:fs';
import { E } from './errno.js';
import { POLLHUP, POLLIN, POLLOUT, POLLRDHUP, type FileObject } from './file-object.js';
import type { AddressSpace } from './address-space.js';
import type { GuestFiles } from './guest-files.js';

export const AF_UNIX = 1;
export const AF_INET = 2;
const AF_INET6 = 10;
const SOCK_STREAM = 1;
const SOCK_DGRAM = 2;
const SOCK_NONBLOCK = 0o4000;
const SOCK_CLOEXEC = 0o2000000;
const MSG_PEEK = 2;
const MSG_DONTWAIT = 0x40;
const S_IFSOCK = 0o140000;
const SOL_SOCKET = 1;
const SO_TYPE = 3;
const SO_ERROR = 4;
const SO_PROTOCOL = 38;
const SO_DOMAIN = 39;
const SO_ACCEPTCONN = 30;
const EFD_SEMAPHORE = 1;
const EAFNOSUPPORT = 97;
const ESOCKTNOSUPPORT = 94;
const ENOTSOCK = 88;
const EDESTADDRREQ = 89;
const EOPNOTSUPP = 95;
const EADDRINUSE = 98;
const EADDRNOTAVAIL = 99;
const EISCONN = 106;
const ENOTCONN = 107;
const ECONNREFUSED = 111;
const EPHEMERAL_FIRST = 32768;
const LOOPBACK = 0x7f000001;

/** A socket address: an IPv4 address and port, or a unix path (undefined: unnamed). */
type Addr = { family: typeof AF_INET; ip: number; port: number } | { family: typeof AF_UNIX; path: string | undefined; name?: Buffer };

const UNNAMED: Addr = { family: AF_UNIX, path: undefined };

/** The loopback network: bound sockets by type and address. One per tsemu (all its processes). */
class Network {
  private readonly bound = new Map<string, Socket>();
  private nextPort = EPHEMERAL_FIRST;

  key(type: number, a: Addr): string {
    return a.family === AF_INET ? `${type}/in/${a.port}` : `${type}/un/${a.path ?? ''}`;
  }

  lookup(type: number, a: Addr): Socket | undefined {
    const s = this.bound.get(this.key(type, a));
    if (s === undefined || a.family !== AF_INET || s.local?.family !== AF_INET) return s;
    return s.local.ip === 0 || s.local.ip === a.ip ? s : undefined;
  }

  bind(s: Socket, a: Addr): number {
    const k = this.key(s.type, a);
    if (this.bound.has(k)) return -EADDRINUSE;
    this.bound.set(k, s);
    s.local = a;
    return 0;
  }

  unbind(s: Socket): void {
    if (s.local === undefined) return;
    const k = this.key(s.type, s.local);
    if (this.bound.get(k) === s) this.bound.delete(k);
  }

  ephemeral(type: number): number {
    for (let i = 0; i < 28232; i++) {
      const port = this.nextPort;
      this.nextPort = port >= 60999 ? EPHEMERAL_FIRST : port + 1;
      if (!this.bound.has(`${type}/in/${port}`)) return port;
    }
    return 0;
  }
}

const network = new Network();

/** One end of a unix or loopback socket. */
export class Socket implements FileObject {
  readonly mode = S_IFSOCK | 0o777;
  gen = 0;
  local: Addr | undefined;
  remote: Addr | undefined;
  peer: Socket | undefined;
  listening = false;
  readonly backlog: Socket[] = [];
  /** Stream bytes, or datagrams with their sender. */
  rx: Buffer[] = [];
  readonly dgrams: { data: Buffer; from: Addr | undefined }[] = [];
  /** This end will read no more (shutdown SHUT_RD), or the peer will write no more. */
  rcvShut = false;
  /** This end will write no more (SHUT_WR), or the peer is gone. */
  sndShut = false;
  peerGone = false;
  readonly options = new Map<string, number>();

  constructor(readonly domain: number, readonly type: number) {}

  get connected(): boolean {
    return this.peer !== undefined || (this.type === SOCK_DGRAM && this.remote !== undefined);
  }

  read(count: number): Buffer | number {
    const r = this.recv(count, 0);
    return typeof r === 'number' ? r : r === undefined ? -E.EAGAIN : r.data;
  }

  /** Up to `count` bytes (a datagram, cut to `count`) and the sender, or -errno / -EAGAIN. */
  recv(count: number, flags: number): { data: Buffer; from: Addr | undefined } | undefined | number {
    if (this.type === SOCK_DGRAM) {
      const d = this.dgrams[0];
      if (d === undefined) return this.rcvShut ? { data: Buffer.alloc(0), from: undefined } : -E.EAGAIN;
      if ((flags & MSG_PEEK) === 0) this.dgrams.shift();
      return { data: d.data.subarray(0, count), from: d.from };
    }
    if (this.rx.length === 0) {
      if (this.rcvShut) return { data: Buffer.alloc(0), from: undefined };
      return this.peer === undefined ? -ENOTCONN : -E.EAGAIN;
    }
    const all = Buffer.concat(this.rx);
    const out = all.subarray(0, count);
    if ((flags & MSG_PEEK) === 0) this.rx = all.length > count ? [all.subarray(count)] : [];
    return { data: Buffer.from(out), from: undefined };
  }

  write(data: Uint8Array): number {
    return this.send(data, undefined);
  }

  send(data: Uint8Array, to: Addr | undefined): number {
    if (this.type === SOCK_DGRAM) return this.sendDatagram(data, to);
    if (to !== undefined && !this.connected) return -EOPNOTSUPP;
    if (this.peer === undefined && !this.peerGone) return -ENOTCONN;
    if (this.sndShut || this.peer === undefined) return -E.EPIPE;
    this.peer.rx.push(Buffer.from(data));
    this.peer.gen++;
    return data.length;
  }

  private sendDatagram(data: Uint8Array, to: Addr | undefined): number {
    if (this.sndShut) return -E.EPIPE;
    const dest = to ?? this.remote;
    if (dest === undefined) return this.domain === AF_UNIX ? -ENOTCONN : -EDESTADDRREQ;
    if (this.local === undefined && this.domain === AF_INET) autobind(this);
    const target = this.peer ?? network.lookup(SOCK_DGRAM, dest);
    if (target === undefined) return this.domain === AF_UNIX ? (fs.existsSync(pathOf(dest)) ? -ECONNREFUSED : -E.ENOENT) : data.length;
    // an unnamed unix sender has no address: recvfrom reports length 0
    target.dgrams.push({ data: Buffer.from(data), from: this.local?.family === AF_UNIX && this.local.path === undefined ? undefined : this.local });
    target.gen++;
    return data.length;
  }

  poll(): number {
    if (this.listening) return this.backlog.length > 0 ? POLLIN : 0;
    if (this.type === SOCK_DGRAM) return (this.dgrams.length > 0 ? POLLIN : 0) | POLLOUT;
    if (this.peer === undefined && !this.peerGone) return POLLOUT | POLLHUP;
    let m = 0;
    if (this.rx.length > 0 || this.rcvShut) m |= POLLIN;
    if (this.rcvShut) m |= POLLRDHUP;
    if (!this.sndShut) m |= POLLOUT;
    if (this.rcvShut && (this.sndShut || this.peerGone)) m |= POLLHUP;
    return m;
  }

  available(): number {
    if (this.type === SOCK_DGRAM) return this.dgrams[0]?.data.length ?? 0;
    return this.rx.reduce((n, b) => n + b.length, 0);
  }

  release(): void {
    network.unbind(this);
    for (const s of this.backlog) s.release();
    this.backlog.length = 0;
    const p = this.peer;
    if (p !== undefined) {
      p.peer = undefined;
      p.peerGone = true;
      p.rcvShut = true;
      p.sndShut = true;
      p.gen++;
    }
    this.peer = undefined;
  }

  shutdown(how: number): number {
    if (how < 0 || how > 2) return -E.EINVAL;
    if (!this.connected && !this.peerGone) return -ENOTCONN;
    if (how !== 1) this.rcvShut = true;
    if (how !== 0) {
      this.sndShut = true;
      if (this.peer !== undefined) {
        this.peer.rcvShut = true;
        this.peer.gen++;
      }
    }
    this.gen++;
    return 0;
  }
}

function pathOf(a: Addr): string {
  return a.family === AF_UNIX ? a.path ?? '' : '';
}

/** An INET socket used unbound gets an ephemeral port (on the loopback address when it talks, any when it listens). */
function autobind(s: Socket, ip = LOOPBACK): void {
  if (s.domain !== AF_INET) return;
  const port = network.ephemeral(s.type);
  network.bind(s, { family: AF_INET, ip, port });
}

/** An eventfd: a 64-bit counter, read whole (or one at a time with EFD_SEMAPHORE). */
export class EventFd implements FileObject {
  readonly mode = 0o600;
  gen = 0;

  constructor(private count: bigint, private readonly semaphore: boolean) {}

  read(count: number): Buffer | number {
    if (count < 8) return -E.EINVAL;
    if (this.count === 0n) return -E.EAGAIN;
    const v = this.semaphore ? 1n : this.count;
    this.count -= v;
    this.gen++;
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(v);
    return b;
  }

  write(data: Uint8Array): number {
    if (data.length < 8) return -E.EINVAL;
    const v = Buffer.from(data).readBigUInt64LE(0);
    if (v === 0xffff_ffff_ffff_ffffn) return -E.EINVAL;
    if (this.count + v > 0xffff_ffff_ffff_fffen) return -E.EAGAIN;
    this.count += v;
    this.gen++;
    return 8;
  }

  poll(): number {
    return (this.count > 0n ? POLLIN : 0) | (this.count < 0xffff_ffff_ffff_fffen ? POLLOUT : 0);
  }

  available(): number {
    return 8;
  }

  release(): void {
    // nothing outside the object
  }
}

export function eventfd2(files: GuestFiles, init: bigint, flags: number): number {
  if ((flags & ~(EFD_SEMAPHORE | SOCK_NONBLOCK | SOCK_CLOEXEC)) !== 0) return -E.EINVAL;
  return files.addObject(new EventFd(BigInt.asUintN(32, init), (flags & EFD_SEMAPHORE) !== 0), 2 | (flags & SOCK_NONBLOCK), (flags & SOCK_CLOEXEC) !== 0);
}

// ---- socket system calls ------------------------------------------------------------------------------

/** The socket guest `fd` names: it, whether its description is non-blocking, or -errno. */
function sockOf(files: GuestFiles, fd: bigint): { s: Socket; nonblock: boolean } | number {
  const o = files.objectOf(fd);
  if (typeof o === 'number') return o;
  if (!(o.obj instanceof Socket)) return -ENOTSOCK;
  return { s: o.obj, nonblock: o.nonblock };
}

function checkType(domain: number, type: number): number {
  if (domain !== AF_UNIX && domain !== AF_INET) return domain === AF_INET6 ? -EAFNOSUPPORT : -EAFNOSUPPORT;
  const base = type & 0xf;
  if (base !== SOCK_STREAM && base !== SOCK_DGRAM) return -ESOCKTNOSUPPORT;
  return 0;
}

export function socket(files: GuestFiles, domain: number, type: number, protocol: number): number {
  const bad = checkType(domain, type);
  if (bad < 0) return bad;
  if (protocol !== 0 && !(domain === AF_INET && (protocol === 6 || protocol === 17))) return -93; // EPROTONOSUPPORT
  return files.addObject(new Socket(domain, type & 0xf), 2 | (type & SOCK_NONBLOCK), (type & SOCK_CLOEXEC) !== 0);
}

export function socketpair(files: GuestFiles, space: AddressSpace, domain: number, type: number, sv: bigint): number {
  if (domain !== AF_UNIX) return domain === AF_INET ? -EOPNOTSUPP : -EAFNOSUPPORT;
  const bad = checkType(domain, type);
  if (bad < 0) return bad;
  const a = new Socket(domain, type & 0xf);
  const b = new Socket(domain, type & 0xf);
  a.peer = b;
  b.peer = a;
  a.remote = UNNAMED;
  b.remote = UNNAMED;
  const flags = 2 | (type & SOCK_NONBLOCK);
  const cloexec = (type & SOCK_CLOEXEC) !== 0;
  const fa = files.addObject(a, flags, cloexec);
  const fb = files.addObject(b, flags, cloexec);
  const out = Buffer.alloc(8);
  out.writeInt32LE(fa, 0);
  out.writeInt32LE(fb, 4);
  if (space.write(Number(sv), out)) return 0;
  files.close(BigInt(fa));
  files.close(BigInt(fb));
  return -E.EFAULT;
}

/** A sockaddr from the guest for a socket of `domain`, or -errno. */
function readAddr(files: GuestFiles, space: AddressSpace, domain: number, addr: bigint, len: number): Addr | number {
  if (len < 2 || len > 128) return -E.EINVAL;
  const b = space.read(Number(addr), len);
  if (b === undefined) return -E.EFAULT;
  const buf = Buffer.from(b);
  const family = buf.readUInt16LE(0);
  if (family !== domain) return domain === AF_INET ? -EAFNOSUPPORT : -E.EINVAL;
  if (family === AF_INET) {
    if (len < 16) return -E.EINVAL;
    return { family: AF_INET, ip: buf.readUInt32BE(4), port: buf.readUInt16BE(2) };
  }
  const raw = buf.subarray(2, len);
  if (raw.length === 0) return UNNAMED;
  if (raw[0] === 0) return { family: AF_UNIX, path: `@${raw.subarray(1).toString('latin1')}`, name: Buffer.from(raw) };
  const end = raw.indexOf(0);
  const name = raw.subarray(0, end < 0 ? raw.length : end);
  const host = files.resolve(-100, name.toString('utf8'));
  // the key is the host path; getsockname gives back the name as the guest spelled it
  return typeof host === 'number' ? host : { family: AF_UNIX, path: host, name: Buffer.concat([name, Buffer.from([0])]) };
}

/** A sockaddr for the guest: the bytes and the length Linux reports. */
function encodeAddr(a: Addr): Buffer {
  if (a.family === AF_INET) {
    const b = Buffer.alloc(16);
    b.writeUInt16LE(AF_INET, 0);
    b.writeUInt16BE(a.port, 2);
    b.writeUInt32BE(a.ip >>> 0, 4);
    return b;
  }
  return Buffer.concat([Buffer.from([AF_UNIX, 0]), a.name ?? Buffer.alloc(0)]);
}

/** Write a sockaddr into (addr, *addrlen) as Linux does: cut to the buffer, the full length in *addrlen. */
function putAddr(files: GuestFiles, space: AddressSpace, a: Addr | undefined, addr: bigint, lenp: bigint): number {
  if (addr === 0n || lenp === 0n) return 0;
  const lb = space.read(Number(lenp), 4);
  if (lb === undefined) return -E.EFAULT;
  const room = Buffer.from(lb).readInt32LE(0);
  if (room < 0) return -E.EINVAL;
  const bytes = a === undefined ? Buffer.alloc(0) : encodeAddr(a);
  if (!space.write(Number(addr), bytes.subarray(0, room))) return -E.EFAULT;
  const out = Buffer.alloc(4);
  out.writeInt32LE(bytes.length, 0);
  return space.write(Number(lenp), out) ? 0 : -E.EFAULT;
}

export function bind(files: GuestFiles, space: AddressSpace, fd: bigint, addr: bigint, len: number): number {
  const so = sockOf(files, fd);
  if (typeof so === 'number') return so;
  const s = so.s;
  if (s.local !== undefined) return -E.EINVAL;
  const a = readAddr(files, space, s.domain, addr, len);
  if (typeof a === 'number') return a;
  if (a.family === AF_INET) {
    if (a.ip !== 0 && (a.ip >>> 24) !== 127) return -EADDRNOTAVAIL;
    const port = a.port === 0 ? network.ephemeral(s.type) : a.port;
    return network.bind(s, { ...a, port });
  }
  if (a.path === undefined) return -E.EINVAL;
  if (!a.path.startsWith('@')) {
    const made = holdPath(s, a.path);
    if (made < 0) return made;
  }
  return network.bind(s, a);
}

/** Make the socket file a bound unix path has on Linux (a host listener, so stat says S_IFSOCK). */
function holdPath(s: Socket, path: string): number {
  try {
    fs.lstatSync(path);
    return -EADDRINUSE;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') return -E.ENOENT;
  }
  const server = net.createServer((c) => c.destroy());
  server.on('error', () => undefined);
  server.listen(path); // libuv binds synchronously: the file is there when listen returns
  // never closed: libuv would unlink the path, which Linux leaves until the program unlinks it
  server.unref();
  return 0;
}

export function listen(files: GuestFiles, fd: bigint): number {
  const so = sockOf(files, fd);
  if (typeof so === 'number') return so;
  const s = so.s;
  if (s.type !== SOCK_STREAM) return -EOPNOTSUPP;
  if (s.peer !== undefined) return -E.EINVAL;
  if (s.local === undefined) {
    if (s.domain === AF_UNIX) return -E.EINVAL;
    autobind(s, 0);
  }
  s.listening = true;
  return 0;
}

export function connect(files: GuestFiles, space: AddressSpace, fd: bigint, addr: bigint, len: number): number {
  const so = sockOf(files, fd);
  if (typeof so === 'number') return so;
  const s = so.s;
  const a = readAddr(files, space, s.domain, addr, len);
  if (typeof a === 'number') return a;
  if (s.type === SOCK_DGRAM) {
    if (s.domain === AF_INET && s.local === undefined) autobind(s);
    s.remote = a;
    return 0;
  }
  if (s.listening) return -E.EINVAL;
  if (s.peer !== undefined || s.peerGone) return -EISCONN;
  const l = network.lookup(SOCK_STREAM, a);
  if (l === undefined || !l.listening) {
    if (a.family === AF_UNIX && a.path !== undefined && !a.path.startsWith('@') && !fs.existsSync(a.path)) return -E.ENOENT;
    return -ECONNREFUSED;
  }
  if (s.local === undefined) autobind(s);
  const server = new Socket(s.domain, SOCK_STREAM);
  server.local = a.family === AF_INET ? { ...a, ip: a.ip } : l.local;
  server.remote = s.local ?? UNNAMED;
  s.remote = a.family === AF_INET ? a : l.local;
  server.peer = s;
  s.peer = server;
  l.backlog.push(server);
  l.gen++;
  return 0;
}

export function accept4(files: GuestFiles, space: AddressSpace, fd: bigint, addr: bigint, lenp: bigint, flags: number): number {
  if ((flags & ~(SOCK_NONBLOCK | SOCK_CLOEXEC)) !== 0) return -E.EINVAL;
  const so = sockOf(files, fd);
  if (typeof so === 'number') return so;
  const s = so.s;
  if (!s.listening) return -E.EINVAL;
  const c = s.backlog.shift();
  if (c === undefined) return so.nonblock ? -E.EAGAIN : files.wouldBlock();
  const r = putAddr(files, space, c.remote, addr, lenp);
  if (r < 0) {
    s.backlog.unshift(c);
    return r;
  }
  return files.addObject(c, 2 | (flags & SOCK_NONBLOCK), (flags & SOCK_CLOEXEC) !== 0);
}

export function sockName(files: GuestFiles, space: AddressSpace, fd: bigint, addr: bigint, lenp: bigint, peer: boolean): number {
  const so = sockOf(files, fd);
  if (typeof so === 'number') return so;
  const s = so.s;
  if (peer && !s.connected) return -ENOTCONN;
  const a = peer ? s.remote : s.local ?? (s.domain === AF_INET ? { family: AF_INET, ip: 0, port: 0 } : UNNAMED);
  return putAddr(files, space, a, addr, lenp);
}

export function sendto(files: GuestFiles, space: AddressSpace, a: readonly bigint[]): number {
  const so = sockOf(files, a[0]);
  if (typeof so === 'number') return so;
  const data = space.read(Number(a[1]), Number(a[2]));
  if (data === undefined) return -E.EFAULT;
  let to: Addr | undefined;
  if (a[4] !== 0n) {
    const r = readAddr(files, space, so.s.domain, a[4], Number(a[5]));
    if (typeof r === 'number') return r;
    to = r;
  }
  const n = so.s.send(data, to);
  if (n === -E.EAGAIN) return so.nonblock || (Number(a[3]) & MSG_DONTWAIT) !== 0 ? n : files.wouldBlock();
  return n;
}

export function recvfrom(files: GuestFiles, space: AddressSpace, a: readonly bigint[]): number {
  const so = sockOf(files, a[0]);
  if (typeof so === 'number') return so;
  const r = so.s.recv(Number(a[2]), Number(a[3]));
  if (typeof r === 'number') return r === -E.EAGAIN && !so.nonblock && (Number(a[3]) & MSG_DONTWAIT) === 0 ? files.wouldBlock() : r;
  if (r === undefined) return -E.EAGAIN;
  if (!space.write(Number(a[1]), r.data)) return -E.EFAULT;
  const w = putAddr(files, space, so.s.type === SOCK_DGRAM ? r.from : undefined, a[4], a[5]);
  return w < 0 ? w : r.data.length;
}

/** struct msghdr on riscv64: name, namelen, iov, iovlen, control, controllen, flags. */
function readMsghdr(space: AddressSpace, msg: bigint): { name: bigint; namelen: number; iov: { base: bigint; len: bigint }[] } | number {
  const h = space.read(Number(msg), 56);
  if (h === undefined) return -E.EFAULT;
  const v = Buffer.from(h);
  const iovlen = Number(v.readBigUInt64LE(24));
  if (iovlen > 1024) return -E.EINVAL;
  const iov: { base: bigint; len: bigint }[] = [];
  const iovAddr = Number(v.readBigUInt64LE(16));
  for (let i = 0; i < iovlen; i++) {
    const base = space.readU64(iovAddr + 16 * i);
    const len = space.readU64(iovAddr + 16 * i + 8);
    if (base === undefined || len === undefined) return -E.EFAULT;
    iov.push({ base, len });
  }
  return { name: v.readBigUInt64LE(0), namelen: v.readUInt32LE(8), iov };
}

export function sendmsg(files: GuestFiles, space: AddressSpace, fd: bigint, msg: bigint, flags: number): number {
  const h = readMsghdr(space, msg);
  if (typeof h === 'number') return h;
  const parts: Uint8Array[] = [];
  for (const { base, len } of h.iov) {
    const b = space.read(Number(base), Number(len));
    if (b === undefined) return -E.EFAULT;
    parts.push(b);
  }
  const data = Buffer.concat(parts);
  const scratch = [fd, 0n, BigInt(data.length), BigInt(flags), h.name, BigInt(h.namelen)];
  return sendBytes(files, space, scratch, data);
}

function sendBytes(files: GuestFiles, space: AddressSpace, a: readonly bigint[], data: Uint8Array): number {
  const so = sockOf(files, a[0]);
  if (typeof so === 'number') return so;
  let to: Addr | undefined;
  if (a[4] !== 0n) {
    const r = readAddr(files, space, so.s.domain, a[4], Number(a[5]));
    if (typeof r === 'number') return r;
    to = r;
  }
  const n = so.s.send(data, to);
  if (n === -E.EAGAIN) return so.nonblock || (Number(a[3]) & MSG_DONTWAIT) !== 0 ? n : files.wouldBlock();
  return n;
}

export function recvmsg(files: GuestFiles, space: AddressSpace, fd: bigint, msg: bigint, flags: number): number {
  const h = readMsghdr(space, msg);
  if (typeof h === 'number') return h;
  const so = sockOf(files, fd);
  if (typeof so === 'number') return so;
  const total = h.iov.reduce((n, v) => n + Number(v.len), 0);
  const r = so.s.recv(total, flags);
  if (typeof r === 'number') return r === -E.EAGAIN && !so.nonblock && (flags & MSG_DONTWAIT) === 0 ? files.wouldBlock() : r;
  if (r === undefined) return -E.EAGAIN;
  let off = 0;
  for (const { base, len } of h.iov) {
    const n = Math.min(Number(len), r.data.length - off);
    if (n <= 0) break;
    if (!space.write(Number(base), r.data.subarray(off, off + n))) return -E.EFAULT;
    off += n;
  }
  const from = so.s.type === SOCK_DGRAM ? r.from : undefined;
  const bytes = from === undefined || h.name === 0n ? Buffer.alloc(0) : encodeAddr(from);
  if (h.name !== 0n && !space.write(Number(h.name), bytes.subarray(0, h.namelen))) return -E.EFAULT;
  const tail = Buffer.alloc(4);
  tail.writeUInt32LE(bytes.length, 0);
  if (!space.write(Number(msg) + 8, tail)) return -E.EFAULT;
  // no control messages: msg_controllen 0, msg_flags 0
  if (!space.writeU64(Number(msg) + 40, 0n) || !space.write(Number(msg) + 48, Buffer.alloc(4))) return -E.EFAULT;
  return r.data.length;
}

export function shutdown(files: GuestFiles, fd: bigint, how: number): number {
  const so = sockOf(files, fd);
  if (typeof so === 'number') return so;
  return so.s.shutdown(how);
}

export function setsockopt(files: GuestFiles, space: AddressSpace, a: readonly bigint[]): number {
  const so = sockOf(files, a[0]);
  if (typeof so === 'number') return so;
  const len = Number(a[4]);
  if (len < 0) return -E.EINVAL;
  const b = space.read(Number(a[3]), Math.min(len, 4));
  if (b === undefined) return -E.EFAULT;
  const v = b.length === 4 ? Buffer.from(b).readInt32LE(0) : b[0] ?? 0;
  so.s.options.set(`${a[1]}/${a[2]}`, v);
  return 0;
}

export function getsockopt(files: GuestFiles, space: AddressSpace, a: readonly bigint[]): number {
  const so = sockOf(files, a[0]);
  if (typeof so === 'number') return so;
  const s = so.s;
  const level = Number(a[1]);
  const name = Number(a[2]);
  let v = s.options.get(`${level}/${name}`) ?? 0;
  if (level === SOL_SOCKET) {
    if (name === SO_TYPE) v = s.type;
    else if (name === SO_ERROR) v = 0;
    else if (name === SO_DOMAIN) v = s.domain;
    else if (name === SO_PROTOCOL) v = s.domain === AF_INET ? (s.type === SOCK_STREAM ? 6 : 17) : 0;
    else if (name === SO_ACCEPTCONN) v = s.listening ? 1 : 0;
  }
  const lb = space.read(Number(a[4]), 4);
  if (lb === undefined) return -E.EFAULT;
  const room = Buffer.from(lb).readInt32LE(0);
  if (room < 0) return -E.EINVAL;
  const out = Buffer.alloc(4);
  out.writeInt32LE(v, 0);
  const n = Math.min(room, 4);
  if (!space.write(Number(a[3]), out.subarray(0, n))) return -E.EFAULT;
  out.writeInt32LE(n, 0);
  return space.write(Number(a[4]), out) ? 0 : -E.EFAULT;
}

