/**
 * The emulated Linux kernel of one process: system calls by number (the generic RISC-V table),
 * the memory calls (brk, mmap, munmap, mprotect, mremap) on the address space, time, random
 * bytes, identity, limits, and what happens on a fault (demand paging, or the signal that ends
 * the process). Files are guest-files.ts. Unknown calls return -ENOSYS, as QEMU does.
 *
 * Calls about threads, signals and processes (clone, exit, kill, rt_sigaction, ...) are the
 * process service's (service.ts); the sleeping ones (futex, nanosleep) the worker's (local-calls.ts).
 */
import { hostname, release, version, totalmem, freemem, uptime, availableParallelism } from 'node:os';
import { readFileSync } from 'node:fs';
import { randomFillSync } from 'node:crypto';
import { AddressSpace, pageAlignUp, PROT_EXEC, PROT_READ, PROT_WRITE, USER_SPACE_TOP } from './address-space.js';
import { GuestFiles } from './guest-files.js';
import { E } from './errno.js';
import { NR } from './syscall-names.js';
import { PAGE_SIZE } from '../memory/guest-memory.js';
import * as net from './net.js';
import { epollCreate1, epollCtl, epollPwait, ppoll, pselect6, type Waiting } from './poll.js';

/** How a system call ends: a value for a0, or the end of the process. */
export type SyscallResult =
  | { kind: 'return'; value: bigint }
  | { kind: 'exit'; status: number }
  | { kind: 'signal'; signal: number };

export const SIGNALS: Readonly<Record<number, NodeJS.Signals>> = {
  1: 'SIGHUP', 2: 'SIGINT', 3: 'SIGQUIT', 4: 'SIGILL', 5: 'SIGTRAP', 6: 'SIGABRT', 7: 'SIGBUS', 8: 'SIGFPE', 9: 'SIGKILL',
  10: 'SIGUSR1', 11: 'SIGSEGV', 12: 'SIGUSR2', 13: 'SIGPIPE', 14: 'SIGALRM', 15: 'SIGTERM', 24: 'SIGXCPU', 25: 'SIGXFSZ',
};

const MAP_SHARED = 1;
const MAP_FIXED = 0x10;
const MAP_ANONYMOUS = 0x20;
const MAP_FIXED_NOREPLACE = 0x100000;
const MREMAP_MAYMOVE = 1;
const MREMAP_FIXED = 2;

export interface KernelOptions {
  ldPrefix: string;
  exePath: string;
  brk: number;
  unameRelease: string | undefined;
  seed: bigint | undefined;
}

/** Resource names as /proc/self/limits spells them, by RLIMIT_* number. */
const LIMIT_NAMES = ['Max cpu time', 'Max file size', 'Max data size', 'Max stack size', 'Max core file size', 'Max resident set',
  'Max processes', 'Max open files', 'Max locked memory', 'Max address space', 'Max file locks', 'Max pending signals',
  'Max msgqueue size', 'Max nice priority', 'Max realtime priority', 'Max realtime timeout'];

export class Kernel {
  readonly files: GuestFiles;
  private brkCur: number;
  private brkPage: number;
  private readonly brkStart: number;
  private readonly realtimeOffset: bigint;
  private rng: bigint | undefined;
  /** The service's deadline for the call that runs now (ppoll, pselect6, epoll_pwait). */
  readonly wait: Waiting = { expired: false, timeoutMs: undefined };

  constructor(readonly space: AddressSpace, private readonly opts: KernelOptions, files?: GuestFiles) {
    this.files = files ?? new GuestFiles(space, opts.ldPrefix, opts.exePath);
    this.brkCur = opts.brk;
    this.brkStart = opts.brk;
    this.brkPage = pageAlignUp(opts.brk);
    this.realtimeOffset = BigInt(Date.now()) * 1_000_000n - process.hrtime.bigint();
    this.rng = opts.seed;
  }

  /** fork: the kernel of the child process, on `space` (the copy of this one's). */
  fork(space: AddressSpace): Kernel {
    const child = new Kernel(space, { ...this.opts, brk: this.brkStart }, this.files.fork(space));
    child.brkCur = this.brkCur;
    child.brkPage = this.brkPage;
    child.rng = this.rng;
    return child;
  }

  /** execve: the kernel of the new program, keeping the descriptors (not the close-on-exec ones). */
  exec(space: AddressSpace, exePath: string, brk: number): Kernel {
    this.files.closeOnExec();
    return new Kernel(space, { ...this.opts, exePath, brk }, this.files.withExe(space, exePath));
  }

