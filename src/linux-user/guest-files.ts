/**
 * The file system calls: open/close/read/write and their vector and positional forms, stat,
 * directories, links, pipes, dup, fcntl, terminal ioctls. Host descriptors do the work; the
 * guest's numbers, positions and directory cursors are kept here (src/linux-user/fd-table.ts).
 *
 * Node has no lseek, dup or pipe: a regular file's position is kept here and every read and
 * write of it is positional; dup shares the host descriptor (and this position); a pipe made by
 * the guest is a buffer inside the emulator (enough for one process; fork, in the next stage,
 * needs host pipes).
 */
import * as fs from 'node:fs';
import { isatty } from 'node:tty';
import { E, errnoOf } from './errno.js';
import { FdTable, STD_STREAMS, type GuestFd } from './fd-table.js';
import type { AddressSpace } from './address-space.js';
import { hostPath } from './paths.js';

export const AT_FDCWD = -100;
const AT_SYMLINK_NOFOLLOW = 0x100;
const AT_REMOVEDIR = 0x200;
const AT_EMPTY_PATH = 0x1000;
const O_ACCMODE = 3;
const O_APPEND = 0o2000;
const O_CLOEXEC = 0o2000000;
const O_NONBLOCK = 0o4000;
const STAT_SIZE = 128;

/** An in-emulator pipe: bytes written and not read yet, and how many write ends are open. */
export interface PipeBuffer {
  data: Buffer[];
  writers: number;
  readers: number;
}

/** What a guest descriptor refers to beyond the host descriptor. */
interface Description {
  /** Position of a regular file, kept here (positional I/O); undefined: the host's own offset. */
  pos: bigint | undefined;
  flags: number;
  pipe: { buf: PipeBuffer; end: 'r' | 'w' } | undefined;
  /** Guest descriptors naming this description, in every process (dup and fork share it). */
  refs: number;
}

/** A pipe end that a host child process's stream takes the place of. */
export interface PipePump {
  connect(stream: NodeJS.ReadableStream | NodeJS.WritableStream, changed: () => void): Promise<void>;
}

/** A read of an empty pipe whose writers are still open: the caller sleeps until that changes. */
export const WOULD_BLOCK = -0x10000;

type Fd = GuestFd & { desc: Description };

export class GuestFiles {
  readonly fds = new FdTable();
  /** The process's working directory (workers cannot chdir the host process). */
  cwd = process.cwd();
  umask = 0o022;

  constructor(private readonly space: AddressSpace, private readonly ldPrefix: string, private readonly exePath: string) {}

  private fd(n: number): Fd | undefined {
    const f = this.fds.get(n) as Fd | undefined;
    if (f && !f.desc) f.desc = { pos: undefined, flags: O_ACCMODE & (n === 0 ? 0 : 1), pipe: undefined, refs: 1 };
    return f;
  }

  private str(addr: bigint): string | undefined {
    const b = this.space.readCString(Number(addr));
    return b === undefined ? undefined : Buffer.from(b).toString('utf8');
  }

  /** The host path for `path` relative to `dirfd` (AT_FDCWD: the guest's cwd). */
  resolve(dirfd: number, path: string): string | number {
    if (path.startsWith('/')) return hostPath(this.ldPrefix, path);
    if (dirfd === AT_FDCWD) return path === '' ? this.cwd : `${this.cwd}/${path}`;
    const f = this.fd(dirfd);
    if (!f) return -E.EBADF;
    return `/proc/self/fd/${f.host}${path === '' ? '' : `/${path}`}`;
  }

  private pathArg(dirfd: bigint, addr: bigint): string | number {
    const p = this.str(addr);
    if (p === undefined) return -E.EFAULT;
    if (p === '') return -E.ENOENT;
    return this.resolve(Number(BigInt.asIntN(32, dirfd)), p);
  }

  // ---- open / close ------------------------------------------------------------------------

  openat(dirfd: bigint, pathAddr: bigint, flags: bigint, mode: bigint): number {
    const p = this.str(pathAddr);
    if (p === undefined) return -E.EFAULT;
    if (p === '') return -E.ENOENT;
    const fl = Number(BigInt.asIntN(32, flags));
    if (p === '/proc/self/exe') return this.openHost(this.exePath, fl, mode);
    const path = this.resolve(Number(BigInt.asIntN(32, dirfd)), p);
    if (typeof path === 'number') return path;
    return this.openHost(path, fl, mode);
  }

