/**
 * src/hw/pci-host-gpex.ts and src/hw/pci.ts below what a guest sees end to end
 * (tests/guest/src/pci_virtio.c compares that with QEMU 7.2): the INTx swizzle of every slot and pin
 * (QEMU's pci_swizzle_map_irq_fn, the DTB's interrupt-map), lines shared by several functions,
 * INTX_DISABLE, BAR sizing/decoding in each window, and the ECAM's all-ones for what is absent.
 */
import { expect } from 'chai';
import { GpexHost } from '../../src/hw/pci-host-gpex.js';
import { PciFunction, type PciDevice } from '../../src/hw/pci.js';
import type { AccessSize } from '../../src/hw/device.js';
import { RecordingIrq } from './irq-recorder.js';

const WINDOWS = {
  ecam: { base: 0x30000000, size: 0x10000000 },
  mmio: { base: 0x40000000, size: 0x40000000 },
  mmioHigh: { base: 0x4_0000_0000, size: 0x4_0000_0000 },
  pio: { base: 0x3000000, size: 0x10000 },
};

function fakeDevice(pin: number, reads: string[] = []): PciDevice {
  const reg = (name: string) => ({
    read: (o: number, s: AccessSize): bigint => { reads.push(`${name}+${o}/${s}`); return 0x1234n; },
    write: (): void => {},
  });
  const fn = new PciFunction(
    { vendorId: 0x1af4, deviceId: 0x1234, revision: 0, classCode: 0xff0000, subsystemVendorId: 0, subsystemId: 0, interruptPin: pin },
    [{ index: 0, kind: 'io', size: 0x20, ...reg('io') }, { index: 1, kind: 'mem32', size: 0x1000, ...reg('mem32') }, { index: 2, kind: 'mem64', size: 0x4000, ...reg('mem64') }],
  );
  return { typeName: 'fake', id: '', fn };
}

function host(): { gpex: GpexHost; irqs: RecordingIrq[]; cfg: (slot: number, off: number, size?: AccessSize) => bigint; setCfg: (slot: number, off: number, v: number, size?: AccessSize) => void } {
  const irqs = [0, 1, 2, 3].map(() => new RecordingIrq());
  const gpex = new GpexHost(irqs, WINDOWS);
  const ecam = gpex.devices[0];
  return {
    gpex,
    irqs,
    cfg: (slot, off, size = 4) => ecam.read((slot << 15) + off, size),
    setCfg: (slot, off, v, size = 4) => ecam.write((slot << 15) + off, size, BigInt(v)),
  };
}

describe('hw/pci-host-gpex', () => {
  it('routes pin P of slot S to gpex line (P - 1 + S) % 4, for every slot and pin', () => {
    for (let slot = 1; slot < 32; slot++) {
      for (let pin = 1; pin <= 4; pin++) {
        const { gpex, irqs } = host();
        const dev = fakeDevice(pin);
        gpex.plug(slot, dev);
        dev.fn.setIntx(true);
        expect(irqs.map((l) => l.level), `slot ${slot} pin ${pin}`).to.deep.equal([0, 1, 2, 3].map((i) => i === (pin - 1 + slot) % 4));
      }
    }
  });

  it('keeps a shared line up while any function asserts it; INTX_DISABLE masks a function but not its status bit', () => {
    const { gpex, irqs, cfg, setCfg } = host();
    const a = fakeDevice(1);
    const b = fakeDevice(1);
    gpex.plug(1, a);
    gpex.plug(5, b); // (0 + 5) % 4 = 1, like slot 1
    a.fn.setIntx(true);
    b.fn.setIntx(true);
    a.fn.setIntx(false);
    expect(irqs[1].level).to.equal(true);
    setCfg(5, 4, 0x400, 2);
    expect(irqs[1].level).to.equal(false);
    expect(Number(cfg(5, 6, 2)) & 0x8).to.equal(0x8);
    setCfg(5, 4, 0, 2);
    expect(irqs[1].level).to.equal(true);
  });

  it('sizes and decodes BARs in the windows; all-ones where nothing decodes', () => {
    const reads: string[] = [];
    const { gpex, cfg, setCfg } = host();
    gpex.plug(2, fakeDevice(1, reads));
    const [, mmio, high, pio] = gpex.devices;
    setCfg(2, 0x10, 0xffffffff);
    setCfg(2, 0x14, 0xffffffff);
    setCfg(2, 0x18, 0xffffffff);
    setCfg(2, 0x1c, 0xffffffff);
    expect([cfg(2, 0x10), cfg(2, 0x14), cfg(2, 0x18), cfg(2, 0x1c)]).to.deep.equal([0xffffffe1n, 0xfffff000n, 0xffffc004n, 0xffffffffn]);
    setCfg(2, 0x10, 0x1000);
    setCfg(2, 0x14, 0x40002000);
    setCfg(2, 0x18, 0);
    setCfg(2, 0x1c, 4); // 64-bit BAR at 0x4_0000_0000
    expect(mmio.read(0x2000, 4)).to.equal(0xffffffffn); // memory decoding still off
    setCfg(2, 4, 0x3, 2);
    expect(mmio.read(0x2004, 4)).to.equal(0x1234n);
    expect(high.read(0x8, 2)).to.equal(0x1234n);
    expect(pio.read(0x1004, 1)).to.equal(0x34n);
    expect(mmio.read(0x3000, 8)).to.equal(0xffffffffffffffffn);
    expect(reads).to.deep.equal(['mem32+4/4', 'mem64+8/2', 'io+4/1']);
  });

  it('reads all-ones for absent functions, buses and extended space, in 4-byte pieces', () => {
    const { gpex, cfg } = host();
    gpex.plug(1, fakeDevice(1));
    expect(cfg(0, 0)).to.equal(0x00081b36n);
    expect(cfg(0, 0, 8)).to.equal(0x00081b36n);
    expect(cfg(3, 0)).to.equal(0xffffffffn);
    expect(cfg(1, 0x1000)).to.equal(0xffffffffn); // function 1
    expect(cfg(1, 0x100)).to.equal(0xffffffffn);
    expect(gpex.devices[0].read(1 << 20, 2)).to.equal(0xffffn); // bus 1
  });

  it('refuses a second device in a slot', () => {
    const { gpex } = host();
    gpex.plug(4, fakeDevice(1));
    expect(() => gpex.plug(4, fakeDevice(1))).to.throw(RangeError);
    expect(gpex.freeSlot()).to.equal(1);
  });
});
