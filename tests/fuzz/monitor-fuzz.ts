/**
 * The monitors under fuzzed input: one tsemu (the spinning guest of tests/monitor-e2e at -smp 2,
 * a QMP and an HMP monitor on unix sockets) takes rounds of random bytes, grammar-based commands
 * with arguments of the wrong type, huge lines and floods of connections. After every round a
 * fresh QMP connection must answer `query-status` and a fresh HMP one `info status`, the process
 * must be alive with no stack trace on stderr, and its RSS (/proc/PID/status VmRSS) must stay
 * within a bound of what it was after start-up.
 *
 * Commands that end the run or touch host files (quit, instr-load, logfile, trace-file, log) are
 * kept out: the monitor is a full-control interface and may legitimately do those.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { createConnection, type Socket } from 'node:net';
import { join } from 'node:path';
import { repoRoot, tsemuScript } from '../support/run-guest.js';
import { makeTempDir } from '../support/tools.js';
import { hostException } from './process.js';
import { Rng } from './rng.js';

/** Growth of RSS over the post-start-up figure that counts as unbounded. */
export const RSS_BOUND_MIB = 256;
const PROBE_MS = 15_000;
const SPIN = 'tests/monitor-e2e/guests/bin/spin.elf';

export interface MonitorRun {
  seed: number;
  rounds: number;
  bytesSent: number;
  connections: number;
  rssStartMiB: number;
  rssMaxMiB: number;
  rssEndMiB: number;
  problems: string[];
}

/** HMP command words that end the run or read/write host files. */
const HMP_DENIED = new Set(['q', 'quit', 'instr-load', 'logfile', 'trace-file', 'log']);
const HMP_COMMANDS = ['info', 'x', 'xp', 'cont', 'c', 'stop', 's', 'system_reset', 'cpu', 'cpu-add', 'device_add', 'device_del',
  'help', '?', 'instr-unload', 'trace-event', 'nosuch', ''] as const;
const INFO_ITEMS = ['cpus', 'history', 'hotpluggable-cpus', 'instr', 'mtree', 'registers', 'status', 'trace-events', 'version', 'nosuch', ''];
const QMP_COMMANDS = ['query-version', 'query-status', 'query-cpus-fast', 'query-hotpluggable-cpus', 'stop', 'cont', 'system_reset',
  'trace-event-get-state', 'trace-event-set-state', 'instr-unload', 'human-monitor-command', 'device_add', 'device_del',
  'qmp_capabilities', 'query-commands', 'nosuch'] as const;

function rssMiB(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : 0;
}

/** A random HMP argument: numbers of every size, expressions, formats, strings, nothing. */
function hmpArg(rng: Rng): string {
  switch (rng.below(8)) {
    case 0: return String(rng.u32() - 0x8000_0000);
    case 1: return `0x${rng.u64().toString(16)}`;
    case 2: return `/${rng.range(0, 4096)}${rng.pick(['x', 'd', 'u', 'o', 'c', 'i', 'z', ''])}${rng.pick(['b', 'h', 'w', 'g', 'q', ''])}`;
    case 3: return `$${rng.pick(['pc', 'sp', 'x1', 'nosuch', 'f0'])}${rng.pick(['+', '*', '/', '%', '<<', ''])}${rng.range(0, 9)}`;
    case 4: return rng.pick(INFO_ITEMS);
    case 5: return `"${'a'.repeat(rng.below(300))}`;
    case 6: return rng.pick(['on', 'off', 'id=x', 'driver=rv64-riscv-cpu,hartid=7', 'core-id=1', '-i', '*']);
    default: return '';
  }
}

function hmpLine(rng: Rng): string {
  const words: string[] = [rng.pick(HMP_COMMANDS)];
  for (let n = rng.below(4); n > 0; n--) words.push(hmpArg(rng));
  return words.join(' ');
}

/** Keep a random HMP line from quitting or touching files: such a line becomes `info status`. */
function safeHmpLines(text: string): string {
  return text.split(/(\r\n|\r|\n)/).map((part) => HMP_DENIED.has(part.trim().split(/\s+/)[0] ?? '') ? 'info status' : part).join('');
}

/** A random JSON value, any type (commands' arguments of the wrong type). */
function jsonValue(rng: Rng, depth = 0): unknown {
  switch (rng.below(depth > 2 ? 5 : 7)) {
    case 0: return rng.pick([0, -1, 1.5, 2 ** 64, -(2 ** 63), 1e308, 4294967296]);
    case 1: return rng.pick(['', 'x'.repeat(rng.below(2000)), 'guest_cpu_enter', '0', 'cpu0', '\u0000\u00ff']);
    case 2: return rng.chance(0.5);
    case 3: return null;
    case 4: return hmpLine(rng);
    case 5: return Array.from({ length: rng.below(5) }, () => jsonValue(rng, depth + 1));
    default: return Object.fromEntries(Array.from({ length: rng.below(5) }, () => [rng.pick(['name', 'enable', 'vcpu', 'id', 'driver', 'command-line', 'cpu-index', 'path', 'x']), jsonValue(rng, depth + 1)]));
  }
}

