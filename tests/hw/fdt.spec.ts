import { expect } from 'chai';
import { FdtBuilder, fdtValue } from '../../src/hw/fdt.js';
import { dtbToDts, findNode, parseDts } from './dts-tree.js';

describe('hw/fdt: DTB builder', () => {
  function sample(): FdtBuilder {
    const fdt = new FdtBuilder();
    fdt.root.setU32('#address-cells', 2).setString('model', 'unit-test');
    const ph = fdt.allocPhandle();
    const a = fdt.root.addNode('a@1000').setU32('phandle', ph).setU64('big', 0x1_2345_6789n);
    a.setStringList('compatible', 'x,one', 'x,two').setEmpty('flag');
    a.addNode('leaf').setBytes('blob', new Uint8Array([1, 2, 3])).setU32('ref', ph);
    fdt.root.addNode('b').setString('model', 'shared name string');
    return fdt;
  }

  it('writes a version-17 header with consistent offsets (devicetree spec 5.2)', () => {
    const dtb = sample().build();
    const view = new DataView(dtb.buffer, dtb.byteOffset);
    expect(view.getUint32(0)).to.equal(0xd00dfeed);
    expect(view.getUint32(4)).to.equal(dtb.length);
    const offStruct = view.getUint32(8);
    const offStrings = view.getUint32(12);
    expect(view.getUint32(16)).to.equal(40); // reservation map right after the header
    expect(view.getUint32(20)).to.equal(17);
    expect(view.getUint32(24)).to.equal(16);
    expect(offStrings).to.equal(offStruct + view.getUint32(36));
    expect(dtb.length).to.equal(offStrings + view.getUint32(32));
    expect(view.getUint32(offStruct)).to.equal(1); // FDT_BEGIN_NODE
    expect(view.getUint32(offStrings - 4)).to.equal(9); // FDT_END
  });

  it('round-trips through dtc with every property kind', () => {
    const tree = parseDts(dtbToDts(sample().build()));
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
  });

  it('keeps insertion order of nodes and properties', () => {
    const tree = parseDts(dtbToDts(sample().build()));
    expect(tree.children.map((c) => c.name)).to.deep.equal(['a@1000', 'b']);
    expect([...(findNode(tree, '/a@1000')?.props.keys() ?? [])]).to.deep.equal([
      'phandle',
      'big',
      'compatible',
      'flag',
    ]);
  });

  it('rejects duplicate sibling names and replaces properties in place', () => {
    const fdt = new FdtBuilder();
    fdt.root.addNode('x');
    expect(() => fdt.root.addNode('x')).to.throw(/duplicate/);
    fdt.root.setU32('p', 1).setU32('q', 2).setU32('p', 3);
    expect(fdt.root.props.map((p) => p.name)).to.deep.equal(['p', 'q']);
    expect(fdt.root.getProp('p')).to.deep.equal(fdtValue.u32(3));
    expect(fdt.find('/x')).to.equal(fdt.root.children[0]);
  });
});
