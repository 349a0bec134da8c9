/**
 * The recipe both tiers of qmp-session share: the command line (`-qmp unix:S,server,nowait`;
 * QEMU also gets `-display none -accel tcg,thread=single`), the requests of the commands QEMU
 * also has, in the order the session sends them, and QEMU 7.2's side of the session as the
 * transcript tests/transcripts/monitor-e2e/qmp-session/qemu.json keeps it: its greeting
 * (version and package masked), the first query-cpus-fast, each request's lines up to its reply
 * (timestamps and thread ids normalised), whether a second client is left waiting, the second
 * client's greeting once the first has left, and the exit status.
 */
import { join } from 'node:path';
import { GuestSession } from '../support/guest-session.js';
import { QEMU_BINARY } from '../support/run-guest.js';
import type { Emulator } from './hmp-stdio.js';
import { normalizeQmp } from '../monitor/transcript.js';
import { normalizeGreeting, QmpConnection } from '../support/qmp.js';
import { loadSpinGuest, slotAddress } from './spin-guest.js';

export const TRANSCRIPT_KEY = 'monitor-e2e/qmp-session/qemu';

export function emulatorArgs(dir: string, name: Emulator): string[] {
  const args = ['-M', 'virt', '-bios', 'none', '-smp', '2', '-serial', `file:${join(dir, 'serial.txt')}`,
    '-qmp', `unix:${join(dir, 'qmp.sock')},server,nowait`, '-kernel', loadSpinGuest().relativePath];
  return name === 'qemu' ? [...args, '-display', 'none', '-accel', 'tcg,thread=single'] : args;
}

export interface Side {
  readonly name: Emulator;
  readonly proc: GuestSession;
  readonly socketPath: string;
  /** The first client. */
  a: QmpConnection;
  /** The second client (connected while the first one is still there). */
  b?: QmpConnection;
}

export async function startSide(name: Emulator, dir: string): Promise<Side> {
  const args = emulatorArgs(dir, name);
  const proc = name === 'tsemu' ? GuestSession.startTsemu(args, { timeoutMs: 120_000 }) : GuestSession.startQemu(args, { timeoutMs: 120_000 });
  const socketPath = join(dir, 'qmp.sock');
  return { name, proc, socketPath, a: await QmpConnection.connect(socketPath) };
}

/** The counter hart 0 keeps storing, read through human-monitor-command. */
export async function counterVia(client: QmpConnection): Promise<bigint> {
  const reply = JSON.parse(await client.reply(
    `{"execute": "human-monitor-command", "arguments": {"command-line": "x /1xg 0x${slotAddress(0).toString(16)}"}}`)) as { return?: string };
  const m = /: 0x([0-9a-f]{16})\r\n$/.exec(reply.return ?? '');
  if (m === null) throw new Error(`unexpected x output ${JSON.stringify(reply)}`);
  return BigInt(`0x${m[1]}`);
}

