/**
 * What a guest descriptor can name besides a host descriptor or a pipe: an object inside the
 * emulator (an eventfd counter, a socket, an epoll instance). Reads and writes that cannot go on
 * now return -EAGAIN; guest-files.ts turns that into a parked call unless the description is
 * non-blocking. `poll` is the object's readiness as poll(2) bits, `gen` counts its changes (for
 * epoll's edge-triggered mode).
 */
export const POLLIN = 0x1;
export const POLLPRI = 0x2;
export const POLLOUT = 0x4;
export const POLLERR = 0x8;
export const POLLHUP = 0x10;
export const POLLNVAL = 0x20;
export const POLLRDNORM = 0x40;
export const POLLWRNORM = 0x100;
export const POLLRDHUP = 0x2000;

export interface FileObject {
  /** st_mode's file type bits for fstat (S_IFSOCK for sockets, 0 for anonymous inodes). */
  readonly mode: number;
  read(count: number): Buffer | number;
  write(data: Uint8Array): number;
  poll(): number;
  gen: number;
  /** The last descriptor naming it (in any process) closed. */
  release(): void;
  /** Bytes a read would return now (FIONREAD). */
  available(): number;
}
