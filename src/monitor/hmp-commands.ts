/**
 * The HMP command table (QEMU's hmp-commands.hx / hmp-commands-info.hx, for
 * the commands tsemu has) and the handlers. Names, args_type strings, params
 * and help texts are QEMU 7.2's; tsemu's own commands (instr-*, info instr,
 * cpu-add from older QEMU) follow the same conventions. Tables are sorted by
 * name, as QEMU sorts them for `help`.
 */
import { logUsageText, parseLogItems } from '../cli/log-items.js';
import type { HmpCommand, HmpContext } from './hmp-context.js';
import { HmpArgs, splitWords } from './hmp-parse.js';
import { disassembleMemory, dumpMemory } from './memory-dump.js';
import type { CpuInstanceProps, MonitorTarget } from './target.js';
import { traceEventGetState, traceEventSetState } from './trace-control.js';

/** A C `int` from an HMP integer argument (QEMU stores them in int variables). */
function cInt(v: bigint): number {
  return Number(BigInt.asIntN(32, v));
}

function hex16(v: bigint): string {
  return BigInt.asUintN(64, v).toString(16).padStart(16, '0');
}

/** hmp_handle_error(). */
function printError(ctx: HmpContext, error: string | undefined): void {
  if (error !== undefined) ctx.print(`Error: ${error}\n`);
}

// ---- info subcommands -----------------------------------------------------------------------

function infoCpus(ctx: HmpContext): void {
  const current = ctx.currentCpu()?.index;
  for (const cpu of ctx.target.cpus()) {
    const halted = cpu.halted ? ' (halted)' : '';
    ctx.print(`${cpu.index === current ? '*' : ' '} CPU #${cpu.index}: pc=0x${hex16(cpu.pc)}${halted} thread_id=${cpu.threadId}\n`);
  }
}

function infoHistory(ctx: HmpContext): void {
  ctx.history().forEach((line, i) => ctx.print(`${i}: '${line}'\n`));
}

const PROP_NAMES: readonly (readonly [keyof CpuInstanceProps, string])[] = [
  ['nodeId', 'node-id'], ['socketId', 'socket-id'], ['coreId', 'core-id'], ['threadId', 'thread-id'],
];

function infoHotpluggableCpus(ctx: HmpContext): void {
  ctx.print('Hotpluggable CPUs:\n');
  for (const slot of [...ctx.target.hotpluggableCpus()].reverse()) {
    ctx.print(`  type: "${slot.type}"\n  vcpus_count: "${slot.vcpusCount}"\n`);
    if (slot.qomPath !== undefined) ctx.print(`  qom_path: "${slot.qomPath}"\n`);
    ctx.print('  CPUInstance Properties:\n');
    for (const [key, name] of PROP_NAMES) {
      const value = slot.props[key];
      if (value !== undefined) ctx.print(`    ${name}: "${value}"\n`);
    }
  }
}

function infoInstr(ctx: HmpContext): void {
  for (const lib of ctx.target.instrList()) {
    ctx.print(`${lib.id}: ${[lib.path, ...lib.args].join(' ')}\n`);
  }
  for (const line of ctx.target.instrSlowCallbacks?.() ?? []) ctx.print(`  ${line}\n`);
}

async function infoRegisters(ctx: HmpContext, args: HmpArgs): Promise<void> {
  const cpus = ctx.target.cpus();
  if (args.bool('cpustate_all')) {
    for (const cpu of cpus) ctx.print(`\nCPU#${cpu.index}\n${await ctx.target.registers(cpu.index)}`);
    return;
  }
  const vcpu = cInt(args.int('vcpu') ?? -1n);
  const cpu = vcpu >= 0 ? cpus.find((c) => c.index === vcpu) : ctx.currentCpu();
  if (cpu === undefined) {
    ctx.print(vcpu >= 0 ? `CPU#${vcpu} not available\n` : 'No CPU available\n');
    return;
  }
  ctx.print(`\nCPU#${cpu.index}\n${await ctx.target.registers(cpu.index)}`);
}

function infoStatus(ctx: HmpContext): void {
  const { running, status } = ctx.target.status();
  const detail = !running && status !== 'paused' ? ` (${status})` : '';
  ctx.print(`VM status: ${running ? 'running' : 'paused'}${detail}\n`);
}

function infoTraceEvents(ctx: HmpContext, args: HmpArgs): void {
  const vcpu = args.int('vcpu');
  if (vcpu !== undefined && cInt(vcpu) < 0) {
    ctx.print('argument vcpu must be positive'); // sic: QEMU prints no newline here
    return;
  }
  const events = traceEventGetState(ctx.target, args.str('name') ?? '*', vcpu === undefined ? undefined : BigInt(cInt(vcpu)));
  if (typeof events === 'string') {
    ctx.print(`${events}\n`);
    return;
  }
  for (const ev of events) ctx.print(`${ev.name} : state ${ev.state === 'enabled' ? 1 : 0}\n`);
}

