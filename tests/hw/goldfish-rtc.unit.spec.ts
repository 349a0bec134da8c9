/*
 * Register behaviour from QEMU 7.2 hw/rtc/goldfish_rtc.c; values marked
 * "QEMU" were measured with tests/hw/qemu-probe on qemu-system-riscv64 7.2.
 */
import { expect } from 'chai';
import { GoldfishRtc, type RtcHost } from '../../src/hw/goldfish-rtc.js';
import { RecordingIrq } from './irq-recorder.js';
import { VIRT } from '../../src/machine/virt-map.js';

const TIME_LOW = 0x00, TIME_HIGH = 0x04, ALARM_LOW = 0x08, ALARM_HIGH = 0x0c;
const IRQ_ENABLED = 0x10, CLEAR_ALARM = 0x14, ALARM_STATUS = 0x18, CLEAR_INTERRUPT = 0x1c;

/** A host whose clocks and timers the test drives. */
class FakeHost implements RtcHost {
  mono = 5_000_000_000n;
  wall = 1_700_000_000_123; // ms: .123 s past a whole second
  timers: { at: number; cb: () => void; live: boolean }[] = [];
  monotonicNs(): bigint {
    return this.mono;
  }
  wallClockMs(): number {
    return this.wall;
  }
  schedule(cb: () => void, delayMs: number): () => void {
    const t = { at: delayMs, cb, live: true };
    this.timers.push(t);
    return () => {
      t.live = false;
    };
  }
  advance(ns: bigint): void {
    this.mono += ns;
  }
  fireAll(): void {
    const due = this.timers.filter((t) => t.live);
    this.timers = [];
    for (const t of due) t.cb();
  }
}

function setup(): { rtc: GoldfishRtc; irq: RecordingIrq; host: FakeHost; rd: (o: number) => bigint; wr: (o: number, v: bigint) => void } {
  const host = new FakeHost();
  const irq = new RecordingIrq();
  const rtc = new GoldfishRtc(irq, { ...VIRT.rtc, host });
  return { rtc, irq, host, rd: (o) => rtc.read(o, 4), wr: (o, v) => rtc.write(o, 4, v) };
}

function readTime(rd: (o: number) => bigint): bigint {
  const low = rd(TIME_LOW);
  return (rd(TIME_HIGH) << 32n) | low;
}

describe('hw/goldfish-rtc', () => {
  it('starts at host wall-clock time truncated to whole seconds, in ns', () => {
    const { rd, host } = setup();
    expect(readTime(rd)).to.equal(1_700_000_000n * 1_000_000_000n);
    host.advance(1_500n);
    expect(readTime(rd)).to.equal(1_700_000_000n * 1_000_000_000n + 1_500n);
  });

  it('latches the high word when the low word is read', () => {
    const { rd, wr, host } = setup();
    wr(TIME_HIGH, 5n);
    wr(TIME_LOW, 0xfffffff0n);
    const low = rd(TIME_LOW);
    host.advance(0x100n); // the count carries into the high word...
    expect(rd(TIME_HIGH)).to.equal(5n); // ...but TIME_HIGH still belongs to the earlier TIME_LOW
    expect(low).to.equal(0xfffffff0n);
    expect(readTime(rd)).to.equal((6n << 32n) | 0xf0n);
  });

  it('returns alarm registers and 0 for unimplemented offsets (QEMU)', () => {
    const { rd, wr } = setup();
    wr(ALARM_HIGH, 0x7fffffffn);
    wr(ALARM_LOW, 0x1234n);
    expect([rd(ALARM_LOW), rd(ALARM_HIGH), rd(ALARM_STATUS)]).to.deep.equal([0x1234n, 0x7fffffffn, 1n]); // QEMU
    wr(CLEAR_ALARM, 1n);
    expect(rd(ALARM_STATUS)).to.equal(0n); // QEMU
    expect(rd(0x20)).to.equal(0n); // QEMU
  });

  it('fires at once for an alarm in the past (QEMU)', () => {
    const { rd, wr, irq } = setup();
    wr(IRQ_ENABLED, 1n);
    wr(ALARM_HIGH, 0n);
    wr(ALARM_LOW, 0n);
    expect(rd(IRQ_ENABLED)).to.equal(1n); // QEMU
    expect(rd(ALARM_STATUS)).to.equal(0n); // QEMU
    expect(irq.level).to.equal(true);
    wr(CLEAR_INTERRUPT, 1n);
    expect(irq.level).to.equal(false);
  });

  it('fires a future alarm when the host timer expires, only if enabled', () => {
    const { rd, wr, irq, host } = setup();
    const now = readTime(rd);
    const alarm = now + 3_000_000n; // 3 ms
    wr(ALARM_HIGH, alarm >> 32n);
    wr(ALARM_LOW, alarm & 0xffffffffn);
    expect(host.timers.map((t) => t.at)).to.deep.equal([3]);
    host.advance(3_000_000n);
    host.fireAll();
    expect(rd(ALARM_STATUS)).to.equal(0n);
    expect(irq.level).to.equal(false); // pending but not enabled
    wr(IRQ_ENABLED, 1n);
    expect(irq.level).to.equal(true);
  });

  it('re-arms when the host timer fires early, and CLEAR_ALARM cancels', () => {
    const { rd, wr, irq, host } = setup();
    wr(IRQ_ENABLED, 1n);
    const alarm = readTime(rd) + 10_000_000n;
    wr(ALARM_HIGH, alarm >> 32n);
    wr(ALARM_LOW, alarm & 0xffffffffn);
    host.advance(4_000_000n);
    host.fireAll();
    expect(irq.level).to.equal(false);
    expect(rd(ALARM_STATUS)).to.equal(1n);
    wr(CLEAR_ALARM, 1n);
    host.advance(10_000_000n);
    host.fireAll();
    expect(irq.level).to.equal(false);
  });

  it('resets alarm and interrupt state but keeps the time', () => {
    const { rtc, rd, wr, irq } = setup();
    wr(IRQ_ENABLED, 1n);
    wr(ALARM_LOW, 0n);
    expect(irq.level).to.equal(true);
    const t = readTime(rd);
    rtc.reset();
    expect(irq.level).to.equal(false);
    expect([rd(IRQ_ENABLED), rd(ALARM_LOW), rd(ALARM_STATUS)]).to.deep.equal([0n, 0n, 0n]);
    expect(readTime(rd)).to.equal(t);
  });

  it('ignores accesses that are not 32 bits wide (QEMU faults them)', () => {
    const { rtc } = setup();
    rtc.write(IRQ_ENABLED, 8, 1n);
    expect(rtc.read(IRQ_ENABLED, 4)).to.equal(0n);
    expect(rtc.read(TIME_LOW, 8)).to.equal(0n);
  });
});
