/**
 * The translation-ahead ring between the translator service and a vCPU
 * (src/tcg/prefetch-ring.ts): records arrive whole and in order across
 * wrap-around, a full ring refuses instead of overwriting, and vCPUs have
 * separate rings.
 */
import { expect } from 'chai';
import { PREFETCH_BYTES_PER_VCPU, PrefetchConsumer, PrefetchedBlock, PrefetchProducer, RING_BYTES } from '../../src/tcg/prefetch-ring.js';

function block(n: number, sourceBytes = 100): PrefetchedBlock {
  const body = `/* block ${n} */`.padEnd(sourceBytes, 'x');
  return {
    source: body, page: n % 97, gen: n * 3, insnCount: n % 64, epoch: n % 5, pc: 0x80000000 + n * 4, pa: 0x80000000 + n * 4, pa2: -1,
    ahead: { fetched: Array.from({ length: 2 * (n % 9) }, (_, i) => (i % 2 === 0 ? 4 * i : (0x00b50863 + n) | 0)), madeCodePage: n % 2 === 0 },
  };
}

function drainAll(c: PrefetchConsumer): PrefetchedBlock[] {
  const got: PrefetchedBlock[] = [];
  c.drain((b) => got.push(b));
  return got;
}

describe('tcg/prefetch-ring: translations handed to a vCPU ahead of need', function () {
  it('delivers every field and the source text unchanged', function () {
    const buf = new SharedArrayBuffer(PREFETCH_BYTES_PER_VCPU);
    const p = new PrefetchProducer(buf, 0);
    const c = new PrefetchConsumer(buf, 0);
    expect(c.pending).to.equal(false);
    const sent = { ...block(7, 333), pc: -0x7ff00000, pa2: 0x80002000 };
    expect(p.push(sent)).to.equal(true);
    expect(c.pending).to.equal(true);
    expect(drainAll(c)).to.deep.equal([sent]);
    expect(c.pending).to.equal(false);
    expect(drainAll(c)).to.deep.equal([]);
  });

  it('keeps order and content across many wrap-arounds of odd-sized records', function () {
    const buf = new SharedArrayBuffer(PREFETCH_BYTES_PER_VCPU);
    const p = new PrefetchProducer(buf, 0);
    const c = new PrefetchConsumer(buf, 0);
    const expected: PrefetchedBlock[] = [];
    const got: PrefetchedBlock[] = [];
    let written = 0;
    for (let n = 0; written < 5 * RING_BYTES; n++) {
      const b = block(n, 1000 + ((n * 7919) % 9000)); // sizes that do not divide the ring
      expect(p.push(b), `record ${n}`).to.equal(true);
      expected.push(b);
      written += b.source.length;
      if (n % 3 === 2) c.drain((x) => got.push(x)); // the consumer lags a little behind
    }
    c.drain((x) => got.push(x));
    expect(got.length).to.equal(expected.length);
    expect(got).to.deep.equal(expected);
  });

  it('refuses a record when the ring is full, and accepts again once drained', function () {
    const buf = new SharedArrayBuffer(PREFETCH_BYTES_PER_VCPU);
    const p = new PrefetchProducer(buf, 0);
    const c = new PrefetchConsumer(buf, 0);
    let accepted = 0;
    while (p.push(block(accepted, 4000))) accepted++;
    expect(accepted).to.be.greaterThan(0).and.lessThan(RING_BYTES / 4000 + 1);
    const got = drainAll(c);
    expect(got.map((b) => b.pc)).to.deep.equal(Array.from({ length: accepted }, (_, n) => block(n).pc));
    expect(p.push(block(999, 4000))).to.equal(true);
    expect(drainAll(c).map((b) => b.pc)).to.deep.equal([block(999).pc]);
  });

  it('refuses a record larger than the whole ring', function () {
    const buf = new SharedArrayBuffer(PREFETCH_BYTES_PER_VCPU);
    const p = new PrefetchProducer(buf, 0);
    expect(p.push(block(1, RING_BYTES + 1))).to.equal(false);
    expect(new PrefetchConsumer(buf, 0).pending).to.equal(false);
  });

  it('gives each vCPU its own ring in one buffer', function () {
    const buf = new SharedArrayBuffer(PREFETCH_BYTES_PER_VCPU * 3);
    new PrefetchProducer(buf, 2).push(block(2));
    new PrefetchProducer(buf, 0).push(block(0));
    expect(drainAll(new PrefetchConsumer(buf, 1))).to.deep.equal([]);
    expect(drainAll(new PrefetchConsumer(buf, 2))).to.deep.equal([block(2)]);
    expect(drainAll(new PrefetchConsumer(buf, 0))).to.deep.equal([block(0)]);
  });

  it('carries the block a vCPU took back to the service, once per take', function () {
    const buf = new SharedArrayBuffer(PREFETCH_BYTES_PER_VCPU);
    const p = new PrefetchProducer(buf, 0);
    const c = new PrefetchConsumer(buf, 0);
    expect(p.takenSince(0)).to.equal(undefined);
    c.noteTaken(0x80001234, 0x80005234);
    const first = p.takenSince(0);
    expect(first).to.deep.include({ pc: 0x80001234, pa: 0x80005234 });
    expect(p.takenSince(first?.seq ?? -1)).to.equal(undefined);
    c.noteTaken(-0x1000, 0x80000000);
    expect(p.takenSince(first?.seq ?? -1)).to.deep.include({ pc: -0x1000, pa: 0x80000000 });
  });
});
