/**
 * The guest's file descriptors: guest numbers as the guest's kernel would hand them out (lowest
 * free first), each naming a host descriptor. The emulator's own descriptors (Node's, the
 * workers') stay out of the guest's reach, and the numbers the guest sees match QEMU's
 * (`openat(...) = 3`). Closing 0, 1 or 2 drops the guest's name for it but keeps the host's
 * stream, so the emulator can still report errors. Closing the host descriptor when the last
 * guest descriptor naming it (in any process: fork shares them) goes is guest-files.ts's.
 */
export interface DirCursor {
  /** Entries not yet returned by getdents64: name, inode, d_type. */
  entries: { name: string; ino: bigint; type: number }[];
  next: number;
}

export interface GuestFd {
  host: number;
  /** Path the descriptor was opened with (host side), for *at() calls relative to it. */
  path: string | undefined;
  dir: DirCursor | undefined;
  cloexec: boolean;
}

export const STD_STREAMS = 3;

export class FdTable {
  private readonly fds = new Map<number, GuestFd>();

  constructor() {
    for (let i = 0; i < STD_STREAMS; i++) this.fds.set(i, { host: i, path: undefined, dir: undefined, cloexec: false });
  }

  get(fd: number): GuestFd | undefined {
    return this.fds.get(fd);
  }

  /** The lowest free guest number at or above `min`. */
  lowestFree(min = 0): number {
    let fd = min;
    while (this.fds.has(fd)) fd++;
    return fd;
  }

  add(file: GuestFd, min = 0): number {
    const fd = this.lowestFree(min);
    this.fds.set(fd, file);
    return fd;
  }

  /** Put `file` at guest number `fd` (dup2/dup3): what was there, for the caller to release. */
  place(fd: number, file: GuestFd): GuestFd | undefined {
    const old = this.fds.get(fd);
    this.fds.set(fd, file);
    return old;
  }

  /** Drop guest `fd`: what it named (the caller releases it), undefined if it was not open. */
  close(fd: number): GuestFd | undefined {
    const f = this.fds.get(fd);
    if (f) this.fds.delete(fd);
    return f;
  }

  /** Every open guest number and what it names. */
  entries(): [number, GuestFd][] {
    return [...this.fds.entries()];
  }
}
