/**
 * Boot images: ELF64 little-endian RISC-V parsing and loading, U-Boot uImages,
 * and QEMU 7.2's policy for `-kernel` and `-bios` files (hw/riscv/boot.c,
 * hw/core/loader.c, include/hw/elf_ops.h).
 *
 * Loaders write through a callback so they work on any RAM representation;
 * every blob they place is reported as a LoadedBlob so the caller can run
 * QEMU's ROM-overlap check (boot-layout.ts).
 */
import { gunzipSync } from 'node:zlib';

export const EM_RISCV = 243;
const PT_LOAD = 1;
const SHT_SYMTAB = 2;
const STT_FUNC = 2;
const SHN_UNDEF = 0;
const SHN_LORESERVE = 0xff00;
const ELF64_EHDR_SIZE = 64;
const ELF64_PHDR_SIZE = 56;
const ELF64_SHDR_SIZE = 64;
const ELF64_SYM_SIZE = 24;

export type ElfErrorKind = 'not-elf' | 'wrong-class' | 'wrong-endian' | 'wrong-machine' | 'truncated' | 'outside-memory';

/** A one-line problem with an image; `message` is ready to print after the program name. */
export class ElfError extends Error {
  override readonly name = 'ElfError';
  constructor(
    readonly kind: ElfErrorKind,
    message: string,
  ) {
    super(message);
  }
}

export interface ElfSegment {
  /** Index in the program header table (QEMU names segments by it). */
  readonly index: number;
  /** Load address: QEMU loads at p_paddr. */
  readonly paddr: bigint;
  readonly vaddr: bigint;
  readonly fileOffset: number;
  readonly fileSize: number;
  /** Bytes in memory; the part past fileSize is zero-filled. */
  readonly memSize: number;
  readonly flags: number;
}

/**
 * A function symbol. `address` is the 64-bit value as a signed Number, the same
 * convention as the vCPU's pc slot (exact for canonical addresses).
 */
export interface ElfSymbol {
  readonly name: string;
  readonly address: number;
  readonly size: number;
}

export interface ElfImage {
  readonly entry: bigint;
  /** PT_LOAD segments in program-header order. */
  readonly segments: readonly ElfSegment[];
  /** STT_FUNC symbols sorted by address, zero sizes widened to the next symbol (as QEMU's load_symbols). */
  readonly functions: readonly ElfSymbol[];
}

const hex = (v: bigint | number): string => `0x${BigInt.asUintN(64, BigInt(v)).toString(16)}`;
/** QEMU's "0x%016" PRIx64 style, used in the ROM-overlap report. */
export const hex16 = (v: bigint | number): string => `0x${BigInt.asUintN(64, BigInt(v)).toString(16).padStart(16, '0')}`;

function isElf(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x7f && bytes[1] === 0x45 && bytes[2] === 0x4c && bytes[3] === 0x46;
}

function truncated(name: string, what: string): ElfError {
  return new ElfError('truncated', `${name}: truncated ELF file (${what} extends past the end of the file)`);
}

/** Parses an ELF64 little-endian RISC-V file. `name` is used in error messages. */
export function parseElf(bytes: Uint8Array, name: string): ElfImage {
  if (!isElf(bytes)) throw new ElfError('not-elf', `${name}: not an ELF file`);
  if (bytes.length < 16) throw truncated(name, 'ELF identification');
  if (bytes[4] !== 2) throw new ElfError('wrong-class', `${name}: not a 64-bit ELF file (ELF class ${bytes[4] ?? 0})`);
  if (bytes[5] !== 1) throw new ElfError('wrong-endian', `${name}: not a little-endian ELF file`);
  if (bytes.length < ELF64_EHDR_SIZE) throw truncated(name, 'ELF header');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const machine = view.getUint16(18, true);
  if (machine !== EM_RISCV) throw new ElfError('wrong-machine', `${name} is not a RISC-V ELF (e_machine ${machine})`);
  const entry = view.getBigUint64(24, true);
  const segments = parseSegments(view, name);
  return { entry, segments, functions: parseFunctionSymbols(view, bytes) };
}

