/**
 * virtio-net and the -netdev backends without a guest: VirtioNet's receive path (mergeable
 * buffers, waiting for buffers, the receive filter after RX_PROMISC off, the control queue's
 * acks), -netdev socket's stream framing against a real TCP peer in both directions (connect= and
 * listen=), and -netdev user's slirp subset (ARP, ICMP echo, UDP to a host echo server).
 */
import { expect } from 'chai';
import { createConnection, createServer, type AddressInfo, type Socket } from 'node:net';
import { createSocket } from 'node:dgram';
import { GuestDma } from '../../src/hw/guest-dma.js';
import type { DescriptorChain, VirtioQueueAccess } from '../../src/hw/virtio.js';
import { VirtioNet } from '../../src/hw/virtio-net.js';
import type { NetBackend } from '../../src/hw/net-client.js';
import { defaultMac, formatMac, parseMac } from '../../src/hw/net-client.js';
import { FrameReader, frameForStream, SocketNetdev } from '../../src/hw/net-socket.js';
import { inetChecksum, UserNetdev } from '../../src/hw/net-user.js';
import { RAM_BASE, TestRam } from './virtio-driver.js';

const MAC = Uint8Array.of(0x52, 0x54, 0x00, 0x12, 0x34, 0x56);
const VERSION_1 = 1n << 32n;
const MRG_RXBUF = 1n << 15n;

/** Receive buffers the test posts, as chains of one writable segment each. */
class FakeQueues implements VirtioQueueAccess {
  readonly ram = new TestRam();
  readonly dma = new GuestDma(this.ram);
  available: DescriptorChain[] = [];
  popped: DescriptorChain[] = [];
  used: { chain: DescriptorChain; written: number }[] = [];
  notified = 0;
  ready(): boolean { return true; }
  pop(): DescriptorChain | undefined {
    const c = this.available.shift();
    if (c) this.popped.push(c);
    return c;
  }
  unpop(_q: number, count: number): void {
    this.available.unshift(...this.popped.splice(this.popped.length - count, count));
  }
  push(_q: number, chain: DescriptorChain, written: number): void { this.used.push({ chain, written }); }
  notify(): void { this.notified++; }
  setNotification(): void { /* the fake driver always notifies */ }
  fail(err: unknown): void { throw err; }
  post(count: number, len: number): void {
    for (let i = 0; i < count; i++) {
      const addr = RAM_BASE + 0x1000 * (this.available.length + this.used.length + 1);
      this.available.push({ head: this.available.length, readable: [], writable: [{ addr, len }] });
    }
  }
}

/** A backend the test drives by hand. */
class LoopBackend implements NetBackend {
  readonly id = 'loop';
  sent: Uint8Array[] = [];
  deliver: (f: Uint8Array) => void = () => undefined;
  send(frame: Uint8Array): void { this.sent.push(frame); }
  attach(deliver: (f: Uint8Array) => void): void { this.deliver = deliver; }
  close(): void { /* nothing open */ }
}

function frameTo(dest: Uint8Array, len: number): Uint8Array {
  const f = new Uint8Array(len);
  f.set(dest, 0);
  for (let i = 6; i < len; i++) f[i] = i & 0xff;
  return f;
}

function setup(features: bigint): { net: VirtioNet; q: FakeQueues; backend: LoopBackend } {
  const backend = new LoopBackend();
  const net = new VirtioNet({ mac: MAC, backend });
  const q = new FakeQueues();
  net.attach(q);
  net.featuresNegotiated(features);
  return { net, q, backend };
}

/** A control-queue command in guest RAM; returns the ack byte. */
function control(net: VirtioNet, q: FakeQueues, bytes: number[]): number {
  const cmd = RAM_BASE + 0x80000;
  q.ram.write(cmd, Uint8Array.from(bytes));
  const chain = { head: 0, readable: [{ addr: cmd, len: bytes.length }], writable: [{ addr: cmd + 0x100, len: 1 }] };
  expect(net.handleChain(2, chain, q.dma)).to.equal(1);
  return q.ram.read(cmd + 0x100, 1)[0] ?? -1;
}

