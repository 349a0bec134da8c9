/**
 * The QEMU address-space checks a vCPU makes before a device access (src/hw/io-regions.ts): which
 * lines -d guest_errors gets and which pieces the access is dispatched in, for the three kinds of
 * page QEMU 7.2 has (unassigned, one region over the whole page, a subpage). The expected texts
 * are QEMU's, as tests/transcripts/guest-errors/guest-errors.json holds them for the same cases.
 */
import { expect } from 'chai';
import { IoAddressSpace, type IoRegion } from '../../src/hw/io-regions.js';

const REGIONS: IoRegion[] = [
  { name: 'riscv.sifive.plic', base: 0xc000000, size: 0x600000, validMin: 4, validMax: 4 },
  { name: 'goldfish_rtc', base: 0x101000, size: 0x24, validMin: 4, validMax: 4 },
  { name: 'serial', base: 0x10000000, size: 8, validMin: 0, validMax: 8 },
];

function check(pa: number, size: number, write = false): { lines: string; pieces: [number, number][] | undefined } {
  let lines = '';
  const log = { guestError: (t: string) => { lines += t; }, unimp: (t: string) => { lines += `unimp:${t}`; } };
  const pieces = new IoAddressSpace(REGIONS).check(pa, size, write, log);
  return { lines, pieces: pieces?.map((p) => [p.pa, p.size]) };
}

describe('QEMU device address space checks (io-regions)', function () {
  it('rejects any access to a page with no region, printing the absolute address in upper case', function () {
    expect(check(0x200c000, 4)).to.deep.equal({ lines: "Invalid read at addr 0x200C000, size 4, region '(null)', reason: rejected\n", pieces: undefined });
    expect(check(0x0, 8, true).lines).to.equal("Invalid write at addr 0x0, size 8, region '(null)', reason: rejected\n");
  });

  it('refuses sizes a whole-page region does not accept, with the region-relative address', function () {
    expect(check(0xc000004, 1).lines).to.equal("Invalid read at addr 0x4, size 1, region 'riscv.sifive.plic', reason: invalid size (min:4 max:4)\n");
    expect(check(0xc000008, 8, true).pieces).to.equal(undefined);
    expect(check(0xc200004, 4)).to.deep.equal({ lines: '', pieces: [[0xc200004, 4]] });
  });

  it('checks a subpage piece by piece: the inner line, then the subpage line with the page offset', function () {
    expect(check(0x10000008, 8).lines).to.equal(
      "Invalid read at addr 0x10000008, size 4, region '(null)', reason: rejected\n" +
      "Invalid read at addr 0x8, size 8, region '(null)', reason: rejected\n");
    expect(check(0x101000, 1).lines).to.equal(
      "Invalid read at addr 0x0, size 1, region 'goldfish_rtc', reason: invalid size (min:4 max:4)\n" +
      "Invalid read at addr 0x0, size 1, region '(null)', reason: rejected\n");
  });

  it('dispatches a valid subpage access in the pieces the region accepts', function () {
    expect(check(0x101000, 8)).to.deep.equal({ lines: '', pieces: [[0x101000, 4], [0x101004, 4]] });
    expect(check(0x10000000, 8)).to.deep.equal({ lines: '', pieces: [[0x10000000, 8]] });
  });
});
