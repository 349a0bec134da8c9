/**
 * Where QEMU 7.2's virt machine puts the firmware, kernel, initrd and device tree,
 * and what the reset vector is told (hw/riscv/virt.c virt_machine_done() and
 * hw/riscv/boot.c). Checked against qemu-system-riscv64 7.2 (tests/cli).
 *
 * The order of work for a caller:
 *   1. planBoot(): loads -bios, -kernel, -initrd into RAM and returns the addresses;
 *   2. build the device tree (with plan.initrd and -append) and write it at plan.fdtAddr
 *      (for `-M virt,dumpdtb=F` QEMU dumps and exits here, before step 4);
 *   3. write buildResetVectorRom(...) (boot-rom.ts) at the MROM base;
 *   4. if plan.romOverlap is set, print it and exit 1 (QEMU's rom_check_and_register_reset()).
 */
import { accessSync, constants, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ImageLoadError,
  IH_TYPE_RAMDISK,
  decodeUImage,
  hex16,
  loadFirmware,
  loadKernel,
  lookupFunctionSymbol,
  writeBlob,
  type ElfSymbol,
  type ImageLoadResult,
  type LoadTarget,
  type LoadedBlob,
} from './elf.js';
import { RESET_VECTOR_SIZE, FW_DYNAMIC_INFO_SIZE } from './boot-rom.js';
import { VIRT } from './virt-map.js';
import { BootError } from '../util/boot-error.js';

export { BootError };

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

/** riscv_calc_kernel_start_addr() on RV64: the kernel goes to the next 2 MiB boundary after the firmware. */
export const KERNEL_ALIGN = 2 * MiB;
/** The FDT is placed on a 2 MiB boundary (riscv_load_fdt). */
export const FDT_ALIGN = 2 * MiB;
/**
 * Size QEMU uses to place the FDT: fdt_totalsize() before fdt_pack(), i.e. the 1 MiB buffer
 * create_device_tree() allocates. QEMU also copies (and `dumpdtb` writes) that whole MiB.
 */
export const QEMU_FDT_SIZE = 1 * MiB;
/**
 * What `-bios default` (the default, as in QEMU) loads: tsemu's own SBI firmware (firmware/ in the
 * package), which boots like QEMU's OpenSBI fw_dynamic build (same load address and hand-off).
 * This module runs as dist/src/machine/boot-layout.js, three levels below the package root.
 */
export const BUNDLED_FIRMWARE = fileURLToPath(new URL('../../../firmware/bin/tsemu-sbi.elf', import.meta.url));

/** Same shape as the CLI's BiosChoice. */
export type FirmwareChoice = { readonly kind: 'default' } | { readonly kind: 'none' } | { readonly kind: 'file'; readonly path: string };


const alignUp = (v: bigint, a: number): bigint => ((v + BigInt(a) - 1n) / BigInt(a)) * BigInt(a);
const alignDown = (v: bigint, a: number): bigint => (v / BigInt(a)) * BigInt(a);

/** riscv_calc_kernel_start_addr(): `firmwareEnd` rounded up to 2 MiB (RV64). */
export function calcKernelStartAddr(firmwareEnd: bigint): bigint {
  return alignUp(firmwareEnd, KERNEL_ALIGN);
}

/**
 * riscv_load_initrd(): far enough above the kernel that decompressing it does not clobber
 * the initrd: half of RAM below 256 MiB, else 128 MiB, counted from QEMU's kernel_entry.
 */
export function initrdStartAddr(kernelEntry: bigint, ramSize: number): bigint {
  return kernelEntry + BigInt(Math.min(Math.floor(ramSize / 2), 128 * MiB));
}

/**
 * riscv_load_fdt(): as high as possible but below 3 GiB so 32-bit kernels reach it:
 * min(RAM end, 3 GiB) minus the FDT size, rounded down to 2 MiB.
 */
