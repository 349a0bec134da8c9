/**
 * The DTB builder (src/hw/fdt.ts): header layout, every property kind and the order of nodes and
 * properties, read back with the test DTB reader tests/support/dtb.ts (no dtc needed; the same
 * checks through dtc are in fdt.oracle.spec.ts).
 */
import { expect } from 'chai';
import { FdtBuilder, fdtValue } from '../../src/hw/fdt.js';
import { parseDtb } from '../support/dtb.js';
import { decompileDtb } from './dts-tree.js';
import { checkEveryPropertyKind, checkInsertionOrder, sampleFdt } from './fdt-cases.js';

describe('hw/fdt: DTB builder', () => {
  it('writes a version-17 header with consistent offsets (devicetree spec 5.2)', () => {
    const dtb = sampleFdt().build();
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

  it('reads back with the test DTB reader: no reservations, the structure block exactly as long as declared', () => {
    const dtb = sampleFdt().build();
    const { header, reservations, root } = parseDtb(dtb);
    expect(reservations).to.deep.equal([]);
    expect(header.version).to.equal(17);
    expect(header.totalSize).to.equal(dtb.length);
    expect(root.name).to.equal('');
    expect(root.children.map((c) => c.name)).to.deep.equal(['a@1000', 'b']);
  });

  it('decompiles (tests/support/dtb.ts) with every property kind', () => {
    checkEveryPropertyKind(decompileDtb(sampleFdt().build()));
  });

  it('keeps insertion order of nodes and properties', () => {
    checkInsertionOrder(decompileDtb(sampleFdt().build()));
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
