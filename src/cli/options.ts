/**
 * Parses a qemu-system-riscv64 style command line into MachineOptions.
 *
 * Behaviour and messages follow QEMU 7.2 (softmmu/vl.c and the helpers it calls),
 * checked against Debian's qemu-system-riscv64; where tsemu differs it says so in
 * src/cli/README.md. Nothing here prints or exits: problems are thrown as
 * OptionError, and `help`/`-version` style requests come back as an `exit` result.
 */
import { parseCpuModel, type CpuExtensionFlags } from './cpu-model.js';
import { parseChardevOption, parseMonitorSpec, parseSerialSpec, usesStdio, type ChardevSpec, type MonitorSpec, type SerialSpec } from './chardev.js';
import { deviceHelpText, nodeHostFiles, parseDevice, parseDrive, resolveDevices, type DeviceSpec, type DriveParseContext, type DriveSpec, type HostFiles } from './drive.js';
import { parseGlobal, resolveGlobals, type GlobalProperty, type GlobalSettings } from './globals.js';
import { accelHelpText, cpuHelpText, displayHelpText, helpText, machineHelpText, versionText } from './help.js';
import { logUsageText, parseLogItems, type LogItem } from './log-items.js';
import { optionError, optionWarning } from './option-error.js';
import { isHelpRequest, lastValue, parseOptParams, type OptParam } from './qemu-opts.js';
import { DEFAULT_RAM_SIZE, parseQemuSize, parseRamSize, sizeSyntaxError } from './size.js';
import { collectSmpConfig, resolveSmp, type SmpTopology } from './smp.js';
import { parseNetdev, type NetdevSpec } from './netdev.js';
import { parseInstr, parseTrace, type InstrSpec, type TraceSpec } from './trace-opts.js';

export { OptionError, PROGRAM_NAME } from './option-error.js';
export { helpText, versionText } from './help.js';
export type { ChardevBackend, ChardevSpec, MonitorSpec, NamedChardevBackend, SerialSpec, SocketAddressSpec } from './chardev.js';
export type { CpuDeviceSpec, DeviceSpec, DriveSpec, HostFiles, VirtioBlkDeviceSpec } from './drive.js';
export type { LogItem } from './log-items.js';
export type { NetdevSpec } from './netdev.js';
export type { GlobalSettings } from './globals.js';
export type { SmpTopology } from './smp.js';
export type { InstrSpec, TraceSpec } from './trace-opts.js';

/** `-bios`: QEMU's default is `default` (its bundled OpenSBI fw_dynamic). */
export type BiosChoice = { readonly kind: 'default' } | { readonly kind: 'none' } | { readonly kind: 'file'; readonly path: string };

