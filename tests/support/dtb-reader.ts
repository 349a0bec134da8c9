/**
 * A small reader of flattened device trees (DTB, devicetree specification v0.4 §5): the node tree
 * with raw property bytes, and accessors for the values tests read (cells, strings). Replaces
 * `dtc -I dtb -O dts` where a test only needs a few values from a tree QEMU (or tsemu) dumped.
 * Written apart from src/ on purpose: tests read trees with a parser of their own.
 */
import { readFileSync } from 'node:fs';

const FDT_MAGIC = 0xd00dfeed;
const FDT_BEGIN_NODE = 1;
const FDT_END_NODE = 2;
const FDT_PROP = 3;
const FDT_NOP = 4;
const FDT_END = 9;

export interface DtbNode {
  /** Node name with its unit address, e.g. `cpu@0` (the root is ''). */
  readonly name: string;
  /** Path from the root, e.g. `/cpus/cpu@0` (the root is `/`). */
  readonly path: string;
  readonly props: ReadonlyMap<string, Uint8Array>;
  readonly children: readonly DtbNode[];
}

/** Parses a DTB; throws on a bad header or a malformed structure block. */
export function parseDtb(bytes: Uint8Array): DtbNode {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 40 || view.getUint32(0) !== FDT_MAGIC) throw new Error('not a flattened device tree (bad magic)');
  const structOff = view.getUint32(8);
  const stringsOff = view.getUint32(12);
  const structSize = view.getUint32(36);
  const cString = (at: number): string => {
    const end = bytes.indexOf(0, at);
    if (end < 0) throw new Error(`unterminated string at ${at}`);
    return Buffer.from(bytes.subarray(at, end)).toString('latin1');
  };
  let at = structOff;
  const end = structOff + structSize;
  const token = (): number => {
    if (at + 4 > end) throw new Error('structure block ends without FDT_END');
    const t = view.getUint32(at);
    at += 4;
    return t;
  };
  type Building = { name: string; path: string; props: Map<string, Uint8Array>; children: DtbNode[] };
  const stack: Building[] = [];
  let root: DtbNode | undefined;
  for (;;) {
    const t = token();
    if (t === FDT_NOP) continue;
    if (t === FDT_END) break;
    if (t === FDT_BEGIN_NODE) {
      const name = cString(at);
      at = (at + name.length + 1 + 3) & ~3;
      const parent = stack[stack.length - 1];
      const path = parent === undefined ? '/' : `${parent.path === '/' ? '' : parent.path}/${name}`;
      stack.push({ name, path, props: new Map(), children: [] });
    } else if (t === FDT_END_NODE) {
      const done = stack.pop();
      if (done === undefined) throw new Error('FDT_END_NODE without a node');
      const parent = stack[stack.length - 1];
      if (parent === undefined) root = done;
      else parent.children.push(done);
    } else if (t === FDT_PROP) {
      const len = view.getUint32(at);
      const nameOff = view.getUint32(at + 4);
      at += 8;
      const node = stack[stack.length - 1];
      if (node === undefined) throw new Error('property outside a node');
      node.props.set(cString(stringsOff + nameOff), bytes.slice(at, at + len));
      at = (at + len + 3) & ~3;
    } else {
      throw new Error(`bad structure token ${t} at ${at - 4}`);
    }
  }
  if (root === undefined || stack.length !== 0) throw new Error('unbalanced structure block');
  return root;
}

export function readDtb(path: string): DtbNode {
  return parseDtb(new Uint8Array(readFileSync(path)));
}

/** The node at `path` (e.g. `/chosen`, `/memory@80000000`); undefined if absent. */
export function findNode(root: DtbNode, path: string): DtbNode | undefined {
  let node: DtbNode | undefined = root;
  for (const part of path.split('/').filter(Boolean)) {
    node = node.children.find((c) => c.name === part);
    if (node === undefined) return undefined;
  }
  return node;
}

/** Every node of the tree, depth first, the root first. */
export function allNodes(root: DtbNode): DtbNode[] {
  return [root, ...root.children.flatMap(allNodes)];
}

/** The bytes of property `name` of `node`; throws naming both when it is absent. */
export function prop(node: DtbNode, name: string): Uint8Array {
  const v = node.props.get(name);
  if (v === undefined) throw new Error(`${node.path}: no property '${name}'`);
  return v;
}

/** A property as big-endian 32-bit cells. */
export function cells(node: DtbNode, name: string): number[] {
  const v = prop(node, name);
  if (v.length % 4 !== 0) throw new Error(`${node.path}: '${name}' is ${v.length} bytes, not whole cells`);
  const view = new DataView(v.buffer, v.byteOffset, v.byteLength);
  return Array.from({ length: v.length / 4 }, (_, i) => view.getUint32(i * 4));
}

/** A property of one or two cells as one number (u32 or u64). */
export function u64(node: DtbNode, name: string): bigint {
  const c = cells(node, name);
  if (c.length === 1) return BigInt(c[0] ?? 0);
  if (c.length === 2) return (BigInt(c[0] ?? 0) << 32n) | BigInt(c[1] ?? 0);
  throw new Error(`${node.path}: '${name}' has ${c.length} cells, not 1 or 2`);
}

/** Splits `reg`-style cells into (address, size) pairs with the given cell counts. */
export function regPairs(node: DtbNode, addressCells: number, sizeCells: number, name = 'reg'): { address: bigint; size: bigint }[] {
  const c = cells(node, name);
  const per = addressCells + sizeCells;
  if (c.length % per !== 0) throw new Error(`${node.path}: '${name}' is not a list of (${addressCells}, ${sizeCells}) pairs`);
  const join = (from: number, n: number): bigint => c.slice(from, from + n).reduce((acc, x) => (acc << 32n) | BigInt(x), 0n);
  return Array.from({ length: c.length / per }, (_, i) => ({ address: join(i * per, addressCells), size: join(i * per + addressCells, sizeCells) }));
}

/** A string property (the first string of a string list). */
export function str(node: DtbNode, name: string): string {
  const v = prop(node, name);
  const end = v.indexOf(0);
  return Buffer.from(v.subarray(0, end < 0 ? v.length : end)).toString('latin1');
}
