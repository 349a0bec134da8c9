/**
 * QEMU's firmware configuration device (hw/nvram/fw_cfg.c) as QEMU 7.2's riscv virt
 * maps it (fw_cfg_init_mem_wide: data at +0, 8 bytes wide; selector at +8; DMA at +16),
 * with the items QEMU 7.2 puts there for riscv (measured with a guest): signature "QEMU",
 * ID 3 (traditional interface + DMA), a zero UUID, NOGRAPHIC, NB_CPUS, BOOT_MENU, and the
 * file directory (0x19) with "bios-geometry", "bootorder" (both empty) and
 * "etc/boot-fail-wait" (-1). Kernel, initrd and command line items exist only when
 * flash1 holds the firmware (QEMU 7.2's riscv_setup_firmware_boot: a gzip kernel is
 * decompressed, an absent initrd has size 0); otherwise virt loads -kernel itself.
 *
 * Interfaces, as QEMU's:
 * - selector (2 bytes, big-endian, write-only): picks an item and rewinds it;
 * - data (1..8 bytes, read-only): the next bytes of the item in order (past the end: 0);
 * - DMA (big-endian 64-bit address of an FWCfgDmaAccess; writing the low half, or all 8
 *   bytes, runs it): control bits select (item in the high 16 bits), skip, read, write
 *   (refused: every item here is read-only), error; control reads back 0 when done, or the
 *   error bit. Reading the register gives the signature "QEMU CFG".
 * Accesses QEMU refuses (selector reads and sizes other than 2) are described by
 * FW_CFG_REGIONS for the access checks; other DMA register writes are ignored.
 *
 * Deliberate difference: a 4-byte selector write faults as on QEMU, but the -d guest_errors
 * lines differ (tsemu's access checks cut the piece at the 2-byte region's end and report
 * the hole after it; QEMU reports the whole 4 bytes against fwcfg.ctl).
 */
import { gunzipSync } from 'node:zlib';
import type { AccessSize, MmioDevice } from './device.js';
import type { IoRegion } from './io-regions.js';
import type { GuestDma } from './guest-dma.js';

export const FW_CFG_ITEM = {
  SIGNATURE: 0x00, ID: 0x01, UUID: 0x02, NOGRAPHIC: 0x04, NB_CPUS: 0x05, KERNEL_SIZE: 0x08, INITRD_SIZE: 0x0b,
  BOOT_MENU: 0x0e, KERNEL_DATA: 0x11, INITRD_DATA: 0x12, CMDLINE_SIZE: 0x14, CMDLINE_DATA: 0x15, FILE_DIR: 0x19, FILE_FIRST: 0x20,
} as const;
const FW_CFG_ID_TRADITIONAL_AND_DMA = 3;
const DMA_SIGNATURE = 0x51454d5520434647n; // "QEMU CFG"
const DMA_CTL = { ERROR: 1, READ: 2, SKIP: 4, SELECT: 8, WRITE: 0x10 } as const;
const FILE_NAME_BYTES = 56;
const DATA_WIDTH = 8;

/** The three regions (QEMU names and what each accepts), relative to the device base. */
export const FW_CFG_REGIONS: readonly (Omit<IoRegion, 'base'> & { offset: number })[] = [
  { offset: 0, name: 'fwcfg.data', size: DATA_WIDTH, validMin: 1, validMax: DATA_WIDTH },
  { offset: 8, name: 'fwcfg.ctl', size: 2, validMin: 1, validMax: 8, readSizes: [], writeSizes: [2] },
  { offset: 16, name: 'fwcfg.dma', size: 8, validMin: 1, validMax: 8 },
];

export interface FwCfgOptions {
  base: number;
  size: number;
  numCpus: number;
  nographic: boolean;
  /** Guest RAM for DMA. */
  dma: GuestDma;
  /** -kernel / -initrd / -append for firmware in flash1 to load. */
  kernel?: { kernel: Uint8Array; initrd: Uint8Array | undefined; cmdline: string | undefined };
}

function u32le(v: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, v, true);
  return out;
}

function u16le(v: number): Uint8Array {
  return new Uint8Array([v & 0xff, v >> 8]);
}

export class FwCfg implements MmioDevice {
  readonly name = 'fw-cfg';
  readonly base: number;
  readonly size: number;
  private readonly items = new Map<number, Uint8Array>();
  private selector = 0;
  private offset = 0;
  private dmaHigh = 0;

  constructor(private readonly options: FwCfgOptions) {
    this.base = options.base;
    this.size = options.size;
    const id = new Uint8Array(4);
    new DataView(id.buffer).setUint32(0, FW_CFG_ID_TRADITIONAL_AND_DMA, true);
    this.items.set(FW_CFG_ITEM.SIGNATURE, new TextEncoder().encode('QEMU'));
    this.items.set(FW_CFG_ITEM.ID, id);
    this.items.set(FW_CFG_ITEM.UUID, new Uint8Array(16));
    this.items.set(FW_CFG_ITEM.NOGRAPHIC, u16le(options.nographic ? 1 : 0));
    this.items.set(FW_CFG_ITEM.NB_CPUS, u16le(options.numCpus));
    this.items.set(FW_CFG_ITEM.BOOT_MENU, u16le(0));
    if (options.kernel) this.addKernel(options.kernel);
    this.addFiles([
      ['bios-geometry', new Uint8Array(0)],
      ['bootorder', new Uint8Array(0)],
      ['etc/boot-fail-wait', new Uint8Array([0xff, 0xff, 0xff, 0xff])],
    ]);
  }

