/**
 * Sanity checks of the guest manifest and of the disk images the harness
 * creates (the virtio_blk guest checks exactly this layout).
 */
import { expect } from 'chai';
import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { diskImageBytes, guestCommandLine, guestDir, loadGuestManifest, SECTOR_SIZE } from '../support/guest-manifest.js';

describe('guest manifest', function () {
  const entries = loadGuestManifest();

  it('lists uniquely named guests whose ELFs exist and start at 0x80000000', function () {
    const names = new Set(entries.map((e) => e.name));
    expect(names.size).to.equal(entries.length);
    for (const e of entries) {
      const path = join(guestDir(), e.elf);
      expect(existsSync(path), path).to.equal(true);
      const elf = readFileSync(path);
      expect(elf.subarray(0, 4).toString('latin1')).to.equal('\x7fELF');
      expect(elf[4], 'ELFCLASS64').to.equal(2);
      expect(elf.readUInt16LE(18), 'EM_RISCV').to.equal(243);
      expect(elf.readBigUInt64LE(24), 'entry point').to.equal(0x80000000n);
    }
  });

  it('has a source file for every guest ELF (an ELF may run in several entries, with other options)', function () {
    for (const e of entries) {
      const base = join(guestDir(), 'src', basename(e.elf, '.elf'));
      expect(existsSync(base + '.c') || existsSync(base + '.S'), base).to.equal(true);
    }
  });

  it('builds the bare-metal command line and substitutes the disk path', function () {
    const blk = entries.find((e) => e.disk !== undefined);
    if (!blk) throw new Error('no guest with a disk');
    const args = guestCommandLine(blk, '/tmp/x.img');
    expect(args.slice(0, 6)).to.deep.equal(['-M', 'virt', '-bios', 'none', '-nographic', '-kernel']);
    expect(args.join(' ')).to.contain('file=/tmp/x.img,format=raw');
    expect(() => guestCommandLine(blk)).to.throw();
  });

  it('fills disk images with the sector-tag pattern', function () {
    const img = diskImageBytes({ sizeBytes: 4 * SECTOR_SIZE, pattern: 'sector-tag' });
    expect(img.length).to.equal(2048);
    const s2 = img.subarray(2 * SECTOR_SIZE, 3 * SECTOR_SIZE);
    expect(s2.subarray(0, 8).toString('latin1')).to.equal('TSEMUBLK');
    expect(s2.readBigUInt64LE(8)).to.equal(2n);
    expect(s2[16]).to.equal((2 * 31 + 16) & 0xff);
    expect(s2[511]).to.equal((2 * 31 + 511) & 0xff);
  });
});