export function fdtLoadAddr(dramBase: number, ramSize: number, fdtSize: number = QEMU_FDT_SIZE): number {
  const dramEnd = BigInt(dramBase) + BigInt(ramSize);
  const limit = BigInt(3 * GiB);
  const top = BigInt(dramBase) < limit ? (dramEnd < limit ? dramEnd : limit) : dramEnd;
  return Number(alignDown(top - BigInt(fdtSize), FDT_ALIGN));
}

/**
 * QEMU's ROM overlap check: blobs sorted by start address (stable), each compared with the
 * one before it. Returns a one-line message naming every overlapping pair, or undefined.
 */
export function findRomOverlaps(blobs: readonly LoadedBlob[]): string | undefined {
  const sorted = blobs.filter((b) => b.size > 0n).map((b, i) => ({ b, i })).sort((x, y) => (x.b.start < y.b.start ? -1 : x.b.start > y.b.start ? 1 : x.i - y.i)).map((x) => x.b);
  const pairs: string[] = [];
  for (let i = 1; i < sorted.length; i += 1) {
    const prev = sorted[i - 1];
    const cur = sorted[i];
    if (prev !== undefined && cur !== undefined && prev.start + prev.size > cur.start) pairs.push(`${describeBlob(prev)} and ${describeBlob(cur)}`);
  }
  return pairs.length === 0 ? undefined : `Some ROM regions are overlapping: ${pairs.join('; ')}`;
}

function describeBlob(b: LoadedBlob): string {
  return `${b.name} (addresses ${hex16(b.start)} - ${hex16(b.start + b.size)})`;
}

/** File access used by planBoot (tests substitute their own). */
export interface BootFiles {
  /** Reads a whole file; throws a Node-style error with `code` on failure. */
  readFile(path: string): Uint8Array;
  /** QEMU's access(path, R_OK) == 0. */
  isReadable(path: string): boolean;
}

export const nodeBootFiles: BootFiles = {
  // the file's own bytes, not a copy: a kernel was copied four times on its way into RAM, each copy
  // into fresh pages (a 4.7 MB Linux Image: 1,300 page faults, ~15 ms each copy on our VMs)
  readFile: (path) => {
    const b = readFileSync(path);
    return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  },
  isReadable: (path) => {
    try {
      accessSync(path, constants.R_OK);
      return true;
    } catch {
      return false;
    }
  },
};

/**
 * qemu_find_file(QEMU_FILE_TYPE_BIOS, ...) for -bios: the name as a path, then each search
 * directory. `default` is the bundled firmware (`bundled`, normally BUNDLED_FIRMWARE).
 * Returns undefined for `none`.
 */
export function resolveFirmwarePath(bios: FirmwareChoice, searchDirs: readonly string[], files: BootFiles, bundled = BUNDLED_FIRMWARE): string | undefined {
  if (bios.kind === 'none') return undefined;
  const name = bios.kind === 'default' ? bundled : bios.path;
  if (files.isReadable(name)) return name;
  if (bios.kind === 'file') {
    for (const dir of searchDirs) {
      const candidate = join(dir, name);
      if (files.isReadable(candidate)) return candidate;
    }
  }
  throw new BootError(`Unable to load the RISC-V firmware "${name}"`);
}

export interface BootInput {
  readonly bios: FirmwareChoice;
  readonly kernel?: string | undefined;
  readonly initrd?: string | undefined;
  readonly ramSize: number;
  /** Where loaders may write (at least RAM). */
  readonly target: LoadTarget;
  readonly files?: BootFiles;
  /** Directories searched for -bios names (QEMU's data directories). */
  readonly firmwareSearchDirs?: readonly string[];
  /** Size used to place the FDT; QEMU's is 1 MiB (keep it unless you know why). */
  readonly fdtSize?: number;
  /** -drive if=pflash units given: unit 0 moves the reset jump to flash0, unit 1 hands -kernel to fw_cfg. */
  readonly pflashUnits?: readonly number[];
}

