/**
 * The command line of `tsemu-riscv64`, QEMU 7.2's linux-user (`qemu-riscv64`): its option table
 * (one dash or two, each option taking at most one argument), the environment variables that set
 * the same things (read first, so the command line wins), its messages, its `-h` text.
 */
import { parseLogItems, logUsageText, type LogItem } from './log-items.js';
import { parseInstr, parseTrace, type InstrSpec, type TraceSpec } from './trace-opts.js';
import { parseQemuSize } from './size.js';
import { TSEMU_VERSION } from './help.js';

export const USER_PROGRAM_NAME = 'tsemu-riscv64';

export interface UserOptions {
  /** -L / QEMU_LD_PREFIX: where the ELF interpreter and absolute paths are looked up first. */
  readonly ldPrefix: string;
  /** -E / -U / QEMU_SET_ENV / QEMU_UNSET_ENV applied to the emulator's environment. */
  readonly env: readonly string[];
  /** -0 / QEMU_ARGV0: the guest's argv[0] (default: the program path as given). */
  readonly argv0: string | undefined;
  /** -s / QEMU_STACK_SIZE, bytes. */
  readonly stackSize: number;
  /** -strace / QEMU_STRACE (or -d strace). */
  readonly strace: boolean;
  readonly logItems: readonly LogItem[];
  /** -one-insn-per-tb / -singlestep / QEMU_SINGLESTEP: one guest instruction per block. */
  readonly oneInsnPerTb: boolean;
  readonly logTracePatterns: readonly string[];
  readonly logFile: string | undefined;
  readonly traces: readonly TraceSpec[];
  readonly instruments: readonly InstrSpec[];
  /** -r / QEMU_UNAME: the release uname() reports. */
  readonly unameRelease: string | undefined;
  /** -seed / QEMU_RAND_SEED: getrandom and AT_RANDOM from a seeded generator. */
  readonly seed: bigint | undefined;
  /** -R / QEMU_RESERVED_VA, bytes (0: none): the guest's whole address space, QEMU's reserved_va. */
  readonly reservedVa: number;
  readonly program: string;
  readonly args: readonly string[];
  readonly warnings: readonly string[];
}

export type UserCommandLine =
  | { action: 'run'; options: UserOptions }
  | { action: 'exit'; stdout: string; stderr: string; exitCode: number };

/** A problem with the command line: `message` is the line to print (then exit 1). */
export class UserOptionError extends Error {
  override readonly name = 'UserOptionError';
}

interface Mutable {
  ldPrefix: string;
  env: Map<string, string>;
  argv0: string | undefined;
  stackSize: number;
  strace: boolean;
  logItems: LogItem[];
  oneInsnPerTb: boolean;
  logTracePatterns: string[];
  logFile: string | undefined;
  traces: TraceSpec[];
  instruments: InstrSpec[];
  unameRelease: string | undefined;
  seed: bigint | undefined;
  reservedVa: number;
  warnings: string[];
  exit: UserCommandLine | undefined;
}

interface OptionDef {
  readonly name: string;
  readonly env: string;
  readonly arg: string | undefined;
  readonly help: string;
  readonly handle: (m: Mutable, arg: string) => void;
}

const DEFAULT_STACK = 8 * 1024 * 1024;

/** -E/-U: QEMU splits the value getsubopt(3)-style at commas. */
function setEnv(m: Mutable, arg: string): void {
  for (const item of arg.split(',')) {
    const eq = item.indexOf('=');
    if (eq <= 0) continue;
    m.env.delete(item.slice(0, eq)); // QEMU's envlist puts a changed variable first again
    m.env.set(item.slice(0, eq), item.slice(eq + 1));
  }
}

function unsetEnv(m: Mutable, arg: string): void {
  for (const item of arg.split(',')) m.env.delete(item);
}

function notSupported(name: string): (m: Mutable, arg: string) => void {
  return () => { throw new UserOptionError(`${USER_PROGRAM_NAME}: -${name}: option not supported by tsemu`); };
}

