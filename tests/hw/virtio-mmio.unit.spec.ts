/*
 * Register values marked "QEMU" were measured on qemu-system-riscv64 7.2 -M virt
 * -global virtio-mmio.force-legacy=false with a virtio-blk-device, using
 * tests/hw/qemu-probe. Queue and notification rules follow the virtio 1.1 spec.
 */
import { expect } from 'chai';
import type { GuestDma } from '../../src/hw/guest-dma.js';
import { featureBit, VIRTIO_F, type DescriptorChain, type VirtioDevice } from '../../src/hw/virtio.js';
import { VirtioMmio, VirtioMmioReg as Reg } from '../../src/hw/virtio-mmio.js';
import { needEvent } from '../../src/hw/virtqueue.js';
import { RecordingIrq } from './irq-recorder.js';
import { VIRT } from '../../src/machine/virt-map.js';
import {
  RAM_BASE,
  STATUS_ACK,
  STATUS_DRIVER,
  STATUS_DRIVER_OK,
  STATUS_FEATURES_OK,
  TestDriver,
  TestRam,
} from './virtio-driver.js';

const VERSION_1 = featureBit(VIRTIO_F.VERSION_1);
const INDIRECT = featureBit(VIRTIO_F.RING_INDIRECT_DESC);
const EVENT_IDX = featureBit(VIRTIO_F.RING_EVENT_IDX);
const RING_RESET = featureBit(VIRTIO_F.RING_RESET);
const LIVE = STATUS_ACK | STATUS_DRIVER | STATUS_FEATURES_OK | STATUS_DRIVER_OK;

/** A device that copies its readable bytes, upper-cased, into its writable buffers. */
class UpcaseDevice implements VirtioDevice {
  readonly deviceId = 0x42;
  readonly numQueues = 2;
  readonly deviceFeatures = featureBit(3);
  resets = 0;
  configBytes = Uint8Array.of(0x11, 0x22, 0x33, 0x44, 0x55, 0x66);
  written: { offset: number; size: number; value: number }[] = [];
  config(): Uint8Array {
    return this.configBytes;
  }
  writeConfig(offset: number, size: 1 | 2 | 4, value: number): void {
    this.written.push({ offset, size, value });
  }
  handleChain(_q: number, chain: DescriptorChain, dma: GuestDma): number {
    const input: number[] = [];
    for (const seg of chain.readable) input.push(...dma.read(seg.addr, seg.len));
    const output = Uint8Array.from(input, (c) => (c >= 0x61 && c <= 0x7a ? c - 32 : c));
    let done = 0;
    for (const seg of chain.writable) {
      const take = Math.min(seg.len, output.length - done);
      dma.write(seg.addr, output.subarray(done, done + take));
      done += take;
    }
    return done;
  }
  reset(): void {
    this.resets++;
  }
}

function setup(queueSize = 8): { dev: VirtioMmio; drv: TestDriver; ram: TestRam; irq: RecordingIrq; device: UpcaseDevice; errors: string[] } {
  const ram = new TestRam();
  const irq = new RecordingIrq();
  const device = new UpcaseDevice();
  const errors: string[] = [];
  const dev = new VirtioMmio(irq, ram, device, { ...VIRT.virtio, legacy: false, onError: (m) => errors.push(m), onDeviceError: (m) => errors.push(m) });
  return { dev, drv: new TestDriver(dev, ram, queueSize), ram, irq, device, errors };
}

function text(s: string): Uint8Array {
  return new TextEncoder().encode(s);
}