function qmpCommand(rng: Rng): string {
  const execute = rng.pick(QMP_COMMANDS);
  const request: Record<string, unknown> = { execute };
  const args = jsonValue(rng);
  if (rng.chance(0.8)) request.arguments = args;
  if (rng.chance(0.3)) request.id = jsonValue(rng, 2);
  if (execute === 'human-monitor-command' && rng.chance(0.7)) request.arguments = { 'command-line': safeHmpLines(hmpLine(rng)) };
  const text = JSON.stringify(request);
  if (/"(quit|instr-load)"/.test(text) || /"command-line":"\s*(q|quit|instr-load|logfile|trace-file|log)\b/.test(text)) return '{"execute":"query-status"}';
  return text;
}

function connect(path: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = createConnection({ path });
    s.once('connect', () => resolve(s));
    s.once('error', reject);
  });
}

/** Collect what a socket receives (bounded) until `done(text)` or the timeout. */
function readUntil(s: Socket, done: (text: string) => boolean, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    let text = '';
    const finish = (ok: boolean): void => { clearTimeout(timer); s.off('data', onData); s.off('close', onClose); resolve(ok); };
    const onData = (b: Buffer): void => { text = (text + b.toString('latin1')).slice(-65536); if (done(text)) finish(true); };
    const onClose = (): void => finish(done(text));
    const timer = setTimeout(() => finish(false), ms);
    s.on('data', onData);
    s.on('close', onClose);
  });
}

/** A fresh QMP connection answers query-status (greeting, capabilities, then the command). */
async function qmpAnswers(path: string): Promise<boolean> {
  const s = await connect(path);
  try {
    const replied = readUntil(s, (t) => /"return": \{[^}]*"status"/.test(t), PROBE_MS);
    s.write('{"execute":"qmp_capabilities"}\r\n{"execute":"query-status"}\r\n');
    return await replied;
  } finally {
    s.destroy();
  }
}

/** A fresh HMP connection answers `info status`. */
async function hmpAnswers(path: string): Promise<boolean> {
  const s = await connect(path);
  try {
    const replied = readUntil(s, (t) => t.includes('VM status: '), PROBE_MS);
    s.write('info status\n');
    return await replied;
  } finally {
    s.destroy();
  }
}

interface Sockets { qmp: string; hmp: string }

/** Write `data` and read for a moment (so the server has the bytes before the close). */
async function sendAndClose(path: string, data: string | Buffer, rng: Rng): Promise<void> {
  const s = await connect(path);
  s.on('error', () => undefined);
  s.resume();
  await new Promise<void>((r) => s.write(data, () => r()));
  if (rng.chance(0.5)) await readUntil(s, () => false, 50);
  s.destroy();
}

/** One round; returns the bytes sent and connections made. */
async function round(kind: number, sockets: Sockets, rng: Rng): Promise<{ bytes: number; connections: number }> {
  switch (kind) {
    case 0: { // QMP: random bytes, sometimes after a valid handshake
      const data = Buffer.concat([rng.chance(0.5) ? Buffer.from('{"execute":"qmp_capabilities"}\n') : Buffer.alloc(0), rng.bytes(rng.range(1, 65536))]);
      await sendAndClose(sockets.qmp, data, rng);
      return { bytes: data.length, connections: 1 };
    }
    case 1: { // QMP: grammar-based commands, arguments of any type
      const lines = ['{"execute":"qmp_capabilities"}', ...Array.from({ length: rng.range(1, 60) }, () => qmpCommand(rng))];
      const data = lines.join('\r\n') + '\r\n';
      await sendAndClose(sockets.qmp, data, rng);
      return { bytes: data.length, connections: 1 };
    }
    case 2: { // QMP: a huge line (one token, deep nesting, a long string argument)
      const n = rng.range(1 << 16, 4 << 20);
      const data = rng.pick([
        `{"execute":"${'a'.repeat(n)}"}\n`, '['.repeat(n), `"${'x'.repeat(n)}`,
        `{"execute":"query-status","arguments":{"x":"${'y'.repeat(n)}"}}\n`, `${'1,'.repeat(n >> 1)}\n`,
      ]);
      await sendAndClose(sockets.qmp, data, rng);
      return { bytes: data.length, connections: 1 };
    }
    case 3: { // HMP: random bytes (control keys, escape sequences), lines that would quit removed
      const data = safeHmpLines(rng.bytes(rng.range(1, 16384)).toString('latin1'));
      await sendAndClose(sockets.hmp, Buffer.from(data, 'latin1'), rng);
      return { bytes: data.length, connections: 1 };
    }
    case 4: { // HMP: grammar-based commands, wrong and odd arguments
      const data = Array.from({ length: rng.range(1, 40) }, () => safeHmpLines(hmpLine(rng))).join('\n') + '\n';
      await sendAndClose(sockets.hmp, data, rng);
      return { bytes: data.length, connections: 1 };
    }
    case 5: { // HMP: one huge line
      const data = `${rng.pick(['info ', 'x ', 'help ', ''])}${'z'.repeat(rng.range(1 << 16, 2 << 20))}\n`;
      await sendAndClose(sockets.hmp, data, rng);
      return { bytes: data.length, connections: 1 };
    }
    default: { // a flood: many connections at once, on both monitors, most of them dropped half way
      const n = rng.range(16, 96);
      let bytes = 0;
      await Promise.all(Array.from({ length: n }, async () => {
        const onQmp = rng.chance(0.5);
        const data = onQmp ? '{"execute":"qmp_capabilities"}\n{"execute":"query-st' : 'info sta';
        bytes += data.length;
        await sendAndClose(onQmp ? sockets.qmp : sockets.hmp, data, rng).catch(() => undefined);
      }));
      return { bytes, connections: n };
    }
  }
}

