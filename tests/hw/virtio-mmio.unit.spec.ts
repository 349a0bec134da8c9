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
  const dev = new VirtioMmio(irq, ram, device, { ...VIRT.virtio, onError: (m) => errors.push(m) });
  return { dev, drv: new TestDriver(dev, ram, queueSize), ram, irq, device, errors };
}

function text(s: string): Uint8Array {
  return new TextEncoder().encode(s);
}

describe('hw/virtio-mmio', () => {
  describe('empty slot (no device)', () => {
    it('reads magic, version 2, vendor and zeros (QEMU)', () => {
      const dev = new VirtioMmio(new RecordingIrq(), new TestRam(), null, VIRT.virtio);
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
      const { drv } = setup();
      expect(drv.reg(Reg.MagicValue)).to.equal(0x74726976);
      expect(drv.reg(Reg.Version)).to.equal(2);
      expect(drv.reg(Reg.DeviceId)).to.equal(0x42);
      expect(drv.reg(Reg.VendorId)).to.equal(0x554d4551);
    });

    it('offers device features plus VERSION_1, INDIRECT_DESC and EVENT_IDX', () => {
      const { drv } = setup();
      expect(drv.deviceFeatures()).to.equal(featureBit(3) | VERSION_1 | INDIRECT | EVENT_IDX);
      drv.setReg(Reg.DeviceFeaturesSel, 2); // QEMU: any non-zero selector means the high word
      expect(drv.reg(Reg.DeviceFeatures)).to.equal(1);
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

    it('refuses FEATURES_OK without VERSION_1 or with features not offered (spec 3.1.1)', () => {
      const { drv } = setup();
      expect(drv.negotiate(featureBit(3))).to.equal(STATUS_ACK | STATUS_DRIVER);
      expect(drv.negotiate(VERSION_1 | featureBit(40))).to.equal(STATUS_ACK | STATUS_DRIVER);
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
      expect(errors[0]).to.match(/outside guest RAM/);
    });

    it('for rings outside guest RAM', () => {
      const { drv, irq, errors } = setup();
      drv.negotiate(VERSION_1);
      drv.setReg(Reg.QueueNum, 8);
      drv.setReg(Reg.QueueDriverLow, 0x1000); // avail ring below RAM
      drv.setReg(Reg.QueueReady, 1);
      drv.setReg(Reg.Status, LIVE);
      drv.notify();
      expectBroken(drv, irq, errors);
    });

    it('for a looped chain, a bad next index and a nested indirect table', () => {
      for (const build of [
        (d: TestDriver) => {
          d.rawDescriptor(0, RAM_BASE + 0x20000, 1, 1, 1);
          d.rawDescriptor(1, RAM_BASE + 0x20000, 1, 1, 0);
        },
        (d: TestDriver) => d.rawDescriptor(0, RAM_BASE + 0x20000, 1, 1, 9),
        (d: TestDriver) => {
          const table = RAM_BASE + 0x30000;
          d.ram.setU64(table, RAM_BASE + 0x31000);
          d.ram.setU32(table + 8, 16);
          d.ram.setU16(table + 12, 4); // indirect inside indirect
          d.rawDescriptor(0, table, 16, 4, 0);
        },
        (d: TestDriver) => {
          d.rawDescriptor(0, RAM_BASE + 0x20000, 1, 3, 1); // writable first...
          d.rawDescriptor(1, RAM_BASE + 0x20000, 1, 0, 0); // ...then readable
        },
      ]) {
        const { drv, irq, errors } = setup();
        drv.start(VERSION_1 | INDIRECT);
        build(drv);
        drv.offerHead(0);
        drv.notify();
        expectBroken(drv, irq, errors);
      }
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
});
