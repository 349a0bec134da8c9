/**
 * The random-instruction fuzzer: one seed gives a guest (insn-gen.ts) that runs on QEMU 7.2 and on
 * tsemu; the running state hashes they print every CHUNK steps, and the final hash of the data
 * pages and page tables, must be equal. On a difference the guest is run again on both, printing
 * the hash after every step and the whole state around the first differing chunk, and the report
 * names the first differing step: its instruction (disassembled), the state before it and both
 * states after it.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { disassemble } from '../../src/target/riscv/disas.js';
import { runQemu, runTsemu, type GuestRunResult } from '../support/run-guest.js';
import { buildGuest, SAVE_NAMES, type Step } from './insn-gen.js';

/**
 * Extra -cpu properties for both sides, from TSEMU_FUZZ_CPU (for example `Zfh=true`): the
 * comparison with an extension that is off by default. The CI runs leave it unset.
 */
const EXTRA_CPU = process.env.TSEMU_FUZZ_CPU ? `,${process.env.TSEMU_FUZZ_CPU}` : '';

/**
 * QEMU 7.2's rv64 without what tsemu does not implement (H, the debug trigger CSRs
 * tselect/tdata1-3), so illegal means illegal on both; Zba/Zbb/Zbc/Zbs are on on both sides.
 */
export const QEMU_CPU = `rv64,h=false,debug=false${EXTRA_CPU}`;
export const TSEMU_CPU = `rv64${EXTRA_CPU}`;
export const CHUNK = 256;

export interface InsnRun {
  seed: number;
  steps: number;
  /** Empty when the two agree. */
  problems: string[];
  qemuMs: number;
  tsemuMs: number;
}

interface Printed {
  hashes: Map<number, string>;
  dumps: Map<number, bigint[]>;
  end: string | undefined;
}

function parse(stdout: string): Printed {
  const p: Printed = { hashes: new Map(), dumps: new Map(), end: undefined };
  for (const line of stdout.split('\n')) {
    const f = line.trim().split(' ');
    if (f[0] === 'H' && f.length === 3) p.hashes.set(parseInt(f[1] ?? '', 16), f[2] ?? '');
    else if (f[0] === 'S' && f.length === 81) p.dumps.set(parseInt(f[1] ?? '', 16), f.slice(2).map((h) => BigInt(`0x${h}`)));
    else if (f[0] === 'E' && f.length === 3) p.end = `${f[1]} ${f[2]}`;
  }
  return p;
}

/**
 * The UART goes to a file: QEMU drops console output that a pipe does not take at once. Two harts
 * (the second parks): at -smp 1 QEMU 7.2 runs AMOs as a load then a store, so an AMO on a page it
 * may neither read nor write takes a load page fault; at -smp 2 it takes the store/AMO fault the
 * spec (and tsemu, at any -smp) gives.
 */
function args(elf: string, cpu: string, console: string): string[] {
  return ['-M', 'virt', '-smp', '2', '-bios', 'none', '-display', 'none', '-serial', `file:${console}`, '-cpu', cpu, '-kernel', elf];
}

/** What is wrong with one emulator's run as such (hang, crash, host exception), or undefined. */
function runFailure(who: string, r: GuestRunResult): string | undefined {
  if (r.timedOut) return `${who}: timed out after ${r.durationMs} ms`;
  if (r.status !== 0) return `${who}: exit status ${r.status ?? r.signal}; stderr: ${r.stderr.trim().split('\n').slice(0, 6).join(' | ')}`;
  if (/\n\s+at |Error:|TypeError|RangeError/.test(r.stderr)) return `${who}: host exception on stderr: ${r.stderr.trim().split('\n').slice(0, 6).join(' | ')}`;
  return undefined;
}

/** Runs `elf` on both; each result's stdout is what the guest printed on its UART. */
async function runBoth(elf: string, timeoutMs: number): Promise<[GuestRunResult, GuestRunResult]> {
  const [qOut, tOut] = [`${elf}.qemu.txt`, `${elf}.tsemu.txt`];
  const [q, t] = await Promise.all([runQemu(args(elf, QEMU_CPU, qOut), { timeoutMs }), runTsemu(args(elf, TSEMU_CPU, tOut), { timeoutMs })]);
  const read = (f: string): string => (existsSync(f) ? readFileSync(f, 'latin1') : '');
  return [{ ...q, stdout: read(qOut) }, { ...t, stdout: read(tOut) }];
}

const hex = (v: bigint): string => `0x${v.toString(16).padStart(16, '0')}`;

export function describeInsn(s: Step): string {
  const raw = s.length === 4 ? s.insn >>> 0 : s.insn & 0xffff;
  const text = disassemble(s.decoded, s.slot, raw, s.length);
  return `${raw.toString(16).padStart(s.length * 2, '0')}  ${text}`;
}

