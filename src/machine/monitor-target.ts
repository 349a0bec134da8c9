/**
 * The machine as the HMP/QMP monitors see it (src/monitor/target.ts): run
 * control, registers and memory read from shared state, the memory tree,
 * trace-event state, instrumentation libraries, and CPU hot-plug with QEMU's
 * device names and paths. The output commands (log, logfile, trace-file)
 * live in monitor-output.ts.
 */
import type {
  CpuInfo, DeviceNotFound, HotpluggableCpu, InstrLibrary, MonitorEventListener, MonitorTarget, StatusInfo,
  TraceEventInfo, TraceFileOp, VersionInfo,
} from '../monitor/target.js';
import type { Machine } from './machine.js';
import { Hart } from '../target/riscv/hart.js';
import { formatCpuState } from '../vcpu/cpu-log.js';
import { stateViews } from '../abi/state-layout.js';
import { guestMemoryForInstr } from '../instr/memory-access.js';
import { globMatch } from '../trace/patterns.js';
import { VIRT } from './virt-map.js';
import { MonitorOutputCommands } from './monitor-output.js';

/** A read-only view of a hart's registers for the monitor (no TLB, no execution). */
export class RegisterView extends Hart {
  constructor(state: ReturnType<typeof stateViews>, hart: number, private readonly time: () => bigint, private readonly cmp: () => bigint) {
    super(state, hart);
  }
  protected readTime(): bigint { return this.time(); }
  protected mtimecmp(): bigint { return this.cmp(); }
  protected flushTlb(): void { /* nothing cached here */ }
  protected privilegeChanged(): void { /* nothing cached here */ }
  protected timersChanged(): void { /* nothing to do */ }
  protected quietMsFor(): number { return 0; } // a register view reads the time at every question
}

export class MachineMonitorTarget implements MonitorTarget {
  private prelaunch: boolean;
  private readonly output: MonitorOutputCommands;

  constructor(private readonly m: Machine, private readonly quitFn: () => void) {
    this.prelaunch = m.isPaused;
    this.output = new MonitorOutputCommands(m);
  }

  version(): VersionInfo {
    // QEMU prints major.minor.micro immediately followed by the package string
    return { qemu: { major: 7, minor: 2, micro: 0 }, package: ' (tsemu 0.1.0)' };
  }

  status(): StatusInfo {
    if (this.m.isShuttingDown) return { running: false, status: 'shutdown' };
    if (this.m.isPaused && this.m.debugStopped) return { running: false, status: 'debug' };
    if (this.m.isPaused) return { running: false, status: this.prelaunch && !this.m.resumedByDebugger ? 'prelaunch' : 'paused' };
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
    this.m.debugStopped = false;
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

  infoPci(): string {
    return this.m.board.pcie.infoPci();
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
    return this.output.traceFile(op, file);
  }

  async instrLoad(path: string, args: readonly string[], id?: string): Promise<{ id: string } | { error: string }> {
    try {
      return { id: await this.m.runExclusive(() => this.m.instr.load(path, args, id)) };
    } catch (e) {
      return { error: e instanceof Error ? e.message : String(e) };
    }
  }

  async instrUnload(id: string): Promise<string | undefined> {
    try {
      await this.m.runExclusive(() => this.m.instr.unload(id, (msg) => this.m.reportInstr(msg)));
      return undefined;
    } catch (e) {
      return e instanceof Error ? e.message : String(e);
    }
  }

  instrList(): InstrLibrary[] {
    return this.m.instr.list();
  }

  instrSlowCallbacks(): string[] {
    return this.m.slowCallbacks(1);
  }

  /** HMP log: the -d items (trace:PATTERN included) replace the current ones. */
  log(items: string): Promise<string | undefined> {
    return this.output.log(items);
  }

  /** HMP logfile: -d output and the log trace backend go to PATH from now on. */
  logfile(path: string): Promise<string | undefined> {
    return this.output.logfile(path);
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
