/**
 * virtio-net on a virtio-mmio transport (`-device virtio-net-device`), without a guest: the
 * transport hands the device its queue access, so a frame from the netdev lands in a posted receive
 * buffer (with the 12-byte header and num_buffers) and raises the interrupt, and a kick of the
 * receive queue delivers what waited for buffers; a transmitted chain reaches the netdev without its
 * header; the command line places it on the highest free transport and numbers default MACs across
 * PCI and mmio NICs in creation order. (Linux on it beside QEMU: tests/linux/linux-net.oracle.spec.ts.)
 */
import { expect } from 'chai';
import { VirtioMmio, VirtioMmioReg as Reg } from '../../src/hw/virtio-mmio.js';
import { VirtioNet } from '../../src/hw/virtio-net.js';
import type { NetBackend } from '../../src/hw/net-client.js';
import { VIRT } from '../../src/machine/virt-map.js';
import { parseCommandLine } from '../../src/cli/options.js';
import { prepareBoot } from '../../src/machine/boot.js';
import { RecordingIrq } from './irq-recorder.js';
import { RAM_BASE, STATUS_ACK, STATUS_DRIVER, STATUS_DRIVER_OK, STATUS_FEATURES_OK, TestDriver, TestRam } from './virtio-driver.js';

const MAC = Uint8Array.of(0x52, 0x54, 0x00, 0x12, 0x34, 0x56);
const VERSION_1 = 1n << 32n;
const MRG_RXBUF = 1n << 15n;

class LoopBackend implements NetBackend {
  readonly id = 'loop';
  sent: Uint8Array[] = [];
  deliver: (f: Uint8Array) => void = () => undefined;
  send(frame: Uint8Array): void { this.sent.push(frame); }
  attach(deliver: (f: Uint8Array) => void): void { this.deliver = deliver; }
  close(): void { /* nothing open */ }
}

/** A second queue's rings elsewhere in RAM (TestDriver drives one queue). */
class TxDriver extends TestDriver {
  override readonly desc = RAM_BASE + 0x20000;
  override readonly avail = RAM_BASE + 0x23000;
  override readonly used = RAM_BASE + 0x25000;
}

function setup(): { rx: TestDriver; tx: TxDriver; irq: RecordingIrq; backend: LoopBackend; ram: TestRam; dev: VirtioMmio } {
  const ram = new TestRam();
  const irq = new RecordingIrq();
  const backend = new LoopBackend();
  const dev = new VirtioMmio(irq, ram, new VirtioNet({ mac: MAC, backend }), { ...VIRT.virtio, legacy: false });
  return { rx: new TestDriver(dev, ram), tx: new TxDriver(dev, ram), irq, backend, ram, dev };
}

describe('hw/virtio-net on virtio-mmio', function () {
  it('delivers a netdev frame into a posted receive buffer and raises the interrupt; a frame without buffers waits for a kick', function () {
    const { rx, tx, irq, backend, ram } = setup();
    expect(rx.reg(Reg.DeviceId)).to.equal(1);
    rx.negotiate(VERSION_1 | MRG_RXBUF);
    rx.setupQueue(0);
    tx.setupQueue(1);
    rx.setReg(Reg.Status, STATUS_ACK | STATUS_DRIVER | STATUS_FEATURES_OK | STATUS_DRIVER_OK);
    const frame = Uint8Array.from({ length: 60 }, (_, i) => i);
    backend.deliver(frame); // no buffer yet: held
    expect(rx.usedIdx()).to.equal(0);
    const buf = rx.alloc(1526);
    rx.add([{ addr: buf, len: 1526, write: true }]);
    rx.notify(0);
    expect(rx.usedIdx()).to.equal(1);
    expect(rx.usedElem(0).len).to.equal(12 + 60);
    expect(ram.u16(buf + 10)).to.equal(1); // num_buffers
    expect(Array.from(ram.read(buf + 12, 60))).to.deep.equal(Array.from(frame));
    expect(irq.level).to.equal(true);
    rx.reg(Reg.InterruptStatus);
    rx.setReg(Reg.InterruptAck, 1);
    const out = rx.alloc(12 + 42, Uint8Array.from({ length: 54 }, (_, i) => (i < 12 ? 0 : i)));
    tx.add([{ addr: out, len: 54, write: false }]);
    tx.notify(1);
    expect(backend.sent.map((f) => f.length)).to.deep.equal([42]);
    expect(backend.sent[0]?.[0]).to.equal(12);
    expect(tx.usedIdx()).to.equal(1);
  });

  it('is placed by the command line on virtio-mmio-bus.7 and numbers default MACs across PCI and mmio', function () {
    const r = parseCommandLine(['-M', 'virt', '-bios', 'none', '-kernel', 'tests/guest/bin/rv64i.elf', '-netdev', 'user,id=a', '-netdev', 'user,id=b',
      '-device', 'virtio-net-pci,netdev=a', '-device', 'virtio-net-device,netdev=b']);
    if (r.action !== 'run') throw new Error('expected a run');
    const placed = r.options.devices.flatMap((d) => (d.driver === 'virtio-net-device' ? [d.bus] : []));
    expect(placed).to.deep.equal([7]);
    const boot = prepareBoot(r.options);
    const mmio = boot.config.virtio[7] as VirtioNet | null;
    const pci = boot.config.pci?.[0]?.device as VirtioNet | undefined;
    expect(Array.from(pci?.config().subarray(0, 6) ?? [])).to.deep.equal([0x52, 0x54, 0, 0x12, 0x34, 0x56]);
    expect(Array.from(mmio?.config().subarray(0, 6) ?? [])).to.deep.equal([0x52, 0x54, 0, 0x12, 0x34, 0x57]);
    for (const d of [mmio, pci]) (d as unknown as { options: { backend?: NetBackend } } | null)?.options.backend?.close();
  });
});