export interface MachineOptions {
  readonly machine: 'virt';
  /** `-M virt,dumpdtb=FILE`: write the device tree there and exit. */
  readonly dumpDtb: string | undefined;
  readonly cpuModel: 'rv64';
  /** The CPU's optional extensions (-cpu rv64,zbb=off...). */
  readonly cpuExtensions: CpuExtensionFlags;
  readonly smp: SmpTopology;
  /** Guest RAM in bytes (a multiple of 8 KiB). */
  readonly ramSize: number;
  readonly bios: BiosChoice;
  readonly kernel: string | undefined;
  readonly append: string | undefined;
  readonly initrd: string | undefined;
  /** `-dtb FILE`: the device tree given instead of the generated one (QEMU still patches /chosen). */
  readonly dtb: string | undefined;
  readonly drives: readonly DriveSpec[];
  /** Devices in QEMU's creation order: each -device, then one per if=virtio drive. */
  readonly devices: readonly DeviceSpec[];
  /** -netdev backends, in command-line order. */
  readonly netdevs: readonly NetdevSpec[];
  /** -chardev backends (for virtconsole / virtserialport), in command-line order. */
  readonly chardevs: readonly ChardevSpec[];
  /** What -global set for tsemu's devices. */
  readonly globals: GlobalSettings;
  readonly nographic: boolean;
  /** tsemu never opens a window; this is what QEMU would run with `-display none`. */
  readonly display: 'none';
  /** Serial backends for serial0, serial1, ... (virt has one UART; extra ones are unused, as in QEMU). */
  readonly serials: readonly SerialSpec[];
  readonly monitors: readonly MonitorSpec[];
  readonly noReboot: boolean;
  /** `-S`: do not start the vCPUs until the monitor says `cont`. */
  readonly startStopped: boolean;
  /** -gdb DEV / -s (tcp::1234): where the gdbstub listens. */
  readonly gdb: string | undefined;
  /** `-singlestep`: one guest instruction per translated block (QEMU 7.2's option). */
  readonly singlestep: boolean;
  /** `-icount`: virtual time from executed instructions (implies -accel tcg,thread=single, as in QEMU). */
  readonly icount: IcountSettings | undefined;
  readonly logItems: readonly LogItem[];
  /** `trace:PATTERN` items of -d. */
  readonly logTracePatterns: readonly string[];
  /** `-D FILE`; undefined means stderr. */
  readonly logFile: string | undefined;
  readonly snapshot: boolean;
  readonly traces: readonly TraceSpec[];
  readonly instruments: readonly InstrSpec[];
  readonly accel: { readonly kind: 'tcg'; readonly thread: 'single' | 'multi' };
  /** Warnings QEMU would print for this command line (already formatted, possibly multi-line), in order. */
  readonly warnings: readonly string[];
}

export type CommandLine =
  | { readonly action: 'run'; readonly options: MachineOptions }
  /** Print `stdout` and exit with `exitCode` (help texts, -version, `-d help`). */
  | { readonly action: 'exit'; readonly stdout: string; readonly exitCode: 0 | 1 };

export interface ParseDependencies {
  /** File checks for -drive (defaults to the real file system). */
  readonly files?: HostFiles;
}

/** Options and whether they take an argument. */
const OPTIONS: Readonly<Record<string, boolean>> = {
  h: false, help: false, version: false,
  M: true, machine: true, cpu: true, smp: true, m: true, accel: true,
  bios: true, kernel: true, append: true, initrd: true, dtb: true,
  drive: true, device: true, netdev: true, chardev: true, snapshot: false,
  nographic: false, display: true, serial: true, monitor: true, qmp: true, nodefaults: false,
  'no-reboot': false, S: false, s: false, singlestep: false, icount: true, gdb: true, d: true, D: true, trace: true, instr: true, global: true,
};

/** QEMU options tsemu does not implement (so they get "not supported" rather than "invalid option"). */
const QEMU_ONLY_OPTIONS = new Set([
  'enable-kvm', 'nic', 'net', 'mon', 'object', 'numa', 'boot', 'name', 'uuid', 'rtc',
  'plugin', 'pflash', 'fw_cfg', 'vga', 'vnc', 'spice', 'usb', 'usbdevice', 'audiodev', 'parallel', 'debugcon',
  'pidfile', 'daemonize', 'L', 'k', 'full-screen', 'sandbox', 'msg', 'seed', 'dfilter', 'no-shutdown', 'action',
  'watchdog-action', 'echr', 'overcommit', 'cdrom', 'hda', 'hdb', 'hdc', 'hdd', 'fda', 'fdb', 'mtdblock', 'sd', 'mem-path',
  'mem-prealloc', 'semihosting', 'semihosting-config', 'blockdev', 'fsdev', 'virtfs', 'iscsi', 'qmp-pretty', 'incoming', 'loadvm',
  'preconfig', 'runas', 'chroot', 'async-teardown', 'compat', 'add-fd', 'readconfig', 'no-user-config', 'qtest', 'accel-help',
]);

const MACHINE_TYPES_OF_QEMU = ['microchip-icicle-kit', 'none', 'shakti_c', 'sifive_e', 'sifive_u', 'spike'];
const DISPLAY_TYPES_OF_QEMU = ['gtk', 'sdl', 'egl-headless', 'curses', 'spice-app', 'dbus', 'vnc', 'cocoa', 'default'];

