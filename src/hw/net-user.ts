/**
 * -netdev user: the part of QEMU 7.2's slirp network a guest test needs, on slirp's default
 * addresses (network 10.0.2.0/24, gateway/host 10.0.2.2 with MAC 52:55:0a:00:02:02, DNS 10.0.2.3):
 *
 * - ARP: requests for 10.0.2.2 and 10.0.2.3 are answered; the guest's address is learnt from
 *   its requests (slirp's arp table);
 * - ICMP echo requests to 10.0.2.2 / 10.0.2.3 are answered (slirp's icmp_reflect: TTL 255);
 * - UDP to 10.0.2.2:PORT goes to the host's 127.0.0.1:PORT from a host socket of its own, and the
 *   answers come back from 10.0.2.2:PORT (slirp maps the gateway to the host's loopback).
 *
 * - TCP to 10.0.2.2:PORT connects a host socket to 127.0.0.1:PORT (src/hw/net-user-tcp.ts): the
 *   SYN-ACK once the host accepted, RST|ACK if it refused; data, FIN and RST both ways.
 *
 * Not supported (frames dropped): TCP from the host to the guest (no hostfwd), TCP and UDP to other
 * addresses, DHCP, DNS, TFTP, IPv6, ICMP to other hosts. The option parser refuses hostfwd= and the other options.
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import type { NetBackend } from './net-client.js';
import { inetChecksum } from './net-checksum.js';
import { buildTcp, parseTcp, PROTO_TCP, TcpConnection, type TcpHost } from './net-user-tcp.js';

export { inetChecksum };

const GATEWAY_IP = Uint8Array.of(10, 0, 2, 2);
const DNS_IP = Uint8Array.of(10, 0, 2, 3);
/** slirp's special address MAC: 52:55 then the IPv4 address (10.0.2.2). */
export const SLIRP_MAC = Uint8Array.of(0x52, 0x55, 10, 0, 2, 2);
const ETH_ARP = 0x0806;
const ETH_IP = 0x0800;
const PROTO_ICMP = 1;
const PROTO_UDP = 17;
const MAXTTL = 255;

function ipEquals(a: Uint8Array, at: number, ip: Uint8Array): boolean {
  return a[at] === ip[0] && a[at + 1] === ip[1] && a[at + 2] === ip[2] && a[at + 3] === ip[3];
}

export class UserNetdev implements NetBackend {
  private deliver: (frame: Uint8Array) => void = () => undefined;
  private guestMac: Uint8Array | undefined;
  private guestIp: Uint8Array | undefined;
  private ipId = 0;
  /** One host UDP socket per guest source port. */
  private readonly udp = new Map<number, UdpSocket>();
  /** TCP connections to the host by "guest port:host port". */
  private readonly tcp = new Map<string, TcpConnection>();
  private readonly tcpHost: TcpHost = {
    toGuest: (segment) => this.sendIp(GATEWAY_IP, PROTO_TCP, segment),
    closed: (conn) => { if (this.tcp.get(conn.key) === conn) this.tcp.delete(conn.key); },
  };

  constructor(readonly id: string) {}

  attach(deliver: (frame: Uint8Array) => void): void {
    this.deliver = deliver;
  }

  close(): void {
    for (const s of this.udp.values()) s.close();
    this.udp.clear();
    for (const c of [...this.tcp.values()]) c.destroy();
  }

  send(frame: Uint8Array): void {
    if (frame.length < 14) return;
    const type = (frame[12] << 8) | frame[13];
    if (type === ETH_ARP) this.arp(frame);
    else if (type === ETH_IP) this.ip(frame);
  }

  private isSpecial(bytes: Uint8Array, at: number): boolean {
    return ipEquals(bytes, at, GATEWAY_IP) || ipEquals(bytes, at, DNS_IP);
  }

  /** ARP requests (opcode 1) for the special addresses get a reply from slirp's MAC. */
  private arp(frame: Uint8Array): void {
    if (frame.length < 42 || frame[20] !== 0 || frame[21] !== 1) return;
    this.guestMac = frame.slice(22, 28);
    this.guestIp = frame.slice(28, 32);
    if (!this.isSpecial(frame, 38)) return;
    const reply = new Uint8Array(64); // slirp's arp_reply buffer: padded to 64 with zeros
    reply.set(frame.subarray(6, 12), 0);
    reply.set([0x52, 0x55], 6);
    reply.set(frame.subarray(38, 42), 8);
    reply.set([0x08, 0x06, 0, 1, 0x08, 0x00, 6, 4, 0, 2], 12);
    reply.set([0x52, 0x55], 22);
    reply.set(frame.subarray(38, 42), 24); // sender MAC: 52:55 and the address asked about
    reply.set(frame.subarray(38, 42), 28);
    reply.set(frame.subarray(22, 32), 32); // the asker's MAC and IP
    this.deliver(reply);
  }

