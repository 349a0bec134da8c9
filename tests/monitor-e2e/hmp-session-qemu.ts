/**
 * The recipe both tiers of hmp-session share: the command lines (tsemu's, and QEMU's: the same
 * plus `-display none` so it opens no window and `-cpu rv64,h=false` so its hart has tsemu's
 * ISA), the commands both emulators have, and what the transcript
 * tests/transcripts/monitor-e2e/hmp-session/qemu.json keeps of QEMU 7.2's session: its first
 * `info cpus` (thread ids masked), each command's output (the loop counter t1 in `info registers`
 * masked: it depends on when QEMU was stopped) and its exit status.
 */
import { join } from 'node:path';
import { QEMU_BINARY } from '../support/run-guest.js';
import { HmpStdio } from './hmp-stdio.js';
import { maskLoopCounter } from './register-dump.js';
import { loadSpinGuest, MAGIC_ADDR } from './spin-guest.js';

export const TRANSCRIPT_KEY = 'monitor-e2e/hmp-session/qemu';

export function tsemuArgs(dir: string, smp = 2): string[] {
  return ['-M', 'virt', '-bios', 'none', '-smp', String(smp), '-serial', `file:${join(dir, 'serial.txt')}`,
    '-monitor', 'stdio', '-D', join(dir, 'trace.log'), '-kernel', loadSpinGuest().relativePath];
}

export function qemuArgs(dir: string, smp = 2): string[] {
  return [...tsemuArgs(dir, smp), '-display', 'none', '-cpu', 'rv64,h=false'];
}

/** QEMU's session: [key, command line]; the key tells repeated commands apart. */
export const ORACLE_COMMANDS: readonly (readonly [string, string])[] = [
  ['stop', 'stop'], ['info status', 'info status'], ['info registers', 'info registers'],
  ['info registers 1', 'info registers 1'], ['x', `x /4xw 0x${MAGIC_ADDR.toString(16)}`],
  ['xp', `xp /4xw 0x${MAGIC_ADDR.toString(16)}`], ['cont', 'cont'], ['info status after cont', 'info status'],
];

/** What QEMU printed for the commands both emulators have. */
export type QemuSessionRecord = {
  firstInfoCpus: string;
  /** [key, command line, output] */
  outputs: [string, string, string][];
  exitStatus: number | null;
};

export function output(record: QemuSessionRecord, key: string): string {
  const entry = record.outputs.find(([k]) => k === key);
  if (entry === undefined) throw new Error(`the QEMU transcript has no output for '${key}'`);
  return entry[2];
}

/** Oracle tier: QEMU's session, normalised for the transcript; `command` gets its command line. */
export async function qemuSession(dir: string, command?: (c: string[]) => void): Promise<QemuSessionRecord> {
  const args = qemuArgs(dir);
  command?.([QEMU_BINARY, ...args]);
  const hmp = await HmpStdio.start('qemu', args);
  try {
    const firstInfoCpus = (await hmp.run('info cpus')).replace(/thread_id=\d+/g, 'thread_id=T');
    await hmp.waitForLoops([0, 1], 1000n); // both harts well inside their loop
    const outputs: [string, string, string][] = [];
    for (const [key, line] of ORACLE_COMMANDS) outputs.push([key, line, maskLoopCounter(await hmp.run(line))]);
    const exit = await hmp.quit();
    return { firstInfoCpus, outputs, exitStatus: exit.status };
  } finally {
    hmp.kill();
  }
}