/** What the option loop collects before the cross-option checks. */
interface Collected {
  machineParams: OptParam[];
  cpu: string | undefined;
  smpParams: OptParam[];
  memParams: OptParam[];
  memWhere: string | undefined;
  bios: BiosChoice;
  kernel: string | undefined;
  append: string | undefined;
  initrd: string | undefined;
  dtb: string | undefined;
  driveArgs: { arg: string; where: string }[];
  deviceArgs: { arg: string; where: string }[];
  netdevs: NetdevSpec[];
  chardevs: ChardevSpec[];
  chardevIds: Set<string>;
  netdevIds: Set<string>;
  globals: GlobalProperty[];
  nographic: boolean;
  serials: (SerialSpec | undefined)[];
  monitors: MonitorSpec[];
  defaultMonitorOff: boolean;
  noDefaults: boolean;
  noReboot: boolean;
  startStopped: boolean;
  singlestep: boolean;
  icount: IcountSettings | undefined;
  gdb: string | undefined;
  logSpec: string | undefined;
  logFile: string | undefined;
  snapshot: boolean;
  traces: TraceSpec[];
  instruments: InstrSpec[];
  accel: { thread: 'single' | 'multi' } | undefined;
  accelHelp: boolean;
  warnings: string[];
}

function emptyCollected(): Collected {
  return {
    machineParams: [], cpu: undefined, smpParams: [], memParams: [], memWhere: undefined,
    bios: { kind: 'default' }, kernel: undefined, append: undefined, initrd: undefined, dtb: undefined,
    driveArgs: [], deviceArgs: [], netdevs: [], netdevIds: new Set(), chardevs: [], chardevIds: new Set(), globals: [], nographic: false, serials: [], monitors: [], defaultMonitorOff: false,
    noDefaults: false, noReboot: false, startStopped: false, singlestep: false, icount: undefined, gdb: undefined, logSpec: undefined, logFile: undefined,
    snapshot: false, traces: [], instruments: [], accel: undefined, accelHelp: false, warnings: [],
  };
}

type Early = { readonly stdout: string; readonly exitCode: 0 | 1 } | undefined;

/**
 * Parses argv (without the node and script names). Throws OptionError for a bad
 * command line; returns `exit` for help/version requests.
 */
export function parseCommandLine(argv: readonly string[], deps: ParseDependencies = {}): CommandLine {
  const files = deps.files ?? nodeHostFiles;
  const c = emptyCollected();
  for (let i = 0; i < argv.length; i += 1) {
    const word = argv[i] ?? '';
    if (!word.startsWith('-')) {
      // QEMU: a bare argument is a disk image (drive index 0 of the default interface, `none` on virt).
      c.driveArgs.push({ arg: `file=${word.replace(/,/g, ',,')},index=0,media=disk`, where: word });
      continue;
    }
    const name = word[1] === '-' && word.length > 2 ? word.slice(2) : word.slice(1);
    const takesArg = Object.hasOwn(OPTIONS, name) ? OPTIONS[name] : undefined;
    if (takesArg === undefined) {
      if (QEMU_ONLY_OPTIONS.has(name)) throw optionError(word, 'option not supported by tsemu');
      throw optionError(word, 'invalid option');
    }
    let arg = '';
    if (takesArg) {
      const next = argv[i + 1];
      if (next === undefined) throw optionError(word, 'requires an argument');
      arg = next;
      i += 1;
    }
    const early = applyOption(c, name, arg, takesArg ? `${word} ${arg}` : word);
    if (early !== undefined) return { action: 'exit', ...early };
  }
  return finish(c, files);
}

