/**
 * A flattened-device-tree (DTB) reader and decompiler for tests, written from the Devicetree
 * Specification v0.4, chapter 5, and independent of src/hw/fdt.ts (the builder it checks). It
 * replaces `dtc -I dtb -O dts` in `npm test`: it reads any valid DTB of version 16 or 17 (header,
 * memory reservation block, structure block with FDT_NOP tokens, strings block) and prints it the
 * way dtc 1.6 does when it has no type information (it guesses each value's type: a string list,
 * 32-bit cells, or bytes). tests/hw/fdt.oracle.spec.ts holds that output to dtc's, byte for byte.
 *
 *   parseDtb(bytes)     -> { header, reservations, root } with raw property values
 *   dtbToDts(bytes)     -> the DTS text `dtc -I dtb -O dts -q` prints
 *   dtbToDtsTree(bytes) -> nodes with each property's DTS value text (what tests compare)
 *   dtsValue(value)     -> one property's DTS value text ('' for an empty property)
 */

const FDT_MAGIC = 0xd00dfeed;
const FDT_BEGIN_NODE = 0x1;
const FDT_END_NODE = 0x2;
const FDT_PROP = 0x3;
const FDT_NOP = 0x4;
const FDT_END = 0x9;
/** The header of version 17 (the last field, size_dt_struct, is new in 17). */
const HEADER_V17 = 40;
const HEADER_V16 = 36;

export type DtbHeader = {
  readonly totalSize: number;
  readonly offStruct: number;
  readonly offStrings: number;
  readonly offMemRsvmap: number;
  readonly version: number;
  readonly lastCompVersion: number;
  readonly bootCpuidPhys: number;
  readonly sizeStrings: number;
  /** Only in version 17; for 16, the length the structure block turned out to have. */
  readonly sizeStruct: number;
};

export type DtbReservation = { readonly address: bigint; readonly size: bigint };
export type DtbProperty = { readonly name: string; readonly value: Uint8Array };
export type DtbNode = { readonly name: string; readonly props: DtbProperty[]; readonly children: DtbNode[] };
export type Dtb = { readonly header: DtbHeader; readonly reservations: DtbReservation[]; readonly root: DtbNode };

/** A node as tests compare it: property name -> DTS value text, in the DTB's order. */
export type DtsTreeNode = { name: string; props: Map<string, string>; children: DtsTreeNode[] };

export class DtbError extends Error {}

function fail(message: string): never {
  throw new DtbError(`invalid DTB: ${message}`);
}

const align4 = (n: number): number => (n + 3) & ~3;

/**
 * Parses a DTB. Only the first `totalsize` bytes are read, so a padded dump (QEMU's
 * `dumpdtb` writes the whole blob buffer) parses as the tree it holds.
 */
