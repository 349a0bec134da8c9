/**
 * Intel/Sharp CFI flash after QEMU 7.2 hw/block/pflash_cfi01.c, configured as virt's
 * two banks (virt_flash_create1: 32 MiB each, 256 KiB sectors, bank width 4 built from
 * two 16-bit devices, ident 0x89/0x18), behaving as measured on QEMU 7.2:
 *
 * - read array (power-on, commands 0x00/0xff/0xf0, clear status 0x50): the contents;
 * - program (0x10/0x40, then the data write): the data is stored as written (QEMU does
 *   not AND it into the old contents), status 0x80;
 * - block erase (0x20 erases the sector at once, 0xd0 confirms), status 0x80;
 * - write to buffer (0xe8, count N - 1, N data writes, 0xd0), lock/unlock (0x60 + 0x01/0xd0);
 * - read status (0x70, and after any program/erase/lock command) returns the status of
 *   each 16-bit device: 0x00800080 for a 4-byte read;
 * - device ID (0x90): 0x89 at bank offset 0, 0x18 at 4, replicated per device;
 * - CFI query (0x98): QEMU's table at offset / 4, replicated per device.
 * Each access is answered for its own offset and truncated to its width; 8-byte accesses
 * outside read-array mode go in two 4-byte pieces (QEMU's ops have no impl sizes).
 * An unknown command sequence logs QEMU's LOG_UNIMP line and returns to read array.
 *
 * The contents come from a raw image of exactly the bank size (`-drive if=pflash`) or
 * are zero; writes go back to the image at once unless it is read-only (then program
 * and erase set the error bits as QEMU's do).
 *
 * Execution from flash (QEMU's romd mode): the contents live in a SharedArrayBuffer and the
 * bank publishes its mode in a shared table (`FlashShared`), which vCPUs and translators read
 * to fetch: the array itself in read-array mode, otherwise what a 16-bit device read answers
 * (QEMU 7.2 fetches from a bank in I/O mode through pflash_read, one instruction at a time).
 * Every write to the bank (a command, a program, an erase) calls `changed`, which drops every
 * translation, so no block outlives the contents or the mode it was read in. Data accesses go
 * through the device in every mode, as before.
 */
import { openSync, readFileSync, statSync, writeSync } from 'node:fs';
import type { AccessSize, MmioDevice } from './device.js';
import type { GuestLog } from './guest-log.js';

export const PFLASH_BANK_SIZE = 32 * 1024 * 1024;
export const PFLASH_SECTOR_SIZE = 256 * 1024;
const BANK_WIDTH = 4;
const DEVICE_WIDTH = 2;
const IDENT = [0x89, 0x18];
const STATUS_READY = 0x80;
const STATUS_PROGRAM_ERROR = 0x10;
const STATUS_ERASE_ERROR = 0x20;

/** QEMU 7.2's CFI table for this geometry (pflash_cfi01_realize), as a guest reads it. */
function cfiTable(): Uint8Array {
  const t = new Uint8Array(0x52);
  const devices = BANK_WIDTH / DEVICE_WIDTH;
  const blocks = PFLASH_BANK_SIZE / PFLASH_SECTOR_SIZE;
  const sectorPerDevice = PFLASH_SECTOR_SIZE / devices;
  t.set([0x51, 0x52, 0x59, 0x01, 0x00, 0x31, 0x00], 0x10); // "QRY", Intel command set, extended table at 0x31
  t.set([0x45, 0x55, 0x00, 0x00, 0x07, 0x07, 0x0a, 0x00, 0x04, 0x04, 0x04, 0x00], 0x1b); // voltages, timeouts
  t[0x27] = Math.log2(PFLASH_BANK_SIZE / devices); // device size
  t[0x28] = 0x02; // x8/x16 interface
  t[0x2a] = 0x0b; // 2 KiB write buffer
  t[0x2c] = 0x01; // one erase block region
  t[0x2d] = (blocks - 1) & 0xff;
  t[0x2e] = (blocks - 1) >> 8;
  t[0x2f] = (sectorPerDevice >> 8) & 0xff;
  t[0x30] = sectorPerDevice >> 16;
  t.set([0x50, 0x52, 0x49, 0x31, 0x30], 0x31); // "PRI" 1.0
  t[0x3f] = 0x01; // protection fields
  return t;
}
const CFI = cfiTable();

/** 32-bit words of the mode table: romd flag, the answer past the CFI table, one answer per bank word of the table. */
const MODE_WORDS = 2 + CFI.length;

