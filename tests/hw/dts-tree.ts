/**
 * Test helper: device trees as node/property trees, so tests can compare node and property
 * sets. Two decompilers give the same tree:
 *   - decompileDtb(dtb): tests/support/dtb.ts, written in TypeScript (npm test);
 *   - dtcDecompile(dtb): the installed `dtc`, its DTS text parsed by parseDts (oracle tier only;
 *     tests/hw/fdt.oracle.spec.ts checks that both agree byte for byte).
 */
import { execFileSync } from 'node:child_process';
import { dtbToDtsTree, type DtsTreeNode } from '../support/dtb.js';

export type DtsNode = DtsTreeNode;

/** `dtc -I dtb -O dts -q` of `dtb` (QEMU pads its dump to 1 MiB; dtc is given only totalsize). */
export function dtcDts(dtb: Uint8Array): string {
  const totalSize = new DataView(dtb.buffer, dtb.byteOffset).getUint32(4);
  const input = dtb.subarray(0, Math.min(totalSize, dtb.length));
  return execFileSync('dtc', ['-I', 'dtb', '-O', 'dts', '-q', '-'], { input }).toString();
}

/** The tree of `dtb` as dtc decompiles it. */
export function dtcDecompile(dtb: Uint8Array): DtsNode {
  return parseDts(dtcDts(dtb));
}

/** The tree of `dtb` as tests/support/dtb.ts decompiles it (no external tool). */
export function decompileDtb(dtb: Uint8Array): DtsNode {
  return dtbToDtsTree(dtb);
}

export function parseDts(text: string): DtsNode {
  const root: DtsNode = { name: '', props: new Map(), children: [] };
  const stack: DtsNode[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('/dts-v1/')) continue;
    const open = /^(\S*)\s*\{$/.exec(line);
    if (open) {
      const name = open[1] === '/' ? '' : (open[1] ?? '');
      const node: DtsNode = stack.length === 0 ? root : { name, props: new Map(), children: [] };
      stack[stack.length - 1]?.children.push(node);
      stack.push(node);
      continue;
    }
    if (line === '};') {
      stack.pop();
      continue;
    }
    const prop = /^([^=\s;]+)(?:\s*=\s*(.*))?;$/.exec(line);
    if (!prop || stack.length === 0) throw new Error(`unparsed DTS line: ${line}`);
    stack[stack.length - 1]?.props.set(prop[1] ?? '', prop[2] ?? '');
  }
  return root;
}

export function findNode(root: DtsNode, path: string): DtsNode | undefined {
  let node: DtsNode | undefined = root;
  for (const part of path.split('/').filter((p) => p.length > 0)) {
    node = node.children.find((c) => c.name === part);
    if (!node) return undefined;
  }
  return node;
}

/** Remove every node (at any depth) whose name matches. */
export function pruneNodes(node: DtsNode, drop: (name: string) => boolean): void {
  for (let i = node.children.length - 1; i >= 0; i--) {
    const child = node.children[i];
    if (!child) continue;
    if (drop(child.name)) node.children.splice(i, 1);
    else pruneNodes(child, drop);
  }
}

/** A tree as JSON (what a transcript stores): properties as [name, DTS value] pairs, in order. */
export type DtsJson = { name: string; props: [string, string][]; children: DtsJson[] };

export function treeToJson(node: DtsNode): DtsJson {
  return { name: node.name, props: [...node.props.entries()], children: node.children.map(treeToJson) };
}

export function treeFromJson(json: DtsJson): DtsNode {
  return { name: json.name, props: new Map(json.props), children: json.children.map(treeFromJson) };
}