function parseSegments(view: DataView, name: string): ElfSegment[] {
  const phoff = Number(view.getBigUint64(32, true));
  const phentsize = view.getUint16(54, true);
  const phnum = view.getUint16(56, true);
  if (phnum > 0 && phentsize < ELF64_PHDR_SIZE) throw truncated(name, 'program header entry');
  if (phoff + phnum * phentsize > view.byteLength) throw truncated(name, 'program header table');
  const segments: ElfSegment[] = [];
  for (let index = 0; index < phnum; index += 1) {
    const at = phoff + index * phentsize;
    if (view.getUint32(at, true) !== PT_LOAD) continue;
    const segment: ElfSegment = {
      index,
      flags: view.getUint32(at + 4, true),
      fileOffset: Number(view.getBigUint64(at + 8, true)),
      vaddr: view.getBigUint64(at + 16, true),
      paddr: view.getBigUint64(at + 24, true),
      fileSize: Number(view.getBigUint64(at + 32, true)),
      memSize: Number(view.getBigUint64(at + 40, true)),
    };
    if (segment.fileSize > 0 && segment.fileOffset + segment.fileSize > view.byteLength) truncatedSegment(name, segment);
    if (segment.fileSize > segment.memSize) {
      throw new ElfError('truncated', `${name}: ELF segment ${index} has p_filesz ${hex(segment.fileSize)} larger than p_memsz ${hex(segment.memSize)}`);
    }
    segments.push(segment);
  }
  return segments;
}

function truncatedSegment(name: string, segment: ElfSegment): never {
  throw truncated(name, `data of segment ${segment.index} at ${hex(segment.paddr)}`);
}

/**
 * Function symbols the way QEMU keeps them for disassembly: STT_FUNC, defined,
 * not in a special section; sorted; a zero size becomes the distance to the next one.
 * A missing or damaged symbol table just yields no symbols (QEMU ignores it too).
 */
