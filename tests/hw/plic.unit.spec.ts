/*
 * Values marked "QEMU" were measured on qemu-system-riscv64 7.2 -M virt with
 * tests/hw/qemu-probe. Two behaviours deliberately differ from QEMU 7.2 and
 * follow the PLIC specification instead (marked "spec"): enable writes take
 * effect on the outputs at once, and completing a source whose line is still
 * high makes it pending again.
 */
import { expect } from 'chai';
import { Plic } from '../../src/hw/plic.js';
import { RecordingSink } from './irq-recorder.js';
import { PLIC_NUM_SOURCES, VIRT } from '../../src/machine/virt-map.js';

const PLIC_AT_VIRT = { ...VIRT.plic, numSources: PLIC_NUM_SOURCES };

const MEIP = 11;
const SEIP = 9;
const prio = (src: number): number => 4 * src;
const PENDING = 0x1000;
const enable = (ctx: number, word = 0): number => 0x2000 + 0x80 * ctx + 4 * word;
const threshold = (ctx: number): number => 0x200000 + 0x1000 * ctx;
const claim = (ctx: number): number => threshold(ctx) + 4;

function setup(harts = 1): { plic: Plic; sink: RecordingSink; rd: (o: number) => number; wr: (o: number, v: number) => void } {
  const sink = new RecordingSink();
  const plic = new Plic(sink, harts, PLIC_AT_VIRT);
  return {
    plic,
    sink,
    rd: (o) => Number(plic.read(o, 4)),
    wr: (o, v) => plic.write(o, 4, BigInt(v)),
  };
}