  private openHost(path: string, fl: number, mode: bigint): number {
    try {
      const host = fs.openSync(path, fl & ~O_CLOEXEC, Number(mode) & 0o7777);
      const seekable = fs.fstatSync(host).isFile();
      const f: Fd = { host, path, dir: undefined, cloexec: (fl & O_CLOEXEC) !== 0, desc: { pos: seekable ? 0n : undefined, flags: fl, pipe: undefined, refs: 1 } };
      return this.fds.add(f);
    } catch (e) {
      return -errnoOf(e);
    }
  }

  close(fd: bigint): number {
    const f = this.fds.close(Number(fd)) as Fd | undefined;
    if (!f) return -E.EBADF;
    return release(f);
  }

  /** The new process of a fork: the same descriptions, one more reference each. */
  fork(space: AddressSpace): GuestFiles {
    const child = new GuestFiles(space, this.ldPrefix, this.exePath);
    child.cwd = this.cwd;
    child.umask = this.umask;
    for (let i = 0; i < STD_STREAMS; i++) child.fds.close(i);
    for (const [n] of this.fds.entries()) {
      const f = this.fd(n) as Fd;
      f.desc.refs++;
      child.fds.place(n, { ...f });
    }
    return child;
  }

  /** execve: the descriptors marked close-on-exec go. */
  closeOnExec(): void {
    for (const [n, f] of this.fds.entries()) if (f.cloexec) this.close(BigInt(n));
  }

  /** The process ended: every descriptor goes (pipe readers then see the end of file). */
  closeAll(): void {
    for (const [n] of this.fds.entries()) this.close(BigInt(n));
  }

  /**
   * Guest descriptor `n` as a host child process's stdio: its host descriptor, a pipe end to pump
   * (the child holds a reference until its stream ends), or undefined when it is not open.
   */
  hostStream(n: number): number | PipePump | undefined {
    const f = this.fd(n);
    if (!f) return undefined;
    const pipe = f.desc.pipe;
    if (!pipe) return f.host;
    f.desc.refs++;
    const done = (): void => { release(f); };
    return {
      connect: (stream, changed) => new Promise<void>((resolve) => {
        if (pipe.end === 'w' && 'on' in stream && 'read' in stream) {
          stream.on('data', (d: Buffer) => { pipe.buf.data.push(d); changed(); });
          stream.on('end', () => { done(); changed(); resolve(); });
          return;
        }
        // the child reads what the pipe holds now; later writes do not reach it (see README)
        const w = stream as NodeJS.WritableStream;
        w.on('error', () => undefined);
        for (const d of pipe.buf.data) w.write(d);
        pipe.buf.data = [];
        w.end();
        done();
        changed();
        resolve();
      }),
    };
  }

  /** The program the process runs now (execve). */
  withExe(space: AddressSpace, exePath: string): GuestFiles {
    const next = new GuestFiles(space, this.ldPrefix, exePath);
    next.cwd = this.cwd;
    next.umask = this.umask;
    for (let i = 0; i < STD_STREAMS; i++) next.fds.close(i);
    for (const [n, f] of this.fds.entries()) next.fds.place(n, f);
    return next;
  }

  private *allFds(): Iterable<Fd> {
    for (let i = 0; i < 1024; i++) {
      const f = this.fds.get(i) as Fd | undefined;
      if (f) yield f;
    }
  }

  // ---- read / write -----------------------------------------------------------------------------