function parseFunctionSymbols(view: DataView, bytes: Uint8Array): ElfSymbol[] {
  const shoff = Number(view.getBigUint64(40, true));
  const shentsize = view.getUint16(58, true);
  const shnum = view.getUint16(60, true);
  if (shoff === 0 || shnum === 0 || shentsize < ELF64_SHDR_SIZE || shoff + shnum * shentsize > view.byteLength) return [];
  const section = (i: number): { type: number; offset: number; size: number; link: number } => {
    const at = shoff + i * shentsize;
    return { type: view.getUint32(at + 4, true), offset: Number(view.getBigUint64(at + 24, true)), size: Number(view.getBigUint64(at + 32, true)), link: view.getUint32(at + 40, true) };
  };
  let symtab: ReturnType<typeof section> | undefined;
  for (let i = 0; i < shnum && symtab === undefined; i += 1) if (section(i).type === SHT_SYMTAB) symtab = section(i);
  if (symtab === undefined || symtab.link >= shnum || symtab.offset + symtab.size > view.byteLength) return [];
  const strtab = section(symtab.link);
  if (strtab.offset + strtab.size > view.byteLength) return [];
  const raw: { name: string; value: bigint; size: bigint }[] = [];
  for (let at = symtab.offset; at + ELF64_SYM_SIZE <= symtab.offset + symtab.size; at += ELF64_SYM_SIZE) {
    const info = view.getUint8(at + 4);
    const shndx = view.getUint16(at + 6, true);
    if ((info & 0xf) !== STT_FUNC || shndx === SHN_UNDEF || shndx >= SHN_LORESERVE) continue;
    raw.push({ name: readCString(bytes, strtab.offset + view.getUint32(at, true), strtab.offset + strtab.size), value: view.getBigUint64(at + 8, true), size: view.getBigUint64(at + 16, true) });
  }
  raw.sort((a, b) => (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
  return raw.map((s, i) => {
    const next = raw[i + 1];
    const size = s.size === 0n && next !== undefined ? next.value - s.value : s.size;
    return { name: s.name, address: Number(BigInt.asIntN(64, s.value)), size: Number(size) };
  });
}

function readCString(bytes: Uint8Array, start: number, limit: number): string {
  let end = start;
  while (end < limit && bytes[end] !== 0) end += 1;
  return new TextDecoder().decode(bytes.subarray(start, end));
}

/** QEMU's lookup_symbol(): the function whose [address, address+size) holds `pc`, or "". */
export function lookupFunctionSymbol(functions: readonly ElfSymbol[], pc: number): string {
  const key = BigInt.asUintN(64, BigInt(pc));
  let lo = 0;
  let hi = functions.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const sym = functions[mid];
    if (sym === undefined) break;
    const start = BigInt.asUintN(64, BigInt(sym.address));
    if (key < start) hi = mid - 1;
    else if (key >= start + BigInt(sym.size)) lo = mid + 1;
    else return sym.name;
  }
  return '';
}

// ---------------------------------------------------------------------------
// Loading into guest memory

/** A range of guest-physical memory that loaders may write (RAM, and the boot ROM if the caller wants). */
export interface MemoryRegion {
  readonly base: number;
  readonly size: number;
}

/** Where loaded bytes go. `write` is only called with ranges inside one of `regions`. */
export interface LoadTarget {
  readonly regions: readonly MemoryRegion[];
  write(physAddr: number, bytes: Uint8Array): void;
}

/** One placed blob, named as QEMU names its ROM entries (for the overlap report). */
export interface LoadedBlob {
  readonly name: string;
  readonly start: bigint;
  /** Size in memory (for ELF segments p_memsz, zero fill included). */
  readonly size: bigint;
}

export interface ElfLoadResult {
  readonly entry: bigint;
  /** Lowest and one-past-highest loaded address (QEMU's lowaddr/highaddr). */
  readonly low: bigint;
  readonly high: bigint;
  readonly blobs: readonly LoadedBlob[];
  readonly functions: readonly ElfSymbol[];
}

/**
 * Writes `bytes` at `start` clipped to the loadable regions. Bytes outside every region are
 * dropped, as QEMU's ROM reset does for unbacked addresses. Returns how many were written.
 */
function writeClipped(target: LoadTarget, start: bigint, bytes: Uint8Array): number {
  let written = 0;
  const end = start + BigInt(bytes.length);
  for (const r of target.regions) {
    const lo = start > BigInt(r.base) ? start : BigInt(r.base);
    const hi = end < BigInt(r.base + r.size) ? end : BigInt(r.base + r.size);
    if (lo >= hi) continue;
    target.write(Number(lo), bytes.subarray(Number(lo - start), Number(hi - start)));
    written += Number(hi - lo);
  }
  return written;
}

function overlapsAnyRegion(target: LoadTarget, start: bigint, size: bigint): boolean {
  return target.regions.some((r) => start < BigInt(r.base + r.size) && start + size > BigInt(r.base));
}

/**
 * Loads the PT_LOAD segments of a parsed ELF at their physical addresses, zero-filling
 * p_memsz beyond p_filesz. A segment with no byte inside any region is an error naming its
 * address (QEMU would silently drop it and boot a broken guest); a segment partly outside
 * keeps only its inside part, as QEMU does (e.g. a header page just below RAM).
 */
export function loadElf(image: ElfImage, bytes: Uint8Array, target: LoadTarget, name: string): ElfLoadResult {
  let low: bigint | undefined;
  let high = 0n;
  const blobs: LoadedBlob[] = [];
  for (const seg of image.segments) {
    if (seg.memSize === 0) continue; // QEMU skips empty segments
    const size = BigInt(seg.memSize);
    if (!overlapsAnyRegion(target, seg.paddr, size)) {
      throw new ElfError('outside-memory', `${name}: ELF segment ${seg.index} at ${hex(seg.paddr)} (size ${hex(seg.memSize)}) is outside guest memory`);
    }
    const data = new Uint8Array(seg.memSize);
    data.set(bytes.subarray(seg.fileOffset, seg.fileOffset + seg.fileSize));
    writeClipped(target, seg.paddr, data);
    blobs.push({ name: `${name} ELF program header segment ${seg.index}`, start: seg.paddr, size });
    if (low === undefined || seg.paddr < low) low = seg.paddr;
    if (seg.paddr + size > high) high = seg.paddr + size;
  }
  return { entry: entryAddress(image), low: low ?? 0n, high, blobs, functions: image.functions };
}

/** QEMU moves e_entry into physical space when the executable segment's paddr differs from its vaddr. */
function entryAddress(image: ElfImage): bigint {
  const PF_X = 1;
  for (const seg of image.segments) {
    if (seg.vaddr !== seg.paddr && (seg.flags & PF_X) !== 0 && image.entry >= seg.vaddr && image.entry < seg.vaddr + BigInt(seg.fileSize)) {
      return image.entry - seg.vaddr + seg.paddr;
    }
  }
  return image.entry;
}

// ---------------------------------------------------------------------------
// U-Boot legacy images (hw/core/loader.c load_uboot_image)

const IH_MAGIC = 0x27051956;
const UIMAGE_HEADER_SIZE = 64;
export const IH_TYPE_KERNEL = 2;
export const IH_TYPE_RAMDISK = 3;
const IH_TYPE_KERNEL_NOLOAD = 14;
const IH_COMP_NONE = 0;
const IH_COMP_GZIP = 1;
/** QEMU's UBOOT_MAX_GUNZIP_BYTES. */
const UBOOT_MAX_GUNZIP_BYTES = 64 << 20;

export interface UImage {
  readonly loadAddr: number;
  readonly entry: number;
  readonly data: Uint8Array;
}

/**
 * Decodes a uImage of the wanted type. Returns undefined when it is not one; returns a
 * string (QEMU's stderr line) when it is a uImage QEMU refuses, after which QEMU goes on
 * to the next format.
 */
export function decodeUImage(bytes: Uint8Array, wantedType: typeof IH_TYPE_KERNEL | typeof IH_TYPE_RAMDISK): UImage | string | undefined {
  if (bytes.length < UIMAGE_HEADER_SIZE) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0, false) !== IH_MAGIC) return undefined;
  const size = view.getUint32(12, false);
  const loadAddr = view.getUint32(16, false);
  const entry = view.getUint32(20, false);
  const type = view.getUint8(30);
  const comp = view.getUint8(31);
  if (type !== wantedType && !(wantedType === IH_TYPE_KERNEL && type === IH_TYPE_KERNEL_NOLOAD)) return `Wrong image type ${type}, expected ${wantedType}`;
  // virt passes no load address, so QEMU cannot place a kernel_noload image.
  if (type === IH_TYPE_KERNEL_NOLOAD) return 'this image format (kernel_noload) cannot be loaded on this machine type';
  if (type === IH_TYPE_KERNEL && comp !== IH_COMP_NONE && comp !== IH_COMP_GZIP) return `Unable to load u-boot images with compression type ${comp}`;
  if (UIMAGE_HEADER_SIZE + size > bytes.length) return 'Error reading file';
  let data = bytes.subarray(UIMAGE_HEADER_SIZE, UIMAGE_HEADER_SIZE + size);
  if (type === IH_TYPE_KERNEL && comp === IH_COMP_GZIP) {
    try {
      data = new Uint8Array(gunzipSync(data, { maxOutputLength: UBOOT_MAX_GUNZIP_BYTES }));
    } catch {
      return 'Unable to decompress gzipped image!';
    }
  }
  return { loadAddr, entry, data };
}

