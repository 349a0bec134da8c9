/**
 * The test DTB reader (tests/support/dtb.ts), which stands in for dtc in `npm test`: it must
 * print exactly what dtc 1.6 printed for the edge cases of dtb-edge.dts compiled by dtc as a
 * version 17, a version 16 and a padded DTB (transcripts hw/dtb/edge-*, recorded by
 * fdt.oracle.spec.ts), skip FDT_NOP tokens, and refuse what is not a DTB.
 */
import { expect } from 'chai';
import { DtbError, dtbToDts, parseDtb } from '../support/dtb.js';
import { readTranscript } from '../support/transcripts.js';
import { edgeKey, EDGE_VARIANTS, type DtcEdgeCase } from './fdt-cases.js';

const edge = (name: string): { dtb: Uint8Array; dts: string } => {
  const t = readTranscript<DtcEdgeCase>(edgeKey(name));
  return { dtb: new Uint8Array(Buffer.from(t.dtb, 'base64')), dts: t.dts };
};

/** A copy of `dtb` with an FDT_NOP inserted before the structure-block token at `tokenOffset`. */
function withNop(dtb: Uint8Array, tokenOffset: number): Uint8Array {
  const view = new DataView(dtb.buffer, dtb.byteOffset, dtb.byteLength);
  const offStruct = view.getUint32(8);
  const offStrings = view.getUint32(12);
  if (tokenOffset < offStruct || tokenOffset >= offStrings) throw new Error('not in the structure block');
  const out = new Uint8Array(dtb.length + 4);
  out.set(dtb.subarray(0, tokenOffset));
  new DataView(out.buffer).setUint32(tokenOffset, 4); // FDT_NOP
  out.set(dtb.subarray(tokenOffset), tokenOffset + 4);
  const o = new DataView(out.buffer);
  o.setUint32(4, dtb.length + 4);
  o.setUint32(12, offStrings + 4);
  if (o.getUint32(20) >= 17) o.setUint32(36, o.getUint32(36) + 4);
  return out;
}

describe('tests/support/dtb.ts: the DTB reader that stands in for dtc', () => {
  for (const v of EDGE_VARIANTS) {
    it(`prints what dtc printed for dtb-edge.dts compiled ${v.args.join(' ') || 'with the defaults'}`, () => {
      const { dtb, dts } = edge(v.name);
      expect(dtbToDts(dtb)).to.equal(dts);
    });
  }

  it('reads the header, the reservations and the boot CPU', () => {
    const v16 = parseDtb(edge('v16').dtb);
    expect(v16.header.version).to.equal(16);
    expect(v16.reservations).to.deep.equal([
      { address: 0x1000n, size: 0x2000n },
      { address: 0x8000000000000000n, size: 0x10n },
    ]);
    const padded = parseDtb(edge('padded-boot-cpu-3').dtb);
    expect(padded.header.bootCpuidPhys).to.equal(3);
    expect(padded.header.totalSize - padded.header.offStrings - padded.header.sizeStrings).to.equal(100);
    expect(padded.root.children.map((c) => c.name)).to.deep.equal(['sub@1', 'other']);
    expect(padded.root.children[0]?.children.map((c) => c.name)).to.deep.equal(['deeper']);
  });

  it('reads only totalsize bytes of a longer buffer (a padded dump)', () => {
    const { dtb, dts } = edge('v17');
    const longer = new Uint8Array(dtb.length + 4096).fill(0xff);
    longer.set(dtb);
    expect(dtbToDts(longer)).to.equal(dts);
  });

  it('skips FDT_NOP tokens anywhere in the structure block', () => {
    for (const name of ['v17', 'v16']) {
      const { dtb, dts } = edge(name);
      const view = new DataView(dtb.buffer, dtb.byteOffset, dtb.byteLength);
      const offStruct = view.getUint32(8);
      const offStrings = view.getUint32(12);
      // before the root node, before the first property, and before the FDT_END
      let nopped = withNop(dtb, offStrings - 4);
      nopped = withNop(nopped, offStruct + 8);
      nopped = withNop(nopped, offStruct);
      expect(dtbToDts(nopped), name).to.equal(dts);
    }
  });

  it('refuses what is not a valid DTB', () => {
    const { dtb } = edge('v17');
    const corrupt = (patch: (v: DataView, b: Uint8Array) => void, length = dtb.length): Uint8Array => {
      const b = dtb.slice(0, length);
      patch(new DataView(b.buffer), b);
      return b;
    };
    const view = new DataView(dtb.buffer, dtb.byteOffset, dtb.byteLength);
    const offStruct = view.getUint32(8);
    const offStrings = view.getUint32(12);
    expect(() => parseDtb(dtb.slice(0, 20))).to.throw(DtbError, /shorter than a header/);
    expect(() => parseDtb(corrupt((v) => v.setUint32(0, 0xd00dfeee)))).to.throw(DtbError, /magic/);
    expect(() => parseDtb(dtb.slice(0, dtb.length - 1))).to.throw(DtbError, /totalsize/);
    expect(() => parseDtb(corrupt((v) => v.setUint32(20, 3)))).to.throw(DtbError, /version 3/);
    expect(() => parseDtb(corrupt((v) => v.setUint32(offStruct, 2)))).to.throw(DtbError, /FDT_BEGIN_NODE/);
    expect(() => parseDtb(corrupt((v) => v.setUint32(offStrings - 4, 7)))).to.throw(DtbError, /unknown token 0x7/);
    expect(() => parseDtb(corrupt((v) => v.setUint32(32, 0)))).to.throw(DtbError, /property name offset/);
    expect(() => parseDtb(corrupt((v) => v.setUint32(32, 2)))).to.throw(DtbError, /no terminating NUL/);
    expect(() => parseDtb(corrupt((v) => v.setUint32(36, 8)))).to.throw(DtbError, /without FDT_END/);
  });
});
