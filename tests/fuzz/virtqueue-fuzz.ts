/**
 * Mutated virtqueue descriptor rings, on the device model itself (no guest, no QEMU): a driver
 * (tests/hw/virtio-driver.ts) offers well-formed virtio-blk requests to a virtio-mmio transport,
 * then the fuzzer overwrites descriptors (addresses outside RAM or past 2^63, lengths of 0 and
 * 2^32-1, random flags, `next` looping back, indirect tables of any size), avail-ring entries and
 * the avail index, and notifies. The device must either answer every request it took (used ring:
 * known heads, lengths no longer than the chain's writable bytes) or stop as QEMU's virtio_error()
 * does (one line through onDeviceError, NEEDS_RESET set for a VERSION_1 driver); nothing may
 * escape as an exception, and after a reset the same device must serve a plain read correctly.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { featureBit, VIRTIO_F, VIRTIO_STATUS } from '../../src/hw/virtio.js';
import { VirtioBlk } from '../../src/hw/virtio-blk.js';
import { VirtioMmio, VirtioMmioReg as Reg } from '../../src/hw/virtio-mmio.js';
import { VIRT } from '../../src/machine/virt-map.js';
import { RecordingIrq } from '../hw/irq-recorder.js';
import { RAM_BASE, type Segment, TestDriver, TestRam } from '../hw/virtio-driver.js';
import { Rng } from './rng.js';

const SECTOR = 512;
const SECTORS = 16;
const QUEUE_SIZES = [1, 2, 4, 8, 16, 64, 256] as const;
const T_IN = 0;

export interface VirtqueueRun {
  seed: number;
  cases: number;
  /** Cases the device answered (every chain used) / stopped as broken. */
  answered: number;
  broken: number;
  problems: string[];
}

/** Sector s of the disk holds the byte s: a read's data says which sectors it came from. */
function diskImage(): Uint8Array {
  const img = new Uint8Array(SECTORS * SECTOR);
  for (let s = 0; s < SECTORS; s++) img.fill(s, s * SECTOR, (s + 1) * SECTOR);
  return img;
}

interface Rig {
  dev: VirtioMmio;
  drv: TestDriver;
  ram: TestRam;
  errors: string[];
}

function rig(blk: VirtioBlk, queueSize: number): Rig {
  const ram = new TestRam();
  const errors: string[] = [];
  const dev = new VirtioMmio(new RecordingIrq(), ram, blk, { ...VIRT.virtio, legacy: false, onDeviceError: (m) => errors.push(m) });
  return { dev, drv: new TestDriver(dev, ram, queueSize), ram, errors };
}

/** A well-formed read request: header, data buffer(s), status byte. */
function readRequest(drv: TestDriver, rng: Rng): Segment[] {
  const header = new Uint8Array(16);
  const view = new DataView(header.buffer);
  view.setUint32(0, rng.pick([T_IN, 1, 4, 8]), true);
  view.setBigUint64(8, BigInt(rng.below(SECTORS + 2)), true);
  const segments: Segment[] = [{ addr: drv.alloc(16, header), len: 16, write: false }];
  for (let i = rng.below(3); i > 0; i--) segments.push({ addr: drv.alloc(SECTOR), len: SECTOR, write: rng.chance(0.8) });
  segments.push({ addr: drv.alloc(1), len: 1, write: true });
  return segments;
}

const ADDRS = (ram: TestRam): readonly bigint[] => [
  0n, BigInt(RAM_BASE - 16), BigInt(RAM_BASE + ram.size - 1), BigInt(RAM_BASE + ram.size), (1n << 64n) - 1n, 1n << 63n, 1n << 53n,
];
const LENS = [0, 1, 15, 16, 0xffffffff, 0x80000000, SECTOR, 1 << 20] as const;

/** One edit of the rings: a descriptor field, an indirect table, an avail entry or the avail index. */
function mutateRings(r: Rig, rng: Rng): void {
  const { drv, ram } = r;
  const size = drv.queueSize;
  const slot = rng.below(size + 2); // past the table too: must never be read
  const at = drv.desc + 16 * Math.min(slot, size - 1);
  switch (rng.below(8)) {
    case 0: ram.setU64(at, rng.chance(0.7) ? rng.pick(ADDRS(ram)) : rng.u64()); break;
    case 1: ram.setU32(at + 8, rng.chance(0.7) ? rng.pick(LENS) : rng.u32()); break;
    case 2: ram.setU16(at + 12, rng.chance(0.7) ? rng.below(8) : rng.u32() & 0xffff); break;
    case 3: ram.setU16(at + 14, rng.pick([slot, 0, size, size - 1, 0xffff, rng.u32() & 0xffff])); break; // loops, out of range
    case 4: { // the head becomes an indirect table of random descriptors
      const entries = rng.range(0, 40);
      const table = drv.alloc(Math.max(16, 16 * entries), rng.bytes(16 * entries));
      for (let i = 0; i < entries; i++) {
        if (rng.chance(0.5)) ram.setU16(table + 16 * i + 14, rng.below(entries + 1)); // next inside (or just past) the table
        if (rng.chance(0.5)) ram.setU64(table + 16 * i, BigInt(drv.alloc(64)));
        if (rng.chance(0.5)) ram.setU32(table + 16 * i + 8, rng.range(1, 64));
      }
      drv.rawDescriptor(rng.below(size), table, rng.chance(0.8) ? 16 * entries : rng.pick([...LENS]), 4 | (rng.chance(0.2) ? 1 : 0), rng.below(size));
      break;
    }
    case 5: ram.setU16(drv.avail + 4 + 2 * rng.below(size), rng.chance(0.5) ? rng.below(size * 2) : rng.u32() & 0xffff); break;
    case 6: ram.setU16(drv.avail + 2, (ram.u16(drv.avail + 2) + rng.pick([1, size, size + 1, 0x8000, 0xffff])) & 0xffff); break;
    default: ram.setU16(drv.used + 4 + 8 * size, rng.u32() & 0xffff); break; // avail_event / garbage in the used ring
  }
}