describe('hw/virtio-net: the device', function () {
  it('offers QEMU 7.2\'s features (GSO only on the legacy interface), 3 queues of 256/256/64, MAC and link up', function () {
    const net = new VirtioNet({ mac: MAC, backend: undefined });
    expect(net.deviceFeatures.toString(16)).to.equal('bf8024');
    expect(net.legacyFeatures.toString(16)).to.equal('40');
    expect(net.queueSizes).to.deep.equal([256, 256, 64]);
    expect(Array.from(net.config())).to.deep.equal([0x52, 0x54, 0, 0x12, 0x34, 0x56, 1, 0]);
  });

  it('spreads a frame over mergeable buffers and says how many in num_buffers', function () {
    const { q, backend } = setup(VERSION_1 | MRG_RXBUF);
    q.post(3, 1000);
    backend.deliver(frameTo(MAC, 1500));
    expect(q.used.map((u) => u.written)).to.deep.equal([1000, 512]);
    const first = q.ram.read(q.used[0]?.chain.writable[0]?.addr ?? 0, 12);
    expect(first[10] | (first[11] << 8)).to.equal(2);
    expect(q.notified).to.equal(1);
  });

  it('keeps a frame until there are buffers for all of it (the popped ones are given back)', function () {
    const { net, q, backend } = setup(VERSION_1 | MRG_RXBUF);
    q.post(1, 1000);
    backend.deliver(frameTo(MAC, 1500));
    expect(q.used).to.have.length(0);
    expect(q.available).to.have.length(1);
    q.post(1, 1000);
    expect(net.queueNotified(0)).to.equal(true);
    expect(q.used.map((u) => u.written)).to.deep.equal([1000, 512]);
  });

  it('filters unicast to other MACs once the driver turns promiscuous mode off; broadcast still passes', function () {
    const { net, q, backend } = setup(VERSION_1 | MRG_RXBUF);
    q.post(4, 2048);
    const other = Uint8Array.of(0x52, 0x54, 0, 0, 0, 1);
    backend.deliver(frameTo(other, 60));
    expect(q.used).to.have.length(1);
    expect(control(net, q, [0, 0, 0])).to.equal(0); // RX_PROMISC off: VIRTIO_NET_OK
    backend.deliver(frameTo(other, 60));
    expect(q.used).to.have.length(1);
    backend.deliver(frameTo(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff), 60));
    backend.deliver(frameTo(MAC, 60));
    expect(q.used).to.have.length(3);
    expect(control(net, q, [0x7f, 0])).to.equal(1); // an unknown class: VIRTIO_NET_ERR
  });

  it('sends what the driver transmits without the 12-byte header', function () {
    const { net, q, backend } = setup(VERSION_1);
    const at = RAM_BASE + 0x40000;
    q.ram.write(at, new Uint8Array(12));
    q.ram.write(at + 12, frameTo(MAC, 42));
    expect(net.handleChain(1, { head: 0, readable: [{ addr: at, len: 54 }], writable: [] }, q.dma)).to.equal(0);
    expect(backend.sent).to.have.length(1);
    expect(Array.from(backend.sent[0] ?? [])).to.deep.equal(Array.from(frameTo(MAC, 42)));
  });

  it('gives the n-th NIC without mac= QEMU\'s default address and parses mac=', function () {
    expect(formatMac(defaultMac(0))).to.equal('52:54:00:12:34:56');
    expect(formatMac(defaultMac(2))).to.equal('52:54:00:12:34:58');
    expect(formatMac(parseMac('02-00-00-aa-bb-cc') ?? new Uint8Array())).to.equal('02:00:00:aa:bb:cc');
    expect(parseMac('02:00:00:aa:bb')).to.equal(undefined);
  });
});

function nextFrame(backend: NetBackend): Promise<Uint8Array> {
  return new Promise((resolve) => backend.attach(resolve));
}

