/**
 * A small flattened-device-tree (DTB, version 17) builder.
 *
 * Nodes and properties are kept in insertion order and serialised in that
 * order, so a caller that wants the same layout as another producer (QEMU's
 * libfdt prepends, which reverses its creation order) simply inserts in the
 * order it wants to see in `dtc -I dtb -O dts`.
 *
 * Format reference: Devicetree Specification v0.4, chapter 5.
 */
import { ByteBuffer } from '../util/byte-buffer.js';

const FDT_MAGIC = 0xd00dfeed;
const FDT_BEGIN_NODE = 1;
const FDT_END_NODE = 2;
const FDT_PROP = 3;
const FDT_END = 9;
const FDT_VERSION = 17;
const FDT_LAST_COMP_VERSION = 16;
const HEADER_BYTES = 40;
/** One empty reservation entry (address 0, size 0) terminates the map. */
const RSVMAP_BYTES = 16;

/** Property value encoders (all big-endian as the format requires). */
export const fdtValue = {
  empty(): Uint8Array {
    return new Uint8Array(0);
  },
  u32(...cells: number[]): Uint8Array {
    const out = new Uint8Array(cells.length * 4);
    const view = new DataView(out.buffer);
    cells.forEach((cell, i) => view.setUint32(i * 4, cell >>> 0));
    return out;
  },
  u64(...values: (number | bigint)[]): Uint8Array {
    const out = new Uint8Array(values.length * 8);
    const view = new DataView(out.buffer);
    values.forEach((v, i) => view.setBigUint64(i * 8, BigInt.asUintN(64, BigInt(v))));
    return out;
  },
  string(s: string): Uint8Array {
    return fdtValue.stringList(s);
  },
  stringList(...strings: string[]): Uint8Array {
    const encoded = strings.map((s) => new TextEncoder().encode(s));
    const out = new Uint8Array(encoded.reduce((n, e) => n + e.length + 1, 0));
    let at = 0;
    for (const e of encoded) {
      out.set(e, at);
      at += e.length + 1; // the NUL is already 0
    }
    return out;
  },
  bytes(b: Uint8Array): Uint8Array {
    return new Uint8Array(b);
  },
};

export interface FdtProperty {
  readonly name: string;
  readonly value: Uint8Array;
}

export class FdtNode {
  readonly props: FdtProperty[] = [];
  readonly children: FdtNode[] = [];

  constructor(readonly name: string) {}

  /** Add (or replace, keeping its position) a property with a raw value. */
  set(name: string, value: Uint8Array): this {
    const existing = this.props.findIndex((p) => p.name === name);
    if (existing >= 0) this.props[existing] = { name, value };
    else this.props.push({ name, value });
    return this;
  }
  setEmpty(name: string): this {
    return this.set(name, fdtValue.empty());
  }
  setU32(name: string, ...cells: number[]): this {
    return this.set(name, fdtValue.u32(...cells));
  }
  setU64(name: string, ...values: (number | bigint)[]): this {
    return this.set(name, fdtValue.u64(...values));
  }
  setString(name: string, value: string): this {
    return this.set(name, fdtValue.string(value));
  }
  setStringList(name: string, ...values: string[]): this {
    return this.set(name, fdtValue.stringList(...values));
  }
  setBytes(name: string, value: Uint8Array): this {
    return this.set(name, fdtValue.bytes(value));
  }

  getProp(name: string): Uint8Array | undefined {
    return this.props.find((p) => p.name === name)?.value;
  }

  /** Append a child node (names must be unique among siblings). */
  addNode(name: string): FdtNode {
    if (this.children.some((c) => c.name === name)) {
      throw new Error(`fdt: duplicate node ${name} under ${this.name || '/'}`);
    }
    const child = new FdtNode(name);
    this.children.push(child);
    return child;
  }

  child(name: string): FdtNode | undefined {
    return this.children.find((c) => c.name === name);
  }
}

export class FdtBuilder {
  readonly root = new FdtNode('');
  private nextPhandle = 1;
  bootCpuidPhys = 0;

  /** Allocate the next phandle number (1, 2, ... like libfdt's qemu_fdt_alloc_phandle). */
  allocPhandle(): number {
    return this.nextPhandle++;
  }

  /** Find a node by absolute path, e.g. "/soc/serial@10000000". */
  find(path: string): FdtNode | undefined {
    let node: FdtNode | undefined = this.root;
    for (const part of path.split('/').filter((p) => p.length > 0)) {
      node = node.child(part);
      if (!node) return undefined;
    }
    return node;
  }

  /** Serialise to a DTB blob. */
  build(): Uint8Array {
    const strings = new StringTable();
    const struct = new ByteWriter();
    emitNode(this.root, struct, strings);
    struct.u32(FDT_END);

    const structBytes = struct.bytes();
    const stringBytes = strings.bytes();
    const offStruct = HEADER_BYTES + RSVMAP_BYTES;
    const offStrings = offStruct + structBytes.length;
    const total = offStrings + stringBytes.length;

    const out = new Uint8Array(total);
    const view = new DataView(out.buffer);
    const header = [
      FDT_MAGIC,
      total,
      offStruct,
      offStrings,
      HEADER_BYTES, // off_mem_rsvmap
      FDT_VERSION,
      FDT_LAST_COMP_VERSION,
      this.bootCpuidPhys,
      stringBytes.length,
      structBytes.length,
    ];
    header.forEach((word, i) => view.setUint32(i * 4, word >>> 0));
    // The reservation map (16 zero bytes) is already zero-filled.
    out.set(structBytes, offStruct);
    out.set(stringBytes, offStrings);
    return out;
  }
}

function emitNode(node: FdtNode, w: ByteWriter, strings: StringTable): void {
  w.u32(FDT_BEGIN_NODE);
  w.raw(new TextEncoder().encode(node.name));
  w.raw(new Uint8Array([0]));
  w.align4();
  for (const prop of node.props) {
    w.u32(FDT_PROP);
    w.u32(prop.value.length);
    w.u32(strings.offsetOf(prop.name));
    w.raw(prop.value);
    w.align4();
  }
  for (const child of node.children) emitNode(child, w, strings);
  w.u32(FDT_END_NODE);
}

/** Property names, each stored once, NUL-terminated. */
class StringTable {
  private readonly offsets = new Map<string, number>();
  private readonly writer = new ByteWriter();

  offsetOf(name: string): number {
    const known = this.offsets.get(name);
    if (known !== undefined) return known;
    const offset = this.writer.length;
    this.writer.raw(new TextEncoder().encode(name));
    this.writer.raw(new Uint8Array([0]));
    this.offsets.set(name, offset);
    return offset;
  }

  bytes(): Uint8Array {
    return this.writer.bytes();
  }
}

/** The DTB's big-endian words, names and padding. */
class ByteWriter extends ByteBuffer {
  u32(v: number): void {
    this.push((v >>> 24) & 0xff);
    this.push((v >>> 16) & 0xff);
    this.push((v >>> 8) & 0xff);
    this.push(v & 0xff);
  }

  raw(bytes: Uint8Array): void {
    this.pushBytes(bytes);
  }

  align4(): void {
    while ((this.length & 3) !== 0) this.push(0);
  }
}