describe('hw/virtio-mmio', () => {
  describe('empty slot (no device)', () => {
    it('reads magic, version 2, vendor and zeros (QEMU)', () => {
      const dev = new VirtioMmio(new RecordingIrq(), new TestRam(), null, { ...VIRT.virtio, legacy: false });
      const rd = (o: number): number => Number(dev.read(o, 4));
      expect(rd(Reg.MagicValue)).to.equal(0x74726976);
      expect(rd(Reg.Version)).to.equal(2);
      expect(rd(Reg.DeviceId)).to.equal(0);
      expect(rd(Reg.VendorId)).to.equal(0x554d4551);
      expect(rd(Reg.DeviceFeatures)).to.equal(0);
      expect(rd(Reg.QueueNumMax)).to.equal(0);
      dev.write(Reg.Status, 4, 0xfn);
      expect(rd(Reg.Status)).to.equal(0);
    });
  });

  describe('registers', () => {
    it('identifies the device (QEMU)', () => {
      const { drv, dev } = setup();
      expect(drv.reg(Reg.MagicValue)).to.equal(0x74726976);
      expect(drv.reg(Reg.Version)).to.equal(2);
      expect(drv.reg(Reg.DeviceId)).to.equal(0x42);
      expect(drv.reg(Reg.VendorId)).to.equal(0x554d4551);
      // QEMU's memory core splits 8-byte accesses into two 4-byte ones
      expect(dev.read(Reg.MagicValue, 8)).to.equal(0x2_74726976n);
    });

    it('offers device features plus VERSION_1, RING_RESET, INDIRECT_DESC and EVENT_IDX (QEMU)', () => {
      const { drv } = setup();
      expect(drv.deviceFeatures()).to.equal(featureBit(3) | VERSION_1 | RING_RESET | INDIRECT | EVENT_IDX);
      drv.setReg(Reg.DeviceFeaturesSel, 2); // QEMU: any non-zero selector means the high word
      expect(drv.reg(Reg.DeviceFeatures)).to.equal(0x101);
    });

    it('reports queue limits, shared memory and write-only registers like QEMU', () => {
      const { drv, dev } = setup();
      expect(drv.reg(Reg.QueueNumMax)).to.equal(1024); // QEMU
      drv.setReg(Reg.QueueSel, 2);
      expect(drv.reg(Reg.QueueNumMax)).to.equal(0); // QEMU: no such queue
      drv.setReg(Reg.QueueSel, 0);
      expect(drv.reg(Reg.QueueReady)).to.equal(0);
      expect(drv.reg(Reg.ShmLenLow)).to.equal(0xffffffff); // QEMU
      expect(drv.reg(Reg.ShmLenHigh)).to.equal(0xffffffff); // QEMU
      expect(drv.reg(Reg.ConfigGeneration)).to.equal(0); // QEMU
      drv.setReg(Reg.QueueDescLow, 0x1234);
      expect(drv.reg(Reg.QueueDescLow)).to.equal(0); // QEMU: write-only
      expect(Number(dev.read(Reg.MagicValue, 2))).to.equal(0); // QEMU: registers are 32-bit only
    });

    it('logs misuse in QEMU 7.2\'s -d guest_errors words (measured with tests/guest/src/xv6_disk.c)', () => {
      const { drv, dev, errors } = setup();
      expect(drv.reg(Reg.QueuePfn)).to.equal(0);
      drv.setReg(Reg.GuestPageSize, 4096);
      drv.setReg(Reg.QueueAlign, 4096);
      drv.setReg(Reg.QueuePfn, 1);
      expect(drv.reg(Reg.QueueNotify)).to.equal(0);
      expect(drv.reg(0xf0)).to.equal(0);
      expect(Number(dev.read(Reg.Status, 2))).to.equal(0);
      dev.write(Reg.Status, 2, 0n);
      drv.setReg(Reg.MagicValue, 0);
      drv.setReg(0xf0, 1);
      expect(errors).to.deep.equal([
        'virtio_mmio_read: read from legacy register (0x40) in non-legacy mode',
        'virtio_mmio_write: write to legacy register (0x28) in non-legacy mode',
        'virtio_mmio_write: write to legacy register (0x3c) in non-legacy mode',
        'virtio_mmio_write: write to legacy register (0x40) in non-legacy mode',
        'virtio_mmio_read: read of write-only register (0x50)',
        'virtio_mmio_read: bad register offset (0xf0)',
        'virtio_mmio_read: wrong size access to register!',
        'virtio_mmio_write: wrong size access to register!',
        'virtio_mmio_write: write to read-only register (0x0)',
        'virtio_mmio_write: bad register offset (0xf0)',
      ]);
    });

    it('reads config space at any width, all ones past its end (QEMU)', () => {
      const { dev, device } = setup();
      expect(Number(dev.read(Reg.Config, 1))).to.equal(0x11);
      expect(Number(dev.read(Reg.Config + 1, 2))).to.equal(0x3322);
      expect(Number(dev.read(Reg.Config, 4))).to.equal(0x44332211);
      expect(Number(dev.read(Reg.Config + 4, 4))).to.equal(0xffffffff);
      expect(Number(dev.read(Reg.Config + 0x40, 1))).to.equal(0xff);
      dev.write(Reg.Config + 2, 2, 0xbeefn);
      expect(device.written).to.deep.equal([{ offset: 2, size: 2, value: 0xbeef }]);
    });
  });

  describe('status and feature negotiation', () => {
    it('accepts a subset of the offered features including VERSION_1 (QEMU status 0xb)', () => {
      const { drv, dev } = setup();
      expect(drv.negotiate(VERSION_1 | EVENT_IDX)).to.equal(0xb);
      expect(dev.negotiatedFeatures).to.equal(VERSION_1 | EVENT_IDX);
    });

    it('keeps FEATURES_OK without VERSION_1 and drops bits not offered, as QEMU (xv6 relies on it)', () => {
      const { drv, dev } = setup();
      expect(drv.negotiate(featureBit(3))).to.equal(STATUS_ACK | STATUS_DRIVER | STATUS_FEATURES_OK);
      expect(dev.negotiatedFeatures).to.equal(featureBit(3));
      expect(drv.negotiate(VERSION_1 | featureBit(41))).to.equal(STATUS_ACK | STATUS_DRIVER | STATUS_FEATURES_OK);
      expect(dev.negotiatedFeatures).to.equal(VERSION_1);
    });

    it('resets the device when Status is written with 0 (QEMU)', () => {
      const { drv, device } = setup();
      drv.start(VERSION_1);
      expect(drv.reg(Reg.QueueReady)).to.equal(1); // QEMU
      drv.setReg(Reg.Status, 0);
      expect([drv.reg(Reg.Status), drv.reg(Reg.InterruptStatus), drv.reg(Reg.QueueReady)]).to.deep.equal([0, 0, 0]);
      expect(device.resets).to.be.greaterThan(0);
    });
  });

  describe('requests', () => {
    it('processes a chain on notify, fills the used ring and interrupts (QEMU isr 1)', () => {
      const { drv, ram, irq } = setup();
      drv.start(VERSION_1);
      const src = drv.alloc(5, text('hello'));
      const dst = drv.alloc(8);
      const head = drv.add([
        { addr: src, len: 5, write: false },
        { addr: dst, len: 8, write: true },
      ]);
      drv.notify();
      expect(drv.usedIdx()).to.equal(1);
      expect(drv.usedElem(0)).to.deep.equal({ id: head, len: 5 });
      expect(new TextDecoder().decode(ram.read(dst, 5))).to.equal('HELLO');
      expect(drv.reg(Reg.InterruptStatus)).to.equal(1); // QEMU
      expect(irq.level).to.equal(true);
      drv.setReg(Reg.InterruptAck, 1);
      expect(drv.reg(Reg.InterruptStatus)).to.equal(0); // QEMU
      expect(irq.level).to.equal(false);
    });

    it('handles every chain offered before the notify and wraps the rings', () => {
      const { drv, ram } = setup(4);
      drv.start(VERSION_1);
      const outputs: number[] = [];
      for (let round = 0; round < 5; round++) {
        for (let i = 0; i < 2; i++) {
          const src = drv.alloc(1, Uint8Array.of(0x61 + round));
          const dst = drv.alloc(1);
          outputs.push(dst);
          drv.add([
            { addr: src, len: 1, write: false },
            { addr: dst, len: 1, write: true },
          ]);
        }
        drv.notify();
      }
      expect(drv.usedIdx()).to.equal(10);
      expect(outputs.map((a) => String.fromCharCode(ram.read(a, 1)[0] ?? 0)).join('')).to.equal('AABBCCDDEE');
    });

    it('follows indirect descriptor tables when negotiated', () => {
      const { drv, ram } = setup();
      drv.start(VERSION_1 | INDIRECT);
      const a = drv.alloc(3, text('abc'));
      const b = drv.alloc(3, text('def'));
      const out = drv.alloc(6);
      drv.add(
        [
          { addr: a, len: 3, write: false },
          { addr: b, len: 3, write: false },
          { addr: out, len: 6, write: true },
        ],
        { indirect: true },
      );
      drv.notify();
      expect(drv.usedElem(0).len).to.equal(6);
      expect(new TextDecoder().decode(ram.read(out, 6))).to.equal('ABCDEF');
    });

    it('suppresses the interrupt when the driver sets VRING_AVAIL_F_NO_INTERRUPT', () => {
      const { drv, irq } = setup();
      drv.start(VERSION_1);
      drv.setAvailFlags(1);
      drv.add([{ addr: drv.alloc(1), len: 1, write: true }]);
      drv.notify();
      expect(drv.usedIdx()).to.equal(1);
      expect(irq.level).to.equal(false);
    });

    it('uses used_event and publishes avail_event with EVENT_IDX', () => {
      const { drv, irq } = setup();
      drv.start(VERSION_1 | EVENT_IDX);
      const chain = (): void => {
        drv.add([{ addr: drv.alloc(1), len: 1, write: true }]);
      };
      chain();
      drv.notify();
      expect(irq.level).to.equal(true); // first interrupt is always sent
      expect(drv.availEvent()).to.equal(1); // next notification wanted after avail idx 1
      drv.setReg(Reg.InterruptAck, 1);
      drv.setUsedEvent(2); // interrupt me only when used idx passes 2
      chain();
      drv.notify(); // used idx 1 -> 2: event 2 not crossed
      expect(irq.level).to.equal(false);
      chain();
      drv.notify(); // used idx 2 -> 3: crossed
      expect(irq.level).to.equal(true);
      expect(drv.usedIdx()).to.equal(3);
    });

    it('computes vring_need_event across wrap-around', () => {
      expect(needEvent(5, 6, 5)).to.equal(true);
      expect(needEvent(5, 5, 4)).to.equal(false);
      expect(needEvent(0xffff, 0, 0xfffe)).to.equal(true);
      expect(needEvent(2, 10, 3)).to.equal(false);
    });

    it('sets NO_NOTIFY only while draining without EVENT_IDX', () => {
      const { drv } = setup();
      drv.start(VERSION_1);
      drv.add([{ addr: drv.alloc(1), len: 1, write: true }]);
      drv.notify();
      expect(drv.usedFlags()).to.equal(0);
    });

    it('ignores notifications for queues that are not ready', () => {
      const { drv } = setup();
      drv.start(VERSION_1);
      drv.setReg(Reg.QueueSel, 1);
      drv.add([{ addr: drv.alloc(1), len: 1, write: true }]);
      drv.notify(1);
      drv.notify(7);
      expect(drv.usedIdx()).to.equal(0);
    });
  });

  describe('device errors (NEEDS_RESET, spec 2.1.2)', () => {
    function expectBroken(drv: TestDriver, irq: RecordingIrq, errors: string[]): void {
      expect(drv.reg(Reg.Status)).to.equal(LIVE | 0x40);
      expect(drv.reg(Reg.InterruptStatus) & 2).to.equal(2); // configuration change
      expect(drv.reg(Reg.ConfigGeneration)).to.equal(1);
      expect(irq.level).to.equal(true);
      expect(errors).to.have.length(1);
    }

    it('for a buffer outside guest RAM', () => {
      const { drv, irq, errors } = setup();
      drv.start(VERSION_1);
      drv.add([{ addr: 0x90000000, len: 16, write: false }]);
      drv.notify();
      expectBroken(drv, irq, errors);
      expect(errors[0]).to.equal('virtio: bogus descriptor or out of resources');
    });

    it('for rings outside guest RAM', () => {
      const { drv, irq, errors } = setup();
      drv.negotiate(VERSION_1);
      drv.setReg(Reg.QueueNum, 8);
      drv.setReg(Reg.QueueDescLow, drv.desc);
      drv.setReg(Reg.QueueDriverLow, 0x1000); // avail ring below RAM
      drv.setReg(Reg.QueueReady, 1);
      drv.setReg(Reg.Status, LIVE);
      drv.notify();
      expectBroken(drv, irq, errors);
    });

    it('for a looped chain, a bad next index, a bad indirect table size, a zero-sized buffer, a bad order (QEMU texts)', () => {
      const cases: [(d: TestDriver) => void, string][] = [
        [(d) => {
          d.rawDescriptor(0, RAM_BASE + 0x20000, 1, 1, 1);
          d.rawDescriptor(1, RAM_BASE + 0x20000, 1, 1, 0);
        }, 'Looped descriptor'],
        [(d) => d.rawDescriptor(0, RAM_BASE + 0x20000, 1, 1, 9), 'Desc next is 9'],
        [(d) => d.rawDescriptor(0, RAM_BASE + 0x30000, 24, 4, 0), 'Invalid size for indirect buffer table'],
        [(d) => d.rawDescriptor(0, RAM_BASE + 0x20000, 0, 0, 0), 'virtio: zero sized buffers are not allowed'],
        [(d) => {
          d.rawDescriptor(0, RAM_BASE + 0x20000, 1, 3, 1); // writable first...
          d.rawDescriptor(1, RAM_BASE + 0x20000, 1, 0, 0); // ...then readable
        }, 'Incorrect order for descriptors'],
      ];
      for (const [build, message] of cases) {
        const { drv, irq, errors } = setup();
        drv.start(VERSION_1 | INDIRECT);
        build(drv);
        drv.offerHead(0);
        drv.notify();
        expectBroken(drv, irq, errors);
        expect(errors[0]).to.equal(message);
      }
    });

    it('ignores an INDIRECT flag inside an indirect table, as QEMU', () => {
      const { drv, errors } = setup();
      drv.start(VERSION_1);
      const table = RAM_BASE + 0x30000;
      drv.ram.setU64(table, RAM_BASE + 0x31000);
      drv.ram.setU32(table + 8, 16);
      drv.ram.setU16(table + 12, 4 | 2); // INDIRECT | WRITE: a plain writable buffer here
      drv.rawDescriptor(0, table, 16, 4, 0);
      drv.offerHead(0);
      drv.notify();
      expect(errors).to.deep.equal([]);
      expect(drv.usedIdx()).to.equal(1);
    });

    it('only stops a device whose driver did not negotiate VERSION_1 (QEMU: no NEEDS_RESET, no interrupt)', () => {
      const { drv, irq, errors } = setup();
      drv.start(0n);
      drv.rawDescriptor(0, RAM_BASE + 0x20000, 1, 1, 9);
      drv.offerHead(0);
      drv.notify();
      expect(errors).to.deep.equal(['Desc next is 9']);
      expect(drv.reg(Reg.Status)).to.equal(LIVE);
      expect(irq.level).to.equal(false);
      drv.add([{ addr: drv.alloc(1), len: 1, write: true }]);
      drv.notify();
      expect(drv.usedIdx()).to.equal(0);
    });

    it('stays stopped until reset, then works again', () => {
      const { drv, ram } = setup();
      drv.start(VERSION_1);
      drv.add([{ addr: 0x90000000, len: 1, write: true }]);
      drv.notify();
      drv.add([{ addr: drv.alloc(1), len: 1, write: true }]);
      drv.notify();
      expect(drv.usedIdx()).to.equal(0);
      ram.setU16(drv.avail + 2, 0);
      const fresh = new TestDriver(drv.dev, ram);
      fresh.start(VERSION_1);
      expect(fresh.reg(Reg.Status)).to.equal(LIVE);
      const src = fresh.alloc(1, text('x'));
      const dst = fresh.alloc(1);
      fresh.add([
        { addr: src, len: 1, write: false },
        { addr: dst, len: 1, write: true },
      ]);
      fresh.notify();
      expect(ram.read(dst, 1)[0]).to.equal(0x58);
    });
  });

  describe('legacy transport (force-legacy=on, QEMU 7.2\'s default)', () => {
    function legacySetup(): { dev: VirtioMmio; ram: TestRam; irq: RecordingIrq; errors: string[]; reg: (o: number) => number; set: (o: number, v: number) => void } {
      const ram = new TestRam();
      const irq = new RecordingIrq();
      const errors: string[] = [];
      const dev = new VirtioMmio(irq, ram, new UpcaseDevice(), { ...VIRT.virtio, legacy: true, onError: (m) => errors.push(m), onDeviceError: (m) => errors.push(m) });
      return { dev, ram, irq, errors, reg: (o) => Number(dev.read(o, 4)), set: (o, v) => dev.write(o, 4, BigInt(v)) };
    }
    const PFN_BASE = RAM_BASE + 0x8000;

    /** xv6's legacy setup with QueueAlign 64: returns where the rings are. */
    function legacyQueue(set: (o: number, v: number) => void, num: number, align: number, features = 0n): { avail: number; used: number } {
      set(Reg.Status, 0);
      set(Reg.Status, STATUS_ACK | STATUS_DRIVER);
      set(Reg.DriverFeatures, Number(features));
      set(Reg.GuestPageSize, 4096);
      set(Reg.QueueSel, 0);
      set(Reg.QueueNum, num);
      set(Reg.QueueAlign, align);
      set(Reg.QueuePfn, PFN_BASE / 4096);
      set(Reg.Status, LIVE);
      const avail = PFN_BASE + 16 * num;
      return { avail, used: Math.ceil((avail + 4 + 2 * num) / align) * align };
    }

    it('is version 1 and offers word 0 only, with NOTIFY_ON_EMPTY and without VERSION_1 (QEMU)', () => {
      const { reg, set } = legacySetup();
      expect(reg(Reg.Version)).to.equal(1);
      expect(reg(Reg.DeviceFeatures)).to.equal(Number(featureBit(3) | featureBit(24) | INDIRECT | EVENT_IDX));
      set(Reg.DeviceFeaturesSel, 1);
      expect(reg(Reg.DeviceFeatures)).to.equal(0);
      const empty = new VirtioMmio(new RecordingIrq(), new TestRam(), null, { ...VIRT.virtio, legacy: true });
      expect(Number(empty.read(Reg.Version, 4))).to.equal(1);
    });

    it('applies GuestFeatures at once, refuses the high word and complains about modern registers (QEMU texts)', () => {
      const { dev, reg, set, errors } = legacySetup();
      set(Reg.DriverFeatures, Number(EVENT_IDX | featureBit(3) | featureBit(5)));
      expect(dev.negotiatedFeatures).to.equal(EVENT_IDX | featureBit(3));
      set(Reg.DriverFeaturesSel, 1);
      set(Reg.DriverFeatures, 1);
      expect(reg(Reg.QueueReady)).to.equal(0);
      set(Reg.QueueReady, 1);
      set(Reg.QueueDescLow, 0);
      expect(reg(Reg.ConfigGeneration)).to.equal(0);
      expect(reg(Reg.QueueDescLow)).to.equal(0);
      expect(errors).to.deep.equal([
        'virtio_mmio_write: attempt to write guest features with guest_features_sel > 0 in legacy mode',
        'virtio_mmio_read: read from non-legacy register (0x44) in legacy mode',
        'virtio_mmio_write: write to non-legacy register (0x44) in legacy mode',
        'virtio_mmio_write: write to non-legacy register (0x80) in legacy mode',
        'virtio_mmio_read: read from non-legacy register (0xfc) in legacy mode',
        'virtio_mmio_read: read of write-only register (0x80)',
      ]);
      expect(dev.negotiatedFeatures).to.equal(EVENT_IDX | featureBit(3));
    });

    it('lays the queue out from QueuePFN with QueueAlign and answers there', () => {
      const { ram, reg, set, irq } = legacySetup();
      const { avail, used } = legacyQueue(set, 8, 64);
      expect(used).to.equal(PFN_BASE + 192);
      expect(reg(Reg.QueuePfn)).to.equal(PFN_BASE / 4096);
      ram.setU64(PFN_BASE, RAM_BASE + 0x20000);
      ram.write(RAM_BASE + 0x20000, text('abc'));
      ram.setU32(PFN_BASE + 8, 3);
      ram.setU16(PFN_BASE + 12, 1);
      ram.setU16(PFN_BASE + 14, 1);
      ram.setU64(PFN_BASE + 16, RAM_BASE + 0x21000);
      ram.setU32(PFN_BASE + 24, 3);
      ram.setU16(PFN_BASE + 28, 2);
      ram.setU16(avail + 4, 0);
      ram.setU16(avail + 2, 1);
      set(Reg.QueueNotify, 0);
      expect(ram.u16(used + 2)).to.equal(1);
      expect([ram.u32(used + 4), ram.u32(used + 8)]).to.deep.equal([0, 3]);
      expect(ram.read(RAM_BASE + 0x21000, 3)).to.deep.equal(text('ABC'));
      expect(reg(Reg.InterruptStatus)).to.equal(1);
      expect(irq.level).to.equal(true);
    });

    it('interrupts when the ring runs empty with NOTIFY_ON_EMPTY even if the driver asked not to (QEMU)', () => {
      const { ram, reg, set } = legacySetup();
      const { avail } = legacyQueue(set, 8, 4096, featureBit(24));
      ram.setU64(PFN_BASE, RAM_BASE + 0x21000);
      ram.setU32(PFN_BASE + 8, 1);
      ram.setU16(PFN_BASE + 12, 2);
      ram.setU16(avail, 1); // VRING_AVAIL_F_NO_INTERRUPT
      ram.setU16(avail + 2, 1);
      set(Reg.QueueNotify, 0);
      expect(reg(Reg.InterruptStatus)).to.equal(1);
    });

    it('resets the device on QueuePFN = 0 and keeps QueueAlign and the page size (QEMU)', () => {
      const { reg, set } = legacySetup();
      legacyQueue(set, 8, 64);
      set(Reg.QueuePfn, 0);
      expect([reg(Reg.Status), reg(Reg.QueuePfn)]).to.deep.equal([0, 0]);
      set(Reg.QueuePfn, PFN_BASE / 4096);
      expect(reg(Reg.QueuePfn)).to.equal(PFN_BASE / 4096);
    });
  });
});