function handleLog(m: Mutable, arg: string): void {
  const sel = parseLogItems(arg.split(',').filter((i) => i !== 'strace').join(',') || 'strace-only');
  if (arg.split(',').includes('strace')) m.strace = true;
  if (sel === undefined) {
    if (arg.split(',').every((i) => i === 'strace')) return;
    m.exit = { action: 'exit', stdout: userLogUsageText(), stderr: '', exitCode: 1 };
    return;
  }
  m.logItems = [...sel.items];
  m.logTracePatterns.push(...sel.tracePatterns);
}

function handleCpu(m: Mutable, arg: string): void {
  if (arg === 'help') {
    m.exit = { action: 'exit', stdout: 'Available CPUs:\n  rv64\n', stderr: '', exitCode: 0 };
    return;
  }
  if (arg !== 'rv64' && arg !== 'any' && arg !== 'max') throw new UserOptionError(`${USER_PROGRAM_NAME}: unable to find CPU model '${arg}'`);
}

function handleStack(m: Mutable, arg: string): void {
  const size = parseQemuSize(arg);
  if (size === undefined || size === 0n) throw new UserOptionError(`${USER_PROGRAM_NAME}: Invalid stack size '${arg}'`);
  m.stackSize = Number((size + 4095n) & ~4095n);
}

/** QEMU 7.2's handle_arg_reserved_va: strtoul (any base), then an optional k/K/M/G suffix, nothing after. */
function handleReservedVa(m: Mutable, arg: string): void {
  const num = /^\s*[+]?(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)/.exec(arg);
  let value = 0n;
  let rest = arg;
  if (num) {
    const digits = num[1];
    value = /^0[xX]/.test(digits) ? BigInt(digits) : digits.length > 1 && digits.startsWith('0') ? BigInt(`0o${digits.slice(1)}`) : BigInt(digits);
    rest = arg.slice(num[0].length);
  }
  const shift = ({ k: 10n, K: 10n, M: 20n, G: 30n } as Record<string, bigint>)[rest[0] ?? ''];
  if (value >= 1n << 64n) value = (1n << 64n) - 1n; // strtoul saturates
  if (shift !== undefined) {
    rest = rest.slice(1);
    if (value << shift >= 1n << 64n) throw new UserOptionError('Reserved virtual address too big');
    value <<= shift;
  }
  if (rest !== '') throw new UserOptionError(`Unrecognised -R size suffix '${rest}'`);
  // RV64's 2^56-byte user space is QEMU's limit too; past 2^53 a JS number would round
  if (value > 2n ** 52n) throw new UserOptionError(`${USER_PROGRAM_NAME}: -R ${arg}: reserved virtual address space too big for tsemu`);
  m.reservedVa = Number(value);
}

function handleSeed(m: Mutable, arg: string): void {
  if (!/^-?\d+$/.test(arg)) throw new UserOptionError(`${USER_PROGRAM_NAME}: Invalid seed number: ${arg}`);
  m.seed = BigInt.asUintN(64, BigInt(arg));
}