  /** Run system call `nr` with arguments a0..a5. */
  syscall(nr: number, a: readonly bigint[]): SyscallResult {
    const r = this.dispatch(nr, a);
    if (typeof r === 'object') return r;
    return { kind: 'return', value: BigInt(r) };
  }

  // eslint-disable-next-line complexity
  private dispatch(nr: number, a: readonly bigint[]): number | bigint | SyscallResult {
    const f = this.files;
    switch (nr) {
      case NR.read: return f.read(a[0], a[1], a[2]);
      case NR.write: return f.write(a[0], a[1], a[2]);
      case NR.pread64: return f.read(a[0], a[1], a[2], a[3]);
      case NR.pwrite64: return f.write(a[0], a[1], a[2], a[3]);
      case NR.readv: return f.readv(a[0], a[1], a[2]);
      case NR.writev: return f.writev(a[0], a[1], a[2]);
      case NR.openat: return f.openat(a[0], a[1], a[2], a[3]);
      case NR.close: return f.close(a[0]);
      case NR.lseek: return f.lseek(a[0], a[1], a[2]);
      case NR.newfstatat: return f.newfstatat(a[0], a[1], a[2], a[3]);
      case NR.fstat: return f.fstat(a[0], a[1]);
      case NR.faccessat: return f.faccessat(a[0], a[1], a[2]);
      case NR.readlinkat: return f.readlinkat(a[0], a[1], a[2], a[3]);
      case NR.getdents64: return f.getdents64(a[0], a[1], a[2]);
      case NR.mkdirat: return f.mkdirat(a[0], a[1], a[2]);
      case NR.unlinkat: return f.unlinkat(a[0], a[1], a[2]);
      case NR.renameat: return f.renameat(a[0], a[1], a[2], a[3]);
      case NR.renameat2: return a[4] === 0n ? f.renameat(a[0], a[1], a[2], a[3]) : -E.EINVAL;
      case NR.symlinkat: return f.symlinkat(a[0], a[1], a[2]);
      case NR.linkat: return f.linkat(a[0], a[1], a[2], a[3]);
      case NR.fchmodat: return f.fchmodat(a[0], a[1], a[2]);
      case NR.fchmod: return f.fchmod(a[0], a[1]);
      case NR.truncate: return f.truncate(a[0], a[1]);
      case NR.ftruncate: return f.ftruncate(a[0], a[1]);
      case NR.fsync: return f.fsync(a[0]);
      case NR.fdatasync: return f.fdatasync(a[0]);
      case NR.getcwd: return f.getcwd(a[0], a[1]);
      case NR.chdir: return f.chdir(a[0]);
      case NR.fchdir: return f.fchdir(a[0]);
      case NR.dup: return f.dup(a[0]);
      case NR.dup3: return f.dup3(a[0], a[1], a[2]);
      case NR.fcntl: return f.fcntl(a[0], a[1], a[2]);
      case NR.pipe2: return f.pipe2(a[0], a[1]);
      case NR.ioctl: return f.ioctl(a[0], a[1], a[2]);
      case NR.eventfd2: return net.eventfd2(f, a[0], Number(a[1]));
      case NR.epoll_create1: return epollCreate1(f, Number(a[0]));
      case NR.epoll_ctl: return epollCtl(f, this.space, a[0], Number(a[1]), a[2], a[3]);
      case NR.epoll_pwait: return epollPwait(f, this.space, this.wait, a[0], a[1], Number(BigInt.asIntN(32, a[2])), Number(BigInt.asIntN(32, a[3])));
      case NR.ppoll: return ppoll(f, this.space, this.wait, a[0], Number(a[1]), a[2]);
      case NR.pselect6: return pselect6(f, this.space, this.wait, a);
      default: return this.socketCall(nr, a);
    }
  }