/** Handles one option; returns a result when QEMU would exit right away. */
function applyOption(c: Collected, name: string, arg: string, where: string): Early {
  switch (name) {
    case 'h':
    case 'help':
      return { stdout: helpText(), exitCode: 0 };
    case 'version':
      return { stdout: versionText(), exitCode: 0 };
    case 'M':
    case 'machine':
      c.machineParams.push(...parseOptParams(arg, { style: 'keyval', impliedKey: 'type' }, where).params);
      return undefined;
    case 'cpu':
      c.cpu = arg;
      return undefined;
    case 'smp':
      c.smpParams.push(...parseOptParams(arg, { style: 'keyval', impliedKey: 'cpus' }, where).params);
      return undefined;
    case 'm':
      collectMemory(c, arg, where);
      return undefined;
    case 'accel':
      collectAccel(c, arg, where);
      return undefined;
    case 'bios':
      c.bios = arg === 'none' ? { kind: 'none' } : arg === 'default' ? { kind: 'default' } : { kind: 'file', path: arg };
      return undefined;
    case 'kernel':
      c.kernel = arg;
      return undefined;
    case 'append':
      c.append = arg;
      return undefined;
    case 'dtb':
      c.dtb = arg;
      return undefined;
    case 'initrd':
      c.initrd = arg;
      return undefined;
    case 'drive':
      c.driveArgs.push({ arg, where });
      return undefined;
    case 'device':
      c.deviceArgs.push({ arg, where });
      return undefined;
    case 'netdev':
      c.netdevs.push(parseNetdev(arg, where, c.netdevIds));
      return undefined;
    case 'chardev':
      c.chardevs.push(parseChardevOption(arg, where, c.chardevIds));
      return undefined;
    case 'display':
      return applyDisplay(arg, where);
    case 'serial':
      c.serials.push(parseSerialSpec(arg, where));
      // QEMU: a `mon:` serial carries the monitor, so no default monitor is added.
      if (arg.startsWith('mon:')) c.defaultMonitorOff = true;
      return undefined;
    case 'monitor':
    case 'qmp': {
      c.defaultMonitorOff = true;
      const spec = parseMonitorSpec(arg, name === 'qmp' ? 'control' : 'readline', where);
      if (spec !== undefined) c.monitors.push(spec);
      return undefined;
    }
    case 'global':
      c.globals.push(parseGlobal(arg, where));
      return undefined;
    case 'trace':
      c.traces.push(parseTrace(arg, where, c.warnings));
      return undefined;
    case 'instr':
      c.instruments.push(parseInstr(arg, where, c.warnings));
      return undefined;
    case 'd':
      c.logSpec = arg;
      return undefined;
    case 'D':
      c.logFile = arg;
      return undefined;
    case 'gdb':
      c.gdb = arg;
      return undefined;
    case 'icount':
      c.icount = parseIcount(arg, where);
      return undefined;
    default:
      applyFlag(c, name);
      return undefined;
  }
}

function applyFlag(c: Collected, name: string): void {
  if (name === 'nographic') c.nographic = true;
  else if (name === 'nodefaults') c.noDefaults = true;
  else if (name === 'snapshot') c.snapshot = true;
  else if (name === 'no-reboot') c.noReboot = true;
  else if (name === 'S') c.startStopped = true;
  else if (name === 'singlestep') c.singlestep = true;
  else if (name === 's') c.gdb = 'tcp::1234'; // QEMU's DEFAULT_GDBSTUB_PORT
}

/** -m: QemuOpts with implied `size`, merged across repeats; the size syntax is checked right away like QEMU. */
function collectMemory(c: Collected, arg: string, where: string): void {
  const { params, warnings } = parseOptParams(arg, { style: 'qemu-opts', impliedKey: 'size' }, where);
  c.warnings.push(...warnings);
  for (const { key, value } of params) {
    if (key === 'slots' || key === 'maxmem') throw optionError(where, `parameter '${key}' is not supported by tsemu (no memory hot-plug)`);
    if (key !== 'size') throw optionError(where, `Invalid parameter '${key}'`);
    if (parseQemuSize(value) === undefined) throw sizeSyntaxError(where, 'size');
  }
  c.memParams.push(...params);
  c.memWhere = where;
}

