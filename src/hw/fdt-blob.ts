/**
 * Editing a device-tree blob in place, as libfdt 1.6 does for QEMU 7.2's `-dtb FILE`
 * (system/device_tree.c load_device_tree(), then qemu_fdt_setprop*() on /chosen and fdt_pack()).
 *
 * The blob is a user's file, so every read is bounds-checked: libfdt's own checks are ported
 * (with its error codes and fdt_strerror() names, which QEMU prints), and where C would read
 * past its buffer this reads zeros instead. Offsets follow libfdt's: struct-block offsets for
 * nodes and properties, header fields re-read after each edit.
 */

/** libfdt's error codes (negated in its return values). */
export const FDT_ERR = {
  NOTFOUND: 1, EXISTS: 2, NOSPACE: 3, BADOFFSET: 4, BADPATH: 5, BADPHANDLE: 6, BADSTATE: 7, TRUNCATED: 8,
  BADMAGIC: 9, BADVERSION: 10, BADSTRUCTURE: 11, BADLAYOUT: 12, INTERNAL: 13, BADNCELLS: 14, BADVALUE: 15,
  BADOVERLAY: 16, NOPHANDLES: 17, BADFLAGS: 18, ALIGNMENT: 19,
} as const;

const ERR_NAMES = Object.fromEntries(Object.entries(FDT_ERR).map(([k, v]) => [v, `FDT_ERR_${k}`]));

/** fdt_strerror() of a (negative) libfdt result. */
export function fdtStrerror(err: number): string {
  if (err > 0) return '<valid offset/length>';
  if (err === 0) return '<no error>';
  return ERR_NAMES[-err] ?? '<unknown error>';
}

const FDT_MAGIC = 0xd00dfeed;
const FDT_SW_MAGIC = ~FDT_MAGIC >>> 0;
const FDT_BEGIN_NODE = 1;
const FDT_END_NODE = 2;
const FDT_PROP = 3;
const FDT_NOP = 4;
const FDT_END = 9;
const TAG = 4;
const HEADER = 40;
const RSV_ENTRY = 16;
const INT_MAX = 0x7fffffff;
const U32 = 2 ** 32;

const enum H { magic = 0, totalsize = 4, offStruct = 8, offStrings = 12, offRsv = 16, version = 20, lastComp = 24, bootCpu = 28, sizeStrings = 32, sizeStruct = 36 }

const tagAlign = (n: number): number => (n + 3) & ~3;

/** A blob in a fixed-size buffer (libfdt's `fdt` pointer with the buffer behind it). */
export class FdtBlob {
  constructor(readonly buf: Uint8Array) {}

  private u32(abs: number): number {
    if (abs < 0 || abs + 4 > this.buf.length) return 0;
    return ((this.buf[abs]! << 24) | (this.buf[abs + 1]! << 16) | (this.buf[abs + 2]! << 8) | this.buf[abs + 3]!) >>> 0;
  }
  private setU32(abs: number, v: number): void {
    if (abs < 0 || abs + 4 > this.buf.length) return;
    new DataView(this.buf.buffer, this.buf.byteOffset).setUint32(abs, v >>> 0);
  }
  private byte(abs: number): number {
    return abs >= 0 && abs < this.buf.length ? this.buf[abs]! : 0;
  }
  h(field: H): number {
    return this.u32(field);
  }
  private setH(field: H, v: number): void {
    this.setU32(field, v);
  }
  get totalsize(): number {
    return this.h(H.totalsize);
  }

  /** fdt_ro_probe_(). */
  roProbe(): number {
    const magic = this.h(H.magic);
    if (magic === FDT_MAGIC) {
      if (this.h(H.version) < 2 || this.h(H.lastComp) > 17) return -FDT_ERR.BADVERSION;
    } else if (magic === FDT_SW_MAGIC) {
      if (this.h(H.sizeStruct) === 0) return -FDT_ERR.BADSTATE;
    } else {
      return -FDT_ERR.BADMAGIC;
    }
    return this.totalsize < INT_MAX ? this.totalsize : -FDT_ERR.TRUNCATED;
  }

