/**
 * Linux 6.1 (tests/linux/build.sh) on virtio-net-pci, beside QEMU 7.2: init (scenario `net`)
 * configures eth0 itself (SIOCSIFADDR / SIOCSIFFLAGS), pings 10.0.2.2 and sends three UDP
 * datagrams to 10.0.2.2 that come back. Two backends:
 * - `-netdev socket,connect=` to a peer in this process (net-peer.ts) that plays 10.0.2.2 on the
 *   Ethernet level (ARP, ICMP echo, UDP echo) over QEMU's length-prefixed stream framing;
 * - `-netdev user` (QEMU: libslirp): the gateway answers the ping, and the datagrams reach a UDP
 *   echo server on the host's 127.0.0.1.
 * init's lines must be identical on both emulators and end in PASS.
 * The same over `virtio-net-device` on virtio-mmio with `-netdev user`.
 * And TCP over `-netdev user` (scenario `nettcp`): a connection to 10.0.2.2:PORT reaches an echo
 * server on the host's 127.0.0.1:PORT (64 KiB and back, half-close, the server's end of stream), and
 * one to a port nothing listens on is refused.
 */
import { expect } from 'chai';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { QEMU_BINARY, runQemu, runTsemu, type GuestRunResult } from '../support/run-guest.js';
import { requireTool } from '../support/tools.js';
import { buildLinuxGuest, initLines, type LinuxGuest } from './linux-guest.js';
import { startNetPeer } from './net-peer.js';

const TSEMU_TIMEOUT_MS = 240_000;
const QEMU_TIMEOUT_MS = 90_000;

function describeRun(r: GuestRunResult): string {
  return `status=${String(r.status)} timedOut=${String(r.timedOut)} (${r.durationMs} ms)\n--- console (last 3000 chars) ---\n${r.stdout.slice(-3000)}\n--- stderr ---\n${r.stderr.slice(-2000)}`;
}

function netArgs(guest: LinuxGuest, port: number, netdev: string, scenario = 'net', append = '', nic = 'virtio-net-pci'): string[] {
  return [
    '-M', 'virt', '-smp', '1', '-m', '256M', '-nographic', '-kernel', guest.kernel, '-initrd', guest.initramfs,
    '-append', `console=ttyS0 tsemu_scenario=${scenario} tsemu_port=${port}${append}`,
    '-netdev', netdev, '-device', `${nic},netdev=n0`,
  ];
}

const EXPECTED = [
  'eth0 is virtio device 0x0001',
  'eth0 MAC 52:54:00:12:34:56',
  'ping 10.0.2.2: echo reply from 10.0.2.2, id 0x7473 seq 1, 64 bytes, payload intact',
];

function udpEchoServer(): Promise<UdpSocket> {
  const s = createSocket('udp4');
  s.on('message', (msg, from) => s.send(msg, from.port, from.address));
  return new Promise((resolve) => s.bind(0, '127.0.0.1', () => resolve(s)));
}

