/**
 * The machine as the HMP/QMP monitors see it (src/monitor/target.ts): run
 * control, registers and memory read from shared state, trace-event state,
 * `-d` logging and the simple backend's trace file at run time (log,
 * logfile, trace-file), instrumentation libraries, and CPU hot-plug.
 */
import { closeSync, openSync } from 'node:fs';
import type {
  CpuInfo, DeviceNotFound, HotpluggableCpu, InstrLibrary, MonitorEventListener, MonitorTarget, StatusInfo,
  TraceEventInfo, TraceFileOp, VersionInfo,
} from '../monitor/target.js';
import type { Machine } from './machine.js';
import { Hart } from '../target/riscv/hart.js';
import { formatCpuState } from '../vcpu/cpu-log.js';
import { stateViews } from '../abi/state-layout.js';
import { guestMemoryForInstr } from '../instr/memory-access.js';
import { applyEventPattern, globMatch } from '../trace/patterns.js';
import { traceEventListing } from '../trace/control.js';
import { strerror } from '../util/errno-text.js';
import { createSimpleTraceFile } from '../trace/simpletrace-format.js';
import { parseLogItems } from '../cli/log-items.js';
import type { ThreadLogSettings } from '../trace/thread-tracing.js';
import { VIRT } from './virt-map.js';

/** The -d items without their destination. */
type LogFlags = Omit<ThreadLogSettings, 'fd'>;

/**
 * Where -d output goes, as QEMU's util/log.c sees it: stderr (no file name),
 * an open file (-D or logfile), or a logfile that could not be opened. In the
 * last case output goes nowhere (/dev/null here), and since QEMU's log
 * backend keeps a log level set at all times, every later `log` tries to open
 * that file again and prints the error again.
 */
type LogOutput = { kind: 'stderr' } | { kind: 'file' } | { kind: 'unopened'; name: string };

/** A read-only view of a hart's registers for the monitor (no TLB, no execution). */
class RegisterView extends Hart {
  constructor(state: ReturnType<typeof stateViews>, hart: number, private readonly time: () => bigint, private readonly cmp: () => bigint) {
    super(state, hart);
  }
  protected readTime(): bigint { return this.time(); }
  protected mtimecmp(): bigint { return this.cmp(); }
  protected flushTlb(): void { /* nothing cached here */ }
  protected privilegeChanged(): void { /* nothing cached here */ }
  protected timersChanged(): void { /* nothing to do */ }
}

export class MachineMonitorTarget implements MonitorTarget {
  private prelaunch: boolean;
  private logOutput: LogOutput;
  /** log / logfile / trace-file run one at a time (each waits for every thread to follow). */
  private outputOps: Promise<unknown> = Promise.resolve();

  constructor(private readonly m: Machine, private readonly quitFn: () => void) {
    this.prelaunch = m.isPaused;
    this.logOutput = m.config.log.fd === 2 ? { kind: 'stderr' } : { kind: 'file' };
  }

  version(): VersionInfo {
    // QEMU prints major.minor.micro immediately followed by the package string
    return { qemu: { major: 7, minor: 2, micro: 0 }, package: ' (tsemu 0.1.0)' };
  }

  status(): StatusInfo {
    if (this.m.isShuttingDown) return { running: false, status: 'shutdown' };
    if (this.m.isPaused) return { running: false, status: this.prelaunch ? 'prelaunch' : 'paused' };
    return { running: true, status: 'running' };
  }

  async stop(): Promise<void> {
    if (this.m.isPaused) return;
    await this.m.pause();
    this.m.emit('STOP');
  }

  async cont(): Promise<string | undefined> {
    if (!this.m.isPaused) return undefined;
    this.prelaunch = false;
    await this.m.resume();
    this.m.emit('RESUME');
    return undefined;
  }

  async systemReset(): Promise<void> {
    await this.m.systemReset(); // a stopped machine stays stopped (and prelaunch stays prelaunch)
    this.m.emit('RESET', { guest: false, reason: 'host-qmp-system-reset' });
  }

  quit(): void {
    this.m.emit('SHUTDOWN', { guest: false, reason: 'host-qmp-quit' }); // before the reply, as QEMU
    this.quitFn();
  }

