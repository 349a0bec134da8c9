/**
 * TCP for -netdev user (slirp's tcp_input / tcp_output reduced to what a guest's connection to the
 * host needs): a guest SYN to 10.0.2.2:PORT opens a host connection to 127.0.0.1:PORT; the SYN-ACK
 * goes back once that connection is up (slirp's tcp_fconnect), RST|ACK when the host refuses it.
 * Data both ways, FIN both ways, RST both ways.
 *
 * The guest side of each connection is what slirp's is: no window scaling, timestamps or SACK
 * (the SYN-ACK carries only MSS 1460, so the guest turns them off), a window of 65535 bytes.
 * Segments out of order are dropped and answered with an ACK of what arrived (the virtio link loses
 * nothing, so this only happens if the guest retransmits); what the guest has not acknowledged is
 * sent again after a second.
 */
import { createConnection, type Socket } from 'node:net';
import { inetChecksum } from './net-checksum.js';

export const PROTO_TCP = 6;
const FIN = 0x01;
const SYN = 0x02;
const RST = 0x04;
const PSH = 0x08;
const ACK = 0x10;
const MSS = 1460;
const WINDOW = 65535;
const RETRANSMIT_MS = 1000;

/** A TCP segment from the guest, header fields decoded. */
export interface TcpSegment {
  srcPort: number;
  dstPort: number;
  seq: number;
  ack: number;
  flags: number;
  window: number;
  /** The guest's MSS option, if any. */
  mss: number | undefined;
  payload: Uint8Array;
}

/** Decodes a TCP header and payload (`bytes` is the IP payload); undefined if malformed. */
export function parseTcp(bytes: Uint8Array): TcpSegment | undefined {
  if (bytes.length < 20) return undefined;
  const offset = (bytes[12] >> 4) * 4;
  if (offset < 20 || offset > bytes.length) return undefined;
  const u32 = (at: number): number => ((bytes[at] << 24) | (bytes[at + 1] << 16) | (bytes[at + 2] << 8) | bytes[at + 3]) >>> 0;
  let mss: number | undefined;
  for (let at = 20; at < offset;) {
    const kind = bytes[at];
    if (kind === 0) break;
    if (kind === 1) { at++; continue; }
    const len = bytes[at + 1];
    if (len < 2 || at + len > offset) break;
    if (kind === 2 && len === 4) mss = (bytes[at + 2] << 8) | bytes[at + 3];
    at += len;
  }
  return {
    srcPort: (bytes[0] << 8) | bytes[1], dstPort: (bytes[2] << 8) | bytes[3], seq: u32(4), ack: u32(8),
    flags: bytes[13], window: (bytes[14] << 8) | bytes[15], mss, payload: bytes.subarray(offset),
  };
}

/** Builds a TCP segment with its checksum over the IPv4 pseudo-header. */
export function buildTcp(src: Uint8Array, dst: Uint8Array, f: { srcPort: number; dstPort: number; seq: number; ack: number; flags: number; window: number; mss?: number }, payload: Uint8Array): Uint8Array {
  const hlen = f.mss !== undefined ? 24 : 20;
  const seg = new Uint8Array(hlen + payload.length);
  const v = new DataView(seg.buffer);
  v.setUint16(0, f.srcPort);
  v.setUint16(2, f.dstPort);
  v.setUint32(4, f.seq >>> 0);
  v.setUint32(8, f.ack >>> 0);
  seg[12] = (hlen / 4) << 4;
  seg[13] = f.flags;
  v.setUint16(14, f.window);
  if (f.mss !== undefined) seg.set([2, 4, f.mss >> 8, f.mss & 0xff], 20);
  seg.set(payload, hlen);
  const pseudo = new Uint8Array(12 + seg.length);
  pseudo.set(src, 0);
  pseudo.set(dst, 4);
  pseudo[9] = PROTO_TCP;
  pseudo[10] = seg.length >> 8;
  pseudo[11] = seg.length & 0xff;
  pseudo.set(seg, 12);
  v.setUint16(16, inetChecksum(pseudo));
  return seg;
}

/** seq a < b in sequence-number space. */
function before(a: number, b: number): boolean {
  return ((a - b) | 0) < 0;
}

/** What a connection needs of the netdev: send a segment to the guest, forget the connection. */
export interface TcpHost {
  /** Send `segment` (a whole TCP segment) from 10.0.2.2 to the guest. */
  toGuest(segment: Uint8Array): void;
  closed(conn: TcpConnection): void;
}

type State = 'connecting' | 'established' | 'closed';

export class TcpConnection {
  private state: State = 'connecting';
  private readonly socket: Socket;
  /** Next byte expected from the guest. */
  private rcvNxt: number;
  /** Oldest byte sent to the guest and not acknowledged, and the next one to send. */
  private sndUna: number;
  private sndNxt: number;
  private guestWindow: number;
  private readonly mss: number;
  /** Host bytes not yet acknowledged by the guest, starting at sndUna. */
  private unacked = new Uint8Array(0);
  private hostEnded = false;
  private finSent = false;
  private guestFinished = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly guestPort: number;
  private readonly hostPort: number;

  constructor(private readonly host: TcpHost, readonly key: string, private readonly guestIp: Uint8Array, private readonly gatewayIp: Uint8Array, syn: TcpSegment) {
    this.rcvNxt = (syn.seq + 1) >>> 0;
    this.sndUna = this.sndNxt = (Math.random() * 0x1_0000_0000) >>> 0;
    this.guestWindow = syn.window;
    this.mss = Math.min(syn.mss ?? 536, MSS);
    this.guestPort = syn.srcPort;
    this.hostPort = syn.dstPort;
    this.socket = createConnection({ host: '127.0.0.1', port: syn.dstPort });
    this.socket.setNoDelay(true);
    this.socket.on('connect', () => this.connected());
    this.socket.on('data', (d: Buffer) => this.fromHost(new Uint8Array(d)));
    this.socket.on('end', () => { this.hostEnded = true; this.flush(); });
    this.socket.on('error', () => this.abort());
  }