/** Poll query-cpus-fast until it lists `count` vCPUs (tsemu may still be starting them). */
export async function waitForCpus(client: QmpConnection, count: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const reply = JSON.parse(await client.reply('{"execute": "query-cpus-fast"}')) as { return?: unknown[] };
    if ((reply.return?.length ?? 0) >= count) return;
    if (Date.now() > deadline) throw new Error(`query-cpus-fast still lists fewer than ${count} vCPUs`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function expectProgress(client: QmpConnection, what: string): Promise<void> {
  const from = await counterVia(client);
  const deadline = Date.now() + 20_000;
  for (;;) {
    const now = await counterVia(client);
    if (now - from >= 10_000n) return;
    if (Date.now() > deadline) throw new Error(`${what}: the guest made no progress (counter ${from} -> ${now} in 20 s)`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const hmc = (line: string, extra = ''): string => `{"execute": "human-monitor-command", "arguments": {"command-line": "${line}"${extra}}}`;
const traceGet = (name: string, vcpu: number): string => `{"execute": "trace-event-get-state", "arguments": {"name": "${name}", "vcpu": ${vcpu}}}`;

/** The requests both emulators get, by the step of the session that sends them, in order. */
export const REQUESTS = {
  refused: ['{"execute": "query-status"}'],
  negotiate: ['{"execute": "qmp_capabilities"}', '{"execute": "query-status", "id": 1}'],
  firstCpus: '{"execute": "query-cpus-fast"}',
  stop: ['{"execute": "stop"}', '{"execute": "query-status"}'],
  cpus: ['{"execute": "query-cpus-fast"}'],
  hmcErrors: [hmc('foo'), hmc('info registers', ', "cpu-index": 9')],
  trace: [
    '{"execute": "trace-event-set-state", "arguments": {"name": "guest_cpu_enter", "enable": true, "vcpu": 1}}',
    traceGet('guest_cpu_enter', 1), traceGet('guest_cpu_enter', 0), traceGet('guest_cpu_enter', 7),
    '{"execute": "trace-event-set-state", "arguments": {"name": "translate_block", "enable": true, "vcpu": 0}}',
    '{"execute": "trace-event-set-state", "arguments": {"name": "guest_cpu_enter", "enable": false}}',
  ],
  cont: ['{"execute": "cont"}'],
  errors: [
    '{"execute": "foo", "id": 7}',
    '{"execute": "trace-event-get-state"}',
    '{"execute": "trace-event-set-state", "arguments": {"name": "guest_cpu_enter"}}',
    '{"execute": "trace-event-get-state", "arguments": {"name": 5}}',
    '{"execute": "trace-event-set-state", "arguments": {"name": "guest_cpu_enter", "enable": "yes"}}',
    '{"execute": "query-status", "arguments": {"x": 1}}',
  ],
  malformed: ['{"execute": }', '[1, 2]', '{"exec": "query-status"}', '{"arguments": {}}'],
  /** Sent without a newline, 200 ms before `splitEnd`. */
  splitStart: '{"execute": "query-',
  splitEnd: ['status"}'],
  withSecondClient: ['{"execute": "query-status"}'],
  /** What the first client sends before it leaves. */
  leaving: `${hmc('info registers')}\n{"execute": "query-st`,
  secondClient: ['{"execute": "qmp_capabilities"}', '{"execute": "query-status"}'],
  quit: ['{"execute": "quit"}'],
} as const;

/** The steps whose requests both emulators get (all but firstCpus, splitStart and leaving). */
export type StepName = 'refused' | 'negotiate' | 'stop' | 'cpus' | 'hmcErrors' | 'trace' | 'cont' | 'errors' | 'malformed' |
  'splitEnd' | 'withSecondClient' | 'secondClient' | 'quit';

/** QEMU's side of the session. */
export type QemuQmpRecord = {
  greeting: string;
  firstCpus: string;
  /** step -> [request, lines up to its reply] for each of REQUESTS[step], in the order sent */
  steps: Partial<Record<StepName, [string, string[]][]>>;
  secondClientSilent: boolean;
  secondClientGreeting: string;
  exitStatus: number | null;
};

/** Oracle tier: QEMU's side of the session, step by step as qmp-session.spec.ts runs tsemu's. */
export async function qemuQmpSession(dir: string, command?: (c: string[]) => void): Promise<QemuQmpRecord> {
  command?.([QEMU_BINARY, ...emulatorArgs(dir, 'qemu')]);
  const side = await startSide('qemu', dir);
  const steps: Partial<Record<StepName, [string, string[]][]>> = {};
  const run = async (step: StepName, client: QmpConnection = side.a, from = 0, to = REQUESTS[step].length): Promise<void> => {
    const done = (steps[step] ??= []);
    for (const r of REQUESTS[step].slice(from, to)) done.push([r, (await client.request(r)).map(normalizeQmp)]);
  };
  try {
    const greeting = normalizeGreeting(await side.a.nextLine());
    await run('refused');
    await run('negotiate');
    const firstCpus = normalizeQmp(await side.a.reply(REQUESTS.firstCpus));
    await expectProgress(side.a, 'QEMU before stop');
    await run('stop');
    await run('cpus');
    await run('hmcErrors');
    // QEMU applies a per-vCPU trace state asynchronously (on the vCPU's thread): once the set
    // request is answered, wait until QEMU reports the new state before the recorded get requests.
    await run('trace', side.a, 0, 1);
    const deadline = Date.now() + 10_000;
    while (!(await side.a.reply(REQUESTS.trace[1])).includes('"state": "enabled"')) {
      if (Date.now() > deadline) throw new Error('QEMU did not enable guest_cpu_enter on vCPU 1 within 10 s');
      await new Promise((r) => setTimeout(r, 20));
    }
    await run('trace', side.a, 1);
    await run('cont');
    await expectProgress(side.a, 'QEMU after cont');
    await run('errors');
    await run('malformed');
    side.a.send(REQUESTS.splitStart);
    // Pacing only: the halves usually arrive as two reads; the reply is the same either way.
    await new Promise((r) => setTimeout(r, 200));
    await run('splitEnd');
    const b = await QmpConnection.connect(side.socketPath);
    side.b = b;
    const secondClientSilent = await b.silentFor(1000);
    await run('withSecondClient');
    side.a.send(REQUESTS.leaving);
    side.a.destroy();
    const secondClientGreeting = normalizeGreeting(await b.nextLine());
    await run('secondClient', b);
    await expectProgress(b, 'QEMU after the first client left');
    await run('quit', b);
    await b.waitClosed();
    const exit = await side.proc.waitForExit();
    return { greeting, firstCpus, steps, secondClientSilent, secondClientGreeting, exitStatus: exit.status };
  } finally {
    side.a.destroy();
    side.b?.destroy();
    side.proc.kill();
  }
}
