/**
 * How to launch each emulator. tsemu is always present (this repository);
 * QEMU is optional so the bench still runs, printing "n/a", where it is missing.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export type EmulatorId = 'tsemu' | 'qemu';

export interface EmulatorCommand {
  readonly id: EmulatorId;
  /** Executable to spawn. */
  readonly command: string;
  /** Arguments that come before the machine options (e.g. the script for node). */
  readonly prefixArgs: readonly string[];
  /** First line of `--version`, for the report header. */
  readonly version: string;
}

const QEMU_BINARY = 'qemu-system-riscv64';

export function tsemuCommand(repoRoot: string): EmulatorCommand {
  const script = join(repoRoot, 'bin', 'tsemu-system-riscv64.js');
  if (!existsSync(script)) throw new Error(`tsemu launcher not found: ${script}`);
  // process.execPath: the same node that runs the bench, whatever is on PATH.
  return { id: 'tsemu', command: process.execPath, prefixArgs: [script], version: `node ${process.version}` };
}

/** The QEMU command, or null when it cannot be run. */
export function findQemu(binary: string = QEMU_BINARY): EmulatorCommand | null {
  const probe = spawnSync(binary, ['--version'], { encoding: 'utf8', timeout: 10_000 });
  if (probe.error !== undefined || probe.status !== 0) return null;
  const version = probe.stdout.split('\n')[0]?.trim() ?? '';
  return { id: 'qemu', command: binary, prefixArgs: [], version };
}

/** Full argument vector for one emulator run. */
export function argsFor(emulator: EmulatorCommand, machineArgs: readonly string[]): string[] {
  return [...emulator.prefixArgs, ...machineArgs];
}
