/**
 * Waiting for descriptors: ppoll, pselect6 and epoll (create1, ctl, pwait). Readiness comes from
 * guest-files.ts (`pollMask`: host descriptors are always ready, pipes and file objects say).
 * A call with nothing ready parks in the process service like a read of an empty pipe and runs
 * again whenever something changed; a timeout is the `Waiting` deadline the service keeps for the
 * thread (it runs the call once more when the time is up, with `expired` set).
 */
import { E } from './errno.js';
import { POLLERR, POLLHUP, POLLIN, POLLNVAL, POLLOUT, POLLPRI, type FileObject } from './file-object.js';
import type { AddressSpace } from './address-space.js';
import type { Description, GuestFiles } from './guest-files.js';

/** The service's side of a wait with a timeout: whether it ran out, and the timeout a new wait asks for. */
export interface Waiting {
  expired: boolean;
  timeoutMs: number | undefined;
}

const EPOLL_CTL_ADD = 1;
const EPOLL_CTL_DEL = 2;
const EPOLL_CTL_MOD = 3;
const EPOLLONESHOT = 1 << 30;
const EPOLLET = 1 << 31;
const EPOLL_CLOEXEC = 0o2000000;
const EPOLL_EVENT_SIZE = 16; // riscv64's struct epoll_event is not packed: u32 events, u64 data at 8

/** A timespec's milliseconds (rounded up), undefined for NULL (wait forever), -errno on a fault or bad value. */
export function timespecMs(space: AddressSpace, addr: bigint): number | undefined {
  if (addr === 0n) return undefined;
  const b = space.read(Number(addr), 16);
  if (b === undefined) return -E.EFAULT;
  const v = new DataView(b.buffer);
  const sec = v.getBigInt64(0, true);
  const nsec = v.getBigInt64(8, true);
  if (sec < 0n || nsec < 0n || nsec >= 1_000_000_000n) return -E.EINVAL;
  return Number(sec) * 1000 + Math.ceil(Number(nsec) / 1e6);
}

/** Nothing is ready: 0 when the time is up (or there is none), else park with the timeout. */
function nothingReady(files: GuestFiles, wait: Waiting, ms: number | undefined): number {
  if (ms === 0 || wait.expired) return 0;
  wait.timeoutMs = ms;
  return files.wouldBlock();
}

export function ppoll(files: GuestFiles, space: AddressSpace, wait: Waiting, fds: bigint, nfds: number, tsp: bigint): number {
  if (nfds > 1024) return -E.EINVAL;
  const ms = timespecMs(space, tsp);
  if (ms !== undefined && ms < 0) return ms;
  const raw = space.read(Number(fds), nfds * 8);
  if (raw === undefined) return -E.EFAULT;
  const b = Buffer.from(raw);
  let ready = 0;
  for (let i = 0; i < nfds; i++) {
    const fd = b.readInt32LE(8 * i);
    const events = b.readUInt16LE(8 * i + 4);
    const rev = fd < 0 ? 0 : files.pollMask(fd) & (events | POLLERR | POLLHUP | POLLNVAL);
    b.writeUInt16LE(rev, 8 * i + 6);
    if (rev !== 0) ready++;
  }
  if (ready === 0) {
    const r = nothingReady(files, wait, ms);
    if (r !== 0) return r;
  }
  return space.write(Number(fds), b) ? ready : -E.EFAULT;
}

function readFdSet(space: AddressSpace, addr: bigint, words: number): bigint[] | undefined | number {
  if (addr === 0n) return undefined;
  const out: bigint[] = [];
  for (let i = 0; i < words; i++) {
    const w = space.readU64(Number(addr) + 8 * i);
    if (w === undefined) return -E.EFAULT;
    out.push(w);
  }
  return out;
}

export function pselect6(files: GuestFiles, space: AddressSpace, wait: Waiting, a: readonly bigint[]): number {
  const n = Number(BigInt.asIntN(32, a[0]));
  if (n < 0 || n > 1024) return -E.EINVAL;
  const words = Math.ceil(n / 64);
  const sets = [a[1], a[2], a[3]].map((p) => readFdSet(space, p, words));
  for (const s of sets) if (typeof s === 'number') return s;
  const [rd, wr, ex] = sets as (bigint[] | undefined)[];
  const ms = timespecMs(space, a[4]);
  if (ms !== undefined && ms < 0) return ms;
  const out = [rd, wr, ex].map((s) => s?.map(() => 0n));
  const want = [POLLIN | POLLHUP | POLLERR, POLLOUT | POLLERR, POLLPRI];
  let ready = 0;
  for (let fd = 0; fd < n; fd++) {
    const w = fd >> 6;
    const bit = 1n << BigInt(fd & 63);
    const asked = [rd, wr, ex].map((s) => s !== undefined && (s[w] & bit) !== 0n);
    if (!asked.some((x) => x)) continue;
    const m = files.pollMask(fd);
    if ((m & POLLNVAL) !== 0) return -E.EBADF;
    asked.forEach((on, k) => {
      const o = out[k];
      if (on && o !== undefined && (m & want[k]) !== 0) {
        o[w] |= bit;
        ready++;
      }
    });
  }
  if (ready === 0) {
    const r = nothingReady(files, wait, ms);
    if (r !== 0) return r;
  }
  for (const [k, p] of [a[1], a[2], a[3]].entries()) {
    const o = out[k];
    if (o === undefined) continue;
    for (let i = 0; i < words; i++) if (!space.writeU64(Number(p) + 8 * i, o[i])) return -E.EFAULT;
  }
  if (ready === 0 && a[4] !== 0n && !space.write(Number(a[4]), new Uint8Array(16))) return -E.EFAULT;
  return ready;
}