function describeStep(index: number, s: Step): string {
  return `step ${index}: ${s.mode}-mode at ${hex(BigInt(s.slot))}: ${describeInsn(s)}\n` +
    `  set up: mstatus=${hex(s.mstatus)} satp=${hex(s.satp)} medeleg=0x${s.medeleg.toString(16)} ` +
    `mideleg=0x${s.mideleg.toString(16)} mie=0x${s.mie.toString(16)} mip=0x${s.mip.toString(16)}` +
    `${s.timerPending ? ' +MTIP' : ''} fcsr=0x${s.fcsr.toString(16)} ` +
    `overrides: ${s.overrides.map(([i, v]) => `${SAVE_NAMES[i]}=${hex(v)}`).join(' ') || 'none'}`;
}

/** The fields before / after on QEMU / after on tsemu, where any of them differ. */
function stateTable(before: bigint[] | undefined, q: bigint[], t: bigint[]): string {
  const rows: string[] = [`  ${'field'.padEnd(9)}${'before'.padEnd(20)}${'qemu after'.padEnd(20)}tsemu after`];
  for (let i = 1; i < SAVE_NAMES.length; i++) {
    const b = before?.[i - 1];
    const qa = q[i - 1] ?? -1n;
    const ta = t[i - 1] ?? -1n;
    if (qa === ta && (b === undefined || b === qa)) continue;
    rows.push(`${qa === ta ? ' ' : '!'} ${(SAVE_NAMES[i] ?? '?').padEnd(9)}${b === undefined ? '?'.padEnd(20) : hex(b).padEnd(20)}${hex(qa).padEnd(20)}${hex(ta)}`);
  }
  return rows.join('\n');
}

/** Runs the guest again printing every step's hash and the states around `chunk`, and explains the first difference. */
async function diagnose(seed: number, nsteps: number, firstBadChunkEnd: number, dir: string, timeoutMs: number): Promise<string> {
  const lo = Math.max(0, firstBadChunkEnd - CHUNK);
  const g = buildGuest(seed, { steps: nsteps, chunk: 1, dumpLo: Math.max(0, lo - 1), dumpHi: firstBadChunkEnd });
  const elf = join(dir, `insn-${seed}-diag.elf`);
  writeFileSync(elf, g.elf);
  const [q, t] = await runBoth(elf, timeoutMs * 4);
  const qp = parse(q.stdout);
  const tp = parse(t.stdout);
  let k = lo;
  while (k <= firstBadChunkEnd && qp.hashes.get(k) !== undefined && qp.hashes.get(k) === tp.hashes.get(k)) k++;
  const step = g.steps[k];
  if (step === undefined) return `  (the diagnostic run found no differing step near ${firstBadChunkEnd})`;
  const qa = qp.dumps.get(k);
  const ta = tp.dumps.get(k);
  let before = k > 0 ? qp.dumps.get(k - 1)?.slice() : g.initialRegs.slice(1).concat(new Array<bigint>(16).fill(0n));
  if (before !== undefined) for (const [i, v] of step.overrides) before[i - 1] = v;
  if (qa === undefined || ta === undefined) {
    return `${describeStep(k, step)}\n  (no state printed: qemu ${qa ? 'ok' : 'missing'} ${runFailure('qemu', q) ?? ''}, tsemu ${ta ? 'ok' : 'missing'} ${runFailure('tsemu', t) ?? ''})`;
  }
  if (before && k > 0 && qp.dumps.get(k - 1)?.some((v, i) => v !== tp.dumps.get(k - 1)?.[i])) before = undefined;
  return `${describeStep(k, step)}\n${stateTable(before, qa, ta)}\n  reproduce: npm run fuzz -- --only insn --seed ${seed} --words ${nsteps}`;
}

/** One guest of `steps` random instructions on both emulators. */
export async function runInsnSeed(seed: number, steps: number, timeoutMs = 120_000): Promise<InsnRun> {
  const dir = mkdtempSync(join(tmpdir(), 'tsemu-fuzz-insn-'));
  try {
    const g = buildGuest(seed, { steps, chunk: CHUNK, dumpLo: 1, dumpHi: 0 });
    const elf = join(dir, `insn-${seed}.elf`);
    writeFileSync(elf, g.elf);
    const [q, t] = await runBoth(elf, timeoutMs);
    const out: InsnRun = { seed, steps, problems: [], qemuMs: q.durationMs, tsemuMs: t.durationMs };
    const qFail = runFailure('qemu', q);
    if (qFail) out.problems.push(`seed ${seed}: ${qFail} (the harness itself is broken)`);
    const tFail = runFailure('tsemu', t);
    if (tFail) out.problems.push(`seed ${seed}: ${tFail}\n  reproduce: npm run fuzz -- --only insn --seed ${seed} --words ${steps}`);
    if (qFail) return out;
    const qp = parse(q.stdout);
    const tp = parse(t.stdout);
    if (qp.end === undefined) out.problems.push(`seed ${seed}: QEMU printed no END line`);
    for (let end = CHUNK - 1; end < steps; end += CHUNK) {
      if (qp.hashes.get(end) === tp.hashes.get(end)) continue;
      out.problems.push(`seed ${seed}: state differs within steps ${end - CHUNK + 1}..${end}\n${await diagnose(seed, steps, end, dir, timeoutMs)}`);
      return out;
    }
    if (qp.end !== tp.end) {
      out.problems.push(`seed ${seed}: every step's state agrees but the end differs (memory checksum): qemu ${qp.end}, tsemu ${tp.end ?? 'none'}`);
    }
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
