/**
 * virtio-serial-pci end to end without QEMU: tests/guest's pci_serial guest with its virtconsole on a
 * `-chardev socket,server=on` (wait=on: tsemu prints QEMU's "waiting for connection" note and
 * runs the guest only once this test has connected). The bytes the guest transmits on port 0 reach
 * this test's socket, and the console output is still the QEMU transcript's (diff/pci_serial).
 */
import { expect } from 'chai';
import { createConnection, createServer, type AddressInfo, type Socket } from 'node:net';
import { runTsemu } from '../support/run-guest.js';
import { readTranscript } from '../support/transcripts.js';

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** Connects to 127.0.0.1:port, trying again until the emulator listens. */
async function connectWhenListening(port: number, deadline: number): Promise<Socket> {
  for (;;) {
    try {
      return await new Promise<Socket>((resolve, reject) => {
        const s = createConnection({ host: '127.0.0.1', port });
        s.once('connect', () => resolve(s));
        s.once('error', reject);
      });
    } catch (e) {
      if (Date.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

describe('virtio-serial-pci: a guest console on a socket chardev (server, wait=on)', function () {
  this.timeout(90_000);

  it("waits for the client, then the guest's console bytes reach it; the console output is QEMU's", async function () {
    const port = await freePort();
    const chardev = `socket,id=c0,host=127.0.0.1,port=${port},server=on`;
    const run = runTsemu(['-M', 'virt', '-bios', 'none', '-nographic', '-kernel', 'tests/guest/bin/pci_serial.elf',
      '-chardev', chardev, '-chardev', 'null,id=c1', '-device', 'virtio-serial-pci',
      '-device', 'virtconsole,chardev=c0', '-device', 'virtserialport,chardev=c1,name=org.tsemu.a'], { timeoutMs: 60_000 });
    const client = await connectWhenListening(port, Date.now() + 30_000);
    const received: Buffer[] = [];
    client.on('data', (d: Buffer) => received.push(d));
    const r = await run;
    client.destroy();
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stderr).to.contain(`-chardev ${chardev}: info: QEMU waiting for connection on: disconnected:tcp:127.0.0.1:${port},server=on`);
    expect(Buffer.concat(received).toString()).to.equal('console bytes\n');
    expect(r.stdout).to.equal(readTranscript<{ stdout: string }>('diff/pci_serial').stdout);
  });
});
