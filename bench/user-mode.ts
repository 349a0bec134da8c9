/**
 * User mode: tsemu-riscv64 beside qemu-riscv64 on the same static Linux programs
 * (bench/guest/user, `make -C bench/guest/user`):
 *
 * - user-int.elf: the int workload of bench/guest/workloads.h, timed by the guest's own
 *   CLOCK_MONOTONIC around the kernel. Guest MIPS = the kernel's instructions / that time; the
 *   instruction count is the whole program's under tsemu-riscv64 with examples/instr/insn-count.ts
 *   (counted once; start-up is a few ten thousand of the hundreds of millions, and it is the same
 *   binary on both emulators, so the same count holds for QEMU).
 * - the same with -R 1G on both emulators (QEMU's reserved_va): tsemu's flat memory (guest
 *   address = offset, a byte per page instead of the soft TLB; src/linux-user/README.md).
 * - user-mem.elf: the memory-bound workload (8 MiB streamed, beyond the soft TLB's 8 MiB reach
 *   with the program's other pages), guest-timed, without and with -R 1G.
 * - user-threads.elf at 1 and 2 threads: independent integer work per thread, timed from a start
 *   barrier to the last join; speed-up = 2 x time(1) / time(2) (two threads do twice the work).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { busyHostWarning } from './host-load.js';
import { describeFailure, runMeasured } from './process-run.js';
import type { BenchContext, BenchRow, BenchSection, SectionResult } from './section.js';
import { median, ratio } from './stats.js';

const QEMU_USER = 'qemu-riscv64';
const INT_ELF = 'bench/guest/user/user-int.elf';
const MEM_ELF = 'bench/guest/user/user-mem.elf';
/** -R for the flat rows: 1 GiB, QEMU's reserved_va for both emulators. */
const RESERVED = ['-R', '1G'];
const THREADS_ELF = 'bench/guest/user/user-threads.elf';
const TIMEOUT_MS = 120_000;

type Emu = 'tsemu' | 'qemu';

interface GuestRun {
  acc: string;
  seconds: number;
}

function userCommand(ctx: BenchContext, emu: Emu): { command: string; prefix: string[] } {
  return emu === 'tsemu'
    ? { command: process.execPath, prefix: [join(ctx.repoRoot, 'bin', 'tsemu-riscv64.js')] }
    : { command: QEMU_USER, prefix: [] };
}

function qemuUserAvailable(): boolean {
  const p = spawnSync(QEMU_USER, ['--version'], { encoding: 'utf8', timeout: 10_000 });
  return p.error === undefined && p.status === 0;
}

/** One run: the checksum and the guest-timed seconds its line reports, or a warning. */
async function runOnce(ctx: BenchContext, emu: Emu, args: readonly string[]): Promise<GuestRun | string> {
  const { command, prefix } = userCommand(ctx, emu);
  const r = await runMeasured({ command, args: [...prefix, ...args], timeoutMs: TIMEOUT_MS });
  const m = /acc=([0-9a-f]+)(?: agree=(\d))? ns=(\d+)/.exec(r.stdout);
  if (r.exitCode !== 0 || m === null) return `${args.join(' ')} on ${emu}: ${describeFailure(r)}`;
  if (m[2] === '0') return `${args.join(' ')} on ${emu}: the threads computed different checksums`;
  return { acc: m[1], seconds: Number(m[3]) / 1e9 };
}

/** tsemu-riscv64 with insn-count.ts: every instruction user-int.elf executes. */
async function countInstructions(ctx: BenchContext): Promise<number | null> {
  const { command, prefix } = userCommand(ctx, 'tsemu');
  const lib = `file=${join(ctx.repoRoot, 'examples', 'instr', 'insn-count.ts')}`;
  const r = await runMeasured({ command, args: [...prefix, '-instr', lib, join(ctx.repoRoot, INT_ELF)], timeoutMs: TIMEOUT_MS });
  const m = /insn-count: total (\d+) instructions/.exec(r.stdout);
  return m === null ? null : Number(m[1]);
}

interface Collected {
  seconds: Record<Emu, number[]>;
  accs: Set<string>;
  warnings: string[];
}

async function collect(ctx: BenchContext, emus: readonly Emu[], name: string, args: readonly string[]): Promise<Collected> {
  const out: Collected = { seconds: { tsemu: [], qemu: [] }, accs: new Set(), warnings: [] };
  for (let i = 1; i <= ctx.repeats; i++) {
    for (const emu of emus) {
      const r = await runOnce(ctx, emu, args);
      ctx.progress(`${name}: ${emu} run ${i}/${ctx.repeats}: ${typeof r === 'string' ? r : `${r.seconds.toFixed(3)} s`}`);
      if (typeof r === 'string') out.warnings.push(r);
      else {
        out.seconds[emu].push(r.seconds);
        out.accs.add(r.acc);
      }
    }
  }
  if (out.accs.size > 1) out.warnings.push(`!!! CHECKSUM MISMATCH on ${name}: ${[...out.accs].join(', ')} !!!`);
  return out;
}