  /** fdt_check_header(). */
  checkHeader(): number {
    if (this.h(H.magic) !== FDT_MAGIC) return -FDT_ERR.BADMAGIC;
    const version = this.h(H.version);
    if (version < 2 || this.h(H.lastComp) > 17 || version < this.h(H.lastComp)) return -FDT_ERR.BADVERSION;
    const hdr = version <= 1 ? 28 : version <= 2 ? 32 : version <= 16 ? 36 : 40;
    const total = this.totalsize;
    if (total < hdr || total > INT_MAX) return -FDT_ERR.TRUNCATED;
    const off = (o: number): boolean => o >= hdr && o <= total;
    const block = (base: number, size: number): boolean => off(base) && base + size < U32 && off(base + size);
    if (!off(this.h(H.offRsv))) return -FDT_ERR.TRUNCATED;
    if (version < 17 ? !off(this.h(H.offStruct)) : !block(this.h(H.offStruct), this.h(H.sizeStruct))) return -FDT_ERR.TRUNCATED;
    if (!block(this.h(H.offStrings), this.h(H.sizeStrings))) return -FDT_ERR.TRUNCATED;
    return 0;
  }

  /** fdt_num_mem_rsv(). */
  numMemRsv(): number {
    const base = this.h(H.offRsv);
    for (let i = 0; ; i++) {
      const abs = base + i * RSV_ENTRY;
      // C computes totalsize - 16 as a size_t: below 16 it wraps, and no entry is out of bounds
      if (abs >= U32 || (this.totalsize >= RSV_ENTRY && abs > this.totalsize - RSV_ENTRY)) return -FDT_ERR.TRUNCATED;
      // past the buffer reads as zero: the map ends there
      if (this.u32(abs + 8) === 0 && this.u32(abs + 12) === 0) return i;
    }
  }

  /** fdt_offset_ptr(): whether [offset, offset+len) of the struct block may be read. */
  private structOk(offset: number, len: number): boolean {
    if (offset < 0) return false;
    const abs = offset + this.h(H.offStruct);
    if (abs >= U32 || abs + len >= U32 || abs + len > this.totalsize) return false;
    if (this.h(H.version) >= 0x11 && offset + len > this.h(H.sizeStruct)) return false;
    return true;
  }

  /** fdt_next_tag(): the tag at `start` and the offset after it (or a negative error). */
  nextTag(start: number): { tag: number; next: number } {
    if (!this.structOk(start, TAG)) return { tag: FDT_END, next: -FDT_ERR.TRUNCATED };
    const base = this.h(H.offStruct);
    const tag = this.u32(base + start);
    let offset = start + TAG;
    const premature = { tag: FDT_END, next: -FDT_ERR.BADSTRUCTURE };
    switch (tag) {
      case FDT_BEGIN_NODE: {
        for (;;) {
          if (!this.structOk(offset, 1)) return premature;
          if (this.byte(base + offset++) === 0) break;
        }
        break;
      }
      case FDT_PROP: {
        if (!this.structOk(offset, 4)) return premature;
        const len = this.u32(base + offset);
        const sum = (len + offset) >>> 0;
        if (INT_MAX <= sum || sum < offset) return premature;
        offset += 8 + len;
        if (this.h(H.version) < 0x10 && len >= 8 && (offset - len) % 8 !== 0) offset += 4;
        break;
      }
      case FDT_END: case FDT_END_NODE: case FDT_NOP:
        break;
      default:
        return premature;
    }
    if (!this.structOk(start, offset - start)) return premature;
    return { tag, next: tagAlign(offset) };
  }

  /** fdt_check_node_offset_(). */
  private checkNode(offset: number): number {
    if (offset < 0 || offset % TAG !== 0) return -FDT_ERR.BADOFFSET;
    const { tag, next } = this.nextTag(offset);
    return tag === FDT_BEGIN_NODE ? next : -FDT_ERR.BADOFFSET;
  }