const OPTIONS: readonly OptionDef[] = [
  { name: 'h', env: '', arg: undefined, help: 'print this help', handle: (m) => { m.exit = usageExit(); } },
  { name: 'help', env: '', arg: undefined, help: '', handle: (m) => { m.exit = usageExit(); } },
  { name: 'L', env: 'QEMU_LD_PREFIX', arg: 'path', help: "set the elf interpreter prefix to 'path'", handle: (m, a) => { m.ldPrefix = a; } },
  { name: 's', env: 'QEMU_STACK_SIZE', arg: 'size', help: "set the stack size to 'size' bytes", handle: handleStack },
  { name: 'cpu', env: 'QEMU_CPU', arg: 'model', help: 'select CPU (-cpu help for list)', handle: handleCpu },
  { name: 'E', env: 'QEMU_SET_ENV', arg: 'var=value', help: 'sets targets environment variable (see below)', handle: setEnv },
  { name: 'U', env: 'QEMU_UNSET_ENV', arg: 'var', help: 'unsets targets environment variable (see below)', handle: unsetEnv },
  { name: '0', env: 'QEMU_ARGV0', arg: 'argv0', help: "forces target process argv[0] to be 'argv0'", handle: (m, a) => { m.argv0 = a; } },
  { name: 'r', env: 'QEMU_UNAME', arg: 'uname', help: "set qemu uname release string to 'uname'", handle: (m, a) => { m.unameRelease = a; } },
  { name: 'R', env: 'QEMU_RESERVED_VA', arg: 'size', help: "reserve 'size' bytes for guest virtual address space", handle: handleReservedVa },
  { name: 'd', env: 'QEMU_LOG', arg: 'item[,...]', help: "enable logging of specified items (use '-d help' for a list of items)", handle: handleLog },
  { name: 'D', env: 'QEMU_LOG_FILENAME', arg: 'logfile', help: "write logs to 'logfile' (default stderr)", handle: (m, a) => { m.logFile = a; } },
  { name: 'singlestep', env: 'QEMU_SINGLESTEP', arg: undefined, help: 'run in singlestep mode', handle: (m) => { m.oneInsnPerTb = true; } },
  { name: 'one-insn-per-tb', env: '', arg: undefined, help: 'run with one guest instruction per emulated TB', handle: (m) => { m.oneInsnPerTb = true; } },
  { name: 'strace', env: 'QEMU_STRACE', arg: undefined, help: 'log system calls', handle: (m) => { m.strace = true; } },
  { name: 'seed', env: 'QEMU_RAND_SEED', arg: '', help: 'Seed for pseudo-random number generator', handle: handleSeed },
  { name: 'trace', env: 'QEMU_TRACE', arg: '', help: '[[enable=]<pattern>][,events=<file>][,file=<file>]', handle: (m, a) => { m.traces.push(parseTrace(a, '-trace', m.warnings)); } },
  { name: 'instr', env: '', arg: '', help: '[file=]<file>[,arg=<argvalue>]', handle: (m, a) => { m.instruments.push(parseInstr(a, '-instr', m.warnings)); } },
  { name: 'g', env: 'QEMU_GDB', arg: 'port', help: "wait gdb connection to 'port'", handle: notSupported('g') },
  { name: 'B', env: 'QEMU_GUEST_BASE', arg: 'address', help: "set guest_base address to 'address'", handle: notSupported('B') },
  { name: 'version', env: 'QEMU_VERSION', arg: undefined, help: 'display version information and exit', handle: (m) => { m.exit = { action: 'exit', stdout: userVersionText(), stderr: '', exitCode: 0 }; } },
];

export function userVersionText(): string {
  return `${USER_PROGRAM_NAME} version ${TSEMU_VERSION} (QEMU-compatible)\nCopyright (c) 2026 The tsemu developers\n`;
}

/** QEMU's usage() table, with tsemu's program name and options. */
export function userHelpText(): string {
  const lines = [
    `usage: ${USER_PROGRAM_NAME} [options] program [arguments...]`,
    'Linux CPU emulator (compiled for riscv64 emulation)',
    '',
    'Options and associated environment variables:',
    '',
    'Argument             Env-variable      Description',
  ];
  for (const o of OPTIONS) lines.push(`${`-${o.name}${o.arg ? ` ${o.arg}` : ''}`.padEnd(20)} ${o.env.padEnd(17)} ${o.help}`.trimEnd());
  lines.push(
    '',
    'Defaults:',
    'QEMU_LD_PREFIX  = /etc/qemu-binfmt/riscv64',
    `QEMU_STACK_SIZE = ${DEFAULT_STACK} byte`,
    '',
    'You can use -E and -U options or the QEMU_SET_ENV and',
    'QEMU_UNSET_ENV environment variables to set and unset',
    'environment variables for the target process.',
    'It is possible to provide several variables by separating them',
    'by commas in getsubopt(3) style. Additionally it is possible to',
    'provide the -E and -U options multiple times.',
    'The following lines are equivalent:',
    '    -E var1=val2 -E var2=val2 -U LD_PRELOAD -U LD_DEBUG',
    '    -E var1=val2,var2=val2 -U LD_PRELOAD,LD_DEBUG',
    '    QEMU_SET_ENV=var1=val2,var2=val2 QEMU_UNSET_ENV=LD_PRELOAD,LD_DEBUG',
    'Note that if you provide several changes to a single variable',
    'the last change will stay in effect.',
    '',
  );
  return lines.join('\n');
}