  // eslint-disable-next-line complexity
  private socketCall(nr: number, a: readonly bigint[]): number | bigint {
    const f = this.files;
    const s = this.space;
    const int = (v: bigint): number => Number(BigInt.asIntN(32, v));
    switch (nr) {
      case NR.socket: return net.socket(f, int(a[0]), int(a[1]), int(a[2]));
      case NR.socketpair: return net.socketpair(f, s, int(a[0]), int(a[1]), a[3]);
      case NR.bind: return net.bind(f, s, a[0], a[1], int(a[2]));
      case NR.listen: return net.listen(f, a[0]);
      case NR.connect: return net.connect(f, s, a[0], a[1], int(a[2]));
      case NR.accept: return net.accept4(f, s, a[0], a[1], a[2], 0);
      case NR.accept4: return net.accept4(f, s, a[0], a[1], a[2], int(a[3]));
      case NR.getsockname: return net.sockName(f, s, a[0], a[1], a[2], false);
      case NR.getpeername: return net.sockName(f, s, a[0], a[1], a[2], true);
      case NR.sendto: return net.sendto(f, s, a);
      case NR.recvfrom: return net.recvfrom(f, s, a);
      case NR.sendmsg: return net.sendmsg(f, s, a[0], a[1], int(a[2]));
      case NR.recvmsg: return net.recvmsg(f, s, a[0], a[1], int(a[2]));
      case NR.shutdown: return net.shutdown(f, a[0], int(a[1]));
      case NR.setsockopt: return net.setsockopt(f, s, a);
      case NR.getsockopt: return net.getsockopt(f, s, a);
      default: return this.otherCall(nr, a);
    }
  }

  // eslint-disable-next-line complexity
  private otherCall(nr: number, a: readonly bigint[]): number | bigint {
    const f = this.files;
    switch (nr) {
      case NR.umask: { const old = f.umask; f.umask = Number(a[0]) & 0o777; return old; }
      case NR.utimensat: return 0;
      case NR.brk: return this.brk(Number(a[0]));
      case NR.mmap: return this.mmap(a);
      case NR.munmap: return this.munmap(Number(a[0]), Number(a[1]));
      case NR.mprotect: return this.mprotect(Number(a[0]), Number(a[1]), Number(a[2]));
      case NR.mremap: return this.mremap(a);
      case NR.madvise: case NR.msync: case NR.mlock: case NR.munlock: return 0;
      case NR.getppid: return process.ppid;
      case NR.getuid: return process.getuid?.() ?? 0;
      case NR.geteuid: return process.geteuid?.() ?? 0;
      case NR.getgid: return process.getgid?.() ?? 0;
      case NR.getegid: return process.getegid?.() ?? 0;
      case NR.getrandom: return this.getrandom(a[0], Number(a[1]));
      case NR.uname: return this.uname(a[0]);
      case NR.prlimit64: return this.prlimit(Number(a[1]), a[3]);
      case NR.clock_gettime: return this.clockGettime(Number(a[0]), a[1]);
      case NR.clock_getres: return this.clockGetres(Number(a[0]), a[1]);
      case NR.gettimeofday: return this.gettimeofday(a[0]);
      case NR.sched_yield: return 0;
      case NR.sched_getaffinity: return this.affinity(Number(a[1]), a[2]);
      case NR.sysinfo: return this.sysinfo(a[0]);
      case NR.riscv_flush_icache: return 0;
      default: return -E.ENOSYS;
    }
  }

  // ---- memory ------------------------------------------------------------------------------------

  /** QEMU 7.2's do_brk: grows by mapping after the current brk page, never below the start. */
  private brk(addr: number): number {
    if (addr === 0 || addr < this.brkStart) return this.brkCur;
    if (addr <= this.brkPage) {
      if (addr > this.brkCur) this.space.write(this.brkCur, new Uint8Array(addr - this.brkCur));
      this.brkCur = addr;
      return this.brkCur;
    }
    const size = pageAlignUp(addr - this.brkPage + 1);
    if (!this.space.isFree(this.brkPage, size) || size / PAGE_SIZE > this.space.freePages) return this.brkCur;
    this.space.map(this.brkPage, size, PROT_READ | PROT_WRITE);
    this.brkCur = addr;
    this.brkPage = pageAlignUp(addr);
    return this.brkCur;
  }

