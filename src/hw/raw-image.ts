/**
 * A raw disk image file accessed with synchronous fs calls.
 *
 * `snapshot` keeps every write in an in-memory overlay of 512-byte sectors
 * and never writes the file (QEMU's -snapshot); `readOnly` refuses writes.
 * A file that cannot be opened for writing is opened read-only, and the
 * image reports readOnly so the device can advertise it.
 */
import { closeSync, fstatSync, fsyncSync, openSync, readSync, writeSync } from 'node:fs';

export const SECTOR_SIZE = 512;

export interface BlockImage {
  /** Size in bytes (may not be a multiple of the sector size). */
  readonly size: number;
  readonly readOnly: boolean;
  /** Fill `dest` from byte `offset`; bytes past the end read as zero. */
  read(offset: number, dest: Uint8Array): void;
  write(offset: number, data: Uint8Array): void;
  flush(): void;
  close(): void;
}

export interface RawImageOptions {
  readOnly?: boolean;
  snapshot?: boolean;
}

export class RawFileImage implements BlockImage {
  readonly size: number;
  readonly readOnly: boolean;
  private fd: number | undefined;
  /** Snapshot overlay: sector index -> sector contents. Undefined when writing through. */
  private readonly overlay: Map<number, Uint8Array> | undefined;

  private constructor(fd: number, readOnly: boolean, snapshot: boolean) {
    this.fd = fd;
    this.size = fstatSync(fd).size;
    this.readOnly = readOnly;
    this.overlay = snapshot ? new Map() : undefined;
  }

  static open(path: string, options: RawImageOptions = {}): RawFileImage {
    const snapshot = options.snapshot ?? false;
    if (options.readOnly || snapshot) {
      return new RawFileImage(openSync(path, 'r'), options.readOnly ?? false, snapshot);
    }
    try {
      return new RawFileImage(openSync(path, 'r+'), false, false);
    } catch (err) {
      if (!isPermissionError(err)) throw err;
      return new RawFileImage(openSync(path, 'r'), true, false);
    }
  }

  read(offset: number, dest: Uint8Array): void {
    this.readFile(offset, dest);
    if (this.overlay && this.overlay.size > 0) this.applyOverlay(offset, dest);
  }

  write(offset: number, data: Uint8Array): void {
    if (this.readOnly) throw new Error('raw image: write to a read-only image');
    if (this.overlay) {
      this.writeOverlay(offset, data);
      return;
    }
    let done = 0;
    while (done < data.length) {
      done += writeSync(this.descriptor(), data, done, data.length - done, offset + done);
    }
  }

  flush(): void {
    if (this.overlay || this.readOnly || this.fd === undefined) return;
    fsyncSync(this.fd);
  }

  close(): void {
    if (this.fd === undefined) return;
    closeSync(this.fd);
    this.fd = undefined;
  }

  private descriptor(): number {
    if (this.fd === undefined) throw new Error('raw image: closed');
    return this.fd;
  }

  private readFile(offset: number, dest: Uint8Array): void {
    let done = 0;
    while (done < dest.length) {
      const n = readSync(this.descriptor(), dest, done, dest.length - done, offset + done);
      if (n === 0) break;
      done += n;
    }
    dest.fill(0, done); // past the end of the file
  }

  private applyOverlay(offset: number, dest: Uint8Array): void {
    const overlay = this.overlay;
    if (!overlay) return;
    const first = Math.floor(offset / SECTOR_SIZE);
    const last = Math.floor((offset + dest.length - 1) / SECTOR_SIZE);
    for (let sector = first; sector <= last; sector++) {
      const data = overlay.get(sector);
      if (!data) continue;
      const sectorStart = sector * SECTOR_SIZE;
      const from = Math.max(offset, sectorStart);
      const to = Math.min(offset + dest.length, sectorStart + SECTOR_SIZE);
      dest.set(data.subarray(from - sectorStart, to - sectorStart), from - offset);
    }
  }

  private writeOverlay(offset: number, data: Uint8Array): void {
    const overlay = this.overlay;
    if (!overlay || data.length === 0) return;
    const first = Math.floor(offset / SECTOR_SIZE);
    const last = Math.floor((offset + data.length - 1) / SECTOR_SIZE);
    for (let sector = first; sector <= last; sector++) {
      const sectorStart = sector * SECTOR_SIZE;
      let contents = overlay.get(sector);
      if (!contents) {
        contents = new Uint8Array(SECTOR_SIZE);
        this.read(sectorStart, contents); // partial sector writes keep the rest
        overlay.set(sector, contents);
      }
      const from = Math.max(offset, sectorStart);
      const to = Math.min(offset + data.length, sectorStart + SECTOR_SIZE);
      contents.set(data.subarray(from - offset, to - offset), from - sectorStart);
    }
  }
}

function isPermissionError(err: unknown): boolean {
  if (typeof err !== 'object' || err === null || !('code' in err)) return false;
  const code = (err as { code: unknown }).code;
  return code === 'EACCES' || code === 'EROFS' || code === 'EPERM';
}
