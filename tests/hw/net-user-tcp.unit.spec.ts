/**
 * -netdev user's TCP (src/hw/net-user-tcp.ts) with a guest played by this test in Ethernet frames
 * and real host sockets on 127.0.0.1: the handshake (SYN-ACK only once the host accepted, MSS 1460,
 * window 65535, valid checksums), data both ways within the guest's window and segmented at its MSS,
 * FIN both ways, RST|ACK for a refused port, RST for a segment of no connection, a host reset;
 * 2000 random segments without an exception (every answer with valid checksums).
 * (Linux on it beside QEMU's slirp: tests/linux/linux-net.oracle.spec.ts, scenario nettcp.)
 */
import { expect } from 'chai';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { inetChecksum, UserNetdev } from '../../src/hw/net-user.js';
import { buildTcp, parseTcp, type TcpSegment } from '../../src/hw/net-user-tcp.js';
import { Rng } from '../fuzz/rng.js';

const GUEST_MAC = [0x52, 0x54, 0, 0x12, 0x34, 0x56];
const GUEST_IP = Uint8Array.of(10, 0, 2, 15);
const GATEWAY_IP = Uint8Array.of(10, 0, 2, 2);
const SYN = 0x02;
const ACK = 0x10;
const FIN = 0x01;
const RST = 0x04;
const PSH = 0x08;

/** Resolves when `cond` holds, checked on every turn of the event loop. */
async function until(cond: () => boolean): Promise<void> {
  while (!cond()) await new Promise((r) => setImmediate(r));
}

/** The guest side: sends segments in frames, keeps what comes back (checksums verified). */
class Guest {
  readonly user = new UserNetdev('n0');
  readonly got: TcpSegment[] = [];
  constructor() {
    this.user.attach((frame) => {
      const ip = frame.subarray(14);
      expect(inetChecksum(ip.subarray(0, 20)), 'IP header checksum').to.equal(0);
      expect(ip[9]).to.equal(6);
      const total = (ip[2] << 8) | ip[3];
      const tcp = ip.subarray(20, total);
      const pseudo = new Uint8Array(12 + tcp.length);
      pseudo.set(ip.subarray(12, 20), 0);
      pseudo[9] = 6;
      pseudo[10] = tcp.length >> 8;
      pseudo[11] = tcp.length & 0xff;
      pseudo.set(tcp, 12);
      expect(inetChecksum(pseudo), 'TCP checksum').to.equal(0);
      const seg = parseTcp(tcp);
      if (seg) this.got.push(seg);
    });
  }

  send(f: { srcPort?: number; dstPort: number; seq: number; ack: number; flags: number; window?: number; mss?: number }, payload: Uint8Array = new Uint8Array(0)): void {
    const tcp = buildTcp(GUEST_IP, GATEWAY_IP, { srcPort: 40000, window: 65535, ...f }, payload);
    const ip = new Uint8Array(20);
    ip.set([0x45, 0, (20 + tcp.length) >> 8, (20 + tcp.length) & 0xff, 0, 0, 0x40, 0, 64, 6, 0, 0], 0);
    ip.set(GUEST_IP, 12);
    ip.set(GATEWAY_IP, 16);
    const sum = inetChecksum(ip);
    ip[10] = sum >> 8;
    ip[11] = sum & 0xff;
    this.user.send(Uint8Array.from([0x52, 0x55, 10, 0, 2, 2, ...GUEST_MAC, 8, 0, ...ip, ...tcp]));
  }

  async next(): Promise<TcpSegment> {
    await until(() => this.got.length > 0);
    const seg = this.got.shift();
    if (!seg) throw new Error('no segment');
    return seg;
  }
}

async function listen(onConnection: (s: Socket) => void): Promise<{ server: Server; port: number }> {
  const server = createServer(onConnection);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.address() as AddressInfo).port };
}

/** Handshake from the guest: returns the gateway's initial sequence number + 1 (the next it sends). */
async function handshake(g: Guest, port: number, window = 65535): Promise<number> {
  g.send({ dstPort: port, seq: 1000, ack: 0, flags: SYN, mss: 1460, window });
  const synAck = await g.next();
  expect(synAck.flags).to.equal(SYN | ACK);
  expect(synAck.ack).to.equal(1001);
  expect(synAck.mss).to.equal(1460);
  expect(synAck.window).to.equal(65535);
  expect([synAck.srcPort, synAck.dstPort]).to.deep.equal([port, 40000]);
  g.send({ dstPort: port, seq: 1001, ack: (synAck.seq + 1) >>> 0, flags: ACK, window });
  return (synAck.seq + 1) >>> 0;
}