/**
 * What vCPU threads need to fetch from a bank (src/memory/guest-memory.ts reads it): its base,
 * contents, and the mode table (Int32 [0] 1 in read-array mode, [1] the 32-bit answer of a read
 * at a bank word past the CFI table, [2 + w] the answer at bank word w, each truncated to the
 * access width by the reader).
 */
export interface FlashShared {
  base: number;
  bytes: SharedArrayBuffer;
  mode: SharedArrayBuffer;
}

/** The contents of a bank and where writes go. */
export interface FlashBacking {
  readonly bytes: Uint8Array;
  readonly readOnly: boolean;
  /** Persist [offset, offset + length) of `bytes` (the image file); absent for a bank without a drive. */
  store?(offset: number, length: number): void;
}

/** A value replicated in each 16-bit device of the bank. */
function perDevice(v: number): number {
  return (v | (v << 16)) >>> 0;
}

export class PflashCfi01 implements MmioDevice {
  readonly size = PFLASH_BANK_SIZE;
  private cmd = 0;
  private wcycle = 0;
  private status = STATUS_READY;
  private counter = 0;
  private readonly modeTable = new Int32Array(new SharedArrayBuffer(4 * MODE_WORDS));

  /** `changed`: contents or mode changed (the board drops translations made from the bank). */
  constructor(readonly name: string, readonly base: number, private readonly backing: FlashBacking, private readonly log: GuestLog, private readonly changed: () => void = () => {}) {
    this.publishMode();
  }

  /** The bank as vCPU threads fetch from it; undefined if its contents are not shared (a backing of a plain buffer). */
  shared(): FlashShared | undefined {
    const buf = this.backing.bytes.buffer;
    if (!(buf instanceof SharedArrayBuffer) || this.backing.bytes.byteOffset !== 0) return undefined;
    return { base: this.base, bytes: buf, mode: this.modeTable.buffer as SharedArrayBuffer };
  }

  reset(): void {
    this.cmd = 0;
    this.wcycle = 0;
    this.status = STATUS_READY;
    this.publishMode();
  }

  /** Publish the mode table (read array, or the answers pflash_read gives now). */
  private publishMode(): void {
    const t = this.modeTable;
    const romd = this.cmd === 0 ? 1 : 0;
    t[1] = romd ? 0 : this.modeRead(4 * CFI.length);
    for (let w = 0; w < CFI.length; w++) t[2 + w] = romd ? 0 : this.modeRead(4 * w);
    Atomics.store(t, 0, romd);
  }

  read(offset: number, size: AccessSize): bigint {
    if (this.cmd === 0) return this.dataRead(offset, size);
    if (size === 8) return this.read(offset, 4) | (this.read(offset + 4, 4) << 32n);
    const mask = (1n << BigInt(8 * size)) - 1n;
    return BigInt(this.modeRead(offset)) & mask;
  }

  private dataRead(offset: number, size: number): bigint {
    let v = 0n;
    for (let i = size - 1; i >= 0; i--) v = (v << 8n) | BigInt(this.backing.bytes[offset + i] ?? 0);
    return v;
  }

  /** pflash_read outside read-array mode (a 32-bit answer, truncated by the caller). */
  private modeRead(offset: number): number {
    switch (this.cmd) {
      case 0x90: {
        const boff = offset >> 2;
        return boff === 0 || boff === 1 ? perDevice(IDENT[boff]) : 0;
      }
      case 0x98: {
        const boff = offset >> 2;
        return boff < CFI.length ? perDevice(CFI[boff]) : 0;
      }
      default:
        return perDevice(this.status);
    }
  }

  write(offset: number, size: AccessSize, value: bigint): void {
    if (size === 8) {
      this.write(offset, 4, value & 0xffffffffn);
      this.write(offset + 4, 4, value >> 32n);
      return;
    }
    const v = Number(BigInt.asUintN(32, value));
    const cmd = v & 0xff;
    if (this.wcycle === 0) this.firstCycle(offset, size, v, cmd);
    else if (this.wcycle === 1) this.secondCycle(offset, size, v, cmd);
    else if (this.wcycle === 2) this.bufferCycle(offset, size, v);
    else this.confirmCycle(cmd);
    this.publishMode();
    this.changed();
  }