  private mmap(a: readonly bigint[]): number | bigint {
    const addr = Number(a[0]);
    const len = Number(a[1]);
    const prot = Number(a[2]) & (PROT_READ | PROT_WRITE | PROT_EXEC);
    const flags = Number(a[3]);
    const offset = Number(a[5]);
    if (len === 0 || offset % PAGE_SIZE !== 0 || a[1] > BigInt(USER_SPACE_TOP)) return -E.EINVAL;
    const size = pageAlignUp(len);
    let start: number;
    if ((flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) !== 0) {
      if (addr % PAGE_SIZE !== 0) return -E.EINVAL;
      if (!this.space.fits(addr, size)) return -E.ENOMEM; // outside -R's reserved space, as QEMU's guest_range_valid
      if ((flags & MAP_FIXED_NOREPLACE) !== 0 && !this.space.isFree(addr, size)) return -E.EEXIST;
      start = addr;
    } else {
      start = this.space.findFree(addr, size);
      if (start < 0) return -E.ENOMEM;
    }
    if ((flags & MAP_ANONYMOUS) !== 0) {
      this.space.map(start, size, prot);
      return start;
    }
    const bytes = this.files.fileBytes(a[4], offset, size);
    if (typeof bytes === 'number') return bytes;
    void MAP_SHARED; // shared file mappings are private copies here (see README)
    this.space.mapData(start, size, prot, bytes.data, Math.ceil(Math.max(0, bytes.size - offset) / PAGE_SIZE));
    return start;
  }

  private munmap(addr: number, len: number): number {
    if (addr % PAGE_SIZE !== 0 || len === 0) return -E.EINVAL;
    this.space.unmap(addr, pageAlignUp(len));
    return 0;
  }

  private mprotect(addr: number, len: number, prot: number): number {
    if (addr % PAGE_SIZE !== 0) return -E.EINVAL;
    if (len === 0) return 0;
    return this.space.protect(addr, pageAlignUp(len), prot & 7) ? 0 : -E.ENOMEM;
  }

  /** mremap: shrink in place; grow by moving (MAYMOVE) to where mmap would go, as QEMU's host mremap did. */
  private mremap(a: readonly bigint[]): number {
    const old = Number(a[0]);
    const oldSize = pageAlignUp(Number(a[1]));
    const newSize = pageAlignUp(Number(a[2]));
    const flags = Number(a[3]);
    if (old % PAGE_SIZE !== 0 || newSize === 0) return -E.EINVAL;
    if (!this.space.isMapped(old)) return -E.EFAULT;
    if (newSize <= oldSize) {
      if (newSize < oldSize) this.space.unmap(old + newSize, oldSize - newSize);
      if ((flags & MREMAP_FIXED) === 0) return old;
    }
    let to: number;
    if ((flags & MREMAP_FIXED) !== 0) {
      to = Number(a[4]);
      if (!this.space.fits(to, newSize)) return -E.ENOMEM;
      this.space.unmap(to, newSize);
    } else if ((flags & MREMAP_MAYMOVE) !== 0) {
      to = this.space.findFree(0, newSize);
      if (to < 0) return -E.ENOMEM;
    } else {
      if (!this.space.isFree(old + oldSize, newSize - oldSize)) return -E.ENOMEM;
      this.space.map(old + oldSize, newSize - oldSize, this.space.protOf(old));
      return old;
    }
    const prot = this.space.protOf(old);
    this.space.move(old, Math.min(oldSize, newSize), to);
    if (newSize > oldSize) this.space.map(to + oldSize, newSize - oldSize, prot);
    return to;
  }

  /**
   * A fault at `addr` needing `prot`: true when the page was only not there yet (demand
   * paging; the instruction runs again), else the signal that ends the process.
   */
  pageFault(addr: number, prot: number): true | number {
    const t = this.space.touch(addr, prot);
    if (t.ok) return true;
    return t.signal === 'SIGBUS' ? 7 : 11;
  }

  // ---- time, random, identity -----------------------------------------------------------------------

  private nowNs(clock: number): bigint | undefined {
    switch (clock) {
      case 0: case 5: case 8: return this.realtimeOffset + process.hrtime.bigint();
      case 1: case 4: case 6: case 7: case 9: return process.hrtime.bigint();
      case 2: case 3: { const u = process.cpuUsage(); return BigInt(u.user + u.system) * 1000n; }
      default: return undefined;
    }
  }

  private writeTimespec(addr: bigint, ns: bigint): boolean {
    const b = new Uint8Array(16);
    const v = new DataView(b.buffer);
    v.setBigInt64(0, ns / 1_000_000_000n, true);
    v.setBigInt64(8, ns % 1_000_000_000n, true);
    return this.space.write(Number(addr), b);
  }

  private clockGettime(clock: number, tp: bigint): number {
    const ns = this.nowNs(clock);
    if (ns === undefined) return -E.EINVAL;
    return this.writeTimespec(tp, ns) ? 0 : -E.EFAULT;
  }

