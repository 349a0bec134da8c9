/**
 * The recipe both tiers of log-runtime share: the command line (spin.elf, `-S`, no `-d`; QEMU
 * also gets `-display none -accel tcg,thread=single`), the command lines whose texts are QEMU
 * 7.2's, and what the transcripts keep of QEMU's answers
 * (tests/transcripts/monitor-e2e/log-runtime/*.json): the first `-d in_asm` block after
 * `log in_asm` and `cont` (the reset vector), and each command line's output in one session.
 */
import { QEMU_BINARY } from '../support/run-guest.js';
import { waitFor } from '../support/tools.js';
import { HmpStdio } from './hmp-stdio.js';
import { loadSpinGuest } from './spin-guest.js';

export const FIRST_BLOCK_KEY = 'monitor-e2e/log-runtime/first-in-asm-block';
export const MESSAGES_KEY = 'monitor-e2e/log-runtime/messages';

export const QEMU_ONLY_ARGS = ['-display', 'none', '-accel', 'tcg,thread=single'];

export function spinArgs(...extra: string[]): string[] {
  return ['-M', 'virt', '-bios', 'none', '-smp', '2', '-S', '-serial', 'null', ...extra, '-kernel', loadSpinGuest().relativePath];
}

/** The `-d in_asm` blocks of a log, each from its `----------------` line to its blank line. */
export function inAsmBlocks(text: string): string[] {
  return text.split('----------------\n').slice(1).map((b) => `----------------\n${b.split('\n\n')[0]}\n\n`);
}

/** The reset vector, as QEMU 7.2 logs it (the transcript holds what QEMU printed). */
export const RESET_VECTOR = '----------------\nIN: \nPriv: 3; Virt: 0\n' +
  '0x0000000000001000:  00000297          auipc                   t0,0                    # 0x1000\n' +
  '0x0000000000001004:  02828613          addi                    a2,t0,40\n' +
  '0x0000000000001008:  f1402573          csrrs                   a0,mhartid,zero\n\n';

export type FirstBlockRecord = { block: string };

/** Oracle tier: `log in_asm`, `cont`, and QEMU's first in_asm block on stderr. */
export async function qemuFirstBlock(command?: (c: string[]) => void): Promise<FirstBlockRecord> {
  const args = [...spinArgs('-monitor', 'stdio'), ...QEMU_ONLY_ARGS];
  command?.([QEMU_BINARY, ...args, '(monitor: log in_asm; cont)']);
  const qemu = await HmpStdio.start('qemu', args);
  try {
    await qemu.run('log in_asm');
    await qemu.run('cont');
    await waitFor('QEMU to log the loop', () => qemu.session.stderr.includes('IN: spin'), 8000, 50);
    const block = inAsmBlocks(qemu.session.stderr)[0] ?? '';
    await qemu.quit();
    return { block };
  } finally {
    qemu.kill();
  }
}

/** Bad item lists: `log` prints its help (as hmp_log does). */
export const BAD_ITEM_LISTS = ['log bogus', 'log in_asm,bogus', 'log in_asm,none', 'log trace:'];

/** Command line -> output, as qemu-system-riscv64 7.2 prints it (run in this order, after BAD_ITEM_LISTS). */
export const MESSAGE_CASES: readonly (readonly [string, string])[] = [
  ['log trace:nonexistent_zz', "warning: trace event 'nonexistent_zz' does not exist\n"],
  ['log all', "Filename template with '%d' required for 'tid'\n"],
  ['logfile /tmp/tsemu-bad-template%s', 'Bad logfile template: /tmp/tsemu-bad-template%s\n'],
  ['logfile /tmp/tsemu-bad-template%d%d', 'Bad logfile template: /tmp/tsemu-bad-template%d%d\n'],
  ['logfile /nonexistent/x.log', 'Error opening logfile /nonexistent/x.log: No such file or directory\n'],
  // QEMU keeps the name and, its log backend keeping a log level at all times, opens it again at every change
  ['log none', 'Error opening logfile /nonexistent/x.log: No such file or directory\n'],
  ['log in_asm', 'Error opening logfile /nonexistent/x.log: No such file or directory\n'],
  ['logfile /', 'Error opening logfile /: Is a directory\n'],
  ['trace-file', "unknown command: 'trace-file'\n"],
  ['trace-file on', "unknown command: 'trace-file'\n"],
  ['help trace-file', "unknown command: 'trace-file'\n"],
];

/** [command line, output] for BAD_ITEM_LISTS, then for MESSAGE_CASES. */
export type MessagesRecord = { badItemLists: [string, string][]; messages: [string, string][] };

/**
 * Oracle tier: one QEMU session through BAD_ITEM_LISTS and MESSAGE_CASES; the session is left
 * running (`qemu`) for the caller's own further commands, which it must kill.
 */
export async function qemuMessages(command?: (c: string[]) => void): Promise<{ record: MessagesRecord; qemu: HmpStdio }> {
  const args = [...spinArgs('-monitor', 'stdio'), ...QEMU_ONLY_ARGS];
  command?.([QEMU_BINARY, ...args]);
  const qemu = await HmpStdio.start('qemu', args);
  try {
    const badItemLists: [string, string][] = [];
    for (const line of BAD_ITEM_LISTS) badItemLists.push([line, await qemu.run(line)]);
    const messages: [string, string][] = [];
    for (const [line] of MESSAGE_CASES) messages.push([line, await qemu.run(line)]);
    return { record: { badItemLists, messages }, qemu };
  } catch (e) {
    qemu.kill();
    throw e;
  }
}
