/**
 * virtio-serial's device side without a guest (not yet on the command line): QEMU 7.2's features,
 * queues and configuration, the multiport control protocol a Linux driver runs (DEVICE_READY,
 * DEVICE_ADD, PORT_READY, CONSOLE_PORT, PORT_OPEN), text in both directions on a console port.
 */
import { expect } from 'chai';
import { GuestDma } from '../../src/hw/guest-dma.js';
import type { DescriptorChain, VirtioQueueAccess } from '../../src/hw/virtio.js';
import { CONSOLE_EVENT, type SerialPortBackend, VirtioSerial } from '../../src/hw/virtio-serial.js';
import { RAM_BASE, TestRam } from './virtio-driver.js';
import { openChardev } from '../../src/hw/char-backend.js';
import { Rng } from '../fuzz/rng.js';
import { createConnection, type AddressInfo, type Server } from 'node:net';

/** Per-queue receive buffers the test posts; what the device pushed, per queue. */
class Queues implements VirtioQueueAccess {
  readonly ram = new TestRam(32 << 20);
  readonly dma = new GuestDma(this.ram);
  private next = RAM_BASE + 0x1000;
  readonly available = new Map<number, DescriptorChain[]>();
  readonly used = new Map<number, Uint8Array[]>();
  ready(): boolean { return true; }
  pop(q: number): DescriptorChain | undefined { return this.available.get(q)?.shift(); }
  unpop(): void { throw new Error('not used by virtio-serial'); }
  push(q: number, chain: DescriptorChain, written: number): void {
    const seg = chain.writable[0];
    const list = this.used.get(q) ?? [];
    list.push(seg ? this.ram.read(seg.addr, written) : new Uint8Array());
    this.used.set(q, list);
  }
  notify(): void { /* interrupts are the transport's */ }
  setNotification(): void { /* always notified */ }
  fail(err: unknown): void { throw err; }
  post(q: number, count: number, len = 256): void {
    const list = this.available.get(q) ?? [];
    for (let i = 0; i < count; i++) {
      list.push({ head: i, readable: [], writable: [{ addr: this.next, len }] });
      this.next += 0x1000;
    }
    this.available.set(q, list);
  }
  /** A buffer the guest sends on queue q. */
  send(serial: VirtioSerial, q: number, bytes: Uint8Array): void {
    const at = this.next;
    this.next += 0x1000;
    this.ram.write(at, bytes);
    serial.handleChain(q, { head: 0, readable: [{ addr: at, len: bytes.length }], writable: [] }, this.dma);
  }
}

function control(id: number, event: number, value: number): Uint8Array {
  const m = new Uint8Array(8);
  const v = new DataView(m.buffer);
  v.setUint32(0, id, true);
  v.setUint16(4, event, true);
  v.setUint16(6, value, true);
  return m;
}

function events(msgs: readonly Uint8Array[]): string[] {
  return msgs.map((m) => {
    const v = new DataView(m.buffer, m.byteOffset, m.byteLength);
    return `${v.getUint32(0, true)}:${v.getUint16(4, true)}:${v.getUint16(6, true)}`;
  });
}