describe('hw/net-user TCP: guest connections to the host loopback', function () {
  it('connects, carries data both ways, and closes with FIN both ways', async function () {
    let hostSide: Socket | undefined;
    const fromGuest: Buffer[] = [];
    let hostSawEnd = false;
    const { server, port } = await listen((s) => {
      hostSide = s;
      s.on('data', (d: Buffer) => fromGuest.push(d));
      s.on('end', () => { hostSawEnd = true; s.end(); });
    });
    const g = new Guest();
    try {
      const iss = await handshake(g, port);
      g.send({ dstPort: port, seq: 1001, ack: iss, flags: PSH | ACK }, new TextEncoder().encode('hello host'));
      const ack = await g.next();
      expect([ack.flags, ack.ack, ack.payload.length]).to.deep.equal([ACK, 1011, 0]);
      await until(() => Buffer.concat(fromGuest).toString() === 'hello host');
      await until(() => hostSide !== undefined);
      hostSide?.write('hello guest');
      const data = await g.next();
      expect(data.flags).to.equal(PSH | ACK);
      expect([data.seq, data.ack]).to.deep.equal([iss, 1011]);
      expect(Buffer.from(data.payload).toString()).to.equal('hello guest');
      g.send({ dstPort: port, seq: 1011, ack: (iss + 11) >>> 0, flags: FIN | ACK });
      const finAck = await g.next();
      expect([finAck.flags, finAck.ack]).to.deep.equal([ACK, 1012]);
      await until(() => hostSawEnd);
      const fin = await g.next(); // the host ended its side in answer
      expect([fin.flags, fin.seq]).to.deep.equal([FIN | ACK, (iss + 11) >>> 0]);
      g.send({ dstPort: port, seq: 1012, ack: (iss + 12) >>> 0, flags: ACK });
      // the connection is gone: a further segment gets a reset
      g.send({ dstPort: port, seq: 1012, ack: (iss + 12) >>> 0, flags: ACK }, Uint8Array.of(1));
      const rst = await g.next();
      expect([rst.flags, rst.seq]).to.deep.equal([RST, (iss + 12) >>> 0]);
    } finally {
      g.user.close();
      server.close();
    }
  });

  it('sends host data in MSS-sized segments, no more than the guest window, the rest once acknowledged', async function () {
    let hostSide: Socket | undefined;
    const { server, port } = await listen((s) => { hostSide = s; });
    const g = new Guest();
    try {
      const iss = await handshake(g, port, 3000);
      await until(() => hostSide !== undefined);
      hostSide?.write(Buffer.alloc(5000, 7));
      await until(() => g.got.length >= 3);
      await new Promise((r) => setImmediate(r));
      expect(g.got.map((s) => s.payload.length)).to.deep.equal([1460, 1460, 80]);
      g.got.length = 0;
      g.send({ dstPort: port, seq: 1001, ack: (iss + 3000) >>> 0, flags: ACK, window: 3000 });
      await until(() => g.got.reduce((n, s) => n + s.payload.length, 0) === 2000);
      expect(g.got[0]?.seq).to.equal((iss + 3000) >>> 0);
    } finally {
      g.user.close();
      server.close();
    }
  });

  it('answers a SYN to a port nothing listens on with RST|ACK', async function () {
    const { server, port } = await listen(() => undefined);
    await new Promise<void>((r) => server.close(() => r()));
    const g = new Guest();
    try {
      g.send({ dstPort: port, seq: 5000, ack: 0, flags: SYN, mss: 1460 });
      const rst = await g.next();
      expect([rst.flags, rst.ack]).to.deep.equal([RST | ACK, 5001]);
    } finally {
      g.user.close();
    }
  });

  it('resets the guest side when the host connection is reset', async function () {
    let hostSide: Socket | undefined;
    const { server, port } = await listen((s) => { hostSide = s; });
    const g = new Guest();
    try {
      await handshake(g, port);
      await until(() => hostSide !== undefined);
      hostSide?.resetAndDestroy();
      const rst = await g.next();
      expect(rst.flags & RST).to.equal(RST);
    } finally {
      g.user.close();
      server.close();
    }
  });

  it('takes 2000 random segments (any flags, sequence numbers, lengths, truncated headers) without an exception', async function () {
    const { server, port } = await listen((s) => { s.on('data', (d: Buffer) => s.write(d)); s.on('error', () => undefined); });
    const g = new Guest();
    const rng = new Rng(7);
    try {
      for (let i = 0; i < 2000; i++) {
        if (rng.chance(0.1)) {
          // a truncated or garbage TCP header in a well-formed IP packet
          const junk = rng.bytes(rng.below(24));
          const ip = Uint8Array.from([0x45, 0, 0, 20 + junk.length, 0, 0, 0, 0, 64, 6, 0, 0, 10, 0, 2, 15, 10, 0, 2, 2]);
          g.user.send(Uint8Array.from([0x52, 0x55, 10, 0, 2, 2, ...GUEST_MAC, 8, 0, ...ip, ...junk]));
        } else {
          g.send({ srcPort: rng.pick([40000, 40001]), dstPort: port, seq: rng.u32(), ack: rng.u32(), flags: rng.below(64), window: rng.below(65536) }, rng.bytes(rng.pick([0, 1, 100])));
        }
        if (i % 100 === 0) await new Promise((r) => setImmediate(r));
      }
    } finally {
      g.user.close();
      server.close();
    }
  });
});