/** One registration of an epoll instance: the description it watches (by its fd), the events asked, the user data. */
interface Interest {
  desc: Description;
  events: number;
  data: bigint;
  /** The object's change count when the interest last reported (edge-triggered mode). */
  lastGen: number;
}

/** An epoll instance: its interest list by guest fd. */
export class Epoll implements FileObject {
  readonly mode = 0o600;
  gen = 0;
  readonly interests = new Map<number, Interest>();

  constructor(private readonly files: GuestFiles) {}

  read(): number { return -E.EINVAL; }
  write(): number { return -E.EINVAL; }
  available(): number { return 0; }
  release(): void { this.interests.clear(); }

  poll(): number {
    return this.collect(1, false).length > 0 ? POLLIN : 0;
  }

  /** Ready registrations, at most `max`; `consume` applies EPOLLONESHOT and remembers what edge-triggered ones reported. */
  collect(max: number, consume: boolean): { events: number; data: bigint }[] {
    const out: { events: number; data: bigint }[] = [];
    for (const [fd, it] of this.interests) {
      if (out.length >= max) break;
      if (it.desc.refs <= 0) { // its last descriptor closed: Linux drops the registration
        this.interests.delete(fd);
        continue;
      }
      const m = this.files.descMask(it.desc) & (it.events | POLLERR | POLLHUP);
      if (m === 0) continue;
      const gen = this.files.descGen(it.desc);
      if ((it.events & EPOLLET) !== 0 && gen === it.lastGen) continue;
      out.push({ events: m, data: it.data });
      if (!consume) continue;
      it.lastGen = gen;
      if ((it.events & EPOLLONESHOT) !== 0) it.events &= EPOLLONESHOT | EPOLLET; // disabled until EPOLL_CTL_MOD
    }
    return out;
  }
}

export function epollCreate1(files: GuestFiles, flags: number): number {
  if ((flags & ~EPOLL_CLOEXEC) !== 0) return -E.EINVAL;
  return files.addObject(new Epoll(files), 2, (flags & EPOLL_CLOEXEC) !== 0);
}

function epollOf(files: GuestFiles, epfd: bigint): Epoll | number {
  const o = files.objectOf(epfd);
  if (typeof o === 'number') return o;
  return o.obj instanceof Epoll ? o.obj : -E.EINVAL;
}

export function epollCtl(files: GuestFiles, space: AddressSpace, epfd: bigint, op: number, fd: bigint, event: bigint): number {
  const ep = epollOf(files, epfd);
  if (typeof ep === 'number') return ep;
  const desc = files.description(fd);
  if (desc === undefined) return -E.EBADF;
  if (fd === epfd) return -E.EINVAL;
  const n = Number(fd);
  const it = ep.interests.get(n);
  if (op === EPOLL_CTL_DEL) return it !== undefined && ep.interests.delete(n) ? 0 : -E.ENOENT;
  const b = space.read(Number(event), EPOLL_EVENT_SIZE);
  if (b === undefined) return -E.EFAULT;
  const v = new DataView(b.buffer);
  const events = v.getUint32(0, true);
  const data = v.getBigUint64(8, true);
  if (op === EPOLL_CTL_ADD) {
    if (it !== undefined) return -E.EEXIST;
    ep.interests.set(n, { desc, events, data, lastGen: -1 });
    ep.gen++;
    return 0;
  }
  if (op !== EPOLL_CTL_MOD) return -E.EINVAL;
  if (it === undefined) return -E.ENOENT;
  it.events = events;
  it.data = data;
  it.lastGen = -1;
  ep.gen++;
  return 0;
}

export function epollPwait(files: GuestFiles, space: AddressSpace, wait: Waiting, epfd: bigint, events: bigint, max: number, timeout: number): number {
  const ep = epollOf(files, epfd);
  if (typeof ep === 'number') return ep;
  if (max <= 0 || max > 65536) return -E.EINVAL;
  const ready = ep.collect(max, true);
  if (ready.length === 0) return nothingReady(files, wait, timeout < 0 ? undefined : timeout);
  const out = new Uint8Array(EPOLL_EVENT_SIZE * ready.length);
  const v = new DataView(out.buffer);
  ready.forEach((r, i) => {
    v.setUint32(EPOLL_EVENT_SIZE * i, r.events, true);
    v.setBigUint64(EPOLL_EVENT_SIZE * i + 8, r.data, true);
  });
  return space.write(Number(events), out) ? ready.length : -E.EFAULT;
}