  private send(flags: number, seq: number, payload: Uint8Array = new Uint8Array(0), mss?: number): void {
    const f = { srcPort: this.hostPort, dstPort: this.guestPort, seq, ack: this.rcvNxt, flags, window: WINDOW, ...(mss !== undefined ? { mss } : {}) };
    this.host.toGuest(buildTcp(this.gatewayIp, this.guestIp, f, payload));
  }

  private connected(): void {
    if (this.state !== 'connecting') return;
    this.state = 'established';
    this.send(SYN | ACK, this.sndNxt, undefined, MSS);
    this.sndNxt = (this.sndNxt + 1) >>> 0;
    this.sndUna = this.sndNxt;
  }

  /** The host refused or dropped the connection: RST to the guest (RST|ACK for a SYN not yet answered). */
  private abort(): void {
    if (this.state === 'closed') return;
    this.send(this.state === 'connecting' ? RST | ACK : RST, this.sndNxt);
    this.close();
  }

  /** The netdev is closing: the host socket goes, the guest hears nothing (QEMU is exiting). */
  destroy(): void {
    this.close();
  }

  private close(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    if (this.timer) clearTimeout(this.timer);
    this.socket.destroy();
    this.host.closed(this);
  }

  private fromHost(bytes: Uint8Array): void {
    const all = new Uint8Array(this.unacked.length + bytes.length);
    all.set(this.unacked, 0);
    all.set(bytes, this.unacked.length);
    this.unacked = all;
    this.flush();
  }

  /** Sends what the guest's window allows, then FIN once the host has ended and all is sent. */
  private flush(): void {
    // after our FIN there is nothing more to send (the host's data all went before it)
    if (this.state !== 'established' || this.finSent) return;
    let sent = (this.sndNxt - this.sndUna) >>> 0;
    while (sent < this.unacked.length && sent < this.guestWindow) {
      const n = Math.min(this.mss, this.unacked.length - sent, this.guestWindow - sent);
      const flags = sent + n === this.unacked.length ? PSH | ACK : ACK;
      this.send(flags, (this.sndUna + sent) >>> 0, this.unacked.subarray(sent, sent + n));
      sent += n;
      this.sndNxt = (this.sndUna + sent) >>> 0;
    }
    if (this.hostEnded && !this.finSent && sent === this.unacked.length) {
      this.send(FIN | ACK, this.sndNxt);
      this.sndNxt = (this.sndNxt + 1) >>> 0;
      this.finSent = true;
    }
    this.armRetransmit();
  }

  private armRetransmit(): void {
    if (this.timer || this.sndNxt === this.sndUna) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.state === 'established') this.retransmit();
    }, RETRANSMIT_MS);
    this.timer.unref();
  }

  /** Everything sent and not acknowledged, again (data from sndUna, then the FIN if it was sent). */
  private retransmit(): void {
    const inFlight = Math.min(this.unacked.length, ((this.sndNxt - this.sndUna) >>> 0) - (this.finSent ? 1 : 0));
    for (let at = 0; at < inFlight; at += this.mss) {
      const n = Math.min(this.mss, inFlight - at);
      this.send(PSH | ACK, (this.sndUna + at) >>> 0, this.unacked.subarray(at, at + n));
    }
    if (this.finSent) this.send(FIN | ACK, (this.sndNxt - 1) >>> 0);
    this.armRetransmit();
  }

  /** A segment of this connection from the guest. */
  fromGuest(seg: TcpSegment): void {
    if (seg.flags & RST) {
      this.close();
      return;
    }
    if (this.state !== 'established') return; // a repeated SYN while the host connects
    if (seg.flags & ACK) this.acknowledged(seg.ack, seg.window);
    if (this.state !== 'established') return;
    const hasFin = (seg.flags & FIN) !== 0;
    if (seg.payload.length === 0 && !hasFin) return;
    if (seg.seq !== this.rcvNxt) {
      this.send(ACK, this.sndNxt); // out of order or a repeat: say what arrived
      return;
    }
    if (seg.payload.length > 0 && !this.guestFinished) {
      this.socket.write(seg.payload);
      this.rcvNxt = (this.rcvNxt + seg.payload.length) >>> 0;
    }
    if (hasFin && !this.guestFinished) {
      this.guestFinished = true;
      this.rcvNxt = (this.rcvNxt + 1) >>> 0;
      this.socket.end();
    }
    this.send(ACK, this.sndNxt);
    this.maybeDone();
  }

  private acknowledged(ack: number, window: number): void {
    this.guestWindow = window;
    if (before(this.sndUna, ack) && !before(this.sndNxt, ack)) {
      const n = (ack - this.sndUna) >>> 0;
      const dataAcked = Math.min(n, this.unacked.length);
      this.unacked = this.unacked.slice(dataAcked);
      this.sndUna = ack;
      if (this.timer) { clearTimeout(this.timer); this.timer = undefined; }
    }
    this.flush();
    this.maybeDone();
  }

  /** Both sides finished and our FIN acknowledged: the connection is gone. */
  private maybeDone(): void {
    if (this.guestFinished && this.finSent && this.sndUna === this.sndNxt) this.close();
  }
}
