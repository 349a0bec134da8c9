/**
 * QEMU 7.2's view of the device address space, for the one question a vCPU asks before an
 * access reaches a device: is it valid, and in which pieces does it go? The answer decides
 * what `-d guest_errors` prints and whether the guest gets an access fault:
 *
 * - a page with no region at all is QEMU's io_mem_unassigned: every access is rejected,
 *   `Invalid read at addr 0x<PA>, size N, region '(null)', reason: rejected`;
 * - a page one region covers entirely is dispatched to it directly: a size outside the
 *   region's valid sizes is refused (memory_region_access_valid), `Invalid read at addr
 *   0x<OFFSET>, size N, region 'NAME', reason: invalid size (min:A max:B)`;
 * - any other page is a QEMU "subpage" (softmmu/physmem.c): the access is checked piece
 *   by piece over the regions it spans (flatview_access_valid, each piece bounded by
 *   memory_access_size), a refused piece logs its own line and then the subpage logs
 *   `Invalid read at addr 0x<PAGE OFFSET>, size N, region '(null)', reason: rejected`;
 *   a valid access is dispatched in those pieces (an 8-byte read of the goldfish RTC is
 *   two 4-byte reads).
 *
 * Addresses are printed with HWADDR_PRIX (upper-case hex). Accesses reaching here are
 * aligned to their size: the vCPU splits misaligned device accesses first, as QEMU's
 * softmmu does (src/vcpu/context.ts).
 */
import type { GuestLog } from './guest-log.js';

/** A QEMU MemoryRegion with I/O callbacks, as far as access checks go. */
export interface IoRegion {
  /** The region's name in QEMU (memory_region_name), printed in guest-error lines. */
  readonly name: string;
  readonly base: number;
  /** The region's size in QEMU (not the slot the memory map reserves for it). */
  readonly size: number;
  /** ops->valid.min_access_size / max_access_size; max 0 means every size is valid (QEMU's rule). */
  readonly validMin: number;
  readonly validMax: number;
  /**
   * ops->valid.accepts as a list: the read / write sizes the region takes (absent: all the
   * valid sizes). Other sizes are refused with reason "rejected" (fw_cfg's selector is
   * write-only, 2 bytes).
   */
  readonly readSizes?: readonly number[];
  readonly writeSizes?: readonly number[];
}

/** One aligned access to one region, at a physical address. */
export interface IoPiece {
  readonly region: IoRegion;
  readonly pa: number;
  readonly size: number;
}

const PAGE = 0x1000;

function hexUpper(n: number): string {
  return n.toString(16).toUpperCase();
}

function rw(write: boolean): string {
  return write ? 'write' : 'read';
}

function sizeValid(r: IoRegion, size: number): boolean {
  return r.validMax === 0 || (size >= r.validMin && size <= r.validMax);
}

function accepted(r: IoRegion, size: number, write: boolean): boolean {
  const sizes = write ? r.writeSizes : r.readSizes;
  return sizes === undefined || sizes.includes(size);
}

/** Why QEMU's memory_region_access_valid() refuses the access, as its guest-error line; undefined if it does not. */
function refusal(r: IoRegion, pa: number, size: number, write: boolean): string | undefined {
  if (!sizeValid(r, size)) return invalidSizeLine(r, pa, size, write);
  if (!accepted(r, size, write)) return `Invalid ${rw(write)} at addr 0x${hexUpper(pa - r.base)}, size ${size}, region '${r.name}', reason: rejected\n`;
  return undefined;
}

function invalidSizeLine(r: IoRegion, pa: number, size: number, write: boolean): string {
  return `Invalid ${rw(write)} at addr 0x${hexUpper(pa - r.base)}, size ${size}, region '${r.name}', ` +
    `reason: invalid size (min:${r.validMin} max:${r.validMax})\n`;
}

function rejectedLine(addr: number, size: number, write: boolean): string {
  return `Invalid ${rw(write)} at addr 0x${hexUpper(addr)}, size ${size}, region '(null)', reason: rejected\n`;
}

/** QEMU's memory_access_size(): the largest piece at `offset` (region-relative) of at most `len` bytes. */
function accessSize(validMax: number, len: number, offset: number): number {
  let max = validMax === 0 ? 4 : validMax;
  const align = offset & -offset;
  if (align !== 0 && align < max) max = align;
  let l = Math.min(len, max);
  while (l & (l - 1)) l &= l - 1; // pow2floor
  return l;
}

export class IoAddressSpace {
  constructor(private readonly regions: readonly IoRegion[]) {}

  /** The region holding `pa`, if any. */
  regionAt(pa: number): IoRegion | undefined {
    for (const r of this.regions) if (pa >= r.base && pa < r.base + r.size) return r;
    return undefined;
  }

  /**
   * The pieces of a valid access of `size` bytes at `pa`, or undefined when QEMU refuses it
   * (an access fault), after logging what QEMU logs under guest_errors.
   */
  check(pa: number, size: number, write: boolean, log: GuestLog): IoPiece[] | undefined {
    const page = pa - (pa % PAGE);
    const inPage = this.regions.filter((r) => r.base < page + PAGE && r.base + r.size > page);
    if (inPage.length === 0) {
      log.guestError(rejectedLine(pa, size, write));
      return undefined;
    }
    const only = inPage[0];
    if (inPage.length === 1 && only.base <= page && only.base + only.size >= page + PAGE) {
      const why = refusal(only, pa, size, write);
      if (why === undefined) return [{ region: only, pa, size }];
      log.guestError(why);
      return undefined;
    }
    return this.checkSubpage(inPage, pa, size, write, log);
  }

  /** flatview_access_valid() over the regions of one subpage, then the subpage's own line. */
  private checkSubpage(inPage: readonly IoRegion[], pa: number, size: number, write: boolean, log: GuestLog): IoPiece[] | undefined {
    const pieces: IoPiece[] = [];
    for (let a = pa, left = size; left > 0;) {
      const r = inPage.find((x) => a >= x.base && a < x.base + x.size);
      let l: number;
      if (r === undefined) {
        const next = Math.min(...inPage.filter((x) => x.base > a).map((x) => x.base), a - (a % PAGE) + PAGE);
        l = accessSize(0, Math.min(left, next - a), a);
        log.guestError(rejectedLine(a, l, write)); // io_mem_unassigned refuses every access
      } else {
        l = accessSize(r.validMax, Math.min(left, r.base + r.size - a), a - r.base);
        const why = refusal(r, a, l, write);
        if (why === undefined) {
          pieces.push({ region: r, pa: a, size: l });
          a += l;
          left -= l;
          continue;
        }
        log.guestError(why);
      }
      log.guestError(rejectedLine(pa % PAGE, size, write));
      return undefined;
    }
    return pieces;
  }
}