  /** Read up to `count` bytes from guest fd into a host buffer: the bytes, or -errno. */
  private readHost(f: Fd, count: number, at: bigint | undefined): Buffer | number {
    if (f.desc.pipe) return this.readPipe(f, count);
    const buf = Buffer.alloc(Math.min(count, 1 << 20));
    const pos = at ?? f.desc.pos;
    for (;;) {
      try {
        const n = fs.readSync(f.host, buf, 0, buf.length, pos === undefined ? null : pos);
        if (at === undefined && f.desc.pos !== undefined) f.desc.pos += BigInt(n);
        return buf.subarray(0, n);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EAGAIN' && (f.desc.flags & O_NONBLOCK) === 0) {
          Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5); // the host fd is non-blocking: poll
          continue;
        }
        if (code === 'EISDIR') return -E.EISDIR;
        return -errnoOf(e);
      }
    }
  }

  private readPipe(f: Fd, count: number): Buffer | number {
    const p = f.desc.pipe;
    if (!p || p.end !== 'r') return -E.EBADF;
    if (p.buf.data.length === 0) {
      if (p.buf.writers === 0) return Buffer.alloc(0);
      return (f.desc.flags & O_NONBLOCK) !== 0 ? -E.EAGAIN : WOULD_BLOCK;
    }
    const all = Buffer.concat(p.buf.data);
    const out = all.subarray(0, count);
    p.buf.data = all.length > count ? [all.subarray(count)] : [];
    return out;
  }

  private writeHost(f: Fd, data: Uint8Array, at: bigint | undefined): number {
    const p = f.desc.pipe;
    if (p) {
      if (p.end !== 'w') return -E.EBADF;
      if (p.buf.readers === 0) return -32; // EPIPE
      p.buf.data.push(Buffer.from(data));
      return data.length;
    }
    try {
      let pos = at ?? f.desc.pos;
      if (at === undefined && pos !== undefined && (f.desc.flags & O_APPEND) !== 0) pos = fs.fstatSync(f.host, { bigint: true }).size;
      let done = 0;
      while (done < data.length) done += fs.writeSync(f.host, data, done, data.length - done, pos === undefined ? null : Number(pos) + done);
      if (at === undefined && f.desc.pos !== undefined && pos !== undefined) f.desc.pos = pos + BigInt(done);
      return done;
    } catch (e) {
      return -errnoOf(e);
    }
  }

  read(fd: bigint, addr: bigint, count: bigint, at?: bigint): number {
    const f = this.fd(Number(fd));
    if (!f) return -E.EBADF;
    const r = this.readHost(f, Number(count), at);
    if (typeof r === 'number') return r;
    if (!this.space.write(Number(addr), r)) return -E.EFAULT;
    return r.length;
  }

  write(fd: bigint, addr: bigint, count: bigint, at?: bigint): number {
    const f = this.fd(Number(fd));
    if (!f) return -E.EBADF;
    const data = this.space.read(Number(addr), Number(count));
    if (!data) return -E.EFAULT;
    return this.writeHost(f, data, at);
  }

  private iovecs(addr: bigint, count: bigint): { base: bigint; len: bigint }[] | undefined {
    const out: { base: bigint; len: bigint }[] = [];
    for (let i = 0; i < Number(count); i++) {
      const base = this.space.readU64(Number(addr) + 16 * i);
      const len = this.space.readU64(Number(addr) + 16 * i + 8);
      if (base === undefined || len === undefined) return undefined;
      out.push({ base, len });
    }
    return out;
  }

  readv(fd: bigint, iov: bigint, cnt: bigint): number {
    const v = this.iovecs(iov, cnt);
    if (!v) return -E.EFAULT;
    let total = 0;
    for (const { base, len } of v) {
      if (len === 0n) continue;
      const n = this.read(fd, base, len);
      if (n < 0) return total > 0 ? total : n;
      total += n;
      if (n < Number(len)) break;
    }
    return total;
  }

  writev(fd: bigint, iov: bigint, cnt: bigint): number {
    const v = this.iovecs(iov, cnt);
    if (!v) return -E.EFAULT;
    const parts: Uint8Array[] = [];
    for (const { base, len } of v) {
      const b = this.space.read(Number(base), Number(len));
      if (!b) return -E.EFAULT;
      parts.push(b);
    }
    const f = this.fd(Number(fd));
    if (!f) return -E.EBADF;
    return this.writeHost(f, Buffer.concat(parts), undefined);
  }

  lseek(fd: bigint, offset: bigint, whence: bigint): number | bigint {
    const f = this.fd(Number(fd));
    if (!f) return -E.EBADF;
    let st: fs.BigIntStats;
    try {
      st = fs.fstatSync(f.host, { bigint: true });
    } catch (e) {
      return -errnoOf(e);
    }
    if (!st.isFile() && !st.isDirectory() && !st.isBlockDevice()) return -E.ESPIPE;
    if (f.desc.pos === undefined) f.desc.pos = hostOffset(f.host);
    const off = BigInt.asIntN(64, offset);
    let next: bigint;
    switch (Number(whence)) {
      case 0: next = off; break;
      case 1: next = f.desc.pos + off; break;
      case 2: next = st.size + off; break;
      default: return -E.EINVAL;
    }
    if (next < 0n) return -E.EINVAL;
    f.desc.pos = next;
    if (st.isDirectory() && f.dir) f.dir.next = Number(next);
    return next;
  }

  // ---- stat ----------------------------------------------------------------------------------------

  private packStat(st: fs.BigIntStats): Uint8Array {
    const b = new Uint8Array(STAT_SIZE);
    const v = new DataView(b.buffer);
    v.setBigUint64(0, st.dev, true);
    v.setBigUint64(8, st.ino, true);
    v.setUint32(16, Number(st.mode), true);
    v.setUint32(20, Number(st.nlink), true);
    v.setUint32(24, Number(st.uid), true);
    v.setUint32(28, Number(st.gid), true);
    v.setBigUint64(32, st.rdev, true);
    v.setBigInt64(48, st.size, true);
    v.setInt32(56, Number(st.blksize), true);
    v.setBigInt64(64, st.blocks, true);
    const times = [st.atimeNs, st.mtimeNs, st.ctimeNs];
    times.forEach((ns, i) => {
      v.setBigInt64(72 + 16 * i, ns / 1_000_000_000n, true);
      v.setBigInt64(80 + 16 * i, ns % 1_000_000_000n, true);
    });
    return b;
  }

  newfstatat(dirfd: bigint, pathAddr: bigint, buf: bigint, flags: bigint): number {
    const fl = Number(flags);
    const p = this.str(pathAddr);
    if (p === undefined) return -E.EFAULT;
    let st: fs.BigIntStats;
    try {
      if (p === '' && (fl & AT_EMPTY_PATH) !== 0) {
        const d = Number(BigInt.asIntN(32, dirfd));
        if (d === AT_FDCWD) st = fs.statSync(this.cwd, { bigint: true });
        else {
          const f = this.fd(d);
          if (!f) return -E.EBADF;
          st = fs.fstatSync(f.host, { bigint: true });
        }
      } else {
        if (p === '') return -E.ENOENT;
        const path = this.resolve(Number(BigInt.asIntN(32, dirfd)), p);
        if (typeof path === 'number') return path;
        st = (fl & AT_SYMLINK_NOFOLLOW) !== 0 ? fs.lstatSync(path, { bigint: true }) : fs.statSync(path, { bigint: true });
      }
    } catch (e) {
      return -errnoOf(e);
    }
    return this.space.write(Number(buf), this.packStat(st)) ? 0 : -E.EFAULT;
  }

  fstat(fd: bigint, buf: bigint): number {
    const f = this.fd(Number(fd));
    if (!f) return -E.EBADF;
    try {
      return this.space.write(Number(buf), this.packStat(fs.fstatSync(f.host, { bigint: true }))) ? 0 : -E.EFAULT;
    } catch (e) {
      return -errnoOf(e);
    }
  }

  // ---- paths --------------------------------------------------------------------------------------------

  faccessat(dirfd: bigint, pathAddr: bigint, mode: bigint): number {
    const path = this.pathArg(dirfd, pathAddr);
    if (typeof path === 'number') return path;
    try {
      fs.accessSync(path, Number(mode) & 7);
      return 0;
    } catch (e) {
      return -errnoOf(e);
    }
  }

  readlinkat(dirfd: bigint, pathAddr: bigint, buf: bigint, size: bigint): number {
    const p = this.str(pathAddr);
    if (p === undefined) return -E.EFAULT;
    let target: Buffer;
    if (p === '/proc/self/exe') target = Buffer.from(this.exePath);
    else {
      const path = this.resolve(Number(BigInt.asIntN(32, dirfd)), p);
      if (typeof path === 'number') return path;
      try {
        target = fs.readlinkSync(path, { encoding: 'buffer' });
      } catch (e) {
        return -errnoOf(e);
      }
    }
    const out = target.subarray(0, Number(size));
    return this.space.write(Number(buf), out) ? out.length : -E.EFAULT;
  }

  private pathCall(dirfd: bigint, pathAddr: bigint, op: (path: string) => void): number {
    const path = this.pathArg(dirfd, pathAddr);
    if (typeof path === 'number') return path;
    try {
      op(path);
      return 0;
    } catch (e) {
      return -errnoOf(e);
    }
  }

  mkdirat(dirfd: bigint, pathAddr: bigint, mode: bigint): number {
    return this.pathCall(dirfd, pathAddr, (p) => fs.mkdirSync(p, Number(mode) & 0o7777));
  }

  unlinkat(dirfd: bigint, pathAddr: bigint, flags: bigint): number {
    return this.pathCall(dirfd, pathAddr, (p) => ((Number(flags) & AT_REMOVEDIR) !== 0 ? fs.rmdirSync(p) : fs.unlinkSync(p)));
  }

  renameat(olddir: bigint, oldAddr: bigint, newdir: bigint, newAddr: bigint): number {
    const to = this.pathArg(newdir, newAddr);
    if (typeof to === 'number') return to;
    return this.pathCall(olddir, oldAddr, (p) => fs.renameSync(p, to));
  }

  symlinkat(targetAddr: bigint, newdir: bigint, linkAddr: bigint): number {
    const target = this.str(targetAddr);
    if (target === undefined) return -E.EFAULT;
    return this.pathCall(newdir, linkAddr, (p) => fs.symlinkSync(target, p));
  }

  linkat(olddir: bigint, oldAddr: bigint, newdir: bigint, newAddr: bigint): number {
    const to = this.pathArg(newdir, newAddr);
    if (typeof to === 'number') return to;
    return this.pathCall(olddir, oldAddr, (p) => fs.linkSync(p, to));
  }

  fchmodat(dirfd: bigint, pathAddr: bigint, mode: bigint): number {
    return this.pathCall(dirfd, pathAddr, (p) => fs.chmodSync(p, Number(mode) & 0o7777));
  }

  truncate(pathAddr: bigint, len: bigint): number {
    return this.pathCall(BigInt(AT_FDCWD), pathAddr, (p) => fs.truncateSync(p, Number(len)));
  }

  private fdCall(fd: bigint, op: (host: number) => void): number {
    const f = this.fd(Number(fd));
    if (!f) return -E.EBADF;
    if (f.desc.pipe) return -E.EINVAL;
    try {
      op(f.host);
      return 0;
    } catch (e) {
      return -errnoOf(e);
    }
  }

  ftruncate(fd: bigint, len: bigint): number { return this.fdCall(fd, (h) => fs.ftruncateSync(h, Number(len))); }
  fsync(fd: bigint): number { return this.fdCall(fd, (h) => fs.fsyncSync(h)); }
  fdatasync(fd: bigint): number { return this.fdCall(fd, (h) => fs.fdatasyncSync(h)); }
  fchmod(fd: bigint, mode: bigint): number { return this.fdCall(fd, (h) => fs.fchmodSync(h, Number(mode) & 0o7777)); }

  getcwd(buf: bigint, size: bigint): number {
    const b = Buffer.from(`${this.cwd}\0`);
    if (b.length > Number(size)) return -E.ERANGE;
    return this.space.write(Number(buf), b) ? b.length : -E.EFAULT;
  }

  chdir(pathAddr: bigint): number {
    const path = this.pathArg(BigInt(AT_FDCWD), pathAddr);
    if (typeof path === 'number') return path;
    try {
      if (!fs.statSync(path).isDirectory()) return -E.ENOTDIR;
      this.cwd = fs.realpathSync(path);
      return 0;
    } catch (e) {
      return -errnoOf(e);
    }
  }

  fchdir(fd: bigint): number {
    const f = this.fd(Number(fd));
    if (!f) return -E.EBADF;
    try {
      this.cwd = fs.readlinkSync(`/proc/self/fd/${f.host}`);
      return 0;
    } catch (e) {
      return -errnoOf(e);
    }
  }

  // ---- directories ------------------------------------------------------------------------------------

  getdents64(fd: bigint, buf: bigint, count: bigint): number {
    const f = this.fd(Number(fd));
    if (!f) return -E.EBADF;
    if (!f.dir) {
      const r = this.listDir(f.host);
      if (typeof r === 'number') return r;
      f.dir = { entries: r, next: 0 };
    }
    const out: Uint8Array[] = [];
    let used = 0;
    const cur = f.dir;
    while (cur.next < cur.entries.length) {
      const e = cur.entries[cur.next];
      const name = Buffer.from(e.name);
      const reclen = (19 + name.length + 1 + 7) & ~7;
      if (used + reclen > Number(count)) break;
      const rec = new Uint8Array(reclen);
      const v = new DataView(rec.buffer);
      v.setBigUint64(0, e.ino, true);
      v.setBigInt64(8, BigInt(cur.next + 1), true);
      v.setUint16(16, reclen, true);
      v.setUint8(18, e.type);
      rec.set(name, 19);
      out.push(rec);
      used += reclen;
      cur.next++;
    }
    if (out.length === 0 && cur.next < cur.entries.length) return -E.EINVAL;
    return this.space.write(Number(buf), Buffer.concat(out)) ? used : -E.EFAULT;
  }

  private listDir(host: number): { name: string; ino: bigint; type: number }[] | number {
    let path: string;
    try {
      path = fs.readlinkSync(`/proc/self/fd/${host}`);
      if (!fs.statSync(path).isDirectory()) return -E.ENOTDIR;
    } catch (e) {
      return -errnoOf(e);
    }
    const entries: { name: string; ino: bigint; type: number }[] = [];
    const add = (name: string): void => {
      try {
        const st = fs.lstatSync(`${path}/${name}`, { bigint: true });
        entries.push({ name, ino: st.ino, type: direntType(st) });
      } catch {
        // gone meanwhile
      }
    };
    add('.');
    add('..');
    const dir = fs.opendirSync(path);
    try {
      for (let d = dir.readSync(); d; d = dir.readSync()) add(d.name);
    } finally {
      dir.closeSync();
    }
    return entries;
  }

  // ---- descriptors --------------------------------------------------------------------------------------

  dup(fd: bigint, min = 0, cloexec = false): number {
    const f = this.fd(Number(fd));
    if (!f) return -E.EBADF;
    f.desc.refs++;
    return this.fds.add({ ...f, cloexec }, min);
  }

  dup3(oldfd: bigint, newfd: bigint, flags: bigint): number {
    const f = this.fd(Number(oldfd));
    if (!f) return -E.EBADF;
    if (oldfd === newfd) return -E.EINVAL;
    f.desc.refs++;
    const old = this.fds.place(Number(newfd), { ...f, cloexec: (Number(flags) & O_CLOEXEC) !== 0 }) as Fd | undefined;
    if (old) release(old);
    return Number(newfd);
  }

  fcntl(fd: bigint, cmd: bigint, arg: bigint): number {
    const f = this.fd(Number(fd));
    if (!f) return -E.EBADF;
    switch (Number(cmd)) {
      case 0: return this.dup(fd, Number(arg));
      case 1030: return this.dup(fd, Number(arg), true);
      case 1: return f.cloexec ? 1 : 0;
      case 2: f.cloexec = (Number(arg) & 1) !== 0; return 0;
      case 3: return f.desc.pipe ? (f.desc.pipe.end === 'w' ? 1 : 0) : hostFlags(f.host, f.desc.flags);
      case 4: f.desc.flags = (f.desc.flags & ~(O_APPEND | O_NONBLOCK)) | (Number(arg) & (O_APPEND | O_NONBLOCK)); return 0;
      default: return -E.EINVAL;
    }
  }

  pipe2(fdsAddr: bigint, flags: bigint): number {
    const buf: PipeBuffer = { data: [], writers: 1, readers: 1 };
    const cloexec = (Number(flags) & O_CLOEXEC) !== 0;
    const r = this.fds.add({ host: -1, path: undefined, dir: undefined, cloexec, desc: { pos: undefined, flags: 0, pipe: { buf, end: 'r' }, refs: 1 } } as Fd);
    const w = this.fds.add({ host: -1, path: undefined, dir: undefined, cloexec, desc: { pos: undefined, flags: 1, pipe: { buf, end: 'w' }, refs: 1 } } as Fd);
    const out = new Uint8Array(8);
    new DataView(out.buffer).setInt32(0, r, true);
    new DataView(out.buffer).setInt32(4, w, true);
    return this.space.write(Number(fdsAddr), out) ? 0 : -E.EFAULT;
  }

  /** Terminal ioctls: TCGETS and TIOCGWINSZ on a terminal; ENOTTY elsewhere. */
  ioctl(fd: bigint, req: bigint, arg: bigint): number {
    const f = this.fd(Number(fd));
    if (!f) return -E.EBADF;
    const tty = !f.desc.pipe && isatty(f.host);
    switch (Number(BigInt.asUintN(32, req))) {
      case 0x5401: { // TCGETS
        if (!tty) return -E.ENOTTY;
        const t = new Uint8Array(36);
        const v = new DataView(t.buffer);
        v.setUint32(0, 0x500, true); // ICRNL | IXON
        v.setUint32(4, 0x5, true); // OPOST | ONLCR
        v.setUint32(8, 0xbf, true); // CS8 | CREAD | B38400
        v.setUint32(12, 0x8a3b, true); // ISIG | ICANON | ECHO...
        return this.space.write(Number(arg), t) ? 0 : -E.EFAULT;
      }
      case 0x5413: { // TIOCGWINSZ
        if (!tty) return -E.ENOTTY;
        const w = new Uint8Array(8);
        new DataView(w.buffer).setUint16(0, 24, true);
        new DataView(w.buffer).setUint16(2, 80, true);
        return this.space.write(Number(arg), w) ? 0 : -E.EFAULT;
      }
      default:
        return tty ? -E.EINVAL : -E.ENOTTY;
    }
  }

  /** Bytes of a file for mmap: `len` bytes from `offset` (fewer at the end of the file) and the file's size. */
  fileBytes(fd: bigint, offset: number, len: number): { data: Uint8Array; size: number } | number {
    const f = this.fd(Number(fd));
    if (!f || f.desc.pipe) return -E.EBADF;
    try {
      const size = Number(fs.fstatSync(f.host).size);
      const data = new Uint8Array(len);
      let done = 0;
      while (done < len && offset + done < size) {
        const n = fs.readSync(f.host, data, done, len - done, offset + done);
        if (n === 0) break;
        done += n;
      }
      return { data, size };
    } catch (e) {
      return -errnoOf(e);
    }
  }
}

