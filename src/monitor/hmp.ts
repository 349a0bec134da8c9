/**
 * The human monitor (HMP): QEMU 7.2's command dispatch (monitor/hmp.c
 * handle_hmp_command, help_cmd, completion) over the table in
 * hmp-commands.ts, and a session that talks to one terminal or socket:
 * banner, `(qemu) ` prompt, line editing on terminals (readline.ts) or plain
 * lines otherwise, one command at a time, and the mux focus protocol of
 * `-nographic`.
 */
import { HMP_COMMANDS, logHelpText } from './hmp-commands.js';
import { HmpCommand, HmpContext, matchesCommand } from './hmp-context.js';
import { FormatDefaults, HmpArgError, isSpace, newFormatDefaults, parseArgsType, parseArguments, skipSpaces, splitWords } from './hmp-parse.js';
import { CMD_BUF_SIZE, LineEditor } from './readline.js';
import type { CpuInfo, MonitorTarget } from './target.js';

export const HMP_PROMPT = '(qemu) ';

/** QEMU's "QEMU 7.2.22 monitor - type 'help' for more information", with tsemu's product name. */
export function hmpBanner(target: MonitorTarget, productName: string): string {
  const { major, minor, micro } = target.version().qemu;
  return `${productName} ${major}.${minor}.${micro} monitor - type 'help' for more information\n`;
}

interface ParsedCommand {
  readonly cmd: HmpCommand;
  /** Where the arguments start. */
  readonly argsAt: number;
}

/**
 * monitor_parse_command(): find the (sub)command, printing QEMU's
 * "unknown command" for a miss. Undefined for a blank line or a miss.
 */
function parseCommand(line: string, start: number, table: readonly HmpCommand[], print: (t: string) => void): ParsedCommand | undefined {
  const p0 = skipSpaces(line, start);
  if (p0 >= line.length) return undefined;
  let p = p0;
  while (p < line.length && line[p] !== '/' && !isSpace(line[p])) p++;
  const name = line.slice(p0, p);
  const cmd = table.find((c) => matchesCommand(name, c.name));
  if (cmd === undefined) {
    print(`unknown command: '${line.slice(0, p)}'\n`);
    return undefined;
  }
  p = skipSpaces(line, p);
  if (cmd.subTable !== undefined && p < line.length) return parseCommand(line, p, cmd.subTable, print);
  return { cmd, argsAt: p };
}

/** The state of one monitor (QEMU's MonitorHMP minus the I/O) and what runs commands in it. */
export class HmpInterpreter {
  private cpuIndex: number | undefined;
  readonly formatDefaults: FormatDefaults = newFormatDefaults();
  suspended = false;

  constructor(
    readonly target: MonitorTarget,
    private readonly print: (text: string) => void,
    private readonly history: () => readonly string[] = () => [],
  ) {}

  /** mon_get_cpu(): the selected vCPU if it still exists, else the first. */
  currentCpu(): CpuInfo | undefined {
    const cpus = this.target.cpus();
    const selected = cpus.find((c) => c.index === this.cpuIndex);
    if (selected !== undefined) return selected;
    this.cpuIndex = cpus[0]?.index;
    return cpus[0];
  }

  selectCpu(index: number): boolean {
    if (!this.target.cpus().some((c) => c.index === index)) return false;
    this.cpuIndex = index;
    return true;
  }

  /** The command table as this target has it (QEMU builds some commands in or out). */
  private commands(): readonly HmpCommand[] {
    return HMP_COMMANDS.filter((c) => c.available?.(this.target) ?? true);
  }

  /** handle_hmp_command(). Resolves when the command has finished. */
  async execute(line: string): Promise<void> {
    const parsed = parseCommand(line, 0, this.commands(), this.print);
    if (parsed === undefined) return;
    const { cmd, argsAt } = parsed;
    let args;
    try {
      args = parseArguments(line, argsAt, parseArgsType(cmd.argsType), cmd.name, this.formatDefaults);
    } catch (e) {
      if (!(e instanceof HmpArgError)) throw e;
      if (e.message !== '') this.print(`${e.message}\n`);
      this.print(`Try "help ${line.slice(0, argsAt).trimEnd()}" for more information\n`);
      return;
    }
    try {
      await cmd.handler?.(this.context(), args);
    } catch (e) {
      this.print(`Error: ${e instanceof Error ? e.message : String(e)}\n`);
    }
  }