describe('hw/net-socket: -netdev socket', function () {
  it('splits a byte stream into frames at the 4-byte big-endian lengths, across chunks', function () {
    const got: number[] = [];
    const reader = new FrameReader((f) => got.push(f.length));
    const stream = Buffer.concat([frameForStream(new Uint8Array(60)), frameForStream(new Uint8Array(1514))]);
    reader.push(stream.subarray(0, 3));
    reader.push(stream.subarray(3, 70));
    reader.push(stream.subarray(70));
    expect(got).to.deep.equal([60, 1514]);
  });

  it('connect=: frames reach a TCP peer with their lengths, and the peer\'s frames come back', async function () {
    let peer: Socket | undefined;
    const received: Buffer[] = [];
    const server = createServer((s) => { peer = s; s.on('data', (d: Buffer) => received.push(d)); });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const netdev = new SocketNetdev('n0', { kind: 'connect', to: { host: '127.0.0.1', port: (server.address() as AddressInfo).port } });
    try {
      while (!peer) await new Promise((r) => setTimeout(r, 10));
      const incoming = nextFrame(netdev);
      peer.write(frameForStream(Uint8Array.of(1, 2, 3)));
      expect(Array.from(await incoming)).to.deep.equal([1, 2, 3]);
      netdev.send(Uint8Array.of(9, 8, 7, 6));
      while (Buffer.concat(received).length < 8) await new Promise((r) => setTimeout(r, 10));
      expect(Array.from(Buffer.concat(received))).to.deep.equal([0, 0, 0, 4, 9, 8, 7, 6]);
    } finally {
      netdev.close();
      peer?.destroy();
      server.close();
    }
  });

  it('listen=: a client that connects exchanges frames', async function () {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const netdev = new SocketNetdev('n0', { kind: 'listen', at: { host: '127.0.0.1', port } });
    const client = createConnection({ host: '127.0.0.1', port });
    try {
      await new Promise<void>((r, j) => { client.on('connect', () => r()); client.on('error', j); });
      const incoming = nextFrame(netdev);
      client.write(frameForStream(Uint8Array.of(5, 5)));
      expect(Array.from(await incoming)).to.deep.equal([5, 5]);
    } finally {
      client.destroy();
      netdev.close();
    }
  });
});

function arpRequest(target: number[]): Uint8Array {
  return Uint8Array.from([...Array(6).fill(0xff), ...MAC, 8, 6, 0, 1, 8, 0, 6, 4, 0, 1, ...MAC, 10, 0, 2, 15, 0, 0, 0, 0, 0, 0, ...target]);
}

function udpFrame(dstPort: number, payload: string): Uint8Array {
  const data = Buffer.from(payload);
  const udp = Buffer.alloc(8 + data.length);
  udp.writeUInt16BE(40000, 0);
  udp.writeUInt16BE(dstPort, 2);
  udp.writeUInt16BE(udp.length, 4);
  data.copy(udp, 8);
  const ip = Buffer.from([0x45, 0, 0, 0, 0, 0, 0x40, 0, 64, 17, 0, 0, 10, 0, 2, 15, 10, 0, 2, 2]);
  ip.writeUInt16BE(20 + udp.length, 2);
  ip.writeUInt16BE(inetChecksum(ip), 10);
  return Uint8Array.from([0x52, 0x55, 10, 0, 2, 2, ...MAC, 8, 0, ...ip, ...udp]);
}

describe('hw/net-user: -netdev user (slirp subset)', function () {
  it('answers ARP for 10.0.2.2 from 52:55:0a:00:02:02 in a 64-byte frame', function () {
    const user = new UserNetdev('n0');
    const replies: Uint8Array[] = [];
    user.attach((f) => replies.push(f));
    user.send(arpRequest([10, 0, 2, 2]));
    user.send(arpRequest([10, 0, 2, 99]));
    expect(replies).to.have.length(1);
    const r = replies[0] ?? new Uint8Array();
    expect(r.length).to.equal(64);
    expect(formatMac(r.subarray(6, 12))).to.equal('52:55:0a:00:02:02');
    expect(formatMac(r.subarray(22, 28))).to.equal('52:55:0a:00:02:02');
    expect(Array.from(r.subarray(28, 32))).to.deep.equal([10, 0, 2, 2]);
    expect(Array.from(r.subarray(32, 42))).to.deep.equal([...MAC, 10, 0, 2, 15]);
  });

  it('carries a guest datagram to 10.0.2.2:PORT to 127.0.0.1:PORT and the answer back from 10.0.2.2', async function () {
    const echo = createSocket('udp4');
    echo.on('message', (m, from) => echo.send(Buffer.concat([Buffer.from('echo: '), m]), from.port, from.address));
    await new Promise<void>((r) => echo.bind(0, '127.0.0.1', () => r()));
    const user = new UserNetdev('n0');
    try {
      const reply = nextFrame(user);
      user.send(udpFrame((echo.address() as AddressInfo).port, 'hi'));
      const f = Buffer.from(await reply);
      const ip = f.subarray(14);
      expect(Array.from(ip.subarray(12, 20))).to.deep.equal([10, 0, 2, 2, 10, 0, 2, 15]);
      expect(inetChecksum(ip.subarray(0, 20))).to.equal(0);
      const udp = ip.subarray(20);
      expect(udp.readUInt16BE(0)).to.equal((echo.address() as AddressInfo).port);
      expect(udp.readUInt16BE(2)).to.equal(40000);
      expect(udp.subarray(8).toString()).to.equal('echo: hi');
    } finally {
      user.close();
      echo.close();
    }
  });
});