function direntType(st: fs.BigIntStats): number {
  if (st.isDirectory()) return 4;
  if (st.isFile()) return 8;
  if (st.isSymbolicLink()) return 10;
  if (st.isFIFO()) return 1;
  if (st.isSocket()) return 12;
  if (st.isCharacterDevice()) return 2;
  if (st.isBlockDevice()) return 6;
  return 0;
}

/** The host's offset of a descriptor Node did not open for us (/proc/self/fdinfo). */
function hostOffset(host: number): bigint {
  try {
    const m = /^pos:\s*(\d+)/m.exec(fs.readFileSync(`/proc/self/fdinfo/${host}`, 'utf8'));
    return m ? BigInt(m[1]) : 0n;
  } catch {
    return 0n;
  }
}

/** F_GETFL: the host's flags from /proc/self/fdinfo, else what the guest opened it with. */
function hostFlags(host: number, fallback: number): number {
  try {
    const m = /^flags:\s*([0-7]+)/m.exec(fs.readFileSync(`/proc/self/fdinfo/${host}`, 'utf8'));
    return m ? parseInt(m[1], 8) & ~O_CLOEXEC : fallback;
  } catch {
    return fallback;
  }
}

/** One guest descriptor fewer names `f`'s description: the last one closes the pipe end or host descriptor. */
function release(f: Fd): number {
  if (!f.desc) return 0; // a standard stream the guest never used
  if (--f.desc.refs > 0) return 0;
  if (f.desc.pipe) {
    if (f.desc.pipe.end === 'w') f.desc.pipe.buf.writers--;
    else f.desc.pipe.buf.readers--;
    return 0;
  }
  if (f.host < STD_STREAMS) return 0;
  try {
    fs.closeSync(f.host);
  } catch (e) {
    return -errnoOf(e);
  }
  return 0;
}
