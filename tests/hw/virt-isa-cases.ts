/**
 * The device tree's `riscv,isa` for several `-cpu` settings, as QEMU 7.2 writes it: what both
 * tiers share. virt-isa.spec.ts holds tsemu's string (-cpu parsing, then the string builder, then
 * the DTB tsemu dumps) to the committed transcript tests/transcripts/hw/virt-isa.json;
 * virt-isa.oracle.spec.ts reads the strings from QEMU's own dumped trees and fails when the
 * transcript is stale. QEMU runs with `h=false` added: tsemu has no H extension (QEMU's default has
 * it, and writes an `h` after `c`), so that one letter is the documented difference.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir } from '../support/tools.js';

export const TRANSCRIPT_KEY = 'hw/virt-isa';

/** -cpu arguments as tsemu takes them. */
export const CPU_CASES: readonly string[] = [
  'rv64',
  'rv64,zbb=false',
  'rv64,zba=off,zbc=no',
  'rv64,zba=false,zbb=false,zbc=false,zbs=false',
  'rv64,Zihintpause=false,Zifencei=false',
  'rv64,svinval=on',
  'rv64,zbs=off,zbs=on',
  'rv64,Zfhmin=true',
  'rv64,Zfh=true',
  'rv64,Zfh=true,Zfhmin=true',
];

/** QEMU's -cpu for a case: the same, without H. */
export function qemuCpu(cpu: string): string {
  return cpu.replace(/^rv64/, 'rv64,h=false');
}

/** `riscv,isa` of cpu@0 in a DTB: the first string property value after the name (NUL-terminated). */
export function isaOf(dtb: Uint8Array): string {
  const text = Buffer.from(dtb).toString('latin1');
  const m = /rv64[a-z0-9_]*/.exec(text);
  if (!m) throw new Error('no riscv,isa string in the DTB');
  return m[0];
}

/** Run `binary` to dump its virt DTB with `-cpu cpu`; the riscv,isa string. */
export function dumpIsa(binary: string, prefix: readonly string[], cpu: string): string {
  const dir = makeTempDir('virt-isa');
  try {
    const dtb = join(dir, 'd.dtb');
    execFileSync(binary, [...prefix, '-M', `virt,dumpdtb=${dtb}`, '-nographic', '-cpu', cpu], { stdio: 'ignore', timeout: 30_000 });
    return isaOf(new Uint8Array(readFileSync(dtb)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