/** `-icount`'s settings: virtual time = executed instructions << shift ns; sleep=off skips idle time. */
export interface IcountSettings {
  /** The shift, or shift=auto's starting one (QEMU's 3). */
  readonly shift: number;
  readonly sleep: boolean;
  /** shift=auto: the shift adapts to keep virtual time near real time (QEMU's icount_adjust). */
  readonly auto?: boolean;
  /** align=on: the vCPUs sleep when virtual time runs ahead of real time. */
  readonly align?: boolean;
}

/**
 * -icount [shift=]N|auto[,sleep=on|off][,align=on|off]: QEMU's virtual clock, N in 0..10. `auto`
 * starts at QEMU's shift 3 and adapts it to the host's speed as the run goes (so two runs differ).
 */
function parseIcount(arg: string, where: string): IcountSettings | undefined {
  const { params } = parseOptParams(arg, { style: 'qemu-opts', impliedKey: 'shift' }, where);
  let shift: number | undefined;
  let auto = false;
  let sleep = true;
  let align: boolean | undefined;
  for (const { key, value } of params) {
    if (key === 'shift') {
      auto = value === 'auto';
      if (auto) shift = 3;
      else if (/^\d+$/.test(value) && Number(value) <= 10) shift = Number(value);
      else throw optionError(where, 'icount: Invalid shift value');
    } else if (key === 'sleep' || key === 'align') {
      if (value !== 'on' && value !== 'off') throw optionError(where, `Parameter '${key}' expects 'on' or 'off'`);
      if (key === 'sleep') sleep = value === 'on';
      else align = value === 'on';
    } else if (key === 'rr' || key === 'rrfile' || key === 'rrsnapshot') {
      throw optionError(where, `parameter '${key}' is not supported by tsemu`);
    } else throw optionError(where, `Invalid parameter '${key}'`);
  }
  // QEMU's icount_configure, in its order: without a shift, icount stays off (align is refused)
  if (shift === undefined) {
    if (align !== undefined) throw optionError(where, 'Please specify shift option when using align');
    return undefined;
  }
  if (align === true && !sleep) throw optionError(where, 'align=on and sleep=off are incompatible');
  return { shift, sleep, ...(auto ? { auto } : {}), ...(align === true ? { align } : {}) };
}

/** -accel: only tcg; the first -accel is the one QEMU ends up using. */
function collectAccel(c: Collected, arg: string, where: string): void {
  const { params, warnings } = parseOptParams(arg, { style: 'qemu-opts', impliedKey: 'accel' }, where);
  c.warnings.push(...warnings);
  const accel = lastValue(params, 'accel');
  if (accel !== undefined && isHelpRequest(accel)) {
    c.accelHelp = true;
    return;
  }
  if (accel !== 'tcg') throw optionError(where, `invalid accelerator ${accel ?? ''}`);
  let thread: 'single' | 'multi' = 'multi'; // QEMU's default for riscv64 on a 64-bit host
  for (const { key, value } of params) {
    if (key === 'accel') continue;
    if (key === 'thread') {
      if (value !== 'single' && value !== 'multi') throw optionError(where, `Invalid 'thread' setting ${value}`);
      thread = value;
    } else if (key === 'tb-size' || key === 'split-wx' || key === 'one-insn-per-tb') {
      throw optionError(where, `property '${key}' is not supported by tsemu`);
    } else throw optionError(where, `Property 'tcg-accel.${key}' not found`);
  }
  c.accel ??= { thread };
}

