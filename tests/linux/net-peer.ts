/**
 * The host side of `-netdev socket,connect=...` for the Linux `net` scenario: a TCP listener
 * that speaks QEMU's stream framing (4-byte big-endian length, then an Ethernet frame) and plays
 * 10.0.2.2 (MAC 52:55:0a:00:02:02): it answers ARP requests for that address, ICMP echo
 * requests and UDP datagrams (echoed back to their sender). Written independently of tsemu's
 * own netdev code, so it can judge tsemu and QEMU alike.
 */
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';

const PEER_MAC = Buffer.from([0x52, 0x55, 0x0a, 0x00, 0x02, 0x02]);
const PEER_IP = Buffer.from([10, 0, 2, 2]);

function checksum(b: Buffer, initial = 0): number {
  let sum = initial;
  for (let i = 0; i + 1 < b.length; i += 2) sum += b.readUInt16BE(i);
  if (b.length & 1) sum += b[b.length - 1] << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

export interface NetPeer {
  port: number;
  /** Frames seen from the guest, by kind ("arp", "icmp", "udp", "other"). */
  counts: Map<string, number>;
  close(): Promise<void>;
}

function ipPacket(dst: Buffer, proto: number, payload: Buffer): Buffer {
  const ip = Buffer.alloc(20);
  ip.writeUInt8(0x45, 0);
  ip.writeUInt16BE(20 + payload.length, 2);
  ip.writeUInt8(64, 8);
  ip.writeUInt8(proto, 9);
  PEER_IP.copy(ip, 12);
  dst.copy(ip, 16);
  ip.writeUInt16BE(checksum(ip), 10);
  return Buffer.concat([ip, payload]);
}

/** The reply to one guest frame, or undefined. */
function answer(f: Buffer, counts: Map<string, number>): Buffer | undefined {
  const bump = (k: string): void => { counts.set(k, (counts.get(k) ?? 0) + 1); };
  const type = f.readUInt16BE(12);
  const guestMac = f.subarray(6, 12);
  const eth = (payload: Buffer, ethType: number): Buffer => Buffer.concat([guestMac, PEER_MAC, Buffer.from([ethType >> 8, ethType & 0xff]), payload]);
  if (type === 0x0806) {
    bump('arp');
    if (f.readUInt16BE(20) !== 1 || !f.subarray(38, 42).equals(PEER_IP)) return undefined;
    const arp = Buffer.concat([Buffer.from([0, 1, 8, 0, 6, 4, 0, 2]), PEER_MAC, PEER_IP, f.subarray(22, 32)]);
    return eth(arp, 0x0806);
  }
  if (type !== 0x0800) return bump('other'), undefined;
  const ip = f.subarray(14);
  const ihl = (ip[0] & 0xf) * 4;
  const body = ip.subarray(ihl, ip.readUInt16BE(2));
  const src = Buffer.from(ip.subarray(12, 16));
  if (!ip.subarray(16, 20).equals(PEER_IP)) return bump('other'), undefined;
  if (ip[9] === 1 && body[0] === 8) {
    bump('icmp');
    const reply = Buffer.from(body);
    reply[0] = 0;
    reply.writeUInt16BE(0, 2);
    reply.writeUInt16BE(checksum(reply), 2);
    return eth(ipPacket(src, 1, reply), 0x0800);
  }
  if (ip[9] === 17) {
    bump('udp');
    const udp = Buffer.from(body);
    const sport = udp.readUInt16BE(0);
    udp.writeUInt16BE(udp.readUInt16BE(2), 0);
    udp.writeUInt16BE(sport, 2);
    udp.writeUInt16BE(0, 6); // no checksum (allowed in IPv4)
    return eth(ipPacket(src, 17, udp), 0x0800);
  }
  return bump('other'), undefined;
}

function serve(socket: Socket, counts: Map<string, number>): void {
  let buffered = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    while (buffered.length >= 4 && buffered.length >= 4 + buffered.readUInt32BE(0)) {
      const frame = buffered.subarray(4, 4 + buffered.readUInt32BE(0));
      buffered = buffered.subarray(4 + frame.length);
      const reply = frame.length >= 14 ? answer(Buffer.from(frame), counts) : undefined;
      if (reply) {
        const len = Buffer.alloc(4);
        len.writeUInt32BE(reply.length);
        socket.write(Buffer.concat([len, reply]));
      }
    }
  });
  socket.on('error', () => socket.destroy());
}

/** Listens on an ephemeral loopback port. */
export async function startNetPeer(): Promise<NetPeer> {
  const counts = new Map<string, number>();
  const sockets = new Set<Socket>();
  const server: Server = createServer((s) => { sockets.add(s); serve(s, counts); });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    counts,
    close: () => new Promise<void>((resolve) => { for (const s of sockets) s.destroy(); server.close(() => resolve()); }),
  };
}