  private clockGetres(clock: number, tp: bigint): number {
    if (this.nowNs(clock) === undefined) return -E.EINVAL;
    if (tp === 0n) return 0;
    return this.writeTimespec(tp, clock === 5 || clock === 6 ? 4_000_000n : 1n) ? 0 : -E.EFAULT;
  }

  private gettimeofday(tv: bigint): number {
    if (tv === 0n) return 0;
    const ns = this.nowNs(0) as bigint;
    const b = new Uint8Array(16);
    new DataView(b.buffer).setBigInt64(0, ns / 1_000_000_000n, true);
    new DataView(b.buffer).setBigInt64(8, (ns % 1_000_000_000n) / 1000n, true);
    return this.space.write(Number(tv), b) ? 0 : -E.EFAULT;
  }

  private getrandom(buf: bigint, len: number): number {
    const bytes = new Uint8Array(Math.min(len, 1 << 25));
    this.randomBytes(bytes);
    return this.space.write(Number(buf), bytes) ? bytes.length : -E.EFAULT;
  }

  /** Random bytes: the host's, or with -seed a deterministic generator (splitmix64). */
  randomBytes(out: Uint8Array): void {
    if (this.rng === undefined) {
      randomFillSync(out);
      return;
    }
    for (let i = 0; i < out.length; i++) {
      this.rng = BigInt.asUintN(64, this.rng + 0x9e3779b97f4a7c15n);
      let z = this.rng;
      z = BigInt.asUintN(64, (z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n);
      z = BigInt.asUintN(64, (z ^ (z >> 27n)) * 0x94d049bb133111ebn);
      out[i] = Number((z ^ (z >> 31n)) & 0xffn);
    }
  }

  /** uname(): the host's, with machine riscv64 (QEMU also reports the host's release unless -r). */
  private uname(buf: bigint): number {
    const fields = ['Linux', hostname(), this.opts.unameRelease ?? release(), version(), 'riscv64', domainName()];
    const out = new Uint8Array(65 * 6);
    fields.forEach((s, i) => out.set(Buffer.from(s).subarray(0, 64), 65 * i));
    return this.space.write(Number(buf), out) ? 0 : -E.EFAULT;
  }

  /** prlimit64 on the process itself: the host's limits (from /proc/self/limits); new limits are accepted and ignored. */
  private prlimit(resource: number, old: bigint): number {
    if (resource < 0 || resource >= LIMIT_NAMES.length) return -E.EINVAL;
    if (old === 0n) return 0;
    const [soft, hard] = hostLimit(LIMIT_NAMES[resource]);
    return this.space.writeU64(Number(old), soft) && this.space.writeU64(Number(old) + 8, hard) ? 0 : -E.EFAULT;
  }

  private affinity(size: number, mask: bigint): number {
    const bytes = Math.min(size, 128);
    if (bytes < 8) return -E.EINVAL;
    const out = new Uint8Array(8);
    const n = availableParallelism();
    for (let i = 0; i < Math.min(n, 64); i++) out[i >> 3] |= 1 << (i & 7);
    return this.space.write(Number(mask), out) ? 8 : -E.EFAULT;
  }

  private sysinfo(addr: bigint): number {
    const b = new Uint8Array(112);
    const v = new DataView(b.buffer);
    v.setBigInt64(0, BigInt(Math.floor(uptime())), true);
    v.setBigUint64(32, BigInt(totalmem()), true);
    v.setBigUint64(40, BigInt(freemem()), true);
    v.setUint16(80, 1, true);
    v.setUint32(104, 1, true);
    return this.space.write(Number(addr), b) ? 0 : -E.EFAULT;
  }
}

function hostLimit(name: string): [bigint, bigint] {
  const INF = (1n << 64n) - 1n;
  try {
    const line = readFileSync('/proc/self/limits', 'utf8').split('\n').find((l) => l.startsWith(name));
    const parts = line?.slice(26).trim().split(/\s+/) ?? [];
    const parse = (s: string | undefined): bigint => (s === undefined || s === 'unlimited' ? INF : BigInt(s));
    return [parse(parts[0]), parse(parts[1])];
  } catch {
    return [INF, INF];
  }
}

function domainName(): string {
  try {
    return readFileSync('/proc/sys/kernel/domainname', 'utf8').trim();
  } catch {
    return '(none)';
  }
}
