/**
 * virtio-blk (virtio 1.1 spec 5.2; QEMU 7.2 hw/block/virtio-blk.c) over a
 * raw image. One request queue. Offered features: SEG_MAX, BLK_SIZE, FLUSH,
 * and RO for a read-only image.
 *
 * A request is {u32 type, u32 reserved, u64 sector} in the readable buffers,
 * data, then a status byte as the last writable byte. The used length is the
 * size of all writable buffers, as QEMU reports it.
 */
import { trace_virtio_blk_req } from '../trace/generated/events.js';
import type { GuestDma } from './guest-dma.js';
import { type BlockImage, RawFileImage, SECTOR_SIZE } from './raw-image.js';
import { type BufferSegment, type DescriptorChain, featureBit, type VirtioDevice, VirtioError } from './virtio.js';

export const VIRTIO_ID_BLOCK = 2;

export const VIRTIO_BLK_F = {
  SEG_MAX: 2,
  RO: 5,
  BLK_SIZE: 6,
  FLUSH: 9,
} as const;

export const VIRTIO_BLK_T = {
  IN: 0,
  OUT: 1,
  FLUSH: 4,
  GET_ID: 8,
  BARRIER: 0x80000000,
} as const;

export const VIRTIO_BLK_S = {
  OK: 0,
  IOERR: 1,
  UNSUPP: 2,
} as const;

/** Length of the GET_ID answer (VIRTIO_BLK_ID_BYTES). */
export const VIRTIO_BLK_ID_BYTES = 20;
const HEADER_BYTES = 16;
/** QEMU 7.2: seg_max = queue-size (256) - 2. */
const SEG_MAX = 254;
/** struct virtio_blk_config up to write_zeroes_may_unmap and its padding. */
const CONFIG_BYTES = 60;
const CONFIG_CAPACITY = 0;
const CONFIG_SEG_MAX = 12;
const CONFIG_BLK_SIZE = 20;
const CONFIG_WRITEBACK = 32;
const CONFIG_NUM_QUEUES = 34;

export interface VirtioBlkOptions {
  /** String returned by GET_ID (at most 20 bytes are sent). Default: empty, like QEMU without serial=. */
  serial?: string;
}

export interface VirtioBlkFileOptions extends VirtioBlkOptions {
  path: string;
  readOnly?: boolean;
  snapshot?: boolean;
}

export class VirtioBlk implements VirtioDevice {
  readonly deviceId = VIRTIO_ID_BLOCK;
  readonly numQueues = 1;
  readonly deviceFeatures: bigint;
  /** Capacity in 512-byte sectors (a partial last sector counts, as in QEMU). */
  readonly capacity: bigint;
  private readonly configSpace: Uint8Array;
  private readonly serial: Uint8Array;

  constructor(
    readonly image: BlockImage,
    options: VirtioBlkOptions = {},
  ) {
    this.capacity = BigInt(Math.ceil(image.size / SECTOR_SIZE));
    this.serial = new TextEncoder().encode(options.serial ?? '');
    let features =
      featureBit(VIRTIO_BLK_F.SEG_MAX) | featureBit(VIRTIO_BLK_F.BLK_SIZE) | featureBit(VIRTIO_BLK_F.FLUSH);
    if (image.readOnly) features |= featureBit(VIRTIO_BLK_F.RO);
    this.deviceFeatures = features;
    this.configSpace = this.buildConfig();
  }

  /** Open a raw image file for a disk. */
  static open(options: VirtioBlkFileOptions): VirtioBlk {
    const image = RawFileImage.open(options.path, { readOnly: options.readOnly, snapshot: options.snapshot });
    return new VirtioBlk(image, options);
  }

  get readOnly(): boolean {
    return this.image.readOnly;
  }

  config(): Uint8Array {
    return this.configSpace;
  }

  reset(): void {
    // No device state beyond the queues, which the transport owns.
  }

  flush(): void {
    this.image.flush();
  }

  close(): void {
    this.image.close();
  }

  handleChain(_queue: number, chain: DescriptorChain, dma: GuestDma): number {
    const readableBytes = totalLength(chain.readable);
    const writableBytes = totalLength(chain.writable);
    if (readableBytes < HEADER_BYTES) throw new VirtioError('virtio-blk request outhdr too short');
    if (writableBytes < 1) throw new VirtioError('virtio-blk request inhdr too short');

    const header = gather(dma, chain.readable, 0, HEADER_BYTES);
    const view = new DataView(header.buffer);
    const type = view.getUint32(0, true);
    const sector = view.getBigUint64(8, true);
    const status = this.execute(type, sector, chain, dma, readableBytes, writableBytes);
    scatter(dma, chain.writable, writableBytes - 1, Uint8Array.of(status));
    return writableBytes;
  }

