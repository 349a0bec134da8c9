/**
 * The recipe both tiers of the `info pci` comparison share: the command line (the spin guest stopped
 * with -S, so the BARs are still unassigned, a virtio-rng-pci placed automatically and a
 * virtio-blk-pci with addr= and id=, a virtio-net-pci, a virtio-serial-pci with a virtconsole) and how the text is taken from a session. QEMU's output is the
 * transcript monitor-e2e/info-pci/qemu.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { QEMU_BINARY } from '../support/run-guest.js';
import { HmpStdio, type Emulator } from './hmp-stdio.js';
import { QEMU_ONLY_ARGS, spinArgs } from './log-runtime-qemu.js';

export const INFO_PCI_KEY = 'monitor-e2e/info-pci/qemu';

export type InfoPciRecord = { infoPci: string };

export function infoPciArgs(disk: string): string[] {
  return [...spinArgs('-monitor', 'stdio', '-device', 'virtio-rng-pci', '-drive', `file=${disk},format=raw,if=none,id=hd0`, '-device', 'virtio-blk-pci,drive=hd0,addr=0x5,id=disk0', '-netdev', 'user,id=net0', '-device', 'virtio-net-pci,netdev=net0,id=nic0',
    '-chardev', 'null,id=con0', '-device', 'virtio-serial-pci,id=vser0', '-device', 'virtconsole,chardev=con0')];
}

/** A 1 MiB image in `dir` for the block device. */
export function makeDisk(dir: string): string {
  const disk = join(dir, 'disk.img');
  writeFileSync(disk, Buffer.alloc(1024 * 1024));
  return disk;
}

/** `info pci` on one emulator. */
export async function infoPci(emulator: Emulator, disk: string, command?: (c: string[]) => void): Promise<InfoPciRecord> {
  const args = [...infoPciArgs(disk), ...(emulator === 'qemu' ? QEMU_ONLY_ARGS : [])];
  command?.([QEMU_BINARY, ...args.map((a) => a.replace(disk, '$TMP/disk.img')), '(monitor: info pci)']);
  const hmp = await HmpStdio.start(emulator, args);
  try {
    const out = await hmp.run('info pci');
    await hmp.quit();
    return { infoPci: out };
  } finally {
    hmp.kill();
  }
}