/** What QEMU 7.2's riscv_setup_firmware_boot puts in fw_cfg when flash1 holds the (S-mode) firmware. */
export interface FwCfgKernel {
  readonly kernel: Uint8Array;
  readonly initrd: Uint8Array | undefined;
}

export interface BootPlan {
  /** Where the reset vector jumps: the DRAM base on virt, firmware or not (QEMU 7.2 start_addr). */
  readonly startAddr: number;
  /**
   * QEMU's kernel_entry: fw_dynamic_info.next_addr and the initrd base. For an ELF kernel
   * this is its lowest load address, not e_entry; 0 without -kernel.
   */
  readonly kernelEntry: bigint;
  readonly fdtAddr: number;
  /** -kernel/-initrd for fw_cfg instead of RAM (a pflash drive on unit 1). */
  readonly fwCfgKernel?: FwCfgKernel;
  /** For /chosen linux,initrd-start/-end (QEMU writes them as 32-bit cells). */
  readonly initrd: { readonly start: number; readonly end: number } | undefined;
  readonly firmware: ImageLoadResult | undefined;
  readonly kernel: ImageLoadResult | undefined;
  /** Function symbols per loaded ELF in QEMU's lookup order (last loaded first). */
  readonly symbolTables: readonly (readonly ElfSymbol[])[];
  /** Every blob QEMU would register as a ROM, the FDT and the MROM contents included. */
  readonly blobs: readonly LoadedBlob[];
  /** QEMU's "Some ROM regions are overlapping" (see the module comment for when to report it). */
  readonly romOverlap: string | undefined;
  /** Why an image was loaded in a format other than it looked like (not printed by QEMU). */
  readonly notes: readonly string[];
}

const ERRNO_TEXT: Readonly<Record<string, string>> = { ENOENT: 'No such file or directory', EACCES: 'Permission denied' };

/**
 * Reads an image or fails with QEMU's one-line message. For a missing kernel QEMU prints the
 * strerror() text on a line of its own first; tsemu appends it to the message instead.
 */
function readOrFail(files: BootFiles, path: string, failure: string, withReason = true): Uint8Array {
  try {
    return files.readFile(path);
  } catch (err) {
    const code = typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string' ? err.code : '';
    const why = ERRNO_TEXT[code];
    throw new BootError(why === undefined || !withReason ? failure : `${failure}: ${why}`);
  }
}

function rethrowAsBootError<T>(load: () => T): T {
  try {
    return load();
  } catch (err) {
    if (err instanceof ImageLoadError) throw new BootError(err.message);
    throw err;
  }
}

/** riscv_load_initrd(): a uImage ramdisk or the raw file at initrdStartAddr(); no size limit (QEMU's check underflows). */
function loadInitrd(path: string, kernelEntry: bigint, ramSize: number, input: BootInput, files: BootFiles, blobs: LoadedBlob[], notes: string[]): { start: number; end: number } {
  const bytes = readOrFail(files, path, `could not load ramdisk '${path}'`, false);
  const start = initrdStartAddr(kernelEntry, ramSize);
  const uimage = decodeUImage(bytes, IH_TYPE_RAMDISK);
  if (typeof uimage === 'string') notes.push(uimage);
  const data = typeof uimage === 'object' ? uimage.data : bytes;
  writeBlob(input.target, start, data);
  blobs.push({ name: path, start, size: BigInt(data.length) });
  return { start: Number(start), end: Number(start + BigInt(data.length)) };
}

function mromBlobs(): LoadedBlob[] {
  const base = BigInt(VIRT.mrom.base);
  return [
    { name: 'mrom.reset', start: base, size: BigInt(RESET_VECTOR_SIZE) },
    { name: 'mrom.finfo', start: base + BigInt(RESET_VECTOR_SIZE), size: BigInt(FW_DYNAMIC_INFO_SIZE) },
  ];
}