  cpus(): CpuInfo[] {
    return this.m.vcpuStates().map((v) => {
      const id = this.m.cpuId(v.index);
      return {
        index: v.index,
        hartId: v.index,
        pc: BigInt.asUintN(64, BigInt(v.pc)),
        halted: v.halted,
        threadId: v.threadId,
        qomPath: id !== undefined ? `/machine/peripheral/${id}` : `/machine/soc0/harts[${v.index}]`,
        props: { coreId: v.index },
      };
    });
  }

  private view(cpu: number): RegisterView | undefined {
    const v = this.m.vcpuStates().find((x) => x.index === cpu);
    if (!v) return undefined;
    return new RegisterView(v.state, cpu, () => this.m.clint.mtime(), () => this.m.clint.mtimecmp(cpu));
  }

  async registers(cpu: number): Promise<string> {
    const view = this.view(cpu);
    if (!view) return `CPU ${cpu} is not present\n`;
    return formatCpuState(view, true);
  }

  async readMemory(cpu: number, addr: bigint, len: number, physical: boolean): Promise<Uint8Array | string> {
    const states = this.m.vcpuStates();
    const access = guestMemoryForInstr(this.m.mem, () => {
      const all: (ReturnType<typeof stateViews> | undefined)[] = [];
      for (const v of states) all[v.index] = v.state;
      return all;
    }, (c) => states.some((v) => v.index === c));
    const out = new Uint8Array(len);
    for (let done = 0; done < len;) {
      const a = addr + BigInt(done);
      const chunk = Math.min(len - done, 4096 - Number(BigInt.asUintN(12, a)));
      const pa = physical ? a : access.virtToPhys(cpu, a);
      const bytes = pa === undefined ? undefined : access.readPhys(pa, chunk);
      if (!bytes) return `Cannot access memory`;
      out.set(bytes, done);
      done += chunk;
    }
    return out;
  }

  mtree(): string {
    const hex = (v: number): string => v.toString(16).padStart(16, '0');
    const lines = ['address-space: memory', `  0000000000000000-ffffffffffffffff (prio 0, i/o): system`];
    const regions: { base: number; size: number; name: string; kind: string }[] = [
      { base: VIRT.mrom.base, size: VIRT.mrom.size, name: 'riscv_virt_board.mrom', kind: 'rom' },
      { base: VIRT.clint.base, size: VIRT.clint.size, name: 'riscv.aclint.swi/mtimer', kind: 'i/o' },
      ...this.m.devices.map((d) => ({ base: d.base, size: d.size, name: d.name, kind: 'i/o' })),
      { base: VIRT.dram.base, size: this.m.mem.ramSize, name: 'riscv_virt_board.ram', kind: 'ram' },
    ].sort((a, b) => a.base - b.base);
    for (const r of regions) lines.push(`    ${hex(r.base)}-${hex(r.base + r.size - 1)} (prio 0, ${r.kind}): ${r.name}`);
    return lines.join('\n') + '\n\n';
  }

  traceEvents(pattern: string, vcpu: number | undefined): TraceEventInfo[] {
    const state = this.m.config.tracing.state;
    return state.events.filter((e) => globMatch(pattern, e.name)).map((e) => ({
      name: e.name,
      vcpu: e.vcpu,
      state: !e.staticEnabled ? 'unavailable'
        // without a vCPU, a per-vCPU event counts as enabled while any vCPU has it (QEMU counts them)
        : (vcpu !== undefined && e.vcpu ? state.vcpuDynamicState(e.id, vcpu) : state.dstate[e.id] !== 0) ? 'enabled' : 'disabled',
    }));
  }

  setTraceEvent(name: string, enable: boolean, vcpu: number | undefined): void {
    const state = this.m.config.tracing.state;
    for (const e of state.events.filter((x) => globMatch(name, x.name) && x.staticEnabled)) {
      if (vcpu !== undefined && e.vcpu) state.setVcpuDynamic(e.id, vcpu, enable);
      else if (vcpu === undefined) state.setDynamic(e.id, enable);
    }
    this.m.translationsChanged();
  }

  hasSimpleTraceBackend(): boolean {
    return this.m.config.tracing.config.backend === 'simple';
  }

