/**
 * `info registers` as QEMU 7.2 prints it for an RV64GC hart without the H
 * extension (target/riscv/cpu.c riscv_cpu_dump_state with CPU_DUMP_FPU): a
 * blank line, `CPU#N`, one ` %-8s %016x` line per CSR, then the x and f
 * registers four to a line, each ` %-8s %016x`. The layout below was checked
 * against qemu-system-riscv64 -cpu rv64,h=false (the tests compare with it
 * again whenever QEMU is installed).
 */

const CSRS = [
  'pc', 'mhartid', 'mstatus', 'mip', 'mie', 'mideleg', 'medeleg', 'mtvec', 'stvec', 'mepc', 'sepc',
  'mcause', 'scause', 'mtval', 'stval', 'mscratch', 'sscratch', 'satp',
];
const X_ABI = [
  'zero', 'ra', 'sp', 'gp', 'tp', 't0', 't1', 't2', 's0', 's1', 'a0', 'a1', 'a2', 'a3', 'a4', 'a5',
  'a6', 'a7', 's2', 's3', 's4', 's5', 's6', 's7', 's8', 's9', 's10', 's11', 't3', 't4', 't5', 't6',
];
const F_ABI = [
  'ft0', 'ft1', 'ft2', 'ft3', 'ft4', 'ft5', 'ft6', 'ft7', 'fs0', 'fs1', 'fa0', 'fa1', 'fa2', 'fa3', 'fa4', 'fa5',
  'fa6', 'fa7', 'fs2', 'fs3', 'fs4', 'fs5', 'fs6', 'fs7', 'fs8', 'fs9', 'fs10', 'fs11', 'ft8', 'ft9', 'ft10', 'ft11',
];

const HEX = '<hex>';

/** The expected text with every value replaced by `<hex>`. */
export function expectedRegisterSkeleton(cpu: number): string {
  const lines = ['', `CPU#${cpu}`];
  for (const name of CSRS) lines.push(` ${name.padEnd(8)} ${HEX}`);
  const rows = (prefix: string, abi: readonly string[]): void => {
    for (let i = 0; i < 32; i += 4) {
      lines.push([0, 1, 2, 3].map((k) => ` ${`${prefix}${i + k}/${abi[i + k]}`.padEnd(8)} ${HEX}`).join(''));
    }
  };
  rows('x', X_ABI);
  rows('f', F_ABI);
  return `${lines.join('\n')}\n`;
}

export function registerSkeleton(dump: string): string {
  return dump.replace(/\b[0-9a-f]{16}\b/g, HEX);
}

/** Register name (`pc`, `mhartid`, `x6/t1`, `f0/ft0`, ...) -> value. */
export function registerValues(dump: string): Map<string, bigint> {
  const values = new Map<string, bigint>();
  for (const m of dump.matchAll(/(\S+)\s+([0-9a-f]{16})\b/g)) values.set(m[1], BigInt(`0x${m[2]}`));
  return values;
}

/** The values with the ones that depend on when the hart was stopped taken out. */
export function stableRegisterValues(dump: string): Map<string, bigint> {
  const values = registerValues(dump);
  values.delete('pc');
  values.delete('x6/t1'); // the loop counter
  return values;
}

/** What a transcript keeps of a dump: the loop counter t1 (how far the hart got) as `<counter>`. */
export const COUNTER_MASK = '<counter>';

export function maskLoopCounter(dump: string): string {
  return dump.replace(/(x6\/t1\s+)[0-9a-f]{16}\b/, `$1${COUNTER_MASK}`);
}