describe('hw/virtio-serial: the device (multiport, a console port)', function () {
  it('offers MULTIPORT and EMERG_WRITE, 64 queues (control ones of 32), max_nr_ports 31, the transport default of 2 vectors (as QEMU 7.2)', function () {
    const s = new VirtioSerial([]);
    expect(s.deviceFeatures.toString(16)).to.equal('6');
    expect(s.numQueues).to.equal(64);
    expect(s.queueSizes.slice(0, 5)).to.deep.equal([128, 128, 32, 32, 128]);
    expect(Array.from(s.config())).to.deep.equal([0, 0, 0, 0, 31, 0, 0, 0, 0, 0, 0, 0]);
    expect((s as { msixVectors?: number }).msixVectors).to.equal(undefined);
  });

  it('adds the console port, announces it as a console and open, and carries text both ways', function () {
    const written: string[] = [];
    let hostInput: (b: Uint8Array) => void = () => undefined;
    const backend: SerialPortBackend = { write: (b) => written.push(new TextDecoder().decode(b)), attach: (d) => { hostInput = d; } };
    const s = new VirtioSerial([{ nr: 0, console: true, backend }]);
    const q = new Queues();
    s.attach(q);
    q.post(2, 8);
    q.post(0, 2);
    s.driverOk();
    q.send(s, 3, control(0, CONSOLE_EVENT.DEVICE_READY, 1));
    expect(events(q.used.get(2) ?? [])).to.deep.equal(['0:1:1']); // DEVICE_ADD port 0
    q.send(s, 3, control(0, CONSOLE_EVENT.PORT_READY, 1));
    expect(events(q.used.get(2) ?? [])).to.deep.equal(['0:1:1', '0:4:1', '0:6:1']); // CONSOLE_PORT, PORT_OPEN
    q.send(s, 1, new TextEncoder().encode('hello host\n'));
    expect(written).to.deep.equal(['hello host\n']);
    hostInput(new TextEncoder().encode('hello guest\n'));
    expect((q.used.get(0) ?? []).map((b) => new TextDecoder().decode(b))).to.deep.equal(['hello guest\n']);
  });

  it('keeps host input for a port until the driver posts buffers', function () {
    let hostInput: (b: Uint8Array) => void = () => undefined;
    const s = new VirtioSerial([{ nr: 0, console: true, backend: { write: () => undefined, attach: (d) => { hostInput = d; } } }]);
    const q = new Queues();
    s.attach(q);
    hostInput(Uint8Array.of(65, 66));
    expect(q.used.get(0)).to.equal(undefined);
    q.post(0, 1);
    expect(s.queueNotified(0)).to.equal(true);
    expect(Array.from(q.used.get(0)?.[0] ?? [])).to.deep.equal([65, 66]);
  });

  it('a virtserialport on a socket server: PORT_OPEN only once a client connects, 0 when it leaves; the console open regardless', async function () {
    const chardev = openChardev({ kind: 'socket', address: { kind: 'tcp', host: '127.0.0.1', port: 0 }, server: true, wait: false }, '-chardev y');
    await chardev.ready;
    const s = new VirtioSerial([{ nr: 0, console: true, backend: openChardev({ kind: 'null' }, '-chardev n') }, { nr: 1, console: false, name: 'org.x', backend: chardev }]);
    const q = new Queues();
    s.attach(q);
    q.post(2, 16);
    s.driverOk();
    q.send(s, 3, control(0, CONSOLE_EVENT.DEVICE_READY, 1));
    q.send(s, 3, control(0, CONSOLE_EVENT.PORT_READY, 1));
    q.send(s, 3, control(1, CONSOLE_EVENT.PORT_READY, 1));
    // DEVICE_ADD 0 and 1; CONSOLE_PORT and PORT_OPEN for 0; PORT_NAME (no PORT_OPEN) for 1
    expect(events(q.used.get(2) ?? [])).to.deep.equal(['0:1:1', '1:1:1', '0:4:1', '0:6:1', '1:7:1']);
    const { port } = (chardev as unknown as { server: Server }).server.address() as AddressInfo;
    const client = createConnection({ host: '127.0.0.1', port });
    await until(() => (q.used.get(2) ?? []).length === 6);
    expect(events(q.used.get(2) ?? []).slice(5)).to.deep.equal(['1:6:1']);
    client.destroy();
    await until(() => (q.used.get(2) ?? []).length === 7);
    expect(events(q.used.get(2) ?? []).slice(6)).to.deep.equal(['1:6:0']);
    chardev.close();
  });
});

describe('hw/virtio-serial: whatever the driver puts on the control queue', function () {
  it('never throws, reports in one line, and only ever answers about ports it has (3000 random messages)', function () {
    const rng = new Rng(20);
    const reports: string[] = [];
    const s = new VirtioSerial([{ nr: 0, console: true, backend: { write: () => undefined, attach: () => undefined } },
      { nr: 3, console: false, name: 'org.x', backend: { write: () => undefined, attach: () => undefined } }], { busName: 'virtio-serial-bus.0', report: (m) => reports.push(m) });
    const q = new Queues();
    s.attach(q);
    q.post(2, 4000, 64);
    s.driverOk();
    for (let i = 0; i < 3000; i++) {
      const len = rng.pick([0, 1, 7, 8, 9, 40]);
      const m = rng.bytes(len);
      if (len >= 8 && rng.chance(0.7)) {
        const v = new DataView(m.buffer);
        v.setUint32(0, rng.pick([0, 1, 3, 31, 0xffffffff]), true);
        v.setUint16(4, rng.below(10), true);
        v.setUint16(6, rng.below(3), true);
      }
      q.send(s, 3, m);
      if (rng.chance(0.05)) s.reset();
    }
    expect(reports.every((r) => r.startsWith('virtio-serial-bus: ') && !r.includes('\n'))).to.equal(true);
    expect(reports.length).to.be.greaterThan(0);
    const ids = new Set(events(q.used.get(2) ?? []).map((e) => Number(e.split(':')[0])));
    expect([...ids].every((id) => id === 0 || id === 3)).to.equal(true);
  });
});

/** Resolves when `cond` holds, checked on every turn of the event loop. */
async function until(cond: () => boolean): Promise<void> {
  while (!cond()) await new Promise((r) => setImmediate(r));
}