  private addKernel(k: NonNullable<FwCfgOptions['kernel']>): void {
    const kernel = k.kernel[0] === 0x1f && k.kernel[1] === 0x8b ? new Uint8Array(gunzipSync(k.kernel)) : k.kernel;
    const initrd = k.initrd ?? new Uint8Array(0);
    this.items.set(FW_CFG_ITEM.KERNEL_SIZE, u32le(kernel.length));
    this.items.set(FW_CFG_ITEM.KERNEL_DATA, kernel);
    this.items.set(FW_CFG_ITEM.INITRD_SIZE, u32le(initrd.length));
    this.items.set(FW_CFG_ITEM.INITRD_DATA, initrd);
    if (k.cmdline !== undefined) {
      const cmdline = new TextEncoder().encode(`${k.cmdline}\0`);
      this.items.set(FW_CFG_ITEM.CMDLINE_SIZE, u32le(cmdline.length));
      this.items.set(FW_CFG_ITEM.CMDLINE_DATA, cmdline);
    }
  }

  /** The file directory (big-endian count, then size, select, reserved, name per file), files from 0x20 up. */
  private addFiles(files: [string, Uint8Array][]): void {
    const dir = new Uint8Array(4 + 64 * files.length);
    const v = new DataView(dir.buffer);
    v.setUint32(0, files.length);
    files.forEach(([name, data], i) => {
      const at = 4 + 64 * i;
      const select = FW_CFG_ITEM.FILE_FIRST + i;
      v.setUint32(at, data.length);
      v.setUint16(at + 4, select);
      dir.set(new TextEncoder().encode(name).subarray(0, FILE_NAME_BYTES - 1), at + 8);
      this.items.set(select, data);
    });
    this.items.set(FW_CFG_ITEM.FILE_DIR, dir);
  }

  reset(): void {
    this.select(0);
    this.dmaHigh = 0;
  }

  private select(key: number): void {
    this.selector = key;
    this.offset = 0;
  }

  private nextByte(): number {
    const item = this.items.get(this.selector);
    if (!item || this.offset >= item.length) return 0;
    return item[this.offset++];
  }

  read(offset: number, size: AccessSize): bigint {
    if (offset < DATA_WIDTH) {
      // bytes in item order, most significant first (QEMU's big-endian data register)
      let v = 0n;
      for (let i = 0; i < size; i++) v = (v << 8n) | BigInt(this.nextByte());
      return byteSwap(v, size);
    }
    if (offset >= 16) {
      const shift = BigInt(8 * (8 - (offset - 16) - size));
      return byteSwap((DMA_SIGNATURE >> shift) & ((1n << BigInt(8 * size)) - 1n), size);
    }
    return 0n;
  }

  write(offset: number, size: AccessSize, value: bigint): void {
    if (offset === 8 && size === 2) this.select(Number(byteSwap(value, 2)));
    else if (offset === 16 && size === 4) this.dmaHigh = Number(byteSwap(value, 4));
    else if (offset === 20 && size === 4) this.runDma(this.dmaHigh * 0x1_0000_0000 + Number(byteSwap(value, 4)));
    else if (offset === 16 && size === 8) this.runDma(Number(byteSwap(value, 8)));
  }

  /** fw_cfg_dma_transfer(): one FWCfgDmaAccess at `addr` (big-endian fields). */
  private runDma(addr: number): void {
    this.dmaHigh = 0;
    const dma = this.options.dma;
    let control: number;
    let length: number;
    let address: number;
    try {
      const desc = dma.read(addr, 16);
      const v = new DataView(desc.buffer);
      control = v.getUint32(0);
      length = v.getUint32(4);
      address = Number(v.getBigUint64(8));
    } catch {
      return; // QEMU's dma_memory_read fails: nothing happens
    }
    if (control & DMA_CTL.SELECT) this.select(control >>> 16);
    let status = 0;
    if (control & DMA_CTL.WRITE) status = DMA_CTL.ERROR;
    else if (control & (DMA_CTL.READ | DMA_CTL.SKIP)) {
      const bytes = new Uint8Array(length);
      for (let i = 0; i < length; i++) bytes[i] = this.nextByte();
      if (control & DMA_CTL.READ) {
        try {
          dma.write(address, bytes);
        } catch {
          status = DMA_CTL.ERROR;
        }
      }
    }
    const out = new Uint8Array(4);
    new DataView(out.buffer).setUint32(0, status);
    try { dma.write(addr, out); } catch { /* the descriptor vanished: nothing to report to */ }
  }
}

function byteSwap(v: bigint, size: number): bigint {
  let out = 0n;
  for (let i = 0; i < size; i++) {
    out = (out << 8n) | (v & 0xffn);
    v >>= 8n;
  }
  return out;
}