  /** fdt_check_prop_offset_(). */
  private checkProp(offset: number): number {
    if (offset < 0 || offset % TAG !== 0) return -FDT_ERR.BADOFFSET;
    const { tag, next } = this.nextTag(offset);
    return tag === FDT_PROP ? next : -FDT_ERR.BADOFFSET;
  }

  /** fdt_next_node() with a depth counter. */
  private nextNode(offset: number, depth: { d: number }): number {
    let next = 0;
    if (offset >= 0) {
      next = this.checkNode(offset);
      if (next < 0) return next;
    }
    for (;;) {
      offset = next;
      const t = this.nextTag(offset);
      next = t.next;
      if (t.tag === FDT_BEGIN_NODE) {
        depth.d++;
        return offset;
      }
      if (t.tag === FDT_END_NODE) {
        if (--depth.d < 0) return next;
      } else if (t.tag === FDT_END) {
        return next >= 0 ? -FDT_ERR.NOTFOUND : next;
      }
    }
  }

  /** The NUL-terminated name at a node's offset (fdt_get_name's view), or undefined. */
  private nodeName(offset: number): string | undefined {
    const base = this.h(H.offStruct) + offset + TAG;
    let end = base;
    while (end < this.buf.length && this.buf[end] !== 0) end++;
    if (end >= this.buf.length) return undefined;
    return new TextDecoder().decode(this.buf.subarray(base, end));
  }

  /** fdt_subnode_offset_namelen(). */
  private subnode(parent: number, name: string): number {
    const depth = { d: 0 };
    let offset = parent;
    for (; offset >= 0 && depth.d >= 0; offset = this.nextNode(offset, depth)) {
      if (depth.d !== 1) continue;
      const own = this.nodeName(offset);
      if (own === undefined || !own.startsWith(name)) continue;
      const rest = own.slice(name.length);
      if (rest === '' || (!name.includes('@') && rest.startsWith('@'))) return offset;
    }
    return depth.d < 0 ? -FDT_ERR.NOTFOUND : offset;
  }

  /** fdt_path_offset() for an absolute path (no aliases). */
  pathOffset(path: string): number {
    const probe = this.roProbe();
    if (probe < 0) return probe;
    if (!path.startsWith('/')) return -FDT_ERR.BADPATH;
    let offset = 0;
    for (const part of path.split('/').filter((p) => p !== '')) {
      offset = this.subnode(offset, part);
      if (offset < 0) return offset;
    }
    return offset;
  }

  /** fdt_get_string(): the string at `stroff` of the strings block, if it lies inside it. */
  private string(stroff: number): string | undefined {
    const size = this.h(H.sizeStrings);
    if (stroff >= size) return undefined;
    const base = this.h(H.offStrings);
    const end = Math.min(base + size, this.totalsize, this.buf.length);
    let at = base + stroff;
    const start = at;
    while (at < end && this.buf[at] !== 0) at++;
    if (at >= end) return undefined;
    return new TextDecoder().decode(this.buf.subarray(start, at));
  }

  /** nextprop_(). */
  private nextProp(offset: number): number {
    for (;;) {
      const { tag, next } = this.nextTag(offset);
      if (tag === FDT_END) return next >= 0 ? -FDT_ERR.BADSTRUCTURE : next;
      if (tag === FDT_PROP) return offset;
      if (tag !== FDT_NOP) return -FDT_ERR.NOTFOUND;
      offset = next;
    }
  }

  /** fdt_get_property_w(): the offset of a node's property `name`, or a negative error. */
  private findProp(node: number, name: string): number {
    let offset = this.checkNode(node);
    if (offset >= 0) offset = this.nextProp(offset);
    while (offset >= 0) {
      if (this.checkProp(offset) < 0) return -FDT_ERR.INTERNAL;
      if (this.string(this.u32(this.h(H.offStruct) + offset + 8)) === name) return offset;
      offset = this.checkProp(offset);
      if (offset >= 0) offset = this.nextProp(offset);
    }
    return offset;
  }