  /** QEMU's hmp_trace_file() over trace/simple.c. */
  traceFile(op: TraceFileOp, file?: string): Promise<string | undefined> {
    return this.oneAtATime(async () => {
      const cfg = this.m.config.tracing.config;
      switch (op) {
        case 'status':
          return `Trace file "${cfg.simpleFile ?? ''}" ${cfg.simpleEnabled ? 'on' : 'off'}.`;
        case 'flush':
          await this.m.changeOutput({ kind: 'trace-flush' });
          return undefined;
        case 'on':
        case 'off':
          await this.setTraceFileEnabled(op === 'on');
          return undefined;
        case 'set':
          if (file === undefined) return undefined;
          await this.setTraceFileEnabled(false);
          cfg.simpleFile = file;
          await this.setTraceFileEnabled(true);
          return undefined;
      }
    });
  }

  /**
   * st_set_trace_file_enabled(): off writes out what every thread buffered
   * and closes the file; on creates the file anew (truncated, header and
   * event mappings) and every thread appends to it. A file that cannot be
   * created leaves tracing off, silently, as in QEMU.
   */
  private async setTraceFileEnabled(on: boolean): Promise<void> {
    const cfg = this.m.config.tracing.config;
    if (cfg.backend !== 'simple' || on === cfg.simpleEnabled) return;
    if (!on) {
      await this.m.changeOutput({ kind: 'trace-file', file: undefined });
      return;
    }
    const name = cfg.simpleFile;
    if (name === undefined) return;
    try {
      createSimpleTraceFile(name);
    } catch {
      return;
    }
    await this.m.changeOutput({ kind: 'trace-file', file: name });
  }

  private oneAtATime<T>(op: () => Promise<T>): Promise<T> {
    const run = this.outputOps.then(op, op);
    this.outputOps = run.catch(() => undefined);
    return run;
  }

  async instrLoad(path: string, args: readonly string[], id?: string): Promise<{ id: string } | { error: string }> {
    try {
      return { id: await this.m.serialize(() => this.m.instr.load(path, args, id)) };
    } catch (e) {
      return { error: e instanceof Error ? e.message : String(e) };
    }
  }

  async instrUnload(id: string): Promise<string | undefined> {
    try {
      await this.m.serialize(() => this.m.instr.unload(id, (msg) => this.m.config.report(msg)));
      return undefined;
    } catch (e) {
      return e instanceof Error ? e.message : String(e);
    }
  }

  instrList(): InstrLibrary[] {
    return this.m.instr.list();
  }

  /**
   * hmp_log(): qemu_str_to_log_mask() (trace:PATTERN items enable events as
   * they come), then qemu_set_log(): the items replace the current ones.
   */
  log(items: string): Promise<string | undefined> {
    return this.oneAtATime(async () => {
      const lines: string[] = [];
      const selection = items === 'none' ? undefined : parseLogItems(items);
      if (selection !== undefined) lines.push(...this.enableTracePatterns(selection.tracePatterns));
      // QEMU's `all` includes `tid`, which wants a file name with %d: refused while logging to stderr
      if (items.split(',').includes('all') && this.logOutput.kind === 'stderr') {
        lines.push("Filename template with '%d' required for 'tid'");
        return lines.join('\n');
      }
      const on = new Set<string>(selection?.items ?? []);
      const flags: LogFlags = {
        inAsm: on.has('in_asm'), op: on.has('op'), outAsm: on.has('out_asm'), int: on.has('int'),
        exec: on.has('exec'), cpu: on.has('cpu'), guestErrors: on.has('guest_errors'),
      };
      let fd = this.m.config.log.fd;
      if (this.logOutput.kind === 'unopened') {
        const opened = this.openLogFile(this.logOutput.name);
        if ('error' in opened) lines.push(opened.error);
        else fd = opened.fd;
      }
      await this.applyLog(flags, fd);
      return lines.length > 0 ? lines.join('\n') : undefined;
    });
  }

  /**
   * hmp_logfile() / qemu_set_log_filename(): -d output and the log trace
   * backend go to PATH (truncated) from now on; the old file is closed once
   * every thread has switched. If PATH cannot be opened, output goes nowhere.
   */
  logfile(path: string): Promise<string | undefined> {
    return this.oneAtATime(async () => {
      const name = logFileName(path);
      if (name === undefined) return `Bad logfile template: ${path}`;
      const opened = this.openLogFile(name);
      await this.applyLog(this.logFlags(), 'fd' in opened ? opened.fd : openSync('/dev/null', 'w'));
      return 'error' in opened ? opened.error : undefined;
    });
  }

  private logFlags(): LogFlags {
    const { inAsm, op, outAsm, int, exec, cpu, guestErrors } = this.m.config.log;
    return { inAsm, op, outAsm, int, exec, cpu, guestErrors };
  }

