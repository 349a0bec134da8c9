/**
 * The recipe bad-input.spec.ts (tsemu against the transcripts) and bad-input.oracle.spec.ts (live
 * qemu-system-riscv64 7.2) share: bad tracing input on the real command line of a guest that exits
 * by itself (instr/guests/count.elf, `-bios none`). The paths named in the arguments lie in a
 * scratch directory whose path is written `$DIR` in the transcripts
 * (tests/transcripts/trace-e2e/bad-input/*.json) and in tsemu's messages before comparing.
 */
import { join } from 'node:path';
import type { GuestRunResult } from '../support/run-guest.js';
import { INSTR_GUESTS, linesOf } from '../instr/helpers.js';

export const ELF = join(INSTR_GUESTS, 'count.elf');
export const RUN_TIMEOUT_MS = 40_000;

export type Case = {
  readonly name: string;
  readonly key: string;
  readonly args: (dir: string) => string[];
};

export const CASES = {
  unknownEvent: { name: 'unknown event', key: 'trace-e2e/bad-input/unknown-event', args: () => ['-trace', 'no_such_event'] },
  patternMatchingNothing: { name: 'pattern matching nothing', key: 'trace-e2e/bad-input/pattern-matching-nothing', args: () => ['-trace', 'no_such_*'] },
  unreadableEventsFile: {
    name: 'unreadable events file', key: 'trace-e2e/bad-input/unreadable-events-file',
    args: (d) => ['-trace', `events=${join(d, 'missing', 'events')}`],
  },
  unwritableLogFile: {
    name: 'unwritable -D log file', key: 'trace-e2e/bad-input/unwritable-log-file',
    args: (d) => ['-D', join(d, 'missing', 'log'), '-trace', 'serial_write'],
  },
  unwritableTraceFile: {
    name: 'unwritable trace file', key: 'trace-e2e/bad-input/unwritable-trace-file',
    args: (d) => ['-trace', `serial_write,file=${join(d, 'missing', 'trace')}`],
  },
} satisfies Record<string, Case>;

/** What a transcript keeps of QEMU's run: exit status and stderr lines (the scratch directory as `$DIR`). */
export type BadInputOutcome = {
  readonly status: number | null;
  readonly stderr: readonly string[];
};

export function outcome(r: GuestRunResult, dir: string): BadInputOutcome {
  return { status: r.status, stderr: linesOf(r.stderr.split(dir).join('$DIR')) };
}

/** stderr lines with the program name made neutral, so the two emulators' lines compare. */
export function neutral(lines: readonly string[], program: string): string[] {
  return lines.map((l) => (l.startsWith(program) ? `PROGRAM${l.slice(program.length)}` : l));
}