  /** fdt_blocks_misordered_(). */
  private misordered(memRsvSize: number, structSize: number): boolean {
    const rsv = this.h(H.offRsv);
    const st = this.h(H.offStruct);
    const strs = this.h(H.offStrings);
    return rsv < HEADER || st < (rsv + memRsvSize) % U32 || strs < (st + structSize) % U32 || this.totalsize < (strs + this.h(H.sizeStrings)) % U32;
  }

  /** fdt_rw_probe_(). */
  private rwProbe(): number {
    const probe = this.roProbe();
    if (probe < 0) return probe;
    if (this.h(H.version) < 17) return -FDT_ERR.BADVERSION;
    if (this.misordered(RSV_ENTRY, this.h(H.sizeStruct))) return -FDT_ERR.BADLAYOUT;
    if (this.h(H.version) > 17) this.setH(H.version, 17);
    return 0;
  }

  /** fdt_splice_(): make room (or remove it) at absolute offset `at`. */
  private splice(at: number, oldLen: number, newLen: number): number {
    const dsize = this.h(H.offStrings) + this.h(H.sizeStrings);
    if (oldLen < 0 || at + oldLen > dsize || dsize + newLen < oldLen) return -FDT_ERR.BADOFFSET;
    if (dsize - oldLen + newLen > this.totalsize || dsize - oldLen + newLen > this.buf.length) return -FDT_ERR.NOSPACE;
    this.buf.copyWithin(at + newLen, at + oldLen, dsize);
    return 0;
  }

  private spliceStruct(at: number, oldLen: number, newLen: number): number {
    const err = this.splice(at, oldLen, newLen);
    if (err) return err;
    this.setH(H.sizeStruct, this.h(H.sizeStruct) + newLen - oldLen);
    this.setH(H.offStrings, this.h(H.offStrings) + newLen - oldLen);
    return 0;
  }

  /** fdt_find_add_string_(): the name's offset in the strings block, added at its end if new. */
  private findAddString(name: string): { off: number; added: boolean } {
    const bytes = new TextEncoder().encode(`${name}\0`);
    const base = this.h(H.offStrings);
    const size = this.h(H.sizeStrings);
    for (let p = 0; p + bytes.length <= size; p++) {
      if (bytes.every((b, i) => this.byte(base + p + i) === b)) return { off: p, added: false };
    }
    const err = this.splice(base + size, 0, bytes.length);
    if (err) return { off: err, added: false };
    this.setH(H.sizeStrings, size + bytes.length);
    this.buf.set(bytes, base + size);
    return { off: size, added: true };
  }

  /** fdt_setprop(): replace or add (first in the node, as libfdt does) a property. */
  setProp(node: number, name: string, value: Uint8Array): number {
    const probe = this.rwProbe();
    if (probe) return probe;
    const st = this.h(H.offStruct);
    let prop = this.findProp(node, name);
    if (prop >= 0) {
      const oldLen = this.u32(st + prop + 4);
      const err = this.spliceStruct(st + prop + 12, tagAlign(oldLen), tagAlign(value.length));
      if (err) return err;
    } else if (prop === -FDT_ERR.NOTFOUND) {
      const after = this.checkNode(node);
      if (after < 0) return after;
      const str = this.findAddString(name);
      if (str.off < 0) return str.off;
      const err = this.spliceStruct(st + after, 0, 12 + tagAlign(value.length));
      if (err) {
        if (str.added) this.setH(H.sizeStrings, this.h(H.sizeStrings) - (name.length + 1));
        return err;
      }
      prop = after;
      this.setU32(st + prop, FDT_PROP);
      this.setU32(st + prop + 8, str.off);
    } else {
      return prop;
    }
    this.setU32(st + prop + 4, value.length);
    this.buf.set(value, st + prop + 12);
    return 0;
  }