export function parseDtb(input: Uint8Array): Dtb {
  if (input.length < HEADER_V16) fail(`${input.length} bytes is shorter than a header`);
  const all = new DataView(input.buffer, input.byteOffset, input.byteLength);
  if (all.getUint32(0) !== FDT_MAGIC) fail(`magic 0x${all.getUint32(0).toString(16)} is not 0xd00dfeed`);
  const totalSize = all.getUint32(4);
  if (totalSize > input.length) fail(`totalsize ${totalSize} is past the ${input.length} bytes given`);
  const view = new DataView(input.buffer, input.byteOffset, totalSize);
  const version = view.getUint32(20);
  const lastCompVersion = view.getUint32(24);
  if (version < 16) fail(`version ${version} (only 16 and later are read)`);
  if (lastCompVersion > 17) fail(`last_comp_version ${lastCompVersion}: not backwards compatible with 17`);
  if (totalSize < (version >= 17 ? HEADER_V17 : HEADER_V16)) fail(`totalsize ${totalSize} is shorter than the header`);
  const offStruct = view.getUint32(8);
  const offStrings = view.getUint32(12);
  const offMemRsvmap = view.getUint32(16);
  const bootCpuidPhys = view.getUint32(28);
  const sizeStrings = view.getUint32(32);
  const declaredStruct = version >= 17 ? view.getUint32(36) : undefined;

  const inBlob = (what: string, off: number, size: number): void => {
    if (off > totalSize || size > totalSize - off) fail(`${what} (offset ${off}, ${size} bytes) is past totalsize ${totalSize}`);
  };
  inBlob('the strings block', offStrings, sizeStrings);
  if (declaredStruct !== undefined) inBlob('the structure block', offStruct, declaredStruct);
  if (offStruct % 4 !== 0) fail(`off_dt_struct ${offStruct} is not 4-byte aligned`);
  if (offMemRsvmap % 8 !== 0) fail(`off_mem_rsvmap ${offMemRsvmap} is not 8-byte aligned`);

  // Memory reservation block: (address, size) pairs of 64-bit big-endian values up to a 0, 0 entry.
  const reservations: DtbReservation[] = [];
  for (let at = offMemRsvmap; ; at += 16) {
    inBlob('a memory reservation entry', at, 16);
    const address = view.getBigUint64(at);
    const size = view.getBigUint64(at + 8);
    if (address === 0n && size === 0n) break;
    reservations.push({ address, size });
  }

  const structEnd = declaredStruct !== undefined ? offStruct + declaredStruct : totalSize;
  const decoder = new TextDecoder('latin1');
  /** A NUL-terminated string at `at`, not reaching `end`. */
  const cString = (at: number, end: number, what: string): string => {
    let nul = at;
    while (nul < end && view.getUint8(nul) !== 0) nul++;
    if (nul >= end) fail(`${what} at offset ${at} has no terminating NUL`);
    return decoder.decode(new Uint8Array(input.buffer, input.byteOffset + at, nul - at));
  };
  const token = (at: number): number => {
    if (at + 4 > structEnd) fail(`the structure block ends at offset ${structEnd} without FDT_END`);
    return view.getUint32(at);
  };

  let at = offStruct;
  const skipNops = (): void => {
    while (token(at) === FDT_NOP) at += 4;
  };
  skipNops();
  if (token(at) !== FDT_BEGIN_NODE) fail(`the structure block starts with token ${token(at)}, not FDT_BEGIN_NODE`);
  const stack: DtbNode[] = [];
  let root: DtbNode | undefined;
  for (;;) {
    const t = token(at);
    at += 4;
    if (t === FDT_BEGIN_NODE) {
      const name = cString(at, structEnd, 'a node name');
      at = align4(at + name.length + 1);
      const node: DtbNode = { name, props: [], children: [] };
      const parent = stack[stack.length - 1];
      if (parent === undefined) {
        if (root !== undefined) fail('a second root node');
        if (name !== '') fail(`the root node is named '${name}'`);
        root = node;
      } else {
        parent.children.push(node);
      }
      stack.push(node);
    } else if (t === FDT_PROP) {
      const node = stack[stack.length - 1];
      if (node === undefined) fail(`FDT_PROP outside any node at offset ${at - 4}`);
      if (at + 8 > structEnd) fail(`a property header at offset ${at - 4} is past the structure block`);
      const len = view.getUint32(at);
      const nameOff = view.getUint32(at + 4);
      at += 8;
      if (at + len > structEnd) fail(`a ${len}-byte property value at offset ${at} is past the structure block`);
      if (nameOff >= sizeStrings) fail(`property name offset ${nameOff} is past the ${sizeStrings}-byte strings block`);
      const name = cString(offStrings + nameOff, offStrings + sizeStrings, 'a property name');
      node.props.push({ name, value: input.slice(at, at + len) });
      at = align4(at + len);
    } else if (t === FDT_END_NODE) {
      if (stack.pop() === undefined) fail(`FDT_END_NODE without a node at offset ${at - 4}`);
    } else if (t === FDT_NOP) {
      // nothing
    } else if (t === FDT_END) {
      if (stack.length !== 0) fail(`FDT_END inside node '${stack[stack.length - 1]?.name}'`);
      break;
    } else {
      fail(`unknown token 0x${t.toString(16)} at offset ${at - 4}`);
    }
    if (stack.length === 0 && t === FDT_END_NODE) skipNops();
  }
  if (root === undefined) fail('no root node');
  const header: DtbHeader = {
    totalSize, offStruct, offStrings, offMemRsvmap, version, lastCompVersion, bootCpuidPhys, sizeStrings,
    sizeStruct: declaredStruct ?? at - offStruct,
  };
  return { header, reservations, root };
}

