/**
 * virtio-blk (virtio 1.1 spec 5.2; QEMU 7.2 hw/block/virtio-blk.c) over a
 * raw image. One request queue of 256 entries. Offered features, as QEMU 7.2
 * with its default properties: SEG_MAX, GEOMETRY, BLK_SIZE, FLUSH, TOPOLOGY,
 * CONFIG_WCE, DISCARD, WRITE_ZEROES, RO for a read-only image, and SCSI on a
 * legacy transport (its requests get UNSUPP, as in QEMU). Discard does
 * nothing (QEMU's default -drive discard=ignore); write-zeroes writes zeros.
 * The geometry is QEMU's guess (hd_geometry_guess: an MBR's partition
 * geometry if it has one with at most 16 heads, else 16 heads, 63 sectors).
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
  GEOMETRY: 4,
  RO: 5,
  BLK_SIZE: 6,
  SCSI: 7,
  FLUSH: 9,
  TOPOLOGY: 10,
  CONFIG_WCE: 11,
  DISCARD: 13,
  WRITE_ZEROES: 14,
} as const;

export const VIRTIO_BLK_T = {
  IN: 0,
  OUT: 1,
  FLUSH: 4,
  GET_ID: 8,
  DISCARD: 11,
  WRITE_ZEROES: 13,
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
/** struct virtio_blk_config up to write_zeroes_may_unmap (QEMU's config size with DISCARD and WRITE_ZEROES). */
const CONFIG_BYTES = 57;
const CONFIG_CAPACITY = 0;
const CONFIG_SEG_MAX = 12;
const CONFIG_GEOMETRY = 16;
const CONFIG_BLK_SIZE = 20;
const CONFIG_WRITEBACK = 32;
const CONFIG_NUM_QUEUES = 34;
const CONFIG_MAX_DISCARD_SECTORS = 36;
const CONFIG_MAX_DISCARD_SEG = 40;
const CONFIG_DISCARD_ALIGNMENT = 44;
const CONFIG_MAX_WRITE_ZEROES_SECTORS = 48;
const CONFIG_MAX_WRITE_ZEROES_SEG = 52;
const CONFIG_WRITE_ZEROES_MAY_UNMAP = 56;
/** QEMU's default max-discard-sectors and max-write-zeroes-sectors (BDRV_REQUEST_MAX_SECTORS). */
const MAX_DWZ_SECTORS = 0x3fffff;
/** struct virtio_blk_discard_write_zeroes {u64 sector; u32 num_sectors; u32 flags}. */
const DWZ_BYTES = 16;
const WRITE_ZEROES_FLAG_UNMAP = 1;
/** QEMU's default queue-size. */
const QUEUE_SIZE = 256;

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
  readonly queueSize = QUEUE_SIZE;
  readonly deviceFeatures: bigint;
  readonly legacyFeatures = featureBit(VIRTIO_BLK_F.SCSI);
  /** Capacity in 512-byte sectors (a partial last sector counts, as in QEMU). */
  readonly capacity: bigint;
  private readonly configSpace: Uint8Array;
  private readonly serial: Uint8Array;
  private negotiated = 0n;

  constructor(
    readonly image: BlockImage,
    options: VirtioBlkOptions = {},
  ) {
    this.capacity = BigInt(Math.ceil(image.size / SECTOR_SIZE));
    this.serial = new TextEncoder().encode(options.serial ?? '');
    let features = [
      VIRTIO_BLK_F.SEG_MAX, VIRTIO_BLK_F.GEOMETRY, VIRTIO_BLK_F.BLK_SIZE, VIRTIO_BLK_F.FLUSH, VIRTIO_BLK_F.TOPOLOGY,
      VIRTIO_BLK_F.CONFIG_WCE, VIRTIO_BLK_F.DISCARD, VIRTIO_BLK_F.WRITE_ZEROES,
    ].reduce((f, bit) => f | featureBit(bit), 0n);
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

  /** The driver may turn the write cache on or off (QEMU's virtio_blk_set_config): only `wce` is writable. */
  writeConfig(offset: number, size: 1 | 2 | 4, value: number): void {
    if (offset <= CONFIG_WRITEBACK && CONFIG_WRITEBACK < offset + size) {
      this.configSpace[CONFIG_WRITEBACK] = (value >>> (8 * (CONFIG_WRITEBACK - offset))) & 0xff ? 1 : 0;
    }
  }

  featuresNegotiated(features: bigint): void {
    this.negotiated = features;
  }

  /** QEMU's virtio_blk_set_status: without CONFIG_WCE the write cache follows FLUSH (legacy WCE). */
  driverOk(features: bigint): void {
    if (features & featureBit(VIRTIO_BLK_F.CONFIG_WCE)) return;
    this.configSpace[CONFIG_WRITEBACK] = features & featureBit(VIRTIO_BLK_F.FLUSH) ? 1 : 0;
  }

  reset(): void {
    // The queues belong to the transport; the write-cache setting survives, as in QEMU.
    this.negotiated = 0n;
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
    if (chain.readable.length < 1 || chain.writable.length < 1) throw new VirtioError('virtio-blk missing headers');
    if (readableBytes < HEADER_BYTES) throw new VirtioError('virtio-blk request outhdr too short');

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
      case VIRTIO_BLK_T.DISCARD & ~VIRTIO_BLK_T.OUT:
      case VIRTIO_BLK_T.WRITE_ZEROES & ~VIRTIO_BLK_T.OUT:
        return this.discardWriteZeroes(type, chain, dma, readableBytes - HEADER_BYTES);
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

  /** QEMU's virtio_blk_handle_discard_write_zeroes: one segment, limits, flags. */
  private discardWriteZeroes(type: number, chain: DescriptorChain, dma: GuestDma, bytes: number): number {
    const writeZeroes = (type & ~VIRTIO_BLK_T.OUT) === (VIRTIO_BLK_T.WRITE_ZEROES & ~VIRTIO_BLK_T.OUT);
    const feature = writeZeroes ? VIRTIO_BLK_F.WRITE_ZEROES : VIRTIO_BLK_F.DISCARD;
    if (!(type & VIRTIO_BLK_T.OUT) || !(this.negotiated & featureBit(feature))) return VIRTIO_BLK_S.UNSUPP;
    if (bytes > DWZ_BYTES) return VIRTIO_BLK_S.UNSUPP; // QEMU supports a single segment
    if (bytes < DWZ_BYTES) throw new VirtioError('virtio-blk discard/write_zeroes header too short');
    const view = new DataView(gather(dma, chain.readable, HEADER_BYTES, DWZ_BYTES).buffer);
    const sector = view.getBigUint64(0, true);
    const count = view.getUint32(8, true);
    const flags = view.getUint32(12, true);
    if (count > MAX_DWZ_SECTORS || !this.rangeOk(sector, count * SECTOR_SIZE)) return VIRTIO_BLK_S.IOERR;
    if (flags & ~WRITE_ZEROES_FLAG_UNMAP) return VIRTIO_BLK_S.UNSUPP;
    if (!writeZeroes) return flags & WRITE_ZEROES_FLAG_UNMAP ? VIRTIO_BLK_S.UNSUPP : VIRTIO_BLK_S.OK;
    if (this.image.readOnly) return VIRTIO_BLK_S.IOERR;
    const zeros = new Uint8Array(count * SECTOR_SIZE);
    return this.tryIo(() => this.image.write(Number(sector) * SECTOR_SIZE, zeros));
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
    const geometry = guessGeometry(this.image, this.capacity);
    view.setUint16(CONFIG_GEOMETRY, geometry.cylinders, true);
    view.setUint8(CONFIG_GEOMETRY + 2, geometry.heads);
    view.setUint8(CONFIG_GEOMETRY + 3, geometry.sectors);
    view.setUint32(CONFIG_BLK_SIZE, SECTOR_SIZE, true);
    view.setUint8(CONFIG_WRITEBACK, 1); // QEMU's default cache mode is writeback
    view.setUint16(CONFIG_NUM_QUEUES, this.numQueues, true);
    view.setUint32(CONFIG_MAX_DISCARD_SECTORS, MAX_DWZ_SECTORS, true);
    view.setUint32(CONFIG_MAX_DISCARD_SEG, 1, true);
    view.setUint32(CONFIG_DISCARD_ALIGNMENT, 1, true); // blk_size / 512
    view.setUint32(CONFIG_MAX_WRITE_ZEROES_SECTORS, MAX_DWZ_SECTORS, true);
    view.setUint32(CONFIG_MAX_WRITE_ZEROES_SEG, 1, true);
    view.setUint8(CONFIG_WRITE_ZEROES_MAY_UNMAP, 1);
    return config;
  }
}

interface Geometry {
  cylinders: number;
  heads: number;
  sectors: number;
}

/**
 * QEMU's hd_geometry_guess for a disk without explicit cyls/heads/secs: the
 * logical geometry of the first usable MBR partition entry if it has at most
 * 16 heads, otherwise (or without an MBR) 16 heads, 63 sectors and
 * cylinders = sectors / 1008, clamped to 2..16383.
 */
export function guessGeometry(image: BlockImage, capacity: bigint): Geometry {
  const fromMbr = mbrGeometry(image, capacity);
  if (fromMbr && fromMbr.heads <= 16) return fromMbr;
  const cylinders = Math.min(16383, Math.max(2, Number(capacity / 1008n)));
  return { cylinders, heads: 16, sectors: 63 };
}

/** QEMU's guess_disk_lchs: the end head/sector of a partition entry give the geometry. */
function mbrGeometry(image: BlockImage, capacity: bigint): Geometry | undefined {
  if (image.size < SECTOR_SIZE) return undefined;
  const mbr = new Uint8Array(SECTOR_SIZE);
  try {
    image.read(0, mbr);
  } catch {
    return undefined;
  }
  if (mbr[510] !== 0x55 || mbr[511] !== 0xaa) return undefined;
  const view = new DataView(mbr.buffer);
  for (let i = 0; i < 4; i++) {
    const entry = 0x1be + 16 * i;
    const endHead = mbr[entry + 5] ?? 0;
    const sectors = (mbr[entry + 6] ?? 0) & 63;
    const numSectors = view.getUint32(entry + 12, true);
    if (numSectors === 0 || endHead === 0 || sectors === 0) continue;
    const heads = endHead + 1;
    const cylinders = Number(capacity / BigInt(heads * sectors));
    if (cylinders < 1 || cylinders > 16383) continue;
    return { cylinders, heads, sectors };
  }
  return undefined;
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
