/**
 * The traps QEMU 7.2 takes on guests/api.elf, from its `-d int` lines (riscv_cpu_do_interrupt):
 * what tsemu's guest_vcpu_discon interrupts and exceptions must match, in order (api.spec.ts
 * against the committed transcript, api.oracle.spec.ts live).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { QEMU_BINARY } from '../support/run-guest.js';
import { INSTR_GUESTS } from './helpers.js';

export const API_ELF = join(INSTR_GUESTS, 'api.elf');
export const API_TRAPS_KEY = 'instr/api-traps/api';

/** One trap: interrupt or exception, its cause code and the pc it interrupted (QEMU's epc). */
export interface Trap {
  [key: string]: string;
  kind: 'interrupt' | 'exception';
  cause: string;
  epc: string;
}

export function qemuTraps(): { value: Trap[]; command: string[] } {
  const command = [QEMU_BINARY, '-M', 'virt', '-bios', 'none', '-nographic', '-kernel', API_ELF, '-d', 'int'];
  const r = spawnSync(command[0], command.slice(1), { encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`${QEMU_BINARY} failed on api.elf: ${r.stderr}`);
  const value: Trap[] = [];
  for (const m of `${r.stdout}\n${r.stderr}`.matchAll(/riscv_cpu_do_interrupt: hart:0, async:(\d), cause:([0-9a-f]+), epc:0x([0-9a-f]+)/g)) {
    value.push({ kind: m[1] === '1' ? 'interrupt' : 'exception', cause: `0x${BigInt(`0x${m[2]}`).toString(16)}`, epc: `0x${BigInt(`0x${m[3]}`).toString(16)}` });
  }
  return { value, command };
}