/** C isprint() in the "C" locale. */
const isPrint = (c: number): boolean => c >= 0x20 && c < 0x7f;
/** dtc's isstring(): printable, NUL, or one of \a \b \t \n \v \f \r. */
const isStringByte = (c: number): boolean => isPrint(c) || c === 0 || (c >= 0x07 && c <= 0x0d);

const ESCAPES: Readonly<Record<number, string>> = {
  0x07: '\\a', 0x08: '\\b', 0x09: '\\t', 0x0a: '\\n', 0x0b: '\\v', 0x0c: '\\f', 0x0d: '\\r',
  0x5c: '\\\\', 0x22: '\\"', 0x00: '\\0',
};

/**
 * A property value as dtc prints it without type information: a string list when every byte is
 * a string byte, the last one is NUL and NULs are at most half the bytes; else 32-bit cells when
 * the length is a multiple of 4; else bytes. '' for an empty property (printed `name;`).
 */
export function dtsValue(value: Uint8Array): string {
  const len = value.length;
  if (len === 0) return '';
  let notString = 0;
  let nul = 0;
  for (const c of value) {
    if (!isStringByte(c)) notString++;
    if (c === 0) nul++;
  }
  if (value[len - 1] === 0 && notString === 0 && nul <= len - nul) {
    let s = '"';
    for (let i = 0; i < len - 1; i++) {
      const c = value[i] ?? 0;
      s += ESCAPES[c] ?? (isPrint(c) ? String.fromCharCode(c) : `\\x${c.toString(16).padStart(2, '0')}`);
    }
    return `${s}"`;
  }
  if (len % 4 === 0) {
    const view = new DataView(value.buffer, value.byteOffset, len);
    const cells: string[] = [];
    for (let i = 0; i < len; i += 4) cells.push(`0x${view.getUint32(i).toString(16).padStart(2, '0')}`);
    return `<${cells.join(' ')}>`;
  }
  return `[${Array.from(value, (b) => b.toString(16).padStart(2, '0')).join(' ')}]`;
}

/** The DTS text `dtc -I dtb -O dts -q` prints for `dtb`. */
export function dtbToDts(dtb: Uint8Array): string {
  const { reservations, root } = parseDtb(dtb);
  const out: string[] = ['/dts-v1/;\n\n'];
  for (const r of reservations) {
    out.push(`/memreserve/\t0x${r.address.toString(16).padStart(16, '0')} 0x${r.size.toString(16).padStart(16, '0')};\n`);
  }
  const write = (node: DtbNode, level: number): void => {
    const indent = '\t'.repeat(level);
    out.push(`${indent}${node.name === '' && level === 0 ? '/' : node.name} {\n`);
    for (const p of node.props) {
      const v = dtsValue(p.value);
      out.push(v === '' ? `${indent}\t${p.name};\n` : `${indent}\t${p.name} = ${v};\n`);
    }
    for (const child of node.children) {
      out.push('\n');
      write(child, level + 1);
    }
    out.push(`${indent}};\n`);
  };
  write(root, 0);
  return out.join('');
}

/** The tree of `dtb` with each property's DTS value text (as dtbToDts prints it). */
export function dtbToDtsTree(dtb: Uint8Array): DtsTreeNode {
  const convert = (node: DtbNode): DtsTreeNode => ({
    name: node.name,
    props: new Map(node.props.map((p) => [p.name, dtsValue(p.value)])),
    children: node.children.map(convert),
  });
  return convert(parseDtb(dtb).root);
}
