/**
 * The recipe both tiers of bad-input share: the command line, the bad HMP command lines with the
 * texts QEMU 7.2 prints for them, the over-deep QMP message, and what the transcripts keep of
 * QEMU's answers (tests/transcripts/monitor-e2e/bad-input/*.json): each command line's output and
 * the exit status; the replies to the over-deep message.
 */
import { join } from 'node:path';
import { GuestSession } from '../support/guest-session.js';
import { QEMU_BINARY } from '../support/run-guest.js';
import { HmpStdio } from './hmp-stdio.js';
import { QmpConnection } from '../support/qmp.js';
import { loadSpinGuest } from './spin-guest.js';

export const HMP_KEY = 'monitor-e2e/bad-input/hmp';
export const NESTING_KEY = 'monitor-e2e/bad-input/qmp-nesting';

export function baseArgs(dir: string): string[] {
  return ['-M', 'virt', '-bios', 'none', '-smp', '2', '-serial', `file:${join(dir, 'serial.txt')}`, '-kernel', loadSpinGuest().relativePath];
}

export const hmpArgs = (dir: string): string[] => [...baseArgs(dir), '-monitor', 'stdio'];
export const qmpArgs = (dir: string): string[] => [...baseArgs(dir), '-qmp', `unix:${join(dir, 'qmp.sock')},server,nowait`];

export const QEMU_ONLY_ARGS = ['-display', 'none', '-accel', 'tcg,thread=single'];

export const TRY = (cmd: string): string => `Try "help ${cmd}" for more information\n`;

/** Command line -> output, as qemu-system-riscv64 7.2 prints it. */
export const HMP_CASES: readonly (readonly [string, string])[] = [
  ['foo', "unknown command: 'foo'\n"],
  ['info foo', "unknown command: 'info foo'\n"],
  ['help foo', "unknown command: 'foo'\n"],
  ['trace-event', `trace-event: string expected\n${TRY('trace-event')}`],
  ['trace-event guest_cpu_enter', `Expected 'on' or 'off'\n${TRY('trace-event')}`],
  ['trace-event guest_cpu_enter maybe', `Expected 'on' or 'off'\n${TRY('trace-event')}`],
  ['trace-event guest_cpu_enter on 7', 'invalid vCPU index 7\n'],
  ['trace-event guest_cpu_enter on -1', `'trace-event' has failed: integer is for 32-bit values\n${TRY('trace-event')}`],
  ['trace-event translate_block on 0', 'event "translate_block" is not vCPU-specific\n'],
  ['trace-event foo on', 'unknown event "foo"\n'],
  ['x', `unexpected end of expression\n${TRY('x')}`],
  ['x /4xw', `unexpected end of expression\n${TRY('x')}`],
  ['x /4xw zz', `invalid char 'z' in expression\n${TRY('x')}`],
  ['x /4qw 0x80000100', `invalid char in format: 'q'\n${TRY('x')}`],
  ['xp /2xw 0x0', '0000000000000000: Cannot access memory\n'],
  ['cpu', `unexpected end of expression\n${TRY('cpu')}`],
  ['cpu x', `invalid char 'x' in expression\n${TRY('cpu')}`],
  ['cpu 9', 'invalid CPU index\n'],
  ['stop 1', `stop|s: extraneous characters at the end of line\n${TRY('stop')}`],
  ['c 1', `cont|c: extraneous characters at the end of line\n${TRY('c')}`],
  ['info status extra', `status: extraneous characters at the end of line\n${TRY('info status')}`],
  ['info cpus 1', `cpus: extraneous characters at the end of line\n${TRY('info cpus')}`],
  ['info registers 5', 'CPU#5 not available\n'],
  ['info registers x', `invalid char 'x' in expression\n${TRY('info registers')}`],
  ['info trace-events guest_cpu_enter x', `invalid char 'x' in expression\n${TRY('info trace-events')}`],
  ['logfile', `logfile: filename expected\n${TRY('logfile')}`],
  ['device_del', `device_del: string expected\n${TRY('device_del')}`],
];

/** What the HMP transcript keeps: [command line, output] for each case, and the exit status after quit. */
export type HmpRecord = { outputs: [string, string][]; exitStatus: number | null };

/** Oracle tier: QEMU's answers to HMP_CASES, one session; `command` gets its command line. */
export async function qemuHmpCases(dir: string, command?: (c: string[]) => void): Promise<HmpRecord> {
  const args = [...hmpArgs(dir), ...QEMU_ONLY_ARGS];
  command?.([QEMU_BINARY, ...args]);
  const qemu = await HmpStdio.start('qemu', args);
  try {
    await qemu.waitForCpus(2);
    const outputs: [string, string][] = [];
    for (const [line] of HMP_CASES) outputs.push([line, await qemu.run(line)]);
    return { outputs, exitStatus: (await qemu.quit()).status };
  } finally {
    qemu.kill();
  }
}

/** JSON nested deeper than QEMU's limit of 1024. */
export const NESTING_PAYLOAD = '['.repeat(1025);

export const RUNNING = '{"return": {"status": "running", "singlestep": false, "running": true}}';
export const jsonError = (desc: string): string => `{"error": {"class": "GenericError", "desc": "${desc}"}}`;

/**
 * On a fresh client: negotiate, send `payload`, then a newline and a query-status; every reply
 * up to query-status's.
 */
export async function repliesTo(socket: string, payload: string): Promise<string[]> {
  const c = await QmpConnection.connect(socket);
  try {
    await c.nextLine();
    const negotiated = await c.request('{"execute": "qmp_capabilities"}');
    if (negotiated.join('\n') !== '{"return": {}}') throw new Error(`qmp_capabilities: ${JSON.stringify(negotiated)}`);
    c.send(payload);
    c.send('\n{"execute": "query-status"}\n');
    const replies: string[] = [];
    for (;;) {
      const line = await c.nextLine(60_000);
      replies.push(line);
      if (line.includes('"status"')) return replies;
    }
  } finally {
    c.destroy();
  }
}

/** What the nesting transcript keeps: QEMU's replies. */
export type NestingRecord = { replies: string[] };

/** Oracle tier: QEMU's replies to NESTING_PAYLOAD on its QMP socket. */
export async function qemuNesting(dir: string, command?: (c: string[]) => void): Promise<NestingRecord> {
  const args = [...qmpArgs(dir), ...QEMU_ONLY_ARGS];
  command?.([QEMU_BINARY, ...args]);
  const proc = GuestSession.startQemu(args, { timeoutMs: 120_000 });
  try {
    return { replies: await repliesTo(join(dir, 'qmp.sock'), NESTING_PAYLOAD) };
  } finally {
    proc.kill();
  }
}