  private ip(frame: Uint8Array): void {
    const ip = frame.subarray(14);
    if (ip.length < 20 || ip[0] >> 4 !== 4) return;
    const ihl = (ip[0] & 0xf) * 4;
    const total = (ip[2] << 8) | ip[3];
    if (total > ip.length || total < ihl) return;
    this.guestMac = frame.slice(6, 12);
    this.guestIp = ip.slice(12, 16);
    const payload = ip.subarray(ihl, total);
    if (ip[9] === PROTO_ICMP && this.isSpecial(ip, 16)) this.icmpEcho(ip, payload);
    else if (ip[9] === PROTO_UDP && ipEquals(ip, 16, GATEWAY_IP)) this.udpOut(payload);
    else if (ip[9] === PROTO_TCP && ipEquals(ip, 16, GATEWAY_IP)) this.tcpOut(payload);
  }

  /** A guest TCP segment to 10.0.2.2: its connection's, a SYN opening one, else answered with RST. */
  private tcpOut(bytes: Uint8Array): void {
    const seg = parseTcp(bytes);
    if (!seg || !this.guestIp) return;
    const key = `${seg.srcPort}:${seg.dstPort}`;
    const conn = this.tcp.get(key);
    if (conn) {
      conn.fromGuest(seg);
    } else if ((seg.flags & 0x12) === 0x02) {
      this.tcp.set(key, new TcpConnection(this.tcpHost, key, this.guestIp, GATEWAY_IP, seg));
    } else if ((seg.flags & 0x04) === 0) {
      // no such connection (RFC 793's reset generation)
      const len = seg.payload.length + (seg.flags & 0x03 ? 1 : 0);
      const hasAck = (seg.flags & 0x10) !== 0;
      const f = { srcPort: seg.dstPort, dstPort: seg.srcPort, seq: hasAck ? seg.ack : 0, ack: hasAck ? 0 : (seg.seq + len) >>> 0, flags: hasAck ? 0x04 : 0x14, window: 0 };
      this.sendIp(GATEWAY_IP, PROTO_TCP, buildTcp(GATEWAY_IP, this.guestIp, f, new Uint8Array(0)));
    }
  }

  private icmpEcho(ip: Uint8Array, icmp: Uint8Array): void {
    if (icmp.length < 8 || icmp[0] !== 8) return;
    const reply = icmp.slice();
    reply[0] = 0;
    reply[2] = 0;
    reply[3] = 0;
    const sum = inetChecksum(reply);
    reply[2] = sum >> 8;
    reply[3] = sum & 0xff;
    this.sendIp(ip.subarray(16, 20), PROTO_ICMP, reply);
  }

  /** A guest datagram to 10.0.2.2:PORT leaves from the host socket of its source port to 127.0.0.1:PORT. */
  private udpOut(udp: Uint8Array): void {
    if (udp.length < 8) return;
    const srcPort = (udp[0] << 8) | udp[1];
    const dstPort = (udp[2] << 8) | udp[3];
    const len = Math.min((udp[4] << 8) | udp[5], udp.length);
    let sock = this.udp.get(srcPort);
    if (!sock) {
      const s = createSocket('udp4');
      s.on('message', (msg, rinfo) => this.udpIn(srcPort, rinfo.port, new Uint8Array(msg)));
      s.on('error', () => s.close());
      s.bind(0, '127.0.0.1');
      s.unref();
      this.udp.set(srcPort, s);
      sock = s;
    }
    sock.send(udp.subarray(8, len), dstPort, '127.0.0.1');
  }

  private udpIn(guestPort: number, hostPort: number, data: Uint8Array): void {
    if (!this.guestIp) return;
    const udp = new Uint8Array(8 + data.length);
    udp.set([hostPort >> 8, hostPort & 0xff, guestPort >> 8, guestPort & 0xff, udp.length >> 8, udp.length & 0xff], 0);
    udp.set(data, 8);
    const pseudo = new Uint8Array(12 + udp.length);
    pseudo.set(GATEWAY_IP, 0);
    pseudo.set(this.guestIp, 4);
    pseudo[9] = PROTO_UDP;
    pseudo[10] = udp.length >> 8;
    pseudo[11] = udp.length & 0xff;
    pseudo.set(udp, 12);
    const sum = inetChecksum(pseudo) || 0xffff;
    udp[6] = sum >> 8;
    udp[7] = sum & 0xff;
    this.sendIp(GATEWAY_IP, PROTO_UDP, udp);
  }

  /** An IPv4 packet from `src` to the guest, in an Ethernet frame from the gateway's MAC. */
  private sendIp(src: Uint8Array, proto: number, payload: Uint8Array): void {
    if (!this.guestMac || !this.guestIp) return;
    const frame = new Uint8Array(14 + 20 + payload.length);
    frame.set(this.guestMac, 0);
    frame.set(SLIRP_MAC, 6); // slirp's if_encap: always the gateway's MAC
    frame.set([0x08, 0x00], 12);
    const ip = frame.subarray(14);
    const total = 20 + payload.length;
    ip.set([0x45, 0, total >> 8, total & 0xff, this.ipId >> 8, this.ipId & 0xff, 0, 0, MAXTTL, proto, 0, 0], 0);
    this.ipId = (this.ipId + 1) & 0xffff;
    ip.set(src, 12);
    ip.set(this.guestIp, 16);
    const sum = inetChecksum(ip.subarray(0, 20));
    ip[10] = sum >> 8;
    ip[11] = sum & 0xff;
    ip.set(payload, 20);
    this.deliver(frame);
  }
}
