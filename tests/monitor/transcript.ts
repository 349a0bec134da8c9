/**
 * Runs the same HMP commands or QMP requests through QEMU 7.2 (the oracle,
 * spawned with its monitor on stdio; *.oracle.spec files only) and through
 * tsemu's monitor on a FakeTarget, and cuts both outputs into comparable
 * pieces. What QEMU printed is committed as tests/transcripts/monitor/**.json
 * (see hmp-cases.ts, qmp-cases.ts), so `npm test` compares without QEMU.
 */
import { spawn, spawnSync } from 'node:child_process';
import { HmpSession } from '../../src/monitor/hmp.js';
import { QmpSession } from '../../src/monitor/qmp.js';
import type { MonitorTarget } from '../../src/monitor/target.js';
import { QEMU_BINARY } from '../support/run-guest.js';
import { waitFor } from '../support/tools.js';

const QEMU = QEMU_BINARY;

export const QEMU_BASE_ARGS = ['-M', 'virt', '-bios', 'none', '-display', 'none', '-serial', 'none', '-S'];

/** Output of each command line, as raw text ("\r\n" line ends kept), plus the banner. */
export type HmpTranscript = {
  readonly banner: string;
  readonly outputs: string[];
};

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
  await waitFor('a prompt after every command', () => out.split('(qemu) ').length > commands.length + 1);
  return splitHmpOutput(out, commands.length, (chunk) => chunk.slice(chunk.indexOf('\r\n') + 2));
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
 * then QEMU 7.2 on stdio ignores requests after end of input, so its input
 * stays open until the reply to the request with id "last" has come, and it is
 * terminated then (after 10 s at most).
 */
export async function qemuQmp(extraArgs: readonly string[], requests: readonly string[], quit = true): Promise<string[]> {
  const args = [...QEMU_BASE_ARGS, '-monitor', 'none', '-qmp', 'stdio', ...extraArgs];
  let stdout: string;
  if (quit) {
    const input = [...requests, '{"execute": "quit"}', ''].join('\n');
    const r = spawnSync(QEMU, args, { input, encoding: 'utf8', timeout: 30_000, maxBuffer: 256 << 20 });
    if (r.status !== 0) throw new Error(`QEMU failed (${String(r.status)}): ${r.stderr}`);
    stdout = r.stdout;
  } else {
    stdout = await new Promise<string>((resolve) => {
      const child = spawn(QEMU, args, { stdio: ['pipe', 'pipe', 'ignore'] });
      let out = '';
      const done = (): void => {
        clearTimeout(timer);
        child.kill();
        resolve(out);
      };
      const timer = setTimeout(done, 10_000);
      child.stdout.setEncoding('utf8');
      child.stdout.on('data', (chunk: string) => {
        out += chunk;
        if (out.split('\r\n').some((l) => l.includes('"id": "last"'))) done();
      });
      child.on('exit', done);
      child.stdin.on('error', () => undefined);
      child.stdin.write([...requests, ''].join('\n'));
    });
  }
  const lines = stdout.split('\r\n').filter((l) => l !== '').map(normalizeQmp);
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
  await waitFor(`${expectedLines} lines`, () => out.split('\r\n').length > expectedLines);
  return out.split('\r\n').filter((l) => l !== '').map(normalizeQmp);
}
