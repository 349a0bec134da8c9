/**
 * What both tiers of the DTB builder tests share: the sample tree (every property kind), the
 * checks made on its decompiled form (by tests/support/dtb.ts in fdt.unit.spec.ts, by dtc in
 * fdt.oracle.spec.ts), and the dtc runs behind the transcripts hw/dtb/edge-* that hold the test
 * DTB reader to dtc on the edge cases of tests/hw/dtb-edge.dts.
 */
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { FdtBuilder } from '../../src/hw/fdt.js';
import { repoRoot } from '../support/run-guest.js';
import { dtcDts, findNode, type DtsNode } from './dts-tree.js';

export function sampleFdt(): FdtBuilder {
  const fdt = new FdtBuilder();
  fdt.root.setU32('#address-cells', 2).setString('model', 'unit-test');
  const ph = fdt.allocPhandle();
  const a = fdt.root.addNode('a@1000').setU32('phandle', ph).setU64('big', 0x1_2345_6789n);
  a.setStringList('compatible', 'x,one', 'x,two').setEmpty('flag');
  a.addNode('leaf').setBytes('blob', new Uint8Array([1, 2, 3])).setU32('ref', ph);
  fdt.root.addNode('b').setString('model', 'shared name string');
  return fdt;
}

/** The sample's decompiled tree has every property with the value dtc prints for it. */
export function checkEveryPropertyKind(tree: DtsNode): void {
  expect(tree.props.get('#address-cells')).to.equal('<0x02>');
  expect(tree.props.get('model')).to.equal('"unit-test"');
  const a = findNode(tree, '/a@1000');
  expect(a?.props.get('phandle')).to.equal('<0x01>');
  expect(a?.props.get('big')).to.equal('<0x01 0x23456789>');
  expect(a?.props.get('compatible')).to.equal('"x,one\\0x,two"');
  expect(a?.props.get('flag')).to.equal('');
  const leaf = findNode(tree, '/a@1000/leaf');
  expect(leaf?.props.get('blob')).to.equal('[01 02 03]');
  expect(leaf?.props.get('ref')).to.equal('<0x01>');
  expect(findNode(tree, '/b')?.props.get('model')).to.equal('"shared name string"');
}

/** Nodes and properties come out in the order they were added. */
export function checkInsertionOrder(tree: DtsNode): void {
  expect(tree.children.map((c) => c.name)).to.deep.equal(['a@1000', 'b']);
  expect([...(findNode(tree, '/a@1000')?.props.keys() ?? [])]).to.deep.equal([
    'phandle',
    'big',
    'compatible',
    'flag',
  ]);
}

export const EDGE_DTS = 'tests/hw/dtb-edge.dts';

/** The dtc versions/options the edge cases are compiled with (each one a transcript). */
export const EDGE_VARIANTS: readonly { readonly name: string; readonly args: readonly string[] }[] = [
  { name: 'v17', args: [] },
  { name: 'v16', args: ['-V', '16'] },
  { name: 'padded-boot-cpu-3', args: ['-p', '100', '-b', '3'] },
];

export const edgeKey = (name: string): string => `hw/dtb/edge-${name}`;

/** What a transcript keeps: the DTB dtc compiled (base64) and the DTS dtc decompiles it to. */
export type DtcEdgeCase = { dtb: string; dts: string };

export function edgeCommand(args: readonly string[]): string[] {
  return ['dtc', '-q', '-I', 'dts', '-O', 'dtb', ...args, EDGE_DTS, '|', 'dtc', '-I', 'dtb', '-O', 'dts', '-q', '-'];
}

/** Oracle tier: compile the edge cases with dtc and decompile them again with dtc. */
export function dtcEdgeCase(args: readonly string[]): DtcEdgeCase {
  const dtb = execFileSync('dtc', ['-q', '-I', 'dts', '-O', 'dtb', ...args, join(repoRoot(), EDGE_DTS)]);
  return { dtb: dtb.toString('base64'), dts: dtcDts(new Uint8Array(dtb)) };
}
