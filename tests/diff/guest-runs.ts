/**
 * The recipe both tiers of the differential guest tests share: run one manifest entry with a fresh
 * disk image (if it needs one) in a private temporary directory, on QEMU or on tsemu, and what of
 * the run is compared (console output and exit status). The QEMU side is committed as
 * tests/transcripts/diff/NAME.json.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { createDiskImage, guestCommandLine, type GuestManifestEntry } from '../support/guest-manifest.js';
import type { GuestRunResult, GuestRunOptions } from '../support/run-guest.js';
import { makeTempDir } from '../support/tools.js';

export type Runner = (args: readonly string[], opts: GuestRunOptions) => Promise<GuestRunResult>;

/** What a transcript keeps of a guest run. */
export type GuestOutcome = {
  readonly stdout: string;
  readonly status: number | null;
};

export const transcriptKey = (entry: GuestManifestEntry): string => `diff/${entry.name}`;

export function outcome(r: GuestRunResult): GuestOutcome {
  return { stdout: r.stdout, status: r.status };
}

/** Runs an entry; `command` receives the command line (for the transcript). */
export async function runEntry(run: Runner, entry: GuestManifestEntry, timeoutMs: number, env?: Record<string, string>, command?: (args: readonly string[]) => void): Promise<GuestRunResult> {
  const dir = makeTempDir(`guest-${entry.name}`);
  try {
    let diskPath: string | undefined;
    if (entry.disk) {
      diskPath = join(dir, 'disk.img');
      createDiskImage(entry.disk, diskPath);
    }
    const args = guestCommandLine(entry, diskPath);
    command?.(args);
    return await run(args, { timeoutMs: entry.timeoutMs ?? timeoutMs, env });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function describeRun(r: GuestRunResult | GuestOutcome): string {
  const extra = 'timedOut' in r ? ` signal=${String(r.signal)} timedOut=${String(r.timedOut)}\n--- stderr ---\n${String(r.stderr)}` : '';
  return `status=${String(r.status)}${extra}\n--- stdout ---\n${r.stdout}`;
}