describe('hw/plic', () => {
  it('keeps 3 priority bits for sources and thresholds (QEMU)', () => {
    const { rd, wr } = setup();
    wr(prio(10), 0xff);
    expect(rd(prio(10))).to.equal(7);
    wr(prio(10), 9);
    expect(rd(prio(10))).to.equal(1);
    wr(threshold(0), 0xf);
    expect(rd(threshold(0))).to.equal(7);
    wr(prio(95), 3);
    expect(rd(prio(95))).to.equal(3);
  });

  it('has 3 enable words per context; the fourth is ignored (QEMU)', () => {
    const { rd, wr } = setup();
    wr(enable(0, 3), 0xffffffff);
    expect(rd(enable(0, 3))).to.equal(0);
    wr(enable(0, 2), 0xffffffff);
    expect(rd(enable(0, 2))).to.equal(0xffffffff);
  });

  it('makes a raised line pending, read-only (QEMU)', () => {
    const { plic, rd, wr, sink } = setup();
    plic.irqLine(10).set(true);
    expect(rd(PENDING)).to.equal(0x400);
    wr(PENDING, 0);
    expect(rd(PENDING)).to.equal(0x400);
    expect(sink.level(0, MEIP)).to.equal(false); // not enabled, priority 0
  });

  it('drives MEIP from context 2h and SEIP from 2h+1, masked by threshold', () => {
    const { plic, sink, wr } = setup();
    plic.irqLine(10).set(true);
    wr(prio(10), 1);
    wr(enable(0), 1 << 10);
    expect(sink.level(0, MEIP)).to.equal(true); // spec (QEMU 7.2 waits for the next update)
    expect(sink.level(0, SEIP)).to.equal(false);
    wr(enable(1), 1 << 10);
    expect(sink.level(0, SEIP)).to.equal(true);
    wr(threshold(0), 1);
    expect(sink.level(0, MEIP)).to.equal(false); // QEMU: priority must exceed the threshold
    expect(sink.level(0, SEIP)).to.equal(true); // QEMU
  });

  it('claims the best source, hides it from every context until completed (QEMU)', () => {
    const { plic, sink, rd, wr } = setup();
    plic.irqLine(10).set(true);
    wr(prio(10), 1);
    wr(enable(0), 1 << 10);
    wr(enable(1), 1 << 10);
    expect(rd(claim(0))).to.equal(10);
    expect(rd(PENDING)).to.equal(0);
    expect(sink.level(0, MEIP)).to.equal(false);
    expect(sink.level(0, SEIP)).to.equal(false);
    expect(rd(claim(1))).to.equal(0);
    expect(rd(claim(0))).to.equal(0);
  });

  it('makes a source pending again on completion while its line is high (spec)', () => {
    const { plic, sink, rd, wr } = setup();
    const line = plic.irqLine(10);
    line.set(true);
    wr(prio(10), 1);
    wr(enable(0), 1 << 10);
    expect(rd(claim(0))).to.equal(10);
    wr(claim(0), 10);
    expect(rd(PENDING)).to.equal(0x400);
    expect(sink.level(0, MEIP)).to.equal(true);
    expect(rd(claim(0))).to.equal(10);
    line.set(false);
    wr(claim(0), 10);
    expect(rd(PENDING)).to.equal(0);
    expect(sink.level(0, MEIP)).to.equal(false);
  });

  it('keeps a request pending when the line falls before the claim (Debian QEMU 7.2, see tests/guest uart_plic)', () => {
    const { plic, sink, rd, wr } = setup();
    const line = plic.irqLine(7);
    wr(prio(7), 2);
    wr(enable(0), 1 << 7);
    line.set(true);
    expect(sink.level(0, MEIP)).to.equal(true);
    line.set(false);
    expect(sink.level(0, MEIP)).to.equal(true);
    expect(rd(claim(0))).to.equal(7);
  });

  it('ignores priority writes to the reserved source 0', () => {
    const { rd, wr } = setup();
    wr(prio(0), 5);
    expect(rd(prio(0))).to.equal(0);
  });

  it('prefers higher priority, then the lowest source id (QEMU)', () => {
    const { plic, rd, wr } = setup();
    for (const src of [11, 10, 40]) {
      plic.irqLine(src).set(true);
      wr(prio(src), 1);
    }
    wr(enable(0, 0), (1 << 10) | (1 << 11));
    wr(enable(0, 1), 1 << (40 - 32));
    expect(rd(claim(0))).to.equal(10); // QEMU: tie goes to the lowest id
    wr(prio(40), 5);
    expect(rd(claim(0))).to.equal(40);
    expect(rd(claim(0))).to.equal(11);
    expect(rd(claim(0))).to.equal(0);
  });

  it('routes contexts of every hart', () => {
    const { plic, sink, rd, wr } = setup(4);
    plic.irqLine(3).set(true);
    wr(prio(3), 1);
    wr(enable(7), 1 << 3); // hart 3, S-mode
    expect(sink.level(3, SEIP)).to.equal(true);
    expect(sink.level(3, MEIP)).to.equal(false);
    expect(sink.level(0, SEIP)).to.equal(false);
    expect(rd(claim(7))).to.equal(3);
    expect(sink.level(3, SEIP)).to.equal(false);
    wr(enable(8), 1); // context 8 does not exist with 4 harts
    expect(rd(enable(8))).to.equal(0);
  });

  it('ignores accesses that are not 32 bits wide (QEMU faults them)', () => {
    const { plic, rd } = setup();
    plic.write(prio(1), 1, 5n);
    expect(rd(prio(1))).to.equal(0);
    expect(Number(plic.read(prio(1), 8))).to.equal(0);
  });

  it('rejects lines outside 1..95 and harts outside 1..16', () => {
    const { plic } = setup();
    expect(() => plic.irqLine(0)).to.throw(RangeError);
    expect(() => plic.irqLine(96)).to.throw(RangeError);
    expect(() => new Plic(new RecordingSink(), 17, PLIC_AT_VIRT)).to.throw(RangeError);
  });

  it('resets registers and lowers the outputs', () => {
    const { plic, sink, rd, wr } = setup();
    plic.irqLine(10).set(true);
    wr(prio(10), 1);
    wr(enable(0), 1 << 10);
    expect(sink.level(0, MEIP)).to.equal(true);
    plic.reset();
    expect(sink.level(0, MEIP)).to.equal(false);
    expect([rd(prio(10)), rd(enable(0)), rd(threshold(0))]).to.deep.equal([0, 0, 0]);
    expect(rd(PENDING)).to.equal(0x400); // the device still holds its line high
  });
});