/** Loads firmware, kernel and initrd the way QEMU 7.2 virt does and returns the layout. Throws BootError. */
export function planBoot(input: BootInput): BootPlan {
  const files = input.files ?? nodeBootFiles;
  const dramBase = VIRT.dram.base;
  const blobs: LoadedBlob[] = [];
  const notes: string[] = [];
  const symbolTables: ElfSymbol[][] = [];

  let firmwareEnd = BigInt(dramBase);
  let firmware: ImageLoadResult | undefined;
  const firmwarePath = resolveFirmwarePath(input.bios, input.firmwareSearchDirs ?? [], files);
  if (firmwarePath !== undefined) {
    const bytes = readOrFail(files, firmwarePath, `could not load firmware '${firmwarePath}'`);
    firmware = rethrowAsBootError(() => loadFirmware(bytes, firmwarePath, dramBase, input.ramSize, input.target));
    firmwareEnd = firmware.address;
    collect(firmware, blobs, notes, symbolTables);
  }

  let kernel: ImageLoadResult | undefined;
  let kernelEntry = 0n;
  let initrd: { start: number; end: number } | undefined;
  let fwCfgKernel: FwCfgKernel | undefined;
  const flash1 = input.pflashUnits?.includes(1) ?? false;
  if (flash1) {
    // QEMU 7.2 virt: S-mode firmware (EDK2) in flash1 is the next stage; it loads the kernel from fw_cfg
    kernelEntry = BigInt(VIRT.flash.base + VIRT.flash.size / 2);
    if (input.kernel !== undefined) {
      const bytes = readOrFail(files, input.kernel, `could not load kernel '${input.kernel}'`);
      const initrdBytes = input.initrd === undefined ? undefined : readOrFail(files, input.initrd, `could not load initrd '${input.initrd}'`);
      fwCfgKernel = { kernel: bytes, initrd: initrdBytes };
    }
  } else if (input.kernel !== undefined) {
    const path = input.kernel;
    const bytes = readOrFail(files, path, `could not load kernel '${path}'`);
    const start = Number(calcKernelStartAddr(firmwareEnd));
    kernel = rethrowAsBootError(() => loadKernel(bytes, path, start, input.ramSize, input.target));
    kernelEntry = kernel.address;
    collect(kernel, blobs, notes, symbolTables);
    if (input.initrd !== undefined) initrd = loadInitrd(input.initrd, kernelEntry, input.ramSize, input, files, blobs, notes);
  }

  const fdtSize = input.fdtSize ?? QEMU_FDT_SIZE;
  const fdtAddr = fdtLoadAddr(dramBase, input.ramSize, fdtSize);
  blobs.push({ name: 'fdt', start: BigInt(fdtAddr), size: BigInt(fdtSize) }, ...mromBlobs());
  return {
    // QEMU 7.2 virt: a drive on flash0 makes the reset vector jump there (M-mode firmware in flash)
    startAddr: input.pflashUnits?.includes(0) ? VIRT.flash.base : dramBase,
    kernelEntry,
    fdtAddr,
    fwCfgKernel,
    initrd,
    firmware,
    kernel,
    symbolTables: symbolTables.reverse(),
    blobs,
    romOverlap: findRomOverlaps(blobs),
    notes,
  };
}

function collect(result: ImageLoadResult, blobs: LoadedBlob[], notes: string[], tables: ElfSymbol[][]): void {
  blobs.push(...result.blobs);
  notes.push(...result.notes);
  if (result.functions.length > 0) tables.push([...result.functions]);
}

/** QEMU's lookup_symbol() over all loaded images: the first table with a match wins. */
export function lookupSymbol(tables: readonly (readonly ElfSymbol[])[], pc: number): string {
  for (const table of tables) {
    const name = lookupFunctionSymbol(table, pc);
    if (name !== '') return name;
  }
  return '';
}
