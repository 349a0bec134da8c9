/**
 * -netdev socket after QEMU 7.2 net/socket.c: Ethernet frames over a host socket.
 *
 * - `connect=HOST:PORT` / `listen=[HOST]:PORT`: TCP, each frame preceded by its length as a
 *   4-byte big-endian number (QEMU's stream framing); a listener serves one connection at a time
 *   and listens again when it closes. Frames sent while nothing is connected are dropped, as QEMU
 *   drops them.
 * - `udp=HOST:PORT,localaddr=HOST:PORT`: one datagram per frame, no length.
 *
 * Deliberate difference: `connect=` is asynchronous and a refused connection leaves the NIC
 * unconnected instead of failing start-up (QEMU 7.2 keeps retrying in the background too).
 * `mcast=` and `fd=` are refused by the option parser.
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import type { NetBackend } from './net-client.js';

export interface HostPort {
  host: string;
  port: number;
}

export type SocketNetdevMode =
  | { kind: 'connect'; to: HostPort }
  | { kind: 'listen'; at: HostPort }
  | { kind: 'udp'; to: HostPort; local: HostPort };

/** Frames out of a TCP byte stream with 4-byte big-endian lengths. */
export class FrameReader {
  private buffered = Buffer.alloc(0);
  constructor(private readonly onFrame: (frame: Uint8Array) => void) {}

  push(chunk: Uint8Array): void {
    this.buffered = Buffer.concat([this.buffered, chunk]);
    while (this.buffered.length >= 4) {
      const len = this.buffered.readUInt32BE(0);
      if (this.buffered.length < 4 + len) return;
      this.onFrame(new Uint8Array(this.buffered.subarray(4, 4 + len)));
      this.buffered = this.buffered.subarray(4 + len);
    }
  }
}

/** A frame as QEMU writes it on a stream socket. */
export function frameForStream(frame: Uint8Array): Buffer {
  const out = Buffer.alloc(4 + frame.length);
  out.writeUInt32BE(frame.length, 0);
  out.set(frame, 4);
  return out;
}

export class SocketNetdev implements NetBackend {
  private deliver: (frame: Uint8Array) => void = () => undefined;
  private stream: Socket | undefined;
  private server: Server | undefined;
  private udp: UdpSocket | undefined;

  constructor(readonly id: string, private readonly mode: SocketNetdevMode) {
    if (mode.kind === 'connect') this.connect(mode.to);
    else if (mode.kind === 'listen') this.listen(mode.at);
    else this.openUdp(mode.to, mode.local);
  }

  attach(deliver: (frame: Uint8Array) => void): void {
    this.deliver = deliver;
  }

  send(frame: Uint8Array): void {
    if (this.mode.kind === 'udp') {
      this.udp?.send(frame, this.mode.to.port, this.mode.to.host);
      return;
    }
    if (this.stream && !this.stream.destroyed && !this.stream.connecting) this.stream.write(frameForStream(frame));
  }

  close(): void {
    this.stream?.destroy();
    this.server?.close();
    this.udp?.close();
    this.stream = undefined;
    this.server = undefined;
    this.udp = undefined;
  }

  private useStream(socket: Socket): void {
    socket.setNoDelay(true);
    const reader = new FrameReader((frame) => this.deliver(frame));
    socket.on('data', (chunk) => reader.push(chunk));
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      if (this.stream === socket) this.stream = undefined;
    });
    this.stream = socket;
  }

  private connect(to: HostPort): void {
    const socket = createConnection({ host: to.host, port: to.port });
    socket.unref();
    this.useStream(socket);
  }

  private listen(at: HostPort): void {
    const server = createServer((socket) => {
      if (this.stream) {
        socket.destroy(); // one connection at a time, as QEMU's listener
        return;
      }
      this.useStream(socket);
    });
    server.on('error', () => server.close());
    server.listen(at.port, at.host === '' ? undefined : at.host);
    server.unref();
    this.server = server;
  }

  private openUdp(to: HostPort, local: HostPort): void {
    const udp = createSocket({ type: 'udp4', reuseAddr: true });
    udp.on('message', (msg) => this.deliver(new Uint8Array(msg)));
    udp.on('error', () => udp.close());
    udp.bind(local.port, local.host === '' ? undefined : local.host);
    udp.unref();
    this.udp = udp;
    void to;
  }
}
