/**
 * The emulator's own trace events (trace-events, "Emulator events") fire where they say, on the
 * real binary: vCPUs created at start, translations dropped at a guest reset, every byte the guest
 * writes to the UART, PLIC claims and completions of the UART's interrupt, virtio-blk requests.
 */
import { expect } from 'chai';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { createDiskImage, loadGuestManifest } from '../support/guest-manifest.js';
import { repoRoot, runTsemu, virtKernelArgs } from '../support/run-guest.js';
import { makeTempDir } from '../support/tools.js';

const guest = (name: string): string => join(repoRoot(), 'tests/guest/bin', `${name}.elf`);

/** stderr lines of one traced event. */
function traced(stderr: string, event: string): string[] {
  return stderr.split('\n').filter((l) => l.startsWith(`${event} `));
}

describe('trace-e2e: emulator events', function () {
  this.timeout(60_000);

  it('vcpu_created: once per cold-plugged vCPU, with its index', async function () {
    const r = await runTsemu(virtKernelArgs(guest('smp'), ['-smp', '2', '-trace', 'vcpu_created']));
    expect(r.status, r.stderr).to.equal(0);
    expect(traced(r.stderr, 'vcpu_created').map((l) => l.trim()).sort()).to.deep.equal(['vcpu_created cpu=0x0', 'vcpu_created cpu=0x1']);
  });

  it('serial_write: one record per byte the guest sends, THR at offset 0, the bytes of its console output', async function () {
    const r = await runTsemu(virtKernelArgs(guest('rv64i'), ['-trace', 'serial_write']));
    const thr = traced(r.stderr, 'serial_write').filter((l) => l.startsWith('serial_write write addr 0x00 '));
    const bytes = thr.map((l) => String.fromCharCode(parseInt(/val 0x([0-9a-f]+)$/.exec(l)?.[1] ?? 'x', 16)));
    expect(bytes.join('')).to.equal(r.stdout);
  });

  it('plic_claim / plic_complete: the UART guest claims and completes source 10 in pairs', async function () {
    const r = await runTsemu(virtKernelArgs(guest('uart_plic'), ['-trace', 'plic_*']));
    expect(r.status, r.stderr).to.equal(0);
    const claims = traced(r.stderr, 'plic_claim').filter((l) => l.endsWith('irq=10'));
    const completes = traced(r.stderr, 'plic_complete').filter((l) => l.endsWith('irq=10'));
    expect(claims.length).to.be.greaterThan(0);
    expect(completes.length).to.equal(claims.length);
  });

  it('virtio_blk_req: the disk guest reads and writes sectors', async function () {
    const entry = loadGuestManifest().find((e) => e.name === 'virtio_blk');
    if (!entry?.disk) throw new Error('virtio_blk guest missing from the manifest');
    const dir = makeTempDir('emulator-events');
    const disk = join(dir, 'disk.img');
    createDiskImage(entry.disk, disk);
    const args = entry.args.map((a) => a.split('${disk}').join(disk));
    const r = await runTsemu(virtKernelArgs(guest('virtio_blk'), [...args, '-trace', 'virtio_blk_req']));
    rmSync(dir, { recursive: true, force: true });
    expect(r.status, r.stderr).to.equal(0);
    const types = new Set(traced(r.stderr, 'virtio_blk_req').map((l) => /type=(\d+)/.exec(l)?.[1]));
    expect([...types]).to.include.members(['0', '1']); // VIRTIO_BLK_T_IN and _OUT
  });

  it('tb_flush: the guest reset drops every vCPU translation', async function () {
    const r = await runTsemu(virtKernelArgs(guest('finisher_reset'), ['-m', '128M', '-trace', 'tb_flush']));
    const flushes = traced(r.stderr, 'tb_flush').map((l) => Number(/blocks=(\d+)/.exec(l)?.[1]));
    expect(flushes.some((n) => n > 0), r.stderr.slice(0, 2000)).to.equal(true);
  });
});