  /** fopen(name, "w"); the log output state follows. */
  private openLogFile(name: string): { fd: number } | { error: string } {
    try {
      const fd = openSync(name, 'w');
      this.logOutput = { kind: 'file' };
      return { fd };
    } catch (e) {
      this.logOutput = { kind: 'unopened', name };
      return { error: `Error opening logfile ${name}: ${strerror(e)}` };
    }
  }

  /** Every thread takes the items and descriptor; then the old descriptor, if a file, is closed. */
  private async applyLog(flags: LogFlags, fd: number): Promise<void> {
    const old = this.m.config.log.fd;
    const everyThread = await this.m.changeOutput({ kind: 'log', log: { ...flags, fd } });
    // a worker that did not answer may still write to the old file: leave it open then
    if (old !== fd && old > 2 && everyThread) {
      try { closeSync(old); } catch { /* already closed */ }
    }
  }

  /**
   * `trace:PATTERN` items, as -d trace: (QEMU's trace_enable_events): events
   * stay enabled after `log none`; `trace:help` lists the events on stdout.
   * Returns the warnings as the monitor prints them.
   */
  private enableTracePatterns(patterns: readonly string[]): string[] {
    const state = this.m.config.tracing.state;
    const before = state.generation();
    const warnings: string[] = [];
    for (const pattern of patterns) {
      if (pattern === 'help' || pattern === '?') {
        process.stdout.write(traceEventListing(state.events));
        continue;
      }
      const warning = applyEventPattern(state, pattern);
      if (warning !== undefined) warnings.push(`warning: ${warning}`);
    }
    if (state.generation() !== before) this.m.translationsChanged();
    return warnings;
  }

  hotpluggableCpus(): HotpluggableCpu[] {
    const present = new Set(this.m.presentHarts());
    return Array.from({ length: this.m.config.maxHarts }, (_, core) => {
      const id = this.m.cpuId(core);
      return {
        type: 'rv64-riscv-cpu',
        vcpusCount: 1,
        props: { coreId: core, socketId: 0, threadId: 0 },
        ...(present.has(core) ? { qomPath: id !== undefined ? `/machine/peripheral/${id}` : `/machine/soc0/harts[${core}]` } : {}),
      };
    });
  }

  async deviceAdd(opts: Readonly<Record<string, string>>): Promise<string | undefined> {
    const driver = opts.driver;
    if (driver !== 'rv64-riscv-cpu') return `'${driver ?? ''}' is not a valid device model name`;
    const core = opts['core-id'];
    if (core === undefined) return "Parameter 'core-id' is missing";
    const n = Number(core);
    if (!Number.isInteger(n)) return `Parameter 'core-id' expects an integer`;
    return this.m.addHart(n, opts.id);
  }

  async deviceDel(id: string): Promise<string | DeviceNotFound | undefined> {
    const hart = this.hartOfIdOrPath(id);
    if (hart === undefined) return { errorClass: 'DeviceNotFound', desc: `Device '${id}' not found` };
    return this.m.removeHart(hart);
  }

  /** device_del takes an id or an absolute QOM path, as QEMU's. */
  private hartOfIdOrPath(name: string): number | undefined {
    const peripheral = /^\/machine\/peripheral\/(.+)$/.exec(name);
    if (peripheral) return this.m.hartOfId(peripheral[1]);
    const cold = /^\/machine\/soc0\/harts\[(\d+)\]$/.exec(name);
    if (cold) {
      const hart = Number(cold[1]);
      return this.m.presentHarts().includes(hart) && this.m.cpuId(hart) === undefined ? hart : undefined;
    }
    return this.m.hartOfId(name);
  }

  async cpuAdd(coreId: number): Promise<string | undefined> {
    return this.m.addHart(coreId, undefined);
  }

  onEvent(listener: MonitorEventListener): void {
    this.m.onEvent((event, data) => listener(event, data));
  }
}

/**
 * valid_filename_template() for a log file name: at most one `%`, which must
 * be `%d` and becomes the process id. Undefined for a bad template.
 */
function logFileName(path: string): string | undefined {
  const at = path.indexOf('%');
  if (at < 0) return path;
  if (path[at + 1] !== 'd' || path.includes('%', at + 2)) return undefined;
  return `${path.slice(0, at)}${process.pid}${path.slice(at + 2)}`;
}
