/**
 * Loading a RISC-V ELF executable (and its interpreter) into an address space, as QEMU 7.2's
 * linux-user load_elf_image() does: the image's span is reserved first (an ET_DYN image where
 * mmap would put it, at QEMU's TASK_UNMAPPED_BASE for the first one), each PT_LOAD is a private
 * file mapping with its protections, the bss past the file is zero, and the main program keeps
 * 32 MiB free after its end for brk while the interpreter and the stack are placed.
 */
import { AddressSpace, pageAlignUp, PROT_EXEC, PROT_READ, PROT_WRITE } from './address-space.js';
import { PAGE_SIZE } from '../memory/guest-memory.js';

const PT_LOAD = 1;
const PT_INTERP = 3;
const ET_EXEC = 2;
const ET_DYN = 3;
const EM_RISCV = 243;
/** QEMU keeps this much free after a main program's end for brk (64-bit guests). */
export const RESERVE_BRK = 32 * 1024 * 1024;

/** A load failure QEMU reports as `PATH: reason` with exit status 255 (exit(-1)). */
export class ElfLoadError extends Error {}

/** The program does not fit -R's space: QEMU's probe_guest_base says so, `PATH: reason`, exit status 1. */
export class ReservedVaError extends ElfLoadError {}

export interface LoadedImage {
  /** Added to every p_vaddr (0 for ET_EXEC). */
  bias: number;
  /** First byte of the image (page aligned, bias applied). */
  start: number;
  entry: number;
  /** AT_PHDR: load address + e_phoff. */
  phdr: number;
  phnum: number;
  phent: number;
  /** End of the highest segment, page aligned: the initial brk. */
  brk: number;
  /** PT_INTERP's path, for the main program. */
  interp: string | undefined;
}

interface Phdr {
  type: number;
  flags: number;
  offset: number;
  vaddr: number;
  filesz: number;
  memsz: number;
}

/** Does `bytes` start like an ELF file at all (else the kernel's ENOEXEC)? */
export function hasElfMagic(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x7f && bytes[1] === 0x45 && bytes[2] === 0x4c && bytes[3] === 0x46;
}

/** QEMU reads the first 1024 bytes (BPRM_BUF_SIZE) and takes headers from them zero-padded. */
function headerBytes(file: Uint8Array, offset: number, len: number): DataView {
  const out = new Uint8Array(len);
  if (offset < file.length) out.set(file.subarray(offset, Math.min(file.length, offset + len)));
  return new DataView(out.buffer);
}

function checkHeader(file: Uint8Array): DataView {
  const h = headerBytes(file, 0, 64);
  const ok = hasElfMagic(file) && h.getUint8(4) === 2 && h.getUint8(5) === 1 && h.getUint8(6) === 1 &&
    h.getUint16(18, true) === EM_RISCV && [ET_EXEC, ET_DYN].includes(h.getUint16(16, true));
  if (!ok) throw new ElfLoadError('Invalid ELF image for this architecture');
  return h;
}

function programHeaders(file: Uint8Array, h: DataView): Phdr[] {
  const phoff = Number(h.getBigUint64(32, true));
  const phent = h.getUint16(54, true);
  const phnum = h.getUint16(56, true);
  if (phent !== 56) throw new ElfLoadError('Invalid ELF image for this architecture');
  const view = headerBytes(file, phoff, phnum * phent);
  const out: Phdr[] = [];
  for (let i = 0; i < phnum; i++) {
    const b = i * phent;
    out.push({
      type: view.getUint32(b, true),
      flags: view.getUint32(b + 4, true),
      offset: Number(view.getBigUint64(b + 8, true)),
      vaddr: Number(view.getBigUint64(b + 16, true)),
      filesz: Number(view.getBigUint64(b + 32, true)),
      memsz: Number(view.getBigUint64(b + 40, true)),
    });
  }
  return out;
}

function protOf(flags: number): number {
  return ((flags & 4) !== 0 ? PROT_READ : 0) | ((flags & 2) !== 0 ? PROT_WRITE : 0) | ((flags & 1) !== 0 ? PROT_EXEC : 0);
}