function mipsRow(insns: number | null, c: Collected, flat = false): BenchRow {
  const mips = (s: number): number | null => (insns === null ? null : insns / s / 1e6);
  const t = median(c.seconds.tsemu);
  const q = median(c.seconds.qemu);
  const tm = t === null ? null : mips(t);
  const qm = q === null ? null : mips(q);
  return {
    id: flat ? 'user-int-R.mips' : 'user-int.mips',
    label: flat ? 'user-int with -R 1G (flat memory): guest MIPS (guest-timed)' : 'user-int (workloads.h int, static Linux ELF): guest MIPS (guest-timed)',
    unit: 'MIPS', decimals: 1,
    tsemu: tm, qemu: qm, ratio: ratio(tm, qm),
    samples: { tsemu: c.seconds.tsemu.map((s) => mips(s) ?? 0), qemu: c.seconds.qemu.map((s) => mips(s) ?? 0) },
  };
}

function memRow(c: Collected, flat: boolean): BenchRow {
  const t = median(c.seconds.tsemu);
  const q = median(c.seconds.qemu);
  return {
    id: flat ? 'user-mem-R.time' : 'user-mem.time', label: `user-mem (workloads.h mem, 2 rounds)${flat ? ' with -R 1G (flat memory)' : ''}: guest time`,
    unit: 's', decimals: 3, tsemu: t, qemu: q, ratio: ratio(t, q), samples: { tsemu: c.seconds.tsemu, qemu: c.seconds.qemu },
  };
}

function speedupRows(one: Collected, two: Collected): BenchRow[] {
  const speedup = (emu: Emu): number | null => {
    const t1 = median(one.seconds[emu]);
    const t2 = median(two.seconds[emu]);
    return t1 === null || t2 === null ? null : (2 * t1) / t2;
  };
  const t = speedup('tsemu');
  const q = speedup('qemu');
  const time = (c: Collected, n: number): BenchRow => {
    const ts = median(c.seconds.tsemu);
    const qs = median(c.seconds.qemu);
    return { id: `user-threads${n}.time`, label: `user-threads, ${n} thread${n > 1 ? 's' : ''}: guest time`, unit: 's', decimals: 3,
      tsemu: ts, qemu: qs, ratio: ratio(ts, qs), samples: { tsemu: c.seconds.tsemu, qemu: c.seconds.qemu } };
  };
  return [time(one, 1), time(two, 2), {
    id: 'user-threads.speedup', label: 'user-threads: speed-up at 2 threads vs 1 (2 x t1 / t2)', unit: 'x', decimals: 2,
    tsemu: t, qemu: q, ratio: ratio(t, q),
  }];
}

export const userModeSection: BenchSection = {
  id: 'user',
  title: 'User mode: tsemu-riscv64 beside qemu-riscv64 (static Linux programs)',
  async run(ctx: BenchContext): Promise<SectionResult> {
    const busy = busyHostWarning('user');
    const emus: Emu[] = ctx.qemu !== null && qemuUserAvailable() ? ['tsemu', 'qemu'] : ['tsemu'];
    const warnings: string[] = busy === null ? [] : [busy];
    if (emus.length === 1) warnings.push(`${QEMU_USER} not usable (or QEMU disabled): QEMU columns read n/a`);
    ctx.progress('user-int: counting instructions (tsemu-riscv64 -instr insn-count.ts)');
    const insns = await countInstructions(ctx);
    if (insns === null) warnings.push('user-int: the instruction count failed (no MIPS figures)');
    const int = await collect(ctx, emus, 'user-int', [join(ctx.repoRoot, INT_ELF)]);
    const intFlat = await collect(ctx, emus, 'user-int -R', [...RESERVED, join(ctx.repoRoot, INT_ELF)]);
    const mem = await collect(ctx, emus, 'user-mem', [join(ctx.repoRoot, MEM_ELF)]);
    const memFlat = await collect(ctx, emus, 'user-mem -R', [...RESERVED, join(ctx.repoRoot, MEM_ELF)]);
    const one = await collect(ctx, emus, 'user-threads 1', [join(ctx.repoRoot, THREADS_ELF), '1']);
    const two = await collect(ctx, emus, 'user-threads 2', [join(ctx.repoRoot, THREADS_ELF), '2']);
    if (one.accs.size === 1 && two.accs.size === 1 && [...one.accs][0] !== [...two.accs][0]) warnings.push('!!! user-threads: 1 and 2 threads computed different checksums !!!');
    return {
      rows: [mipsRow(insns, int), mipsRow(insns, intFlat, true), memRow(mem, false), memRow(memFlat, true), ...speedupRows(one, two)],
      warnings: [...warnings, ...[int, intFlat, mem, memFlat, one, two].flatMap((c) => c.warnings)],
    };
  },
};
