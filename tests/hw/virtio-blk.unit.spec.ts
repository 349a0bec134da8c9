/*
 * Results marked "QEMU" were measured on qemu-system-riscv64 7.2 -M virt with
 * -device virtio-blk-device,serial=abcdefghijklmnopqrstuvwxyz on an 8-sector
 * raw image (sector s filled with byte s, sector 1 starting "SECTOR01"), using
 * tests/hw/qemu-probe. The rest follows the virtio 1.1 spec, section 5.2.
 */
import { expect } from 'chai';
import { chmodSync, openSync, closeSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RawFileImage } from '../../src/hw/raw-image.js';
import { featureBit, VIRTIO_F } from '../../src/hw/virtio.js';
import { VIRTIO_BLK_F, VirtioBlk } from '../../src/hw/virtio-blk.js';
import { VirtioMmio, VirtioMmioReg as Reg } from '../../src/hw/virtio-mmio.js';
import { RecordingIrq } from './irq-recorder.js';
import { TestDriver, TestRam } from './virtio-driver.js';
import { VIRT } from '../../src/machine/virt-map.js';
import { makeTempDir, missingPrerequisite } from '../support/tools.js';

const VERSION_1 = featureBit(VIRTIO_F.VERSION_1);
const SECTOR = 512;
const T_IN = 0, T_OUT = 1, T_FLUSH = 4, T_GET_ID = 8;
const S_OK = 0, S_IOERR = 1, S_UNSUPP = 2;

function diskImage(): Uint8Array {
  const img = new Uint8Array(8 * SECTOR);
  for (let s = 0; s < 8; s++) img.fill(s, s * SECTOR, (s + 1) * SECTOR);
  img.set(new TextEncoder().encode('SECTOR01'), SECTOR);
  return img;
}

interface Rig {
  dir: string;
  path: string;
  blk: VirtioBlk;
  dev: VirtioMmio;
  drv: TestDriver;
  ram: TestRam;
}

function rig(options: { snapshot?: boolean; readOnly?: boolean; image?: Uint8Array; serial?: string; features?: bigint; legacy?: boolean } = {}): Rig {
  const dir = makeTempDir('vblk');
  const path = join(dir, 'disk.img');
  writeFileSync(path, options.image ?? diskImage());
  const blk = VirtioBlk.open({ path, snapshot: options.snapshot, readOnly: options.readOnly, serial: options.serial });
  const ram = new TestRam();
  const dev = new VirtioMmio(new RecordingIrq(), ram, blk, { ...VIRT.virtio, legacy: options.legacy ?? false });
  const drv = new TestDriver(dev, ram);
  if (!options.legacy) drv.start(options.features ?? VERSION_1);
  return { dir, path, blk, dev, drv, ram };
}

function dispose(r: Rig): void {
  r.blk.close();
  rmSync(r.dir, { recursive: true, force: true });
}

interface Result {
  status: number;
  usedLen: number;
  data: Uint8Array;
}

/** One request: header, optional data (device-readable for OUT, writable otherwise), status. */
function request(r: Rig, type: number, sector: bigint, dataLen: number, payload?: Uint8Array): Result {
  const { drv, ram } = r;
  const header = new Uint8Array(16);
  const hv = new DataView(header.buffer);
  hv.setUint32(0, type >>> 0, true);
  hv.setBigUint64(8, sector, true);
  const hdr = drv.alloc(16, header);
  const data = drv.alloc(Math.max(dataLen, 1), payload);
  const status = drv.alloc(1, Uint8Array.of(0xee));
  const dataWritable = payload === undefined;
  const segments = [{ addr: hdr, len: 16, write: false }];
  if (dataLen > 0) segments.push({ addr: data, len: dataLen, write: dataWritable });
  segments.push({ addr: status, len: 1, write: true });
  const before = drv.usedIdx();
  drv.add(segments);
  drv.notify();
  expect(drv.usedIdx()).to.equal((before + 1) & 0xffff);
  return { status: ram.read(status, 1)[0] ?? -1, usedLen: drv.usedElem(before).len, data: ram.read(data, dataLen) };
}

