/**
 * virtio-serial from the command line to the host side, without a guest:
 * - where QEMU 7.2 puts virtconsole / virtserialport (port 0 for the first console, then the lowest
 *   free number from 1; the newest virtio-serial bus unless bus= names one, "ID.0" for a device with id=);
 * - -chardev socket as a port's host side: a client's bytes both ways (those written before it
 *   connected kept), a file chardev's output (a server's connections as PORT_OPEN: virtio-serial.unit.spec).
 * (What a guest sees is compared with QEMU by tests/guest pci_serial and tests/linux linux-vserial.)
 */
import { expect } from 'chai';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createConnection, createServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCommandLine, type MachineOptions } from '../../src/cli/options.js';
import type { SerialPortDeviceSpec } from '../../src/cli/drive.js';
import { openChardev } from '../../src/hw/char-backend.js';

function run(args: readonly string[]): MachineOptions {
  const r = parseCommandLine(['-M', 'virt', '-bios', 'none', '-kernel', 'x.elf', ...args]);
  if (r.action !== 'run') throw new Error('expected a run');
  return r.options;
}

function ports(opts: MachineOptions): string[] {
  return opts.devices
    .filter((d): d is SerialPortDeviceSpec => d.driver === 'virtconsole' || d.driver === 'virtserialport')
    .map((d) => `${d.driver} ${d.name ?? '-'} nr=${String(d.nr)} on device ${String(d.serialDevice)}`);
}

/** Resolves when `cond` holds, checked on every turn of the event loop. */
async function until(cond: () => boolean): Promise<void> {
  while (!cond()) await new Promise((r) => setImmediate(r));
}

describe('hw/virtio-serial wiring: -device placement and -chardev host sides', function () {
  it('numbers ports as QEMU 7.2: the first console 0, then the lowest free from 1, nr= kept', function () {
    const opts = run(['-device', 'virtio-serial-pci', '-device', 'virtserialport,name=a', '-device', 'virtconsole',
      '-device', 'virtconsole,name=b', '-device', 'virtserialport,nr=5', '-device', 'virtserialport']);
    expect(ports(opts)).to.deep.equal([
      'virtserialport a nr=1 on device 0', 'virtconsole - nr=0 on device 0', 'virtconsole b nr=2 on device 0',
      'virtserialport - nr=5 on device 0', 'virtserialport - nr=3 on device 0',
    ]);
  });

  it('puts a port on the newest virtio-serial bus, or on the one bus= names ("ID.0")', function () {
    const opts = run(['-device', 'virtio-serial-pci,id=vs', '-device', 'virtio-serial-pci', '-device', 'virtconsole',
      '-device', 'virtconsole,bus=vs.0']);
    expect(ports(opts)).to.deep.equal(['virtconsole - nr=0 on device 1', 'virtconsole - nr=0 on device 0']);
    const slots = opts.devices.flatMap((d) => (d.driver === 'virtio-serial-pci' ? [d.slot] : []));
    expect(slots).to.deep.equal([1, 2]);
  });

  it('-chardev stdio takes the terminal: with -nographic (serial and monitor on stdio) it is refused as by QEMU', function () {
    expect(() => run(['-chardev', 'stdio,id=c0', '-device', 'virtio-serial-pci', '-device', 'virtconsole,chardev=c0', '-display', 'none'])).not.to.throw();
    expect(() => run(['-nographic', '-chardev', 'stdio,id=c0'])).to.throw('cannot use stdio by multiple character devices');
  });

  it('a socket client carries bytes both ways; its console port is open from the start', async function () {
    const server = createServer();
    const accepted = once(server, 'connection') as Promise<[Socket]>;
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    const chardev = openChardev({ kind: 'socket', address: { kind: 'tcp', host: '127.0.0.1', port }, server: false, wait: true }, '-chardev x');
    const got: string[] = [];
    chardev.attach((b) => got.push(Buffer.from(b).toString()));
    chardev.write(new TextEncoder().encode('early '));
    await chardev.ready;
    const [peer] = await accepted;
    const received: Buffer[] = [];
    peer.on('data', (d: Buffer) => received.push(d));
    chardev.write(new TextEncoder().encode('bytes'));
    peer.write('from the host');
    await until(() => Buffer.concat(received).toString() === 'early bytes' && got.join('') === 'from the host');
    chardev.close();
    server.close();
  });

  it('a file chardev gets what the guest writes', function () {
    const dir = mkdtempSync(join(tmpdir(), 'vser-'));
    try {
      const chardev = openChardev({ kind: 'file', path: join(dir, 'out'), append: false }, '-chardev f');
      chardev.write(new TextEncoder().encode('line\n'));
      chardev.close();
      expect(readFileSync(join(dir, 'out'), 'utf8')).to.equal('line\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
