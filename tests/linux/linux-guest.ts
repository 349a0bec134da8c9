/**
 * tsemu's Linux test guest (tests/linux/build.sh builds the kernel and the initramfs from Debian's
 * linux-source-6.1 and init/*.c, cached outside the repository) and how to boot it: the command
 * line, and the lines of init (prefixed "tsemu-linux: ") picked out of the console.
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { repoRoot } from '../support/run-guest.js';

export interface LinuxGuest {
  readonly kernel: string;
  readonly initramfs: string;
  /** The init programs as files (for a root file system image). */
  readonly rootDir: string;
}

/** Builds (or finds in the cache) the kernel and initramfs; throws with the script's output on failure. */
export function buildLinuxGuest(): LinuxGuest {
  const script = join(repoRoot(), 'tests/linux/build.sh');
  const r = spawnSync(script, [], { encoding: 'utf8', timeout: 30 * 60_000 });
  if (r.status !== 0) throw new Error(`tests/linux/build.sh failed (status ${String(r.status)}):\n${r.stderr.slice(-4000)}`);
  const [kernel, initramfs] = r.stdout.trim().split('\n').pop()?.split(' ') ?? [];
  if (kernel === undefined || initramfs === undefined) throw new Error(`tests/linux/build.sh printed no paths: ${r.stdout}`);
  return { kernel, initramfs, rootDir: join(dirname(initramfs), 'root') };
}

/** `-M virt -smp N -m 256M -nographic -kernel Image -initrd initramfs -append ...`, plus `extra`. */
export function linuxArgs(guest: LinuxGuest, smp: number, scenario: string, extra: readonly string[] = []): string[] {
  return [
    '-M', 'virt', '-smp', String(smp), '-m', '256M', '-nographic',
    '-kernel', guest.kernel, '-initrd', guest.initramfs,
    '-append', `console=ttyS0 tsemu_scenario=${scenario}`,
    ...extra,
  ];
}

/** The lines init printed, prefix removed. */
export function initLines(console: string): string[] {
  return console.split(/\r?\n/).filter((l) => l.startsWith('tsemu-linux: ')).map((l) => l.slice('tsemu-linux: '.length));
}