  private context(): HmpContext {
    return {
      target: this.target,
      print: this.print,
      currentCpu: () => this.currentCpu(),
      selectCpu: (index) => this.selectCpu(index),
      formatDefaults: this.formatDefaults,
      history: this.history,
      printHelp: (name) => this.help(name),
      suspend: () => { this.suspended = true; },
    };
  }

  /** help_cmd(). */
  help(name: string | undefined): void {
    if (name === 'log') {
      this.print(logHelpText());
      return;
    }
    const words = name === undefined ? [] : splitWords(name);
    if (words !== undefined) this.helpDump(this.commands(), words, 0);
  }

  private helpDump(table: readonly HmpCommand[], words: readonly string[], index: number): void {
    const prefix = words.slice(0, index).map((w) => `${w} `).join('');
    if (index >= words.length) {
      for (const cmd of table) this.print(`${prefix}${cmd.name} ${cmd.params} -- ${cmd.help}\n`);
      return;
    }
    const cmd = table.find((c) => matchesCommand(words[index], c.name));
    if (cmd === undefined) this.print(`unknown command: '${words.slice(0, index + 1).join(' ')}'\n`);
    else if (cmd.subTable !== undefined) this.helpDump(cmd.subTable, words, index + 1);
    else this.print(`${prefix}${cmd.name} ${cmd.params} -- ${cmd.help}\n`);
  }

  /** monitor_find_completion(): candidates for the line up to the cursor. */
  complete(line: string): { candidates: string[]; typed: number } {
    const words = splitWords(line);
    if (words === undefined) return { candidates: [], typed: 0 };
    if (line.length > 0 && isSpace(line[line.length - 1])) words.push('');
    return this.completeIn(this.commands(), words);
  }

  private completeIn(table: readonly HmpCommand[], words: readonly string[]): { candidates: string[]; typed: number } {
    if (words.length <= 1) {
      const typed = words[0] ?? '';
      const names = table.flatMap((c) => c.name.split('|')).filter((n) => n.startsWith(typed));
      return { candidates: names, typed: typed.length };
    }
    const cmd = table.find((c) => matchesCommand(words[0], c.name));
    if (cmd === undefined) return { candidates: [], typed: 0 };
    if (cmd.subTable !== undefined) return this.completeIn(cmd.subTable, words.slice(1));
    if (cmd.name === 'help|?') return this.completeIn(this.commands(), words.slice(1));
    const typed = words[words.length - 1];
    const candidates = cmd.complete?.(this.target, words.length - 2, typed) ?? [];
    return { candidates, typed: typed.length };
  }
}

/**
 * Runs one command line as QMP's human-monitor-command does: in a fresh
 * monitor without line editor, with `cpuIndex` selected, returning the output.
 * Undefined if `cpuIndex` names no vCPU.
 */
export async function runHumanMonitorCommand(target: MonitorTarget, line: string, cpuIndex: number | undefined): Promise<string | undefined> {
  let output = '';
  const interp = new HmpInterpreter(target, (text) => { output += text; });
  if (cpuIndex !== undefined && !interp.selectCpu(cpuIndex)) return undefined;
  await interp.execute(line);
  return output.replace(/\n/g, '\r\n');
}

export interface HmpSessionOptions {
  /** QEMU-style line editing (terminals); otherwise plain lines, echoed back. */
  readonly editor: boolean;
  /** The name in the banner ("tsemu" where QEMU says "QEMU"). */
  readonly productName: string;
  /** Part of a `-nographic` mux: output is held back until the monitor gets the focus. */
  readonly muxed?: boolean;
}

/**
 * One HMP connection. Input bytes go to input(); output goes to `sink` as
 * bytes. While a command runs, further input waits (QEMU suspends the monitor).
 */
export class HmpSession {
  private readonly interp: HmpInterpreter;
  private readonly editor: LineEditor | undefined;
  private plainLine = '';
  private lastWasCr = false;
  private pending: number[] = [];
  private busy = false;
  private closed = false;
  private focused: boolean;
  private everFocused: boolean;
  private held: Uint8Array[] = [];