/** What is wrong with the device's answer to a mutated ring, or undefined. */
function judge(r: Rig, usedBefore: number, features: bigint): string | undefined {
  const status = Number(r.dev.read(Reg.Status, 4));
  if (r.errors.length > 0) {
    const bad = r.errors.find((m) => m.trim() === '' || m.includes('\n'));
    if (bad !== undefined) return `device error text is not one line: ${JSON.stringify(bad)}`;
    if (features & featureBit(VIRTIO_F.VERSION_1) && !(status & VIRTIO_STATUS.NEEDS_RESET)) return `broken (${r.errors[0] ?? ''}) but NEEDS_RESET not set (status 0x${status.toString(16)})`;
    return undefined;
  }
  const size = r.drv.queueSize;
  const used = (r.drv.usedIdx() - usedBefore) & 0xffff;
  if (used > size) return `used index moved by ${used} on a queue of ${size}`;
  for (let i = 0; i < used; i++) {
    const e = r.drv.usedElem(usedBefore + i);
    if (e.id >= size) return `used element ${i} names head ${e.id} on a queue of ${size}`;
  }
  return undefined;
}

/** After a reset (Status = 0) the same transport must serve a plain read of sector 3 (all bytes 3). */
function recovered(old: Rig, rng: Rng): string | undefined {
  const r: Rig = { ...old, drv: new TestDriver(old.dev, old.ram, rng.pick(QUEUE_SIZES.filter((n) => n >= 4))) };
  old.errors.length = 0; // the rig's error sink is shared: count only what the reset device reports
  r.drv.start(featureBit(VIRTIO_F.VERSION_1));
  const header = new Uint8Array(16);
  new DataView(header.buffer).setBigUint64(8, 3n, true);
  const data = r.drv.alloc(SECTOR);
  const status = r.drv.alloc(1, Uint8Array.of(0xee));
  r.drv.add([{ addr: r.drv.alloc(16, header), len: 16, write: false }, { addr: data, len: SECTOR, write: true }, { addr: status, len: 1, write: true }]);
  r.drv.notify();
  const got = r.ram.read(data, SECTOR);
  if (r.drv.usedIdx() !== 1 || r.ram.read(status, 1)[0] !== 0 || got.some((b) => b !== 3)) return `after a reset a plain read of sector 3 gave used index ${r.drv.usedIdx()}, status ${r.ram.read(status, 1)[0] ?? -1}, data [${got.slice(0, 4).join(",")}...] (device error: ${r.errors.join("; ") || "none"})`;
  return undefined;
}

function runCase(blk: VirtioBlk, rng: Rng): { problem?: string; broken: boolean } {
  const size = rng.pick(QUEUE_SIZES);
  const r = rig(blk, size);
  let features = featureBit(VIRTIO_F.VERSION_1);
  if (rng.chance(0.5)) features |= featureBit(VIRTIO_F.RING_EVENT_IDX);
  if (rng.chance(0.5)) features |= featureBit(VIRTIO_F.RING_INDIRECT_DESC);
  r.drv.start(features);
  const usedBefore = r.drv.usedIdx();
  for (let i = rng.range(1, Math.min(size, 4)); i > 0; i--) r.drv.add(readRequest(r.drv, rng), { indirect: rng.chance(0.3) });
  for (let i = rng.range(1, 4); i > 0; i--) mutateRings(r, rng);
  try {
    r.drv.notify(rng.chance(0.9) ? 0 : rng.u32());
    r.drv.notify(0); // a second notification: a broken device must stay quiet, a working one finds nothing new
  } catch (e) {
    return { problem: `host exception: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`, broken: false };
  }
  const broken = r.errors.length > 0;
  return { problem: judge(r, usedBefore, features) ?? recovered(r, rng), broken };
}

export function runVirtqueueSeed(seed: number, cases: number): VirtqueueRun {
  const rng = new Rng(seed);
  const dir = mkdtempSync(join(tmpdir(), 'tsemu-fuzz-vq-'));
  const path = join(dir, 'disk.img');
  writeFileSync(path, diskImage());
  const blk = VirtioBlk.open({ path, readOnly: true, serial: 'fuzz' }); // writes fail with IOERR: sector 3 stays what recovered() expects
  const out: VirtqueueRun = { seed, cases, answered: 0, broken: 0, problems: [] };
  try {
    for (let i = 0; i < cases; i++) {
      const c = runCase(blk, rng);
      if (c.problem !== undefined) out.problems.push(`seed ${seed}, case ${i}: ${c.problem}\n  reproduce: npm run fuzz -- --only rings --seed ${seed}`);
      if (c.broken) out.broken++;
      else out.answered++;
    }
  } finally {
    blk.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return out;
}