function applyDisplay(arg: string, where: string): Early {
  const { params } = parseOptParams(arg, { style: 'keyval', impliedKey: 'type' }, where);
  const type = lastValue(params, 'type');
  if (type !== undefined && isHelpRequest(type)) return { stdout: displayHelpText(), exitCode: 0 };
  if (type !== 'none') {
    if (type !== undefined && DISPLAY_TYPES_OF_QEMU.includes(type)) throw optionError(where, `display '${type}' is not supported by tsemu (only 'none')`);
    throw optionError(where, `Parameter 'type' does not accept value '${type ?? ''}'`);
  }
  const extra = params.find((p) => p.key !== 'type');
  if (extra !== undefined) throw optionError(where, `Parameter '${extra.key}' is unexpected`);
  return undefined;
}

/** Everything QEMU checks after reading the whole command line, in roughly QEMU's order. */
function finish(c: Collected, files: HostFiles): CommandLine {
  if (c.kernel === undefined && c.append !== undefined) throw optionError(undefined, '-append only allowed with -kernel option');
  if (c.kernel === undefined && c.initrd !== undefined) throw optionError(undefined, '-initrd only allowed with -kernel option');
  const machine = resolveMachine(c.machineParams);
  if (machine === 'help') return { action: 'exit', stdout: machineHelpText(), exitCode: 0 };
  if (c.cpu !== undefined && isHelpRequest(c.cpu)) return { action: 'exit', stdout: cpuHelpText(), exitCode: 0 };
  const devices = parseDevices(c);
  if (devices === 'help') return { action: 'exit', stdout: deviceHelpText(), exitCode: 0 };
  if (c.accelHelp) return { action: 'exit', stdout: accelHelpText(), exitCode: 0 };
  const log = c.logSpec === undefined ? { items: [], tracePatterns: [] } : parseLogItems(c.logSpec);
  if (log === undefined) return { action: 'exit', stdout: logUsageText(), exitCode: 1 };

  const smp = resolveSmp(collectSmpConfig(c.smpParams), c.warnings);
  const ramSize = resolveRamSize(c);
  const cpu = parseCpuModel(c.cpu);
  const { serials, monitors } = resolveCharDevices(c);
  const drives = parseDrives(c, files);
  const globals = resolveGlobals(c.globals, c.warnings);
  const allDevices = resolveDevices(devices, drives, files, c.globals, c.netdevs.map((n) => n.id), c.chardevs.map((d) => d.id));
  warnPeerlessNetdevs(c.netdevs, allDevices, c.warnings);
  checkCpuDevices(allDevices, smp);
  return {
    action: 'run',
    options: {
      machine: 'virt', dumpDtb: machine.dumpDtb, cpuModel: 'rv64', cpuExtensions: cpu.extensions, smp, ramSize, bios: c.bios,
      kernel: c.kernel, append: c.append, initrd: c.initrd, dtb: c.dtb, drives, devices: allDevices, netdevs: c.netdevs, chardevs: c.chardevs, globals,
      nographic: c.nographic, display: 'none', serials, monitors, noReboot: c.noReboot, startStopped: c.startStopped, singlestep: c.singlestep, icount: c.icount, gdb: c.gdb,
      logItems: log.items, logTracePatterns: log.tracePatterns, logFile: c.logFile, snapshot: c.snapshot,
      traces: c.traces, instruments: c.instruments, accel: { kind: 'tcg', thread: c.accel?.thread ?? (c.icount !== undefined ? 'single' : 'multi') },
      warnings: c.warnings,
    },
  };
}

/**
 * -machine: merged keyval (later keys win). QEMU's riscv64 default machine is `spike`,
 * which tsemu lacks, so without -M tsemu uses virt.
 */
function resolveMachine(params: readonly OptParam[]): { dumpDtb: string | undefined } | 'help' {
  const type = lastValue(params, 'type') ?? 'virt';
  if (isHelpRequest(type)) return 'help';
  if (type !== 'virt') {
    const why = MACHINE_TYPES_OF_QEMU.includes(type) ? `machine type '${type}' is not supported by tsemu` : 'unsupported machine type';
    throw optionError(undefined, `${why}\nUse -machine help to list supported machines`);
  }
  let dumpDtb: string | undefined;
  for (const { key, value } of params) {
    if (key === 'type') continue;
    if (key !== 'dumpdtb') throw optionError(undefined, `Property 'virt-machine.${key}' not found`);
    dumpDtb = value;
  }
  return { dumpDtb };
}

