/**
 * Peak resident set size of a child process. GNU time (`/usr/bin/time -f %M`)
 * reads it from wait4()'s rusage, which is exact and costs nothing; without it
 * we poll VmHWM in /proc/<pid>/status, which can miss growth in the last poll
 * interval before exit.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface WrappedCommand {
  readonly command: string;
  readonly args: readonly string[];
}

export interface RssProbe {
  /** How the probe was taken, for the report header. */
  readonly method: string;
  /** The command to actually spawn (may put a wrapper in front). */
  wrap(command: string, args: readonly string[]): WrappedCommand;
  /** The wrapped command has been spawned with this pid. */
  attach(pid: number): void;
  /** The process has exited; returns the peak RSS in KiB, or null if unknown. */
  finish(): number | null;
}

const GNU_TIME = '/usr/bin/time';
const POLL_INTERVAL_MS = 20;

let gnuTimeUsable: boolean | undefined;
let scratchDir: string | undefined;
let scratchCounter = 0;

/** Does /usr/bin/time understand GNU's -f/-o options? (busybox/BSD ones do not) */
function hasGnuTime(): boolean {
  if (gnuTimeUsable === undefined) {
    const probe = spawnSync(GNU_TIME, ['-f', '%M', '-o', '/dev/null', 'true'], { timeout: 5000 });
    gnuTimeUsable = probe.error === undefined && probe.status === 0;
  }
  return gnuTimeUsable;
}

function scratchFile(): string {
  if (scratchDir === undefined) {
    const dir = mkdtempSync(join(tmpdir(), 'tsemu-bench-'));
    scratchDir = dir;
    process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  }
  scratchCounter += 1;
  return join(scratchDir, `rss-${scratchCounter}.txt`);
}

/** GNU time writes "Command exited with non-zero status N" first when it applies; %M is the last line. */
export function parseGnuTimeOutput(text: string): number | null {
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l.length > 0);
  const last = lines[lines.length - 1];
  if (last === undefined || !/^\d+$/.test(last)) return null;
  return Number(last);
}

class GnuTimeProbe implements RssProbe {
  readonly method = `${GNU_TIME} -f %M`;
  private readonly output = scratchFile();

  wrap(command: string, args: readonly string[]): WrappedCommand {
    return { command: GNU_TIME, args: ['-f', '%M', '-o', this.output, command, ...args] };
  }

  attach(): void { /* GNU time does the work */ }

  finish(): number | null {
    try {
      const kib = parseGnuTimeOutput(readFileSync(this.output, 'utf8'));
      rmSync(this.output, { force: true });
      return kib;
    } catch {
      return null; // time itself was killed (timeout): no figure
    }
  }
}

/** VmHWM from a /proc/<pid>/status text, in KiB. */
export function parseVmHwm(status: string): number | null {
  const match = /^VmHWM:\s+(\d+)\s+kB/m.exec(status);
  return match === null ? null : Number(match[1]);
}

class PollingProbe implements RssProbe {
  readonly method = `/proc/<pid>/status VmHWM polled every ${POLL_INTERVAL_MS} ms`;
  private peak: number | null = null;
  private timer: NodeJS.Timeout | undefined;

  wrap(command: string, args: readonly string[]): WrappedCommand {
    return { command, args };
  }

  attach(pid: number): void {
    const sample = (): void => this.sample(pid);
    sample();
    this.timer = setInterval(sample, POLL_INTERVAL_MS);
  }

  finish(): number | null {
    if (this.timer !== undefined) clearInterval(this.timer);
    return this.peak;
  }

  private sample(pid: number): void {
    try {
      const kib = parseVmHwm(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (kib !== null) this.peak = Math.max(this.peak ?? 0, kib);
    } catch { /* process already gone */ }
  }
}

/** A fresh probe for one process run. */
export function createRssProbe(): RssProbe {
  // TSEMU_BENCH_RSS=poll exercises the fallback on hosts that do have GNU time.
  const forcePolling = process.env['TSEMU_BENCH_RSS'] === 'poll';
  return !forcePolling && hasGnuTime() ? new GnuTimeProbe() : new PollingProbe();
}

/** How peak RSS is measured on this host, for the report header. */
export function rssMethodDescription(): string {
  return createRssProbe().method;
}