// ---------------------------------------------------------------------------
// -kernel and -bios policies (hw/riscv/boot.c, QEMU 7.2)

export type ImageFormat = 'elf' | 'uimage' | 'raw';

export interface ImageLoadResult {
  readonly format: ImageFormat;
  /**
   * For -kernel: what QEMU calls kernel_entry (fw_dynamic's next_addr, the initrd base): the
   * ELF's lowest load address (not e_entry), the uImage entry, or the raw load address.
   * For -bios: the firmware's end address (QEMU's firmware_end_addr).
   */
  readonly address: bigint;
  /** e_entry (physical) for ELF images. */
  readonly elfEntry: bigint | undefined;
  readonly blobs: readonly LoadedBlob[];
  readonly functions: readonly ElfSymbol[];
  /**
   * Why a file that looked like an ELF or uImage was loaded as something else
   * (QEMU falls through silently, or with the uImage line it prints).
   */
  readonly notes: readonly string[];
}

/** A one-line failure to load -kernel/-bios/-initrd; `message` is ready to print after the program name. */
export class ImageLoadError extends Error {
  override readonly name = 'ImageLoadError';
}

function tryElf(bytes: Uint8Array, name: string, target: LoadTarget, notes: string[]): ElfLoadResult | undefined {
  let image: ElfImage;
  try {
    image = parseElf(bytes, name);
  } catch (err) {
    if (!(err instanceof ElfError)) throw err;
    if (err.kind === 'wrong-class' && bytes[18] === EM_RISCV && bytes[19] === 0) {
      throw new ImageLoadError(`${name}: 32-bit RISC-V ELF images are not supported (QEMU would load them)`);
    }
    // A complete ELF for another machine is a user mistake, not a raw image: refuse it
    // (QEMU would load its bytes as a raw image and run garbage).
    if (err.kind === 'wrong-machine' || err.kind === 'wrong-class') throw new ImageLoadError(err.message);
    if (err.kind !== 'not-elf') notes.push(`${err.message}; loaded as a raw image, as QEMU does`);
    return undefined;
  }
  try {
    return loadElf(image, bytes, target, name);
  } catch (err) {
    if (err instanceof ElfError) throw new ImageLoadError(err.message);
    throw err;
  }
}