  private firstCycle(offset: number, size: number, value: number, cmd: number): void {
    switch (cmd) {
      case 0x00: case 0xf0: case 0xff: this.readArray(); return;
      case 0x50: this.status = 0; this.readArray(); return;
      case 0x70: case 0x90: this.cmd = cmd; return;
      case 0x10: case 0x40: case 0x60: case 0x98: break;
      case 0x20: this.erase(offset); break;
      case 0xe8:
        this.log.unimp('pflash_write: Write to buffer emulation is flawed\n');
        this.status |= STATUS_READY;
        break;
      default: this.unimplemented(offset, value); return;
    }
    this.wcycle = 1;
    this.cmd = cmd;
  }

  private secondCycle(offset: number, size: number, value: number, cmd: number): void {
    switch (this.cmd) {
      case 0x10: case 0x40:
        this.program(offset, size, value);
        this.wcycle = 0;
        return;
      case 0x20:
        if (cmd === 0xd0) this.ready();
        else if (cmd === 0xff) this.readArray();
        else this.unimplemented(offset, value);
        return;
      case 0xe8:
        this.counter = value & 0xffff; // the count goes to each 16-bit device
        this.wcycle = 2;
        return;
      case 0x60:
        if (cmd === 0xd0 || cmd === 0x01) this.ready();
        else this.readArray();
        return;
      case 0x98:
        if (cmd === 0xff) this.readArray();
        return;
      default:
        this.unimplemented(offset, value);
    }
  }

  /** Write to buffer: counter + 1 data writes, then the confirm cycle. */
  private bufferCycle(offset: number, size: number, value: number): void {
    this.program(offset, size, value);
    if (this.counter === 0) this.wcycle = 3;
    this.counter--;
  }

  private confirmCycle(cmd: number): void {
    if (cmd === 0xd0) {
      this.ready();
      return;
    }
    this.log.unimp('pflash_write: unknown command for "write block"\n');
    this.readArray();
  }

  private ready(): void {
    this.wcycle = 0;
    this.status |= STATUS_READY;
  }

  private program(offset: number, size: number, value: number): void {
    if (this.backing.readOnly) {
      this.status |= STATUS_PROGRAM_ERROR | STATUS_READY;
      return;
    }
    for (let i = 0; i < size; i++) this.backing.bytes[offset + i] = (value >>> (8 * i)) & 0xff;
    this.backing.store?.(offset, size);
    this.status |= STATUS_READY;
  }

  private erase(offset: number): void {
    const start = offset - (offset % PFLASH_SECTOR_SIZE);
    if (this.backing.readOnly) this.status |= STATUS_ERASE_ERROR;
    else {
      this.backing.bytes.fill(0xff, start, start + PFLASH_SECTOR_SIZE);
      this.backing.store?.(start, PFLASH_SECTOR_SIZE);
    }
    this.status |= STATUS_READY;
  }

  private unimplemented(offset: number, value: number): void {
    this.log.unimp(`pflash_write: Unimplemented flash cmd sequence (offset ${offset.toString(16).padStart(16, '0')}, wcycle 0x${this.wcycle.toString(16)} cmd 0x${this.cmd.toString(16)} value 0x${value.toString(16)})\n`);
    this.readArray();
  }

  private readArray(): void {
    this.wcycle = 0;
    this.cmd = 0;
  }
}

/**
 * A bank's raw image (`-drive if=pflash,format=raw,file=F`): read whole at start, which
 * QEMU requires to be exactly the bank size; writes go back to the file at once, unless
 * the drive is read-only (program/erase then fail as on QEMU) or a snapshot (kept in memory).
 */
export function openFlashImage(path: string, opts: { readOnly: boolean; snapshot: boolean }): FlashBacking {
  // QEMU's raw driver sees the file in whole 512-byte sectors (the last one zero-padded)
  const size = Math.ceil(statSync(path).size / 512) * 512;
  if (size !== PFLASH_BANK_SIZE) throw new RangeError(`device requires ${PFLASH_BANK_SIZE} bytes, block backend provides ${size} bytes`);
  const bytes = new Uint8Array(new SharedArrayBuffer(PFLASH_BANK_SIZE));
  bytes.set(readFileSync(path));
  if (opts.readOnly) return { bytes, readOnly: true };
  if (opts.snapshot) return { bytes, readOnly: false };
  const fd = openSync(path, 'r+');
  return { bytes, readOnly: false, store: (offset, length) => { writeSync(fd, bytes, offset, length, offset); } };
}

/** A bank without a drive: zeros, writable in memory (QEMU's anonymous storage). */
export function blankFlash(): FlashBacking {
  return { bytes: new Uint8Array(new SharedArrayBuffer(PFLASH_BANK_SIZE)), readOnly: false };
}