function infoVersion(ctx: HmpContext): void {
  const { qemu, package: pkg } = ctx.target.version();
  ctx.print(`${qemu.major}.${qemu.minor}.${qemu.micro}${pkg}\n`);
}

/** Trace event names starting with what is typed (QEMU's trace_event_completion). */
function completeTraceEvent(target: MonitorTarget, argIndex: number, typed: string, withState: boolean): string[] {
  if (argIndex === 0) return target.traceEvents(`${typed}*`, undefined).map((ev) => ev.name);
  if (withState && argIndex === 1) return ['on', 'off'].filter((s) => s.startsWith(typed));
  return [];
}

const INFO_COMMANDS: HmpCommand[] = [
  { name: 'cpus', argsType: '', params: '', help: 'show infos for each CPU', handler: infoCpus },
  { name: 'history', argsType: '', params: '', help: 'show the command line history', handler: infoHistory },
  { name: 'hotpluggable-cpus', argsType: '', params: '', help: 'Show information about hotpluggable CPUs', handler: infoHotpluggableCpus },
  { name: 'instr', argsType: '', params: '', help: 'show loaded instrumentation libraries', handler: infoInstr },
  { name: 'mtree', argsType: '', params: '', help: 'show memory tree', handler: (ctx) => ctx.print(ctx.target.mtree()) },
  { name: 'pci', argsType: '', params: '', help: 'show PCI info', handler: (ctx) => ctx.print(ctx.target.infoPci()) },
  {
    name: 'registers', argsType: 'cpustate_all:-a,vcpu:i?', params: '[-a|vcpu]',
    help: "show the cpu registers (-a: show register info for all cpus; vcpu: specific vCPU to query; show the current CPU's registers if no argument is specified)",
    handler: infoRegisters,
  },
  { name: 'status', argsType: '', params: '', help: 'show the current VM status (running|paused)', handler: infoStatus },
  {
    name: 'trace-events', argsType: 'name:s?,vcpu:i?', params: '[name] [vcpu]',
    help: 'show available trace-events & their state (name: event name pattern; vcpu: vCPU to query, default is any)',
    handler: infoTraceEvents,
    complete: (target, i, typed) => completeTraceEvent(target, i, typed, false),
  },
  { name: 'version', argsType: '', params: '', help: 'show the version of QEMU', handler: infoVersion },
];

// ---- top-level commands ---------------------------------------------------------------------

async function memoryDumpCommand(ctx: HmpContext, args: HmpArgs, physical: boolean): Promise<void> {
  const fmt = args.format('fmt');
  const addr = args.int('addr') ?? 0n;
  const cpu = ctx.currentCpu();
  if (cpu === undefined && (fmt.format === 'i' || !physical)) {
    ctx.print('Can not dump without CPU\n');
    return;
  }
  const index = cpu?.index ?? 0;
  const read = (a: bigint, len: number): Promise<Uint8Array | string> => ctx.target.readMemory(index, a, len, physical);
  ctx.print(fmt.format === 'i' ? await disassembleMemory(fmt.count, addr, read) : await dumpMemory(fmt, addr, read));
}

async function deviceAdd(ctx: HmpContext, args: HmpArgs): Promise<void> {
  const opts = args.opts('device');
  if (opts === undefined || !opts.has('driver')) {
    printError(ctx, "Parameter 'driver' is missing");
    return;
  }
  printError(ctx, await ctx.target.deviceAdd(Object.fromEntries(opts)));
}

async function deviceDel(ctx: HmpContext, args: HmpArgs): Promise<void> {
  const error = await ctx.target.deviceDel(args.str('id') ?? '');
  printError(ctx, typeof error === 'object' ? error.desc : error);
}

async function instrLoad(ctx: HmpContext, args: HmpArgs): Promise<void> {
  const words = splitWords(args.str('args') ?? '');
  if (words === undefined) {
    ctx.print('instr-load: string expected\nTry "help instr-load" for more information\n');
    return;
  }
  const result = await ctx.target.instrLoad(args.str('path') ?? '', words, args.str('id'));
  if ('error' in result) printError(ctx, result.error);
  else ctx.print(`${result.id}\n`);
}

/** hmp_log(): `none`, or items qemu_str_to_log_mask() takes (it refuses an empty `trace:`); else the help. */
async function logCommand(ctx: HmpContext, args: HmpArgs): Promise<void> {
  const items = args.str('items') ?? '';
  const valid = items === 'none' || (parseLogItems(items) !== undefined && !items.split(',').includes('trace:'));
  if (!valid) {
    ctx.printHelp('log');
    return;
  }
  const output = await ctx.target.log(items);
  if (output !== undefined) ctx.print(`${output}\n`);
}

function traceEvent(ctx: HmpContext, args: HmpArgs): void {
  const vcpu = args.int('vcpu');
  if (vcpu !== undefined && cInt(vcpu) < 0) {
    ctx.print('argument vcpu must be positive'); // sic: no newline, as in QEMU
    return;
  }
  const error = traceEventSetState(ctx.target, args.str('name') ?? '', args.bool('option'), true,
    vcpu === undefined ? undefined : BigInt(cInt(vcpu)));
  if (error !== undefined) ctx.print(`${error}\n`);
}