/**
 * A raw kernel image is machine code; a file whose first bytes are all
 * printable text (a script, a README, a path mix-up) is refused rather than
 * executed as instructions.
 */
function looksLikeText(bytes: Uint8Array): boolean {
  const n = Math.min(bytes.length, 512);
  for (let i = 0; i < n; i++) {
    const b = bytes[i];
    if (!(b === 9 || b === 10 || b === 13 || (b >= 32 && b < 127))) return false;
  }
  return true;
}

function rawFits(bytes: Uint8Array, ramSize: number): boolean {
  // load_image_targphys_as(): non-empty and no larger than the RAM size (not the room left above the load address).
  return bytes.length > 0 && bytes.length <= ramSize;
}

/**
 * QEMU 7.2 riscv_load_kernel(): an ELF goes to its own addresses (and its lowest address
 * is returned, so fw_dynamic jumps there); otherwise a uImage goes to its load address;
 * otherwise the raw bytes go to `kernelStartAddr`. Fails like QEMU with
 * "could not load kernel 'NAME'".
 */
export function loadKernel(bytes: Uint8Array, name: string, kernelStartAddr: number, ramSize: number, target: LoadTarget): ImageLoadResult {
  const notes: string[] = [];
  const elf = tryElf(bytes, name, target, notes);
  if (elf !== undefined) return { format: 'elf', address: elf.low, elfEntry: elf.entry, blobs: elf.blobs, functions: elf.functions, notes };
  const uimage = decodeUImage(bytes, IH_TYPE_KERNEL);
  if (typeof uimage === 'string') notes.push(uimage);
  else if (uimage !== undefined) {
    writeClipped(target, BigInt(uimage.loadAddr), uimage.data);
    const blobs = [{ name, start: BigInt(uimage.loadAddr), size: BigInt(uimage.data.length) }];
    return { format: 'uimage', address: BigInt(uimage.entry), elfEntry: undefined, blobs, functions: [], notes };
  }
  if (!rawFits(bytes, ramSize)) throw new ImageLoadError(`could not load kernel '${name}'`);
  if (looksLikeText(bytes)) throw new ImageLoadError(`${name}: not a kernel image (neither ELF, uImage nor binary: it is text)`);
  writeClipped(target, BigInt(kernelStartAddr), bytes);
  return { format: 'raw', address: BigInt(kernelStartAddr), elfEntry: undefined, blobs: [{ name, start: BigInt(kernelStartAddr), size: BigInt(bytes.length) }], functions: [], notes };
}

/**
 * QEMU 7.2 riscv_load_firmware(): an ELF goes to its own addresses and its end (highaddr)
 * is returned; otherwise the raw bytes go to `loadAddr` (DRAM base) and loadAddr+size is
 * returned. Fails like QEMU with "could not load firmware 'NAME'".
 */
export function loadFirmware(bytes: Uint8Array, name: string, loadAddr: number, ramSize: number, target: LoadTarget): ImageLoadResult {
  const notes: string[] = [];
  const elf = tryElf(bytes, name, target, notes);
  if (elf !== undefined) return { format: 'elf', address: elf.high, elfEntry: elf.entry, blobs: elf.blobs, functions: elf.functions, notes };
  if (!rawFits(bytes, ramSize)) throw new ImageLoadError(`could not load firmware '${name}'`);
  writeClipped(target, BigInt(loadAddr), bytes);
  const blobs = [{ name, start: BigInt(loadAddr), size: BigInt(bytes.length) }];
  return { format: 'raw', address: BigInt(loadAddr) + BigInt(bytes.length), elfEntry: undefined, blobs, functions: [], notes };
}

/** Writes a blob (FDT, initrd) clipped to the loadable regions; exported for boot-layout.ts. */
export function writeBlob(target: LoadTarget, start: bigint, bytes: Uint8Array): void {
  writeClipped(target, start, bytes);
}
