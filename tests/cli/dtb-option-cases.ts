/**
 * The recipe both tiers of the -dtb tests share (dtb-option.spec.ts: tsemu against the committed
 * transcript tests/transcripts/cli/dtb-option/dumps.json; dtb-option.oracle.spec.ts: QEMU 7.2 live,
 * recording or checking that transcript): committed trees (tests/fuzz/dtb/bin) given with -dtb,
 * a kernel, an initrd and -append, dumped with `-M virt,dumpdtb=F`. What is compared is the dump
 * (the whole buffer QEMU places in RAM: length, then the packed tree) but for the 32 random bytes
 * of /chosen/rng-seed, which are zeroed.
 */
import { join } from 'node:path';
import { repoRoot } from '../support/run-guest.js';

export const KEY = 'cli/dtb-option/dumps';
const DTB_DIR = join(repoRoot(), 'tests', 'fuzz', 'dtb', 'bin');
const KERNEL = join(repoRoot(), 'tests', 'guest', 'bin', 'rv64i.elf');

export type DtbDump = { readonly base: string; readonly length: number; readonly packedHex: string };

export const BASES = ['virt-smp2.dtb', 'virt-memreserve.dtb', 'virt-smp2-v16.dtb', 'minimal.dtb'] as const;

/** The command line of a case; `initrd` is a file the caller made (4099 bytes). */
export function dumpArgs(base: string, initrd: string, out: string): string[] {
  return ['-M', `virt,dumpdtb=${out}`, '-smp', '2', '-bios', 'none', '-display', 'none', '-kernel', KERNEL, '-initrd', initrd,
    '-append', 'console=ttyS0 tsemu_scenario=boot', '-dtb', join(DTB_DIR, base)];
}

/** The dump as compared: its length, and the packed tree (totalsize bytes) with rng-seed's value zeroed. */
export function dumpOf(base: string, bytes: Buffer): DtbDump {
  const total = bytes.readUInt32BE(4);
  const packed = Buffer.from(bytes.subarray(0, total));
  const seedName = packed.indexOf('rng-seed\0', packed.readUInt32BE(12));
  if (seedName >= 0) {
    // the property whose name offset points at "rng-seed": its 32-byte value follows the 12-byte header
    const nameoff = seedName - packed.readUInt32BE(12);
    for (let at = packed.readUInt32BE(8); at + 12 <= total; at += 4) {
      if (packed.readUInt32BE(at) === 3 && packed.readUInt32BE(at + 4) === 32 && packed.readUInt32BE(at + 8) === nameoff) {
        packed.fill(0, at + 12, at + 44);
        break;
      }
    }
  }
  return { base, length: bytes.length, packedHex: packed.toString('hex') };
}