async function traceFile(ctx: HmpContext, args: HmpArgs): Promise<void> {
  const op = args.str('op');
  const arg = args.str('arg');
  let output: string | undefined;
  if (op === undefined) output = await ctx.target.traceFile('status');
  else if (op === 'on' || op === 'off' || op === 'flush') output = await ctx.target.traceFile(op);
  else if (op === 'set') output = arg === undefined ? undefined : await ctx.target.traceFile('set', arg);
  else {
    ctx.print(`unexpected argument "${op}"\n`);
    ctx.printHelp('trace-file');
    return;
  }
  if (output !== undefined) ctx.print(`${output}\n`);
}

/** The `help log` text: tsemu's log items in QEMU's monitor wording. */
export function logHelpText(): string {
  const header = 'Log items (comma separated):\n';
  return logUsageText()
    .replace(header, `${header}${'none'.padEnd(15)} remove all logs\n`)
    .replace('"-d trace:help"', '"log trace:help"');
}

export const HMP_COMMANDS: readonly HmpCommand[] = [
  { name: 'cont|c', argsType: '', params: '', help: 'resume emulation', handler: async (ctx) => printError(ctx, await ctx.target.cont()) },
  {
    name: 'cpu', argsType: 'index:i', params: 'index', help: 'set the default CPU',
    handler: (ctx, args) => { if (!ctx.selectCpu(cInt(args.int('index') ?? 0n))) ctx.print('invalid CPU index\n'); },
  },
  {
    name: 'cpu-add', argsType: 'id:i', params: 'id', help: 'add cpu (deprecated, use device_add instead)',
    handler: async (ctx, args) => printError(ctx, await ctx.target.cpuAdd(cInt(args.int('id') ?? 0n))),
  },
  { name: 'device_add', argsType: 'device:O', params: 'driver[,prop=value][,...]', help: 'add device, like -device on the command line', handler: deviceAdd },
  { name: 'device_del', argsType: 'id:s', params: 'device', help: 'remove device', handler: deviceDel },
  { name: 'help|?', argsType: 'name:S?', params: '[cmd]', help: 'show the help', handler: (ctx, args) => ctx.printHelp(args.str('name')) },
  {
    name: 'info', argsType: 'item:s?', params: '[subcommand]', help: 'show various information about the system state',
    handler: (ctx) => ctx.printHelp('info'), subTable: INFO_COMMANDS,
  },
  {
    name: 'instr-load', argsType: 'id:-is,path:F,args:S?', params: '[-i id] path [arg...]',
    help: 'load an instrumentation library and print its ID (-i: the ID to give it)', handler: instrLoad,
  },
  {
    name: 'instr-unload', argsType: 'id:s', params: 'id', help: 'unload an instrumentation library',
    handler: async (ctx, args) => printError(ctx, await ctx.target.instrUnload(args.str('id') ?? '')),
  },
  { name: 'log', argsType: 'items:s', params: 'item1[,...]', help: 'activate logging of the specified items', handler: logCommand },
  {
    name: 'logfile', argsType: 'filename:F', params: 'filename', help: "output logs to 'filename'",
    handler: async (ctx, args) => { const e = await ctx.target.logfile(args.str('filename') ?? ''); if (e !== undefined) ctx.print(`${e}\n`); },
  },
  { name: 'quit|q', argsType: '', params: '', help: 'quit the emulator', handler: (ctx) => { ctx.suspend(); ctx.target.quit(); } },
  { name: 'stop|s', argsType: '', params: '', help: 'stop emulation', handler: (ctx) => ctx.target.stop() },
  { name: 'system_reset', argsType: '', params: '', help: 'reset the system', handler: (ctx) => ctx.target.systemReset() },
  {
    name: 'trace-event', argsType: 'name:s,option:b,vcpu:i?', params: 'name on|off [vcpu]',
    help: 'changes status of a specific trace event (vcpu: vCPU to set, default is all)', handler: traceEvent,
    complete: (target, i, typed) => completeTraceEvent(target, i, typed, true),
  },
  {
    name: 'trace-file', argsType: 'op:s?,arg:F?', params: 'on|off|flush|set [arg]',
    help: 'open, close, or flush trace file, or set a new file name', handler: traceFile,
    available: (target) => target.hasSimpleTraceBackend?.() ?? true, // QEMU: only with CONFIG_TRACE_SIMPLE
  },
  { name: 'x', argsType: 'fmt:/,addr:l', params: '/fmt addr', help: "virtual memory dump starting at 'addr'", handler: (ctx, a) => memoryDumpCommand(ctx, a, false) },
  { name: 'xp', argsType: 'fmt:/,addr:l', params: '/fmt addr', help: "physical memory dump starting at 'addr'", handler: (ctx, a) => memoryDumpCommand(ctx, a, true) },
];
