/**
 * Guests that time themselves. The overhead and scaling sections compare runs
 * whose difference is a fraction of a second, so they use the time the guest
 * measures around its workload with the CLINT's mtime instead of the process
 * wall time, which also holds Node/QEMU start-up and (for tsemu) compiling an
 * instrumentation library. mtime counts host time at 10 MHz on virt in both
 * emulators (QEMU: virtual clock without -icount; tsemu: host clock), so
 * ticks / 10 MHz is wall-clock seconds spent in the workload.
 *
 * A timed guest prints its `<name> instret=<N> result=<R>` line (see
 * guest-mips.ts) and `<name> [harts=<n> ]ticks=<T>[ agree=<0|1>]`.
 */
import { argsFor, type EmulatorCommand } from './emulators.js';
import { parseGuestReport, type GuestReport } from './guest-mips.js';
import { describeFailure, runMeasured, stdoutTail, type RunResult } from './process-run.js';

/** timebase-frequency of QEMU's virt machine (and tsemu's). */
export const MTIME_HZ = 10_000_000;

export interface GuestTiming {
  /** mtime ticks spent in the workload. */
  readonly ticks: number;
  /** Harts that took part (multi-hart guests only). */
  readonly harts: number | null;
  /** Whether every hart computed the same checksum (multi-hart guests only). */
  readonly agree: boolean | null;
}

export function parseGuestTiming(stdout: string, name: string): GuestTiming | null {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const match = new RegExp(`^${escaped} (?:harts=(\\d+) )?ticks=(\\d+)(?: agree=([01]))?\\r?$`, 'm').exec(stdout);
  if (match === null) return null;
  return {
    ticks: Number(match[2]),
    harts: match[1] === undefined ? null : Number(match[1]),
    agree: match[3] === undefined ? null : match[3] === '1',
  };
}

export interface TimedRun {
  readonly emulator: EmulatorCommand;
  /** What was run, for messages ("-smp 2", "empty library", ...). */
  readonly config: string;
  readonly process: RunResult;
  readonly report: GuestReport | null;
  readonly timing: GuestTiming | null;
}

export interface TimedRunSpec {
  readonly emulator: EmulatorCommand;
  readonly config: string;
  /** Name the guest prints at the start of its lines. */
  readonly name: string;
  /** Absolute path of the ELF. */
  readonly elf: string;
  /** Options besides -M virt -bios none -nographic -kernel ELF. */
  readonly extraArgs?: readonly string[];
  readonly timeoutMs: number;
}

export async function runTimedGuest(spec: TimedRunSpec): Promise<TimedRun> {
  const machineArgs = ['-M', 'virt', '-bios', 'none', '-nographic', '-kernel', spec.elf, ...(spec.extraArgs ?? [])];
  const process = await runMeasured({
    command: spec.emulator.command,
    args: argsFor(spec.emulator, machineArgs),
    timeoutMs: spec.timeoutMs,
  });
  const report = process.timedOut ? null : parseGuestReport(process.stdout);
  const timing = process.timedOut ? null : parseGuestTiming(process.stdout, spec.name);
  return { emulator: spec.emulator, config: spec.config, process, report, timing };
}

/** A run counts when the guest reported, timed itself and the emulator exited cleanly. */
export function succeeded(run: TimedRun): boolean {
  return run.report !== null && run.timing !== null && run.process.exitCode === 0;
}

export function guestSeconds(run: TimedRun): number | null {
  return run.timing === null ? null : run.timing.ticks / MTIME_HZ;
}

/** One progress line: guest time, process wall, result. */
export function describeTimedRun(run: TimedRun): string {
  if (!succeeded(run)) return `FAILED (${describeFailure(run.process)})`;
  const guest = (guestSeconds(run) as number).toFixed(3);
  return `guest ${guest} s, process ${(run.process.wallMs / 1000).toFixed(3)} s, result=${run.report?.result ?? '?'}`;
}

/** Warning text for a failed run. */
export function failureWarning(section: string, run: TimedRun): string {
  return `${section}: a ${run.emulator.id} run (${run.config}) failed: ${describeFailure(run.process)}; ` +
    `console ended with ${stdoutTail(run.process)}`;
}
