/**
 * Runs the same HMP commands or QMP requests through QEMU 7.2 (the oracle,
 * spawned with its monitor on stdio) and through tsemu's monitor on a
 * FakeTarget, and cuts both outputs into comparable pieces.
 */
import { spawnSync } from 'node:child_process';
import { HmpSession } from '../../src/monitor/hmp.js';
import { QmpSession } from '../../src/monitor/qmp.js';
import type { MonitorTarget } from '../../src/monitor/target.js';
import { hasTool, QEMU } from '../cli/qemu-oracle.js';

export const QEMU_BASE_ARGS = ['-M', 'virt', '-bios', 'none', '-display', 'none', '-serial', 'none', '-S'];

export function haveQemu(): boolean {
  return hasTool(QEMU);
}

/** Output of each command line, as raw text ("\r\n" line ends kept), plus the banner. */
export interface HmpTranscript {
  readonly banner: string;
  readonly outputs: string[];
}

const SENTINEL = 'info status';

/**
 * QEMU's readline echoes every keystroke even on a pipe; each command's echo
 * ends with ESC[K CR LF (or just CR LF for an empty line), its output follows
 * up to the next prompt.
 */
function splitHmpOutput(raw: string, count: number, stripEcho: (chunk: string) => string): HmpTranscript {
  const chunks = raw.split('(qemu) ');
  const banner = chunks[0];
  const outputs = chunks.slice(1, count + 1).map(stripEcho);
  return { banner, outputs };
}

export function qemuHmp(extraArgs: readonly string[], commands: readonly string[]): HmpTranscript {
  const input = [...commands, SENTINEL, 'quit', ''].join('\n');
  // On a loaded machine QEMU's readline now and then redraws a line while input
  // streams in, printing an extra prompt; such a transcript cannot be cut, so run again.
  for (let attempt = 1; ; attempt++) {
    const r = spawnSync(QEMU, [...QEMU_BASE_ARGS, '-monitor', 'stdio', ...extraArgs], { input, encoding: 'latin1', timeout: 30_000 });
    if (r.status !== 0) throw new Error(`QEMU failed (${String(r.status)}): ${r.stderr}`);
    if (!wellFormed(r.stdout, commands.length) && attempt < 3) continue;
    return splitHmpOutput(r.stdout, commands.length, (chunk) => {
      const k = chunk.indexOf('\x1b[K\r\n');
      if (k >= 0) return chunk.slice(k + 5);
      return chunk.startsWith('\r\n') ? chunk.slice(2) : chunk;
    });
  }
}

/** One prompt per command and the sentinel, and every command's echo ends its line. */
function wellFormed(raw: string, count: number): boolean {
  const chunks = raw.split('(qemu) ').slice(1);
  return chunks.length >= count + 1 && chunks.slice(0, count + 1).every((c) => c.includes('\r\n'));
}

/** tsemu's HMP (plain-line mode) on `target`, same cutting: the echo is the command line itself. */
export async function tsemuHmp(target: MonitorTarget, commands: readonly string[], productName = 'QEMU'): Promise<HmpTranscript> {
  let out = '';
  const session = new HmpSession(target, (bytes) => { out += Buffer.from(bytes).toString('latin1'); }, { editor: false, productName });
  session.start();
  session.input(Buffer.from([...commands, SENTINEL, ''].join('\n'), 'latin1'));
  await waitFor(() => out.split('(qemu) ').length > commands.length + 1);
  return splitHmpOutput(out, commands.length, (chunk) => chunk.slice(chunk.indexOf('\r\n') + 2));
}

export async function waitFor(done: () => boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 2));
  }
}

/** Event timestamps and thread ids differ between runs. */
export function normalizeQmp(line: string): string {
  return line
    .replace(/"seconds": \d+, "microseconds": \d+/g, '"seconds": S, "microseconds": U')
    .replace(/"thread-id": \d+/g, '"thread-id": T');
}

/**
 * QEMU's QMP replies (one entry per line, "\r\n" removed), greeting first.
 * QEMU is stopped with a final `quit`, except when the requests enable OOB:
 * then QEMU 7.2 on stdio ignores requests after end of input, so it is
 * terminated after a few seconds instead.
 */
export function qemuQmp(extraArgs: readonly string[], requests: readonly string[], quit = true): string[] {
  const input = [...requests, ...(quit ? ['{"execute": "quit"}'] : []), ''].join('\n');
  const r = spawnSync(QEMU, [...QEMU_BASE_ARGS, '-monitor', 'none', '-qmp', 'stdio', ...extraArgs],
    { input, encoding: 'utf8', timeout: quit ? 30_000 : 3_000, maxBuffer: 256 << 20 });
  if (quit && r.status !== 0) throw new Error(`QEMU failed (${String(r.status)}): ${r.stderr}`);
  const lines = r.stdout.split('\r\n').filter((l) => l !== '').map(normalizeQmp);
  // Drop the SHUTDOWN event of our quit (or of the signal) and the reply to the quit.
  const kept = lines.filter((l) => !l.includes('"host-qmp-quit"') && !l.includes('"host-signal"'));
  return quit ? kept.slice(0, -1) : kept;
}

/** tsemu's QMP session fed the same bytes. */
export async function tsemuQmp(target: MonitorTarget, requests: readonly string[], expectedLines: number): Promise<string[]> {
  let out = '';
  const session = new QmpSession(target, (bytes) => { out += Buffer.from(bytes).toString('utf8'); });
  target.onEvent((name, data) => session.event(name, data, new Map([['seconds', 0n], ['microseconds', 0n]])));
  session.start();
  session.input(Buffer.from([...requests, ''].join('\n'), 'utf8'));
  await waitFor(() => out.split('\r\n').length > expectedLines);
  return out.split('\r\n').filter((l) => l !== '').map(normalizeQmp);
}