function interpPath(file: Uint8Array, phdrs: Phdr[]): string | undefined {
  const p = phdrs.find((ph) => ph.type === PT_INTERP);
  if (!p) return undefined;
  let bytes = file.subarray(p.offset, p.offset + p.filesz);
  const nul = bytes.indexOf(0);
  if (nul >= 0) bytes = bytes.subarray(0, nul);
  return Buffer.from(bytes).toString('latin1');
}

/** One PT_LOAD: the file part as a private mapping, the rest of its last page zeroed, then anonymous bss pages. */
function loadSegment(space: AddressSpace, file: Uint8Array, ph: Phdr, bias: number): void {
  const prot = protOf(ph.flags);
  const vaddr = bias + ph.vaddr;
  const po = vaddr % PAGE_SIZE;
  const ps = vaddr - po;
  const fileEnd = vaddr + ph.filesz;
  const memEnd = vaddr + ph.memsz;
  if (ph.filesz > 0) {
    const len = pageAlignUp(fileEnd) - ps;
    const from = ph.offset - po;
    const data = new Uint8Array(len);
    data.set(file.subarray(from, Math.min(file.length, from + len)));
    data.fill(0, po + ph.filesz); // the rest of the last file page is bss
    const pagesWithData = Math.max(0, Math.ceil((file.length - from) / PAGE_SIZE));
    space.mapData(ps, len, prot, data, pagesWithData);
  }
  const bssStart = ph.filesz > 0 ? pageAlignUp(fileEnd) : ps;
  if (memEnd > bssStart) space.map(bssStart, pageAlignUp(memEnd) - bssStart, prot);
}

/** QEMU 7.2's probe_guest_base with reserved_va: the program's span (from 0 for ET_EXEC, with the brk reserve) must fit. */
function checkReserved(reservedVa: number, lo: number, hiaddr: number): void {
  const need = hiaddr - lo;
  if (need > reservedVa) throw new ReservedVaError(`requires more than reserved virtual address space (0x${need.toString(16)} > 0x${reservedVa.toString(16)})`);
}

/**
 * Load `file` (the bytes of `path`). `main`: the program itself (its PT_INTERP is returned and
 * RESERVE_BRK bytes after it stay reserved until the caller releases them).
 */
export function loadElfImage(space: AddressSpace, file: Uint8Array, main: boolean): LoadedImage {
  const h = checkHeader(file);
  const phdrs = programHeaders(file, h);
  const loads = phdrs.filter((p) => p.type === PT_LOAD);
  if (loads.length === 0) throw new ElfLoadError('Error mapping file: Invalid argument');
  const lo = Math.min(...loads.map((p) => p.vaddr)) - (Math.min(...loads.map((p) => p.vaddr)) % PAGE_SIZE);
  const hi = pageAlignUp(Math.max(...loads.map((p) => p.vaddr + p.memsz)));
  const span = hi - lo + (main ? RESERVE_BRK : 0);
  const type = h.getUint16(16, true);
  if (main && space.reservedVa > 0) checkReserved(space.reservedVa, type === ET_DYN ? lo : 0, Math.max(...loads.map((p) => p.vaddr + p.memsz)) + RESERVE_BRK);
  let bias = 0;
  if (type === ET_DYN) {
    const at = space.findFree(lo === 0 ? 0 : lo, span);
    if (at < 0) throw new ElfLoadError('Error mapping file: Cannot allocate memory');
    bias = at - lo;
  }
  if (!space.fits(lo + bias, span)) throw new ElfLoadError('Error mapping file: Cannot allocate memory'); // above -R's space
  space.map(lo + bias, span, 0); // the reservation (PROT_NONE) the segments replace
  for (const ph of loads) loadSegment(space, file, ph, bias);
  return {
    bias,
    start: lo + bias,
    entry: Number(h.getBigUint64(24, true)) + bias,
    phdr: lo + bias + Number(h.getBigUint64(32, true)),
    phnum: h.getUint16(56, true),
    phent: h.getUint16(54, true),
    brk: hi + bias,
    interp: main ? interpPath(file, phdrs) : undefined,
  };
}