function resolveRamSize(c: Collected): number {
  const size = lastValue(c.memParams, 'size');
  if (size === undefined || c.memWhere === undefined) return DEFAULT_RAM_SIZE;
  return parseRamSize(size, c.memWhere);
}

/** QEMU's net_check_clients: a -netdev no NIC uses. */
function warnPeerlessNetdevs(netdevs: readonly NetdevSpec[], devices: readonly DeviceSpec[], warnings: string[]): void {
  for (const n of netdevs) {
    if (!devices.some((d) => (d.driver === 'virtio-net-pci' || d.driver === 'virtio-net-device') && d.netdev === n.id)) warnings.push(optionWarning(undefined, `netdev ${n.id} has no peer`));
  }
}

function parseDevices(c: Collected): DeviceSpec[] | 'help' {
  const devices: DeviceSpec[] = [];
  for (const { arg, where } of c.deviceArgs) {
    const dev = parseDevice(arg, where, c.warnings);
    if (dev === 'help') return 'help';
    devices.push(dev);
  }
  return devices;
}

function parseDrives(c: Collected, files: HostFiles): DriveSpec[] {
  const ctx: DriveParseContext = { globalSnapshot: c.snapshot, files, taken: new Set(), autoIndex: new Map(), warnings: c.warnings };
  return c.driveArgs.map(({ arg, where }) => parseDrive(arg, where, ctx));
}

/**
 * QEMU's default serial/monitor (qemu_create_default_devices): with -nographic an
 * unclaimed serial and monitor share stdio as `mon:stdio`; otherwise they go to a
 * text console that nobody sees. Then no two backends may read stdio.
 */
function resolveCharDevices(c: Collected): { serials: SerialSpec[]; monitors: MonitorSpec[] } {
  const defaultSerial = !c.noDefaults && c.serials.length === 0;
  const defaultMonitor = !c.noDefaults && !c.defaultMonitorOff;
  const serials = c.serials.filter((s): s is SerialSpec => s !== undefined);
  const monitors = [...c.monitors];
  if (c.nographic) {
    if (defaultSerial && defaultMonitor) serials.push({ backend: { kind: 'stdio' }, muxMonitor: true, origin: undefined });
    else {
      if (defaultSerial) serials.push({ backend: { kind: 'stdio' }, muxMonitor: false, origin: undefined });
      if (defaultMonitor) monitors.push({ backend: { kind: 'stdio' }, mode: 'readline', origin: undefined });
    }
  } else {
    if (defaultSerial) serials.push({ backend: { kind: 'vc' }, muxMonitor: false, origin: undefined });
    if (defaultMonitor) monitors.push({ backend: { kind: 'vc' }, mode: 'readline', origin: undefined });
  }
  // QEMU opens -chardev first, then monitors, then serial ports; the second stdio user is the one that fails.
  let stdioTaken = false;
  const chardevUsers = c.chardevs.map((d) => ({ backend: d.backend.kind === 'stdio' ? { kind: 'stdio' as const } : { kind: 'null' as const }, origin: d.origin }));
  for (const user of [...chardevUsers, ...monitors, ...serials]) {
    if (!usesStdio(user.backend)) continue;
    if (stdioTaken) throw optionError(user.origin, 'cannot use stdio by multiple character devices');
    stdioTaken = true;
  }
  return { serials, monitors };
}

function checkCpuDevices(devices: readonly DeviceSpec[], smp: SmpTopology): void {
  let count = smp.cpus;
  for (const dev of devices) {
    if (dev.driver !== 'rv64-riscv-cpu') continue;
    count += 1;
    if (count > smp.maxCpus) throw optionError(dev.origin, `no free CPU slot: maxcpus is ${smp.maxCpus} (use -smp N,maxcpus=M)`);
  }
}