describe('hw/virtio-blk', () => {
  let r: Rig;
  afterEach(() => {
    if (r) dispose(r);
  });

  it('is device 2 with capacity, seg_max 254 and blk_size 512 in config space (QEMU)', () => {
    r = rig();
    expect(r.drv.reg(Reg.DeviceId)).to.equal(2);
    expect(r.drv.reg(Reg.Config)).to.equal(8); // capacity low
    expect(r.drv.reg(Reg.Config + 4)).to.equal(0);
    expect(r.drv.reg(Reg.Config + 12)).to.equal(254);
    expect(r.drv.reg(Reg.Config + 20)).to.equal(512);
    expect(Number(r.dev.read(Reg.Config, 1))).to.equal(8);
    expect(Number(r.dev.read(Reg.Config + 20, 2))).to.equal(512);
  });

  it('offers SEG_MAX, BLK_SIZE and FLUSH, and RO only for read-only images', () => {
    r = rig();
    const f = r.drv.deviceFeatures();
    for (const bit of [VIRTIO_BLK_F.SEG_MAX, VIRTIO_BLK_F.BLK_SIZE, VIRTIO_BLK_F.FLUSH]) {
      expect(f & featureBit(bit), `bit ${bit}`).to.not.equal(0n);
    }
    expect(f & featureBit(VIRTIO_BLK_F.RO)).to.equal(0n);
    dispose(r);
    r = rig({ readOnly: true });
    expect(r.drv.deviceFeatures() & featureBit(VIRTIO_BLK_F.RO)).to.not.equal(0n);
  });

  it('returns the serial cut to 20 bytes for GET_ID (QEMU)', () => {
    r = rig({ serial: 'abcdefghijklmnopqrstuvwxyz' });
    const res = request(r, T_GET_ID, 0n, 20);
    expect(res.status).to.equal(S_OK);
    expect(res.usedLen).to.equal(21); // QEMU
    expect(new TextDecoder().decode(res.data)).to.equal('abcdefghijklmnopqrst');
  });

  it('NUL-terminates a short serial and sends an empty id by default', () => {
    r = rig({ serial: 'vd0' });
    expect([...request(r, T_GET_ID, 0n, 20).data.subarray(0, 5)]).to.deep.equal([0x76, 0x64, 0x30, 0, 0]);
    dispose(r);
    r = rig();
    const res = request(r, T_GET_ID, 0n, 20);
    expect(res.status).to.equal(S_OK);
    expect(res.data.every((b) => b === 0)).to.equal(true);
  });

  it('reads sectors (QEMU)', () => {
    r = rig();
    const res = request(r, T_IN, 1n, 512);
    expect(res.status).to.equal(S_OK);
    expect(res.usedLen).to.equal(513); // QEMU
    expect(new TextDecoder().decode(res.data.subarray(0, 8))).to.equal('SECTOR01');
    const two = request(r, T_IN, 6n, 1024);
    expect(two.data[0]).to.equal(6);
    expect(two.data[1023]).to.equal(7);
  });

  it('fails partial-sector and out-of-range requests with IOERR (QEMU)', () => {
    r = rig();
    const misaligned = request(r, T_IN, 0n, 100);
    expect(misaligned.status).to.equal(S_IOERR);
    expect(misaligned.usedLen).to.equal(101); // QEMU
    expect(request(r, T_IN, 8n, 512).status).to.equal(S_IOERR); // QEMU: past the end
    expect(request(r, T_IN, 7n, 1024).status).to.equal(S_IOERR); // QEMU: straddles the end
    expect(request(r, T_IN, 0xffffffffffffffffn, 512).status).to.equal(S_IOERR);
  });

  it('answers unknown types with UNSUPP and treats type 5 as FLUSH (QEMU)', () => {
    r = rig();
    const unsupp = request(r, 99, 0n, 0);
    expect(unsupp.status).to.equal(S_UNSUPP);
    expect(unsupp.usedLen).to.equal(1); // QEMU
    expect(request(r, T_FLUSH, 0n, 0).status).to.equal(S_OK); // QEMU
    expect(request(r, 5, 0n, 0).status).to.equal(S_OK); // QEMU: OUT bit is masked off -> FLUSH
    expect(request(r, 0x80000000, 1n, 512).status).to.equal(S_OK); // QEMU: legacy barrier bit ignored
  });

  it('writes through to the file and flush() syncs it (QEMU)', () => {
    r = rig();
    const out = request(r, T_OUT, 2n, 512, new Uint8Array(512).fill(0xa5));
    expect(out.status).to.equal(S_OK);
    expect(out.usedLen).to.equal(1); // QEMU
    expect(request(r, T_IN, 2n, 512).data.every((b) => b === 0xa5)).to.equal(true); // QEMU
    r.dev.flush();
    const file = readFileSync(r.path);
    expect(file[2 * SECTOR]).to.equal(0xa5);
    expect(file[3 * SECTOR]).to.equal(3);
  });

  it('keeps writes in memory with snapshot and never touches the file', () => {
    r = rig({ snapshot: true });
    const before = readFileSync(r.path);
    expect(request(r, T_OUT, 3n, 1024, new Uint8Array(1024).fill(0x5a)).status).to.equal(S_OK);
    expect(request(r, T_FLUSH, 0n, 0).status).to.equal(S_OK);
    r.dev.flush();
    const back = request(r, T_IN, 2n, 2048).data;
    expect(back[0]).to.equal(2);
    expect(back.subarray(512, 1536).every((b) => b === 0x5a)).to.equal(true);
    expect(back[1536]).to.equal(5);
    expect(readFileSync(r.path).equals(before)).to.equal(true);
  });

  it('refuses writes on a read-only device with IOERR', () => {
    r = rig({ readOnly: true });
    expect(request(r, T_OUT, 0n, 512, new Uint8Array(512)).status).to.equal(S_IOERR);
    expect(readFileSync(r.path)[0]).to.equal(0);
  });

  it('opens an image it may not write as read-only', function () {
    const dir = makeTempDir('vblk-ro');
    try {
      const path = join(dir, 'ro.img');
      writeFileSync(path, new Uint8Array(1024));
      chmodSync(path, 0o444);
      let candidate: string | undefined = path;
      try {
        closeSync(openSync(path, 'r+')); // root ignores file modes
        candidate = undefined;
      } catch {
        // good: the mode is enforced
      }
      if (!candidate) {
        try {
          closeSync(openSync('/sys/kernel/notes', 'r+'));
        } catch {
          candidate = '/sys/kernel/notes'; // readable but never writable, even for root
        }
      }
      if (!candidate) throw missingPrerequisite('a file this process cannot open for writing (running as root, and /sys/kernel/notes is missing or writable)');
      const image = RawFileImage.open(candidate);
      expect(image.readOnly).to.equal(true);
      const blk = new VirtioBlk(image);
      expect(blk.deviceFeatures & featureBit(VIRTIO_BLK_F.RO)).to.not.equal(0n);
      blk.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rounds a partial last sector up and reads past the end of the file as zeros', () => {
    r = rig({ image: new Uint8Array(1000).fill(9) });
    expect(r.blk.capacity).to.equal(2n);
    const data = request(r, T_IN, 1n, 512).data;
    expect(data[487]).to.equal(9);
    expect(data[488]).to.equal(0);
  });

  it('splits data over several descriptors', () => {
    r = rig();
    const { drv, ram } = r;
    const header = new Uint8Array(16);
    new DataView(header.buffer).setBigUint64(8, 1n, true);
    const hdrA = drv.alloc(4, header.subarray(0, 4));
    const hdrB = drv.alloc(12, header.subarray(4));
    const parts = [drv.alloc(100), drv.alloc(300), drv.alloc(112)];
    const status = drv.alloc(1);
    drv.add([
      { addr: hdrA, len: 4, write: false },
      { addr: hdrB, len: 12, write: false },
      { addr: parts[0] ?? 0, len: 100, write: true },
      { addr: parts[1] ?? 0, len: 300, write: true },
      { addr: parts[2] ?? 0, len: 112, write: true },
      { addr: status, len: 1, write: true },
    ]);
    drv.notify();
    expect(ram.read(status, 1)[0]).to.equal(S_OK);
    expect(new TextDecoder().decode(ram.read(parts[0] ?? 0, 8))).to.equal('SECTOR01');
    expect(ram.read(parts[2] ?? 0, 112).every((b) => b === 1)).to.equal(true);
    expect(drv.usedElem(0).len).to.equal(513);
  });

  it('breaks the device for requests without a full header or a status byte', () => {
    r = rig();
    const { drv } = r;
    drv.add([{ addr: drv.alloc(8), len: 8, write: false }, { addr: drv.alloc(1), len: 1, write: true }]);
    drv.notify();
    expect(drv.reg(Reg.Status) & 0x40).to.equal(0x40);
    dispose(r);
    r = rig();
    r.drv.add([{ addr: r.drv.alloc(16), len: 16, write: false }]);
    r.drv.notify();
    expect(r.drv.reg(Reg.Status) & 0x40).to.equal(0x40);
  });

  describe('QEMU 7.2\'s feature set and config space (measured with tests/guest/src/xv6_disk.c)', () => {
    const MiB = new Uint8Array(1 << 20);
    const DISCARD = featureBit(VIRTIO_BLK_F.DISCARD), WRITE_ZEROES = featureBit(VIRTIO_BLK_F.WRITE_ZEROES);
    const T_DISCARD = 11, T_WRITE_ZEROES = 13;

    function dwz(sector: bigint, count: number, flags: number): Uint8Array {
      const b = new Uint8Array(16);
      const v = new DataView(b.buffer);
      v.setBigUint64(0, sector, true);
      v.setUint32(8, count, true);
      v.setUint32(12, flags, true);
      return b;
    }

    it('offers word 0 = 0x30006e54 on a modern transport and 0x31006ed4 (SCSI, NOTIFY_ON_EMPTY) on a legacy one', () => {
      r = rig({ image: MiB });
      expect(Number(r.drv.deviceFeatures() & 0xffffffffn)).to.equal(0x30006e54);
      dispose(r);
      r = rig({ image: MiB, legacy: true });
      expect(r.drv.reg(Reg.DeviceFeatures)).to.equal(0x31006ed4);
    });

    it('has QEMU\'s config words: geometry 2/16/63, wce, discard and write-zeroes limits, 57 bytes', () => {
      r = rig({ image: MiB, features: VERSION_1 | featureBit(VIRTIO_BLK_F.FLUSH) }); // wce follows FLUSH
      const words = Array.from({ length: 16 }, (_, i) => r.drv.reg(Reg.Config + 4 * i));
      expect(words).to.deep.equal([0x800, 0, 0, 0xfe, 0x3f100002, 0x200, 0, 0, 0x10001, 0x3fffff, 1, 1, 0x3fffff, 1, 0xffffffff, 0xffffffff]);
      expect(Number(r.dev.read(Reg.Config + 56, 1))).to.equal(1); // write_zeroes_may_unmap
      expect(Number(r.dev.read(Reg.Config + 57, 1))).to.equal(0xff);
    });

    it('takes the geometry from an MBR partition with at most 16 heads (QEMU hd_geometry_guess)', () => {
      const img = new Uint8Array(1 << 20);
      img[510] = 0x55;
      img[511] = 0xaa;
      img[0x1be + 5] = 3; // end head: 4 heads
      img[0x1be + 6] = 32; // end sector: 32 sectors
      new DataView(img.buffer).setUint32(0x1be + 12, 100, true);
      r = rig({ image: img });
      expect(r.drv.reg(Reg.Config + 16)).to.equal((32 << 24) | (4 << 16) | 16); // 2048 / 128 cylinders
      dispose(r);
      img[0x1be + 5] = 254; // 255 heads: back to 16/63
      r = rig({ image: img });
      expect(r.drv.reg(Reg.Config + 16)).to.equal(0x3f100002);
    });

    it('writes zeros, ignores discard, and checks flags, limits and negotiation (QEMU)', () => {
      r = rig({ features: VERSION_1 | DISCARD | WRITE_ZEROES });
      expect(request(r, T_WRITE_ZEROES, 0n, 16, dwz(2n, 2, 0)).status).to.equal(S_OK);
      expect(Array.from(readFileSync(r.path).subarray(2 * SECTOR, 4 * SECTOR)).every((b) => b === 0)).to.equal(true);
      expect(readFileSync(r.path)[4 * SECTOR]).to.equal(4);
      expect(request(r, T_DISCARD, 0n, 16, dwz(5n, 1, 0)).status).to.equal(S_OK);
      expect(readFileSync(r.path)[5 * SECTOR]).to.equal(5); // discard=ignore: data stays
      expect(request(r, T_DISCARD, 0n, 16, dwz(5n, 1, 1)).status).to.equal(S_UNSUPP); // UNMAP on discard
      expect(request(r, T_WRITE_ZEROES, 0n, 16, dwz(5n, 1, 2)).status).to.equal(S_UNSUPP); // unknown flag
      expect(request(r, T_WRITE_ZEROES, 0n, 16, dwz(7n, 2, 0)).status).to.equal(S_IOERR); // past the end
      expect(request(r, T_WRITE_ZEROES, 0n, 16, dwz(0n, 0x400000, 0)).status).to.equal(S_IOERR); // over the limit
      expect(request(r, T_WRITE_ZEROES & ~T_OUT, 0n, 16, dwz(0n, 1, 0)).status).to.equal(S_UNSUPP); // no OUT bit
      dispose(r);
      r = rig({ features: VERSION_1 });
      expect(request(r, T_WRITE_ZEROES, 0n, 16, dwz(0n, 1, 0)).status).to.equal(S_UNSUPP); // not negotiated
    });

    it('lets the driver switch the write cache (wce), which follows FLUSH without CONFIG_WCE (QEMU)', () => {
      r = rig({ features: VERSION_1 | featureBit(VIRTIO_BLK_F.CONFIG_WCE) });
      expect(Number(r.dev.read(Reg.Config + 32, 1))).to.equal(1);
      r.dev.write(Reg.Config + 32, 1, 0n);
      expect(Number(r.dev.read(Reg.Config + 32, 1))).to.equal(0);
      r.dev.write(Reg.Config + 32, 1, 5n);
      expect(Number(r.dev.read(Reg.Config + 32, 1))).to.equal(1);
      dispose(r);
      r = rig({ features: VERSION_1 }); // no FLUSH: write-through
      expect(Number(r.dev.read(Reg.Config + 32, 1))).to.equal(0);
    });
  });
});
