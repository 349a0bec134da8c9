/**
 * The PMP decoder and checker (src/target/riscv/pmp.ts) on entries written as a guest writes them,
 * against the privileged spec's matching rules and QEMU 7.2's pmp.c where the spec leaves room
 * (an access partly inside an entry fails in every mode; TOR with a lower bound above its top is
 * the range [0, 0]; pmpaddr keeps all 64 bits, so all ones in NAPOT covers every address). The
 * expectations are read off the entries, never taken from tsemu. tests/guest/src/pmp.c runs the
 * same rules on a vCPU beside QEMU.
 */
import { expect } from 'chai';
import { PMP_ENTRIES, Priv } from '../../src/target/riscv/csr.js';
import { PMP_R, PMP_W, PMP_X, PmpTable } from '../../src/target/riscv/pmp.js';

const OFF = 0, TOR = 1 << 3, NA4 = 2 << 3, NAPOT = 3 << 3, L = 0x80;

/** A table from [cfg, pmpaddr] pairs for entries 0.. (the rest OFF, address 0). */
function table(...entries: ReadonlyArray<readonly [cfg: number, addr: bigint]>): PmpTable {
  const t = new PmpTable();
  t.update({
    cfg: (i) => entries[i]?.[0] ?? 0,
    addr: (i) => (i < PMP_ENTRIES ? entries[i]?.[1] ?? 0n : 0n),
  });
  return t;
}

const napot = (base: number, size: number): bigint => (BigInt(base) >> 2n) | (BigInt(size / 8) - 1n);

describe('target/riscv: PMP matching (pmp.ts)', function () {
  it('with no entry enabled, M may do anything and S/U nothing', function () {
    const t = table([OFF | PMP_R | PMP_W | PMP_X, (1n << 64n) - 1n]);
    expect(t.allows(0x8000_0000, 8, PMP_R, Priv.M)).to.equal(true);
    expect(t.allows(0x8000_0000, 8, PMP_R, Priv.S)).to.equal(false);
    expect(t.allows(0x8000_0000, 4, PMP_X, Priv.U)).to.equal(false);
  });

  it('an all-ones NAPOT entry covers every address, the top page included', function () {
    const t = table([NAPOT | PMP_R, (1n << 64n) - 1n]);
    expect(t.allows(0, 1, PMP_R, Priv.U)).to.equal(true);
    expect(t.allows(2 ** 64 - 4096, 8, PMP_R, Priv.U)).to.equal(true);
    expect(t.allows(0x1000, 4, PMP_W, Priv.S)).to.equal(false);
  });

  it('NAPOT, TOR and NA4 ranges, the lowest-numbered entry deciding', function () {
    const t = table(
      [NA4, BigInt(0x8000_2010 >>> 2)], // [0x80002010, 0x80002013], no permissions
      [OFF, BigInt(0x8000_1000 >>> 2)],
      [TOR | PMP_R | PMP_W, BigInt(0x8000_3000 >>> 2)], // [0x80001000, 0x80002fff]
      [NAPOT | PMP_R | PMP_W | PMP_X, napot(0x8000_0000, 0x1_0000)],
    );
    expect(t.allows(0x8000_1000, 8, PMP_W, Priv.S)).to.equal(true);
    expect(t.allows(0x8000_1000, 2, PMP_X, Priv.S)).to.equal(false); // TOR has no X
    expect(t.allows(0x8000_0ffc, 4, PMP_X, Priv.S)).to.equal(true); // below TOR: the NAPOT entry
    expect(t.allows(0x8000_2010, 4, PMP_R, Priv.S)).to.equal(false); // NA4 before TOR
    expect(t.allows(0x8000_2014, 4, PMP_R, Priv.S)).to.equal(true);
    expect(t.allows(0x8000_3000, 4, PMP_X, Priv.U)).to.equal(true);
    expect(t.allows(0x8001_0000, 4, PMP_R, Priv.U)).to.equal(false); // past every entry
    expect(t.allows(0x8000_2010, 4, PMP_W, Priv.M)).to.equal(true); // unlocked: M ignores the bits
  });

  it('an access partly inside an entry fails, M-mode too', function () {
    const t = table([NA4 | PMP_R, BigInt(0x8000_0010 >>> 2)], [NAPOT | PMP_R | PMP_W | PMP_X, (1n << 64n) - 1n]);
    expect(t.allows(0x8000_000e, 4, PMP_R, Priv.M)).to.equal(false);
    expect(t.allows(0x8000_0010, 8, PMP_R, Priv.M)).to.equal(false);
    expect(t.allows(0x8000_0008, 8, PMP_R, Priv.M)).to.equal(true);
  });

  it('a locked entry binds M; TOR with its lower bound above its top is the range [0, 0]', function () {
    const t = table([NAPOT | L | PMP_R, napot(0x8000_4000, 0x1000)]);
    expect(t.allows(0x8000_4000, 8, PMP_R, Priv.M)).to.equal(true);
    expect(t.allows(0x8000_4000, 8, PMP_W, Priv.M)).to.equal(false);
    expect(t.allows(0x8000_4000, 2, PMP_X, Priv.M)).to.equal(false);
    const tor = table([OFF, 0x100n], [TOR | PMP_R, 0x40n]);
    expect(tor.allows(0, 1, PMP_R, Priv.S)).to.equal(true);
    expect(tor.allows(0x100, 1, PMP_R, Priv.S)).to.equal(false);
  });

  it('a page may be cached unless the first enabled entry touching it covers only part of it', function () {
    const t = table(
      [NA4, BigInt(0x8000_2010 >>> 2)],
      [NAPOT | PMP_R, napot(0x8000_0000, 0x1000)],
      [NAPOT | PMP_R | PMP_W | PMP_X, (1n << 64n) - 1n],
    );
    expect(t.pageUniform(0x8000_2abc)).to.equal(false); // the NA4 entry splits it
    expect(t.pageUniform(0x8000_0123)).to.equal(true); // exactly one page
    expect(t.pageUniform(0x8000_5000)).to.equal(true); // inside the catch-all
    expect(table([NAPOT | PMP_R, napot(0x8000_0000, 0x10)]).pageUniform(0x8000_0800)).to.equal(false);
    expect(table().pageUniform(0x8000_0000)).to.equal(true);
  });
});
