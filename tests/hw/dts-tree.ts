/**
 * Test helper: decompile a DTB with the installed `dtc` and parse its DTS
 * text into a tree, so tests can compare node and property sets.
 */
import { execFileSync } from 'node:child_process';

export interface DtsNode {
  name: string;
  /** Property name -> raw DTS value text ('' for an empty property). */
  props: Map<string, string>;
  children: DtsNode[];
}

export function dtbToDts(dtb: Uint8Array): string {
  // QEMU pads its dump to 1 MiB; dtc stops reading at totalsize, so pass only that.
  const totalSize = new DataView(dtb.buffer, dtb.byteOffset).getUint32(4);
  const input = dtb.subarray(0, Math.min(totalSize, dtb.length));
  return execFileSync('dtc', ['-I', 'dtb', '-O', 'dts', '-q', '-'], { input }).toString();
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