  constructor(target: MonitorTarget, private readonly sink: (bytes: Uint8Array) => void, private readonly opts: HmpSessionOptions) {
    this.focused = !(opts.muxed ?? false);
    this.everFocused = this.focused;
    this.interp = new HmpInterpreter(target, (text) => this.writeText(text), () => this.editor?.entries() ?? []);
    this.editor = opts.editor
      ? new LineEditor({ write: (text) => this.writeBinary(text), complete: (line) => this.interp.complete(line) }, HMP_PROMPT)
      : undefined;
  }

  /** CHR_EVENT_OPENED: the banner and the first prompt. */
  start(): void {
    this.writeText(hmpBanner(this.interp.target, this.opts.productName));
    this.showPrompt();
  }

  input(bytes: Uint8Array): void {
    if (this.closed) return;
    for (const b of bytes) this.pending.push(b);
    this.pump();
  }

  /** The connection is gone: drop input and output from now on. */
  close(): void {
    this.closed = true;
    this.pending = [];
  }

  /** Mux: the monitor gets the terminal (Ctrl-a c). */
  focusIn(): void {
    this.focused = true;
    const first = !this.everFocused;
    this.everFocused = true;
    if (!first) this.editor?.restart();
    const held = this.held;
    this.held = [];
    for (const chunk of held) this.sink(chunk);
    if (!first && !this.busy && !this.interp.suspended) this.showPrompt();
  }

  /** Mux: the guest console gets the terminal back; further output waits for focusIn(). */
  focusOut(): void {
    if (!this.busy) this.writeText('\n');
    this.focused = false;
  }

  private pump(): void {
    let i = 0;
    while (i < this.pending.length && !this.busy && !this.interp.suspended && !this.closed) {
      const line = this.feed(this.pending[i++]);
      if (line !== undefined) this.run(line);
    }
    this.pending = this.pending.slice(i);
  }

  /** One byte of input; returns a finished line. */
  private feed(b: number): string | undefined {
    if (this.editor !== undefined) {
      const line = this.editor.handleByte(b);
      return line === undefined ? undefined : Buffer.from(line, 'latin1').toString('utf8');
    }
    const afterCr = this.lastWasCr;
    this.lastWasCr = b === 13;
    if (b === 10 && afterCr) return undefined; // CR LF is one line end
    if (b === 8 || b === 127) {
      this.plainLine = this.plainLine.slice(0, -1);
      return undefined;
    }
    if (b !== 10 && b !== 13) {
      // Like QEMU's readline, other control characters are dropped, and so are bytes past its
      // 4 KiB line buffer (a huge line must not grow the monitor's memory).
      if (b >= 32 && this.plainLine.length < CMD_BUF_SIZE) this.plainLine += String.fromCharCode(b);
      return undefined;
    }
    const line = Buffer.from(this.plainLine, 'latin1').toString('utf8');
    this.plainLine = '';
    this.writeText(`${line}\n`); // echo, as QEMU's readline does
    return line;
  }

  private run(line: string): void {
    this.busy = true;
    this.interp.execute(line).catch((e: unknown) => {
      this.writeText(`Error: ${e instanceof Error ? e.message : String(e)}\n`);
    }).finally(() => {
      this.busy = false;
      if (this.closed || this.interp.suspended) return;
      if (this.focused) this.showPrompt();
      this.pump();
    });
  }

  private showPrompt(): void {
    if (this.editor !== undefined) this.editor.showPrompt();
    else this.writeText(HMP_PROMPT);
  }

  private writeText(text: string): void {
    this.emit(Buffer.from(text.replace(/\n/g, '\r\n'), 'utf8'));
  }

  /** Editor output: one char per byte. */
  private writeBinary(text: string): void {
    this.emit(Buffer.from(text.replace(/\n/g, '\r\n'), 'latin1'));
  }

  private emit(bytes: Uint8Array): void {
    if (this.closed) return;
    if (this.focused) this.sink(bytes);
    else this.held.push(bytes);
  }
}
