/**
 * The recipes both tiers of the guest-error log tests share: tests/guest/bin/guest_errors.elf run
 * with -d guest_errors and/or unimp (and int, and -D FILE, and -smp 2), and what of each run is
 * compared: the log (stderr, or the -D file), the console output and the exit status. The QEMU
 * side is committed as tests/transcripts/guest-errors/NAME.json.
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { GuestRunOptions, GuestRunResult } from '../support/run-guest.js';
import { virtKernelArgs } from '../support/run-guest.js';
import { makeTempDir } from '../support/tools.js';

export type Runner = (args: readonly string[], opts: GuestRunOptions) => Promise<GuestRunResult>;


export interface Recipe {
  readonly name: string;
  readonly what: string;
  /** Extra arguments after the standard bare-metal command line. */
  readonly args: readonly string[];
  /** The log goes to `-D FILE` instead of stderr. */
  readonly logFile?: boolean;
  /** Another guest of tests/guest than guest_errors (its name is what it prints after PASS). */
  readonly guest?: string;
}

export const RECIPES: readonly Recipe[] = [
  { name: 'guest-errors-unimp', what: '-d guest_errors,unimp', args: ['-d', 'guest_errors,unimp'] },
  { name: 'guest-errors', what: '-d guest_errors alone', args: ['-d', 'guest_errors'] },
  { name: 'unimp', what: '-d unimp alone', args: ['-d', 'unimp'] },
  { name: 'no-log', what: 'no -d: nothing logged', args: [] },
  { name: 'logfile-with-int', what: '-d guest_errors,unimp,int -D FILE', args: ['-d', 'guest_errors,unimp,int'], logFile: true },
  { name: 'smp2', what: '-smp 2 -d guest_errors,unimp', args: ['-smp', '2', '-d', 'guest_errors,unimp'] },
  { name: 'pmp', what: 'the pmp guest with -d guest_errors: partial PMP matches, locked entries', args: ['-d', 'guest_errors'], guest: 'pmp' },
];

/** The ELF a recipe runs. */
export const guestOf = (r: Recipe): string => `tests/guest/bin/${r.guest ?? 'guest_errors'}.elf`;

export const transcriptKey = (r: Recipe): string => `guest-errors/${r.name}`;

/** What a transcript keeps of a run. */
export type LogOutcome = {
  /** stderr, or the -D file's contents. */
  readonly log: string;
  /** stderr when the log went to a file (nothing expected). */
  readonly stderr: string;
  readonly stdout: string;
  readonly status: number | null;
};

export interface RecipeRun {
  readonly outcome: LogOutcome;
  readonly result: GuestRunResult;
  readonly command: readonly string[];
}

export async function runRecipe(run: Runner, recipe: Recipe, timeoutMs: number, env?: Record<string, string>): Promise<RecipeRun> {
  const dir = makeTempDir(`guest-errors-${recipe.name}`);
  try {
    const logPath = join(dir, 'log.txt');
    const args = virtKernelArgs(guestOf(recipe), [...recipe.args, ...(recipe.logFile ? ['-D', logPath] : [])]);
    const result = await run(args, { timeoutMs, env });
    const log = recipe.logFile ? readFileSync(logPath, 'utf8') : result.stderr;
    const stderr = recipe.logFile ? result.stderr : '';
    return { outcome: { log, stderr, stdout: result.stdout, status: result.status }, result, command: args };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function describeRun(r: RecipeRun): string {
  return `status=${String(r.result.status)} timedOut=${String(r.result.timedOut)}\n--- stdout ---\n${r.result.stdout}` +
    `\n--- stderr ---\n${r.result.stderr}`;
}