  /** fdt_packblocks_(): header, reservation map, struct and strings laid end to end from `to`. */
  private packBlocks(to: number, memRsvSize: number, structSize: number, stringsSize: number): void {
    const rsvOff = HEADER;
    const structOff = rsvOff + memRsvSize;
    const stringsOff = structOff + structSize;
    const move = (dst: number, src: number, len: number): void => {
      const chunk = new Uint8Array(len);
      for (let i = 0; i < len; i++) chunk[i] = this.byte(src + i);
      this.buf.set(chunk.subarray(0, Math.max(0, Math.min(len, this.buf.length - dst))), dst);
    };
    const [srcRsv, srcStruct, srcStrings] = [this.h(H.offRsv), this.h(H.offStruct), this.h(H.offStrings)];
    const sizeStrings = this.h(H.sizeStrings);
    move(to + rsvOff, srcRsv, memRsvSize);
    this.setU32(to + H.offRsv, rsvOff);
    move(to + structOff, srcStruct, structSize);
    this.setU32(to + H.offStruct, structOff);
    this.setU32(to + H.sizeStruct, structSize);
    move(to + stringsOff, srcStrings, stringsSize);
    this.setU32(to + H.offStrings, stringsOff);
    this.setU32(to + H.sizeStrings, sizeStrings);
  }

  /** fdt_pack(). */
  pack(): number {
    const probe = this.rwProbe();
    if (probe) return probe;
    const rsv = (this.numMemRsv() + 1) * RSV_ENTRY;
    if (rsv <= 0) return -FDT_ERR.TRUNCATED;
    this.packBlocks(0, rsv, this.h(H.sizeStruct), this.h(H.sizeStrings));
    this.setH(H.totalsize, this.h(H.offStrings) + this.h(H.sizeStrings));
    return 0;
  }

  /**
   * fdt_open_into(fdt, fdt, bufsize) on this buffer: the blob rearranged (if needed) at the start
   * of the buffer as version 17, with totalsize the whole buffer.
   */
  openInPlace(): number {
    const probe = this.roProbe();
    if (probe < 0) return probe;
    const bufsize = this.buf.length;
    const nrsv = this.numMemRsv();
    // libfdt does not check this count: a map running past totalsize gives a negative size
    const memRsvSize = (nrsv + 1) * RSV_ENTRY;
    let structSize: number;
    const version = this.h(H.version);
    if (version >= 17) {
      structSize = this.h(H.sizeStruct);
    } else if (version === 16) {
      structSize = 0;
      for (;;) {
        const t = this.nextTag(structSize);
        structSize = t.next;
        if (t.tag === FDT_END) break;
      }
      if (structSize < 0) return structSize;
    } else {
      return -FDT_ERR.BADVERSION;
    }
    if (!this.misordered(memRsvSize, structSize)) {
      if (this.totalsize > bufsize) return -FDT_ERR.NOSPACE;
      this.setH(H.version, 17);
      this.setH(H.sizeStruct, structSize);
      this.setH(H.totalsize, bufsize);
      return 0;
    }
    const stringsSize = this.h(H.sizeStrings);
    const newsize = HEADER + memRsvSize + structSize + stringsSize;
    if (memRsvSize < 0 || newsize > bufsize || newsize > INT_MAX) return -FDT_ERR.NOSPACE;
    // build the new layout after the old tree when it would overlap it (here: always at 0 or after)
    const oldEnd = this.totalsize;
    let tmp = 0;
    if (newsize > 0 && oldEnd > 0) {
      tmp = oldEnd;
      if (tmp + newsize > bufsize) return -FDT_ERR.NOSPACE;
    }
    this.packBlocks(tmp, memRsvSize, structSize, stringsSize);
    this.buf.copyWithin(0, tmp, tmp + newsize);
    this.setH(H.magic, FDT_MAGIC);
    this.setH(H.totalsize, bufsize);
    this.setH(H.version, 17);
    this.setH(H.lastComp, 16);
    // libfdt then sets boot_cpuid_phys from `fdt`, which is the buffer it has just overwritten:
    // the field keeps what lay 28 bytes past the old tree's end (packblocks does not write it)
    return 0;
  }
}