const KIND_NAMES = ['QMP random bytes', 'QMP commands', 'QMP huge line', 'HMP random bytes', 'HMP commands', 'HMP huge line', 'connection flood'];

function startEmulator(sockets: Sockets): ChildProcess {
  const args = ['-M', 'virt', '-bios', 'none', '-smp', '2', '-display', 'none', '-serial', 'null', '-kernel', join(repoRoot(), SPIN),
    '-qmp', `unix:${sockets.qmp},server,nowait`, '-monitor', `unix:${sockets.hmp},server,nowait`];
  return spawn(process.execPath, [tsemuScript(), ...args], { cwd: repoRoot(), stdio: ['ignore', 'ignore', 'pipe'] });
}

async function firstProbe(sockets: Sockets): Promise<boolean> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (await qmpAnswers(sockets.qmp).catch(() => false)) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

export async function runMonitorSeed(seed: number, rounds: number): Promise<MonitorRun> {
  const rng = new Rng(seed);
  const dir = makeTempDir('fuzz-monitor');
  const sockets = { qmp: join(dir, 'qmp.sock'), hmp: join(dir, 'hmp.sock') };
  const child = startEmulator(sockets);
  let stderr = '';
  child.stderr?.setEncoding('latin1').on('data', (d: string) => { stderr = (stderr + d).slice(-65536); });
  const run: MonitorRun = { seed, rounds: 0, bytesSent: 0, connections: 0, rssStartMiB: 0, rssMaxMiB: 0, rssEndMiB: 0, problems: [] };
  const problem = (what: string): void => { run.problems.push(`seed ${seed}, ${what}\n  reproduce: npm run fuzz -- --only monitor --seed ${seed}`); };
  try {
    if (!(await firstProbe(sockets))) { problem(`the QMP monitor never answered; stderr: ${stderr.trim()}`); return run; }
    run.rssStartMiB = run.rssMaxMiB = rssMiB(child.pid ?? 0);
    for (let i = 0; i < rounds; i++) {
      const kind = rng.below(KIND_NAMES.length);
      if (process.env.TSEMU_FUZZ_VERBOSE) console.error(`monitor fuzz: seed ${seed} round ${i}: ${KIND_NAMES[kind] ?? ''}`);
      const sent = await round(kind, sockets, rng).catch((e: unknown) => { problem(`round ${i} (${KIND_NAMES[kind] ?? ''}): ${String(e)}`); return { bytes: 0, connections: 0 }; });
      run.bytesSent += sent.bytes;
      run.connections += sent.connections + 2;
      run.rounds++;
      const what = `round ${i} (${KIND_NAMES[kind] ?? ''})`;
      if (child.exitCode !== null || child.signalCode !== null) { problem(`${what}: the emulator exited (${child.exitCode ?? child.signalCode}); stderr: ${stderr.trim()}`); break; }
      if (!(await qmpAnswers(sockets.qmp).catch(() => false))) { problem(`${what}: QMP query-status got no answer within ${PROBE_MS / 1000} s`); break; }
      if (!(await hmpAnswers(sockets.hmp).catch(() => false))) { problem(`${what}: HMP info status got no answer within ${PROBE_MS / 1000} s`); break; }
      const rss = rssMiB(child.pid ?? 0);
      run.rssMaxMiB = Math.max(run.rssMaxMiB, rss);
      if (rss > run.rssStartMiB + RSS_BOUND_MIB) { problem(`${what}: RSS ${rss.toFixed(0)} MiB, ${RSS_BOUND_MIB} MiB over ${run.rssStartMiB.toFixed(0)} MiB after start-up`); break; }
    }
    run.rssEndMiB = rssMiB(child.pid ?? 0);
  } finally {
    child.kill('SIGTERM');
    const exited = await new Promise<boolean>((r) => {
      if (child.exitCode !== null || child.signalCode !== null) { r(true); return; }
      const t = setTimeout(() => r(false), 10_000);
      child.once('exit', () => { clearTimeout(t); r(true); });
    });
    if (!exited) { problem('did not exit within 10 s of SIGTERM'); child.kill('SIGKILL'); }
    const exc = hostException(stderr);
    if (exc !== undefined) problem(`host exception on stderr: ${exc}`);
    rmSync(dir, { recursive: true, force: true });
  }
  return run;
}