  private execute(
    type: number,
    sector: bigint,
    chain: DescriptorChain,
    dma: GuestDma,
    readableBytes: number,
    writableBytes: number,
  ): number {
    trace_virtio_blk_req(type, sector, Math.max(readableBytes - HEADER_BYTES, writableBytes - 1));
    // QEMU ignores the legacy barrier flag and folds OUT into the IN case.
    switch ((type & ~(VIRTIO_BLK_T.OUT | VIRTIO_BLK_T.BARRIER)) >>> 0) {
      case VIRTIO_BLK_T.IN:
        return type & VIRTIO_BLK_T.OUT
          ? this.writeSectors(sector, chain, dma, readableBytes - HEADER_BYTES)
          : this.readSectors(sector, chain, dma, writableBytes - 1);
      case VIRTIO_BLK_T.FLUSH:
        return this.tryIo(() => this.image.flush());
      case VIRTIO_BLK_T.GET_ID:
        return this.getId(chain, dma, writableBytes - 1);
      default:
        return VIRTIO_BLK_S.UNSUPP;
    }
  }

  /** QEMU's virtio_blk_sect_range_ok: whole sectors, inside the disk. */
  private rangeOk(sector: bigint, bytes: number): boolean {
    if (bytes % SECTOR_SIZE !== 0) return false;
    return sector <= this.capacity && BigInt(bytes / SECTOR_SIZE) <= this.capacity - sector;
  }

  private readSectors(sector: bigint, chain: DescriptorChain, dma: GuestDma, bytes: number): number {
    if (!this.rangeOk(sector, bytes)) return VIRTIO_BLK_S.IOERR;
    const data = new Uint8Array(bytes);
    const status = this.tryIo(() => this.image.read(Number(sector) * SECTOR_SIZE, data));
    if (status === VIRTIO_BLK_S.OK) scatter(dma, chain.writable, 0, data);
    return status;
  }

  private writeSectors(sector: bigint, chain: DescriptorChain, dma: GuestDma, bytes: number): number {
    if (!this.rangeOk(sector, bytes) || this.image.readOnly) return VIRTIO_BLK_S.IOERR;
    const data = gather(dma, chain.readable, HEADER_BYTES, bytes);
    return this.tryIo(() => this.image.write(Number(sector) * SECTOR_SIZE, data));
  }

  /** The serial string plus a NUL, cut to the buffer and to 20 bytes (QEMU). */
  private getId(chain: DescriptorChain, dma: GuestDma, room: number): number {
    const length = Math.min(this.serial.length + 1, room, VIRTIO_BLK_ID_BYTES);
    const id = new Uint8Array(length);
    id.set(this.serial.subarray(0, length));
    scatter(dma, chain.writable, 0, id);
    return VIRTIO_BLK_S.OK;
  }

  /** Host I/O errors become IOERR for the guest rather than crashing the emulator. */
  private tryIo(io: () => void): number {
    try {
      io();
      return VIRTIO_BLK_S.OK;
    } catch {
      return VIRTIO_BLK_S.IOERR;
    }
  }

  private buildConfig(): Uint8Array {
    const config = new Uint8Array(CONFIG_BYTES);
    const view = new DataView(config.buffer);
    view.setBigUint64(CONFIG_CAPACITY, this.capacity, true);
    view.setUint32(CONFIG_SEG_MAX, SEG_MAX, true);
    view.setUint32(CONFIG_BLK_SIZE, SECTOR_SIZE, true);
    view.setUint8(CONFIG_WRITEBACK, 1); // QEMU's default cache mode is writeback
    view.setUint16(CONFIG_NUM_QUEUES, this.numQueues, true);
    return config;
  }
}

function totalLength(segments: readonly BufferSegment[]): number {
  return segments.reduce((n, s) => n + s.len, 0);
}

/** Copy `length` bytes starting `skip` bytes into a list of guest buffers. */
function gather(dma: GuestDma, segments: readonly BufferSegment[], skip: number, length: number): Uint8Array {
  const out = new Uint8Array(length);
  let done = 0;
  for (const seg of segments) {
    if (done >= length) break;
    if (skip >= seg.len) {
      skip -= seg.len;
      continue;
    }
    const take = Math.min(seg.len - skip, length - done);
    out.set(dma.bytes(seg.addr + skip, take), done);
    done += take;
    skip = 0;
  }
  return out;
}

/** Write `data` into a list of guest buffers starting `skip` bytes in. */
function scatter(dma: GuestDma, segments: readonly BufferSegment[], skip: number, data: Uint8Array): void {
  let done = 0;
  for (const seg of segments) {
    if (done >= data.length) break;
    if (skip >= seg.len) {
      skip -= seg.len;
      continue;
    }
    const take = Math.min(seg.len - skip, data.length - done);
    dma.bytes(seg.addr + skip, take).set(data.subarray(done, done + take));
    done += take;
    skip = 0;
  }
}