/** A TCP echo server on 127.0.0.1 that ends its side when the client does; counts the bytes it echoed. */
async function tcpEchoServer(): Promise<{ server: Server; port: number; bytes: () => number }> {
  let bytes = 0;
  const server = createServer((s) => {
    s.on('data', (d: Buffer) => { bytes += d.length; s.write(d); });
    s.on('end', () => s.end());
    s.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port, bytes: () => bytes };
}

/** A loopback port nothing listens on (bound, then closed). */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

describe('linux: virtio-net-pci beside QEMU 7.2 (oracle)', function () {
  this.timeout(TSEMU_TIMEOUT_MS + QEMU_TIMEOUT_MS);
  let guest: LinuxGuest | undefined;
  before(function () {
    this.timeout(30 * 60_000);
    requireTool('riscv64-linux-gnu-gcc', QEMU_BINARY);
    guest = buildLinuxGuest();
  });
  const g = (): LinuxGuest => {
    if (!guest) throw new Error('no Linux guest');
    return guest;
  };

  it('-netdev socket,connect= to an Ethernet peer in the test: ARP, ping, UDP echo', async function () {
    const runs: string[][] = [];
    for (const run of [runTsemu, runQemu]) {
      const peer = await startNetPeer();
      try {
        const r = await run(netArgs(g(), 7777, `socket,id=n0,connect=127.0.0.1:${peer.port}`), { timeoutMs: run === runTsemu ? TSEMU_TIMEOUT_MS : QEMU_TIMEOUT_MS });
        expect(r.timedOut, describeRun(r)).to.equal(false);
        expect(r.status, describeRun(r)).to.equal(0);
        expect(peer.counts.get('arp') ?? 0, 'ARP requests the peer saw').to.be.greaterThan(0);
        expect(peer.counts.get('udp'), 'UDP datagrams the peer saw').to.equal(3);
        runs.push(initLines(r.stdout));
      } finally {
        await peer.close();
      }
    }
    const [t, q] = runs;
    expect(q).to.include('net: PASS');
    expect(t).to.deep.equal(q);
    for (const line of EXPECTED) expect(q).to.include(line);
    expect(q).to.include('udp reply from 10.0.2.2:7777: "datagram 3 over virtio-net"');
  });

  it('-netdev user: the gateway answers the ping, UDP reaches an echo server on the host loopback', async function () {
    const echo = await udpEchoServer();
    try {
      const port = (echo.address() as AddressInfo).port;
      const t = await runTsemu(netArgs(g(), port, 'user,id=n0'), { timeoutMs: TSEMU_TIMEOUT_MS });
      const q = await runQemu(netArgs(g(), port, 'user,id=n0'), { timeoutMs: QEMU_TIMEOUT_MS });
      expect(initLines(q.stdout), describeRun(q)).to.include('net: PASS');
      expect(initLines(t.stdout), describeRun(t)).to.deep.equal(initLines(q.stdout));
      expect(t.status, describeRun(t)).to.equal(0);
      for (const line of EXPECTED) expect(initLines(q.stdout)).to.include(line);
      expect(initLines(q.stdout)).to.include(`udp reply from 10.0.2.2:${port}: "datagram 1 over virtio-net"`);
    } finally {
      echo.close();
    }
  });

  it('-netdev user TCP: an echo server on the host loopback, 64 KiB both ways, half-close, a refused port', async function () {
    const runs: string[][] = [];
    for (const run of [runTsemu, runQemu]) {
      const echo = await tcpEchoServer();
      try {
        const args = netArgs(g(), echo.port, 'user,id=n0', 'nettcp', ` tsemu_closed_port=${await closedPort()}`);
        const r = await run(args, { timeoutMs: run === runTsemu ? TSEMU_TIMEOUT_MS : QEMU_TIMEOUT_MS });
        expect(r.timedOut, describeRun(r)).to.equal(false);
        expect(r.status, describeRun(r)).to.equal(0);
        expect(echo.bytes(), 'bytes the host echo server saw').to.equal(65552);
        runs.push(initLines(r.stdout));
      } finally {
        echo.server.close();
      }
    }
    const [t, q] = runs;
    expect(q).to.include('nettcp: PASS');
    expect(q).to.include('ok TCP echo: 65552 of 65552 bytes back, intact');
    expect(q).to.include('TCP connect to a closed host port: Connection refused');
    expect(t).to.deep.equal(q);
  });

  it('virtio-net-device on virtio-mmio with -netdev user: ping and UDP echo as on virtio-net-pci', async function () {
    const echo = await udpEchoServer();
    try {
      const port = (echo.address() as AddressInfo).port;
      const args = netArgs(g(), port, 'user,id=n0', 'net', '', 'virtio-net-device');
      const t = await runTsemu(args, { timeoutMs: TSEMU_TIMEOUT_MS });
      const q = await runQemu(args, { timeoutMs: QEMU_TIMEOUT_MS });
      expect(initLines(q.stdout), describeRun(q)).to.include('net: PASS');
      expect(initLines(t.stdout), describeRun(t)).to.deep.equal(initLines(q.stdout));
      expect(t.status, describeRun(t)).to.equal(0);
      for (const line of EXPECTED) expect(initLines(q.stdout)).to.include(line);
    } finally {
      echo.close();
    }
  });
});
