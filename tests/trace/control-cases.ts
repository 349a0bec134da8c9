/**
 * The recipe control.spec.ts (tsemu against the transcripts) and control.oracle.spec.ts (live
 * qemu-system-riscv64 7.2) share: for each case the files it needs in a scratch directory, QEMU's
 * command line and input, and what is kept of QEMU's answer. The scratch directory's path appears
 * in the messages; it is written `$DIR` in a transcript, and tsemu's messages are held to it with
 * their own directory written the same way. Event names used here exist in neither emulator.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { QEMU_BINARY } from '../support/run-guest.js';

/** What a transcript keeps of a QEMU run that exits by itself (-version, an error, `quit`). */
export type QemuMessages = {
  readonly status: number | null;
  /** Non-empty stderr lines, QEMU's own program name, the scratch directory as `$DIR`. */
  readonly lines: readonly string[];
};

/** What a transcript keeps of `-trace help` (the listing itself is 3,783 lines). */
export type QemuHelpListing = {
  readonly status: number | null;
  /** The whole stdout has QEMU's form: one event name per line. */
  readonly oneNamePerLine: boolean;
  readonly firstLines: readonly string[];
  readonly stderr: string;
};

export type MessageCase = {
  readonly key: string;
  /** QEMU's arguments when the scratch directory is `dir` (after prepareScratch(dir)). */
  readonly qemuArgs: (dir: string) => string[];
  readonly input?: string;
};

/** The events file of the `events=FILE` case: a leading '-' disables; no trimming; the last line has no newline. */
export const EVENTS_FILE_TEXT = '# comment\n\nzz_one\n  -zz_spaced\n-zz_two\nzz_glob*\n \nzz_three_x';

/** Paths inside the scratch directory. */
export const paths = (dir: string) => ({
  eventsFile: join(dir, 'events'),
  missing: join(dir, 'no-such-file'),
  unwritableLog: join(dir, 'missing-dir', 'trace.log'),
});

/** Writes the files the cases read into `dir` (the same for QEMU and tsemu). */
export function prepareScratch(dir: string): void {
  writeFileSync(paths(dir).eventsFile, EVENTS_FILE_TEXT);
}

const MACHINE_NONE = ['-M', 'none', '-display', 'none', '-nodefaults'];

export const UNKNOWN_EVENT = 'foo_bar_nonexistent';

export const CASES = {
  unknownEvent: { key: 'trace/control/unknown-event', qemuArgs: () => ['-trace', UNKNOWN_EVENT, '-version'] },
  globMatchingNothing: { key: 'trace/control/glob-matching-nothing', qemuArgs: () => ['-trace', 'zzz_nothing*', '-version'] },
  eventsFile: { key: 'trace/control/events-file', qemuArgs: (d) => ['-trace', `events=${paths(d).eventsFile}`, '-version'] },
  eventsFileMissing: {
    key: 'trace/control/events-file-missing',
    qemuArgs: (d) => ['-trace', 'zz_before', '-trace', `events=${paths(d).missing}`, '-version'],
  },
  eventsDirectory: { key: 'trace/control/events-directory', qemuArgs: (d) => ['-trace', `events=${d}`, '-version'] },
  logTraceUnknown: {
    key: 'trace/control/d-trace-unknown',
    qemuArgs: () => [...MACHINE_NONE, '-monitor', 'stdio', '-d', 'trace:zz_nonexistent'],
    input: 'quit\n',
  },
  logFileMissingDir: { key: 'trace/control/log-file-missing-dir', qemuArgs: (d) => [...MACHINE_NONE, '-trace', `file=${paths(d).unwritableLog}`] },
  logFileDirectory: { key: 'trace/control/log-file-directory', qemuArgs: (d) => [...MACHINE_NONE, '-trace', `file=${d}`] },
} satisfies Record<string, MessageCase>;

export const HELP_KEY = 'trace/control/help';
export const HELP_ARGS = ['-trace', 'help'];
/** QEMU's form of the listing: one name per line. */
export const ONE_NAME_PER_LINE = /^(\w+\n)+$/;

/** `text` with the scratch directory written `$DIR`. */
export function neutralDir(text: string, dir: string): string {
  return text.split(dir).join('$DIR');
}

/** QEMU's lines as tsemu prints them: its program name in place of QEMU's. */
export function asTsemu(lines: readonly string[]): string[] {
  return lines.map((l) => l.replace(/qemu-system-riscv64/g, 'tsemu-system-riscv64'));
}

/** Runs QEMU for a case in `dir` (oracle tier). */
export function runQemuCase(c: MessageCase, dir: string): { value: QemuMessages; command: string[] } {
  const args = c.qemuArgs(dir);
  const r = spawnSync(QEMU_BINARY, args, { input: c.input ?? '', encoding: 'utf8', timeout: 15_000 });
  const lines = r.stderr.split('\n').filter((l) => l !== '').map((l) => neutralDir(l, dir));
  // the input as a shell would give it (`<<< quit`), so that the recorded command can be redone by hand
  const stdin = c.input === undefined ? [] : ['<<<', c.input.replace(/\n$/, '')];
  return { value: { status: r.status, lines }, command: [QEMU_BINARY, ...args, ...stdin] };
}

/** Runs `qemu-system-riscv64 -trace help` (oracle tier). */
export function runQemuHelp(): { value: QemuHelpListing; command: string[] } {
  const r = spawnSync(QEMU_BINARY, HELP_ARGS, { encoding: 'utf8', timeout: 15_000 });
  return {
    value: { status: r.status, oneNamePerLine: ONE_NAME_PER_LINE.test(r.stdout), firstLines: r.stdout.split('\n').slice(0, 3), stderr: r.stderr },
    command: [QEMU_BINARY, ...HELP_ARGS],
  };
}
