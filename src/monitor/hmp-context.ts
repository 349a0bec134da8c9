/**
 * Types shared by the HMP command table and the interpreter that runs it.
 */
import type { FormatDefaults, HmpArgs } from './hmp-parse.js';
import type { CpuInfo, MonitorTarget } from './target.js';

/** What a command handler may use: the target, output, and the monitor's own state. */
export interface HmpContext {
  readonly target: MonitorTarget;
  /** Monitor output; "\n" becomes "\r\n" on the way out, as in QEMU's monitor_puts(). */
  print(text: string): void;
  /** QEMU's mon_get_cpu(): the selected vCPU, falling back to the first one. */
  currentCpu(): CpuInfo | undefined;
  /** `cpu N`; false if there is no such vCPU. */
  selectCpu(index: number): boolean;
  /** Last x/xp format and size (QEMU's default_fmt_format/size). */
  readonly formatDefaults: FormatDefaults;
  /** Line-editor history, oldest first (empty without an editor). */
  history(): readonly string[];
  /** QEMU's help_cmd(). */
  printHelp(name: string | undefined): void;
  /** After `quit`: the monitor stays silent (no new prompt). */
  suspend(): void;
}

/** Tab-completion candidates for one argument. */
export type HmpCompleter = (target: MonitorTarget, argIndex: number, typed: string) => string[];

/** One entry of the command table, in the spirit of QEMU's hmp-commands.hx. */
export interface HmpCommand {
  /** Name and aliases separated by '|', e.g. "cont|c" (printed as is by help and errors). */
  readonly name: string;
  /** QEMU args_type string, e.g. "name:s,option:b,vcpu:i?". */
  readonly argsType: string;
  /** Parameter synopsis for help, e.g. "name on|off [vcpu]". */
  readonly params: string;
  readonly help: string;
  readonly handler?: (ctx: HmpContext, args: HmpArgs) => void | Promise<void>;
  /** Subcommands (`info`). */
  readonly subTable?: readonly HmpCommand[];
  readonly complete?: HmpCompleter;
  /** Whether the command exists for this target (QEMU's build-time #ifdefs); default yes. */
  readonly available?: (target: MonitorTarget) => boolean;
}

/** hmp_compare_cmd(): does `name` equal one of the '|'-separated names of `list`? */
export function matchesCommand(name: string, list: string): boolean {
  return list.split('|').includes(name);
}