/** `-d help` (and a bad `-d`): tsemu's items and, as QEMU's linux-user lists it, `strace`. */
export function userLogUsageText(): string {
  return logUsageText().replace('trace:PATTERN', 'strace          log every user-mode syscall, its input, and its result\ntrace:PATTERN');
}

function usageExit(): UserCommandLine {
  return { action: 'exit', stdout: userHelpText(), stderr: '', exitCode: 0 };
}

function freshState(hostEnv: Readonly<Record<string, string | undefined>>): Mutable {
  const env = new Map<string, string>();
  for (const [k, v] of Object.entries(hostEnv)) if (v !== undefined) env.set(k, v);
  return {
    ldPrefix: '/etc/qemu-binfmt/riscv64', env, argv0: undefined, stackSize: DEFAULT_STACK, strace: false,
    logItems: [], oneInsnPerTb: false, logTracePatterns: [], logFile: undefined, traces: [], instruments: [], unameRelease: undefined,
    seed: undefined, reservedVa: 0, warnings: [], exit: undefined,
  };
}

/**
 * QEMU's parse_args(): environment variables first (QEMU_STRACE and friends take any value),
 * then options up to the first argument that does not start with '-' (or after `--`).
 */
export function parseUserCommandLine(argv: readonly string[], hostEnv: Readonly<Record<string, string | undefined>>): UserCommandLine {
  const m = freshState(hostEnv);
  for (const o of OPTIONS) {
    const v = o.env === '' ? undefined : hostEnv[o.env];
    if (v === undefined || o.name === 'version') continue;
    o.handle(m, v);
    if (m.exit) return m.exit;
  }
  let i = 0;
  while (i < argv.length) {
    let r = argv[i];
    if (!r.startsWith('-')) break;
    i++;
    r = r.slice(1);
    if (r === '-') break;
    if (r.startsWith('-')) r = r.slice(1);
    const o = OPTIONS.find((d) => d.name === r);
    if (!o) throw new UserOptionError(`${USER_PROGRAM_NAME}: unknown option '${r}'`);
    let arg = '';
    if (o.arg !== undefined) {
      if (i >= argv.length) throw new UserOptionError(`${USER_PROGRAM_NAME}: missing argument for option '${r}'`);
      arg = argv[i++];
    }
    o.handle(m, arg);
    if (m.exit) return m.exit;
  }
  if (i >= argv.length) throw new UserOptionError(`${USER_PROGRAM_NAME}: no user program specified`);
  // QEMU's envlist inserts at its head and hands the list out from there: newest first
  const env = [...m.env].map(([k, v]) => `${k}=${v}`).reverse();
  return {
    action: 'run',
    options: {
      ldPrefix: m.ldPrefix, env, argv0: m.argv0, stackSize: m.stackSize, strace: m.strace, logItems: m.logItems,
      oneInsnPerTb: m.oneInsnPerTb, logTracePatterns: m.logTracePatterns, logFile: m.logFile, traces: m.traces, instruments: m.instruments,
      unameRelease: m.unameRelease, seed: m.seed, reservedVa: m.reservedVa, program: argv[i], args: argv.slice(i + 1), warnings: m.warnings,
    },
  };
}
