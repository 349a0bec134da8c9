/**
 * A MonitorTarget for tests: memory regions, vCPUs, a trace-event catalogue,
 * CPU slots and instrumentation libraries held in plain objects, every action
 * recorded, events emitted the way the machine is meant to emit them.
 */
import type {
  CpuInfo, DeviceNotFound, HotpluggableCpu, InstrLibrary, MonitorEventListener, MonitorTarget, RunStatus,
  StatusInfo, TraceEventInfo, TraceEventState, TraceFileOp, VersionInfo,
} from '../../src/monitor/target.js';

export interface FakeEvent {
  name: string;
  vcpu: boolean;
  /** Statically disabled (`disable` property). */
  unavailable?: boolean;
}

/** QEMU's trace-event glob: `*` any run, `?` any one character. */
function globMatch(pattern: string, name: string): boolean {
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
  return re.test(name);
}

export class FakeTarget implements MonitorTarget {
  versionInfo: VersionInfo = { qemu: { major: 7, minor: 2, micro: 22 }, package: 'Debian 1:7.2+dfsg-7+deb12u18+b3' };
  runStatus: RunStatus = 'running';
  readonly calls: string[] = [];
  readonly regions: { base: bigint; bytes: Uint8Array }[] = [];
  cpuList: CpuInfo[] = [];
  events: FakeEvent[] = [];
  /** Dynamic state: non-vCPU events by name, per-vCPU events as "name@index". */
  readonly enabled = new Set<string>();
  readonly vcpuEnabled = new Set<string>();
  slots: HotpluggableCpu[] = [];
  libs: InstrLibrary[] = [];
  private nextLib = 0;
  private readonly listeners: MonitorEventListener[] = [];
  /** Makes stop/cont/registers wait for this before resolving, to test slow commands. */
  delay: Promise<void> | undefined;

  constructor(cpuCount = 1) {
    for (let i = 0; i < cpuCount; i++) this.addCpu(i);
  }

  addCpu(index: number, qomPath = `/machine/soc0/harts[${index}]`): void {
    this.cpuList.push({
      index, hartId: index, pc: 0x1000n + BigInt(index), halted: index > 0, threadId: 1000 + index, qomPath, props: { coreId: index },
    });
  }

  emit(name: string, data?: Record<string, unknown>): void {
    for (const l of this.listeners) l(name, data);
  }

  version(): VersionInfo { return this.versionInfo; }

  status(): StatusInfo { return { running: this.runStatus === 'running', status: this.runStatus }; }

  async stop(): Promise<void> {
    this.calls.push('stop');
    await this.delay;
    if (this.runStatus !== 'running') return;
    this.runStatus = 'paused';
    this.emit('STOP');
  }

  async cont(): Promise<string | undefined> {
    this.calls.push('cont');
    await this.delay;
    if (this.runStatus === 'shutdown') return 'Resetting the Virtual Machine is required';
    if (this.runStatus === 'running') return undefined;
    this.runStatus = 'running';
    this.emit('RESUME');
    return undefined;
  }

  async systemReset(): Promise<void> {
    this.calls.push('system_reset');
    this.emit('RESET', { guest: false, reason: 'host-qmp-system-reset' });
    if (this.runStatus !== 'running') this.runStatus = 'prelaunch';
  }

  quit(): void {
    this.calls.push('quit');
    this.emit('SHUTDOWN', { guest: false, reason: 'host-qmp-quit' });
  }

  cpus(): CpuInfo[] { return this.cpuList; }

  async registers(cpu: number): Promise<string> {
    await this.delay;
    return ` pc       ${(0x1000 + cpu).toString(16).padStart(16, '0')}\n mhartid  ${cpu.toString(16).padStart(16, '0')}\n`;
  }

  /** Make [base, base+bytes.length) readable. */
  map(base: bigint, bytes: Uint8Array): void {
    this.regions.push({ base, bytes });
  }

  async readMemory(cpu: number, addr: bigint, len: number, physical: boolean): Promise<Uint8Array | string> {
    this.calls.push(`read ${cpu} ${addr.toString(16)} ${len} ${physical ? 'p' : 'v'}`);
    for (const r of this.regions) {
      const off = addr - r.base;
      if (off >= 0n && off + BigInt(len) <= BigInt(r.bytes.length)) return r.bytes.slice(Number(off), Number(off) + len);
    }
    return 'unmapped';
  }

  infoPci(): string {
    return '  Bus  0, device   0, function 0:\n';
  }

  mtree(): string {
    return 'address-space: memory\n  0000000000000000-ffffffffffffffff (prio 0, i/o): system\n\n';
  }

  /** QEMU's rule: a per-vCPU event is enabled globally while it is enabled on any vCPU. */
  private isEnabled(e: FakeEvent, vcpu: number | undefined): boolean {
    if (!e.vcpu) return this.enabled.has(e.name);
    if (vcpu !== undefined) return this.vcpuEnabled.has(`${e.name}@${vcpu}`);
    return this.cpuList.some((c) => this.vcpuEnabled.has(`${e.name}@${c.index}`));
  }

  traceEvents(pattern: string, vcpu: number | undefined): TraceEventInfo[] {
    return this.events.filter((e) => globMatch(pattern, e.name)).map((e) => {
      let state: TraceEventState = 'disabled';
      if (e.unavailable) state = 'unavailable';
      else if (this.isEnabled(e, vcpu)) state = 'enabled';
      return { name: e.name, state, vcpu: e.vcpu };
    });
  }

  setTraceEvent(name: string, enable: boolean, vcpu: number | undefined): void {
    this.calls.push(`trace ${name} ${enable ? 'on' : 'off'}${vcpu === undefined ? '' : ` ${vcpu}`}`);
    const isVcpu = this.events.find((e) => e.name === name)?.vcpu ?? false;
    if (!isVcpu) {
      if (enable) this.enabled.add(name); else this.enabled.delete(name);
      return;
    }
    const cpus = vcpu === undefined ? this.cpuList.map((c) => c.index) : [vcpu];
    for (const c of cpus) if (enable) this.vcpuEnabled.add(`${name}@${c}`); else this.vcpuEnabled.delete(`${name}@${c}`);
  }

  traceFile(op: TraceFileOp, file?: string): string | undefined {
    this.calls.push(`trace-file ${op}${file === undefined ? '' : ` ${file}`}`);
    return op === 'status' ? 'Trace file "trace-1234" off.' : undefined;
  }

  async instrLoad(path: string, args: readonly string[], id?: string): Promise<{ id: string } | { error: string }> {
    if (path.includes('missing')) return { error: `Error loading library: ${path}: cannot open shared object file` };
    const libId = id ?? `lib${this.nextLib++}`;
    if (this.libs.some((l) => l.id === libId)) return { error: 'Library ID exists' };
    this.libs.push({ id: libId, path, args: [...args] });
    return { id: libId };
  }

  async instrUnload(id: string): Promise<string | undefined> {
    const i = this.libs.findIndex((l) => l.id === id);
    if (i < 0) return 'Unknown library ID';
    this.libs.splice(i, 1);
    return undefined;
  }

  instrList(): InstrLibrary[] { return this.libs; }

  log(items: string): string | undefined {
    this.calls.push(`log ${items}`);
    return undefined;
  }

  logfile(path: string): string | undefined {
    this.calls.push(`logfile ${path}`);
    return path.startsWith('/nonexistent/') ? `Error opening logfile ${path}: No such file or directory` : undefined;
  }

  hotpluggableCpus(): HotpluggableCpu[] { return this.slots; }

  async deviceAdd(opts: Readonly<Record<string, string>>): Promise<string | undefined> {
    this.calls.push(`device_add ${JSON.stringify(opts)}`);
    if (opts.driver !== 'rv64-riscv-cpu') return `'${opts.driver}' is not a valid device model name`;
    return undefined;
  }

  async deviceDel(id: string): Promise<string | DeviceNotFound | undefined> {
    this.calls.push(`device_del ${id}`);
    if (id === 'c1') {
      this.emit('DEVICE_DELETED', { device: id, path: `/machine/peripheral/${id}` });
      return undefined;
    }
    return { errorClass: 'DeviceNotFound', desc: `Device '${id}' not found` };
  }

  async cpuAdd(coreId: number): Promise<string | undefined> {
    this.calls.push(`cpu-add ${coreId}`);
    return coreId > 3 ? `Unable to add CPU with core-id: ${coreId}, maximum core-id: 3` : undefined;
  }

  onEvent(listener: MonitorEventListener): void {
    this.listeners.push(listener);
  }
}

/**
 * What `qemu-system-riscv64 -M virt -S -smp 2` looks like to the oracle
 * tests: two vCPUs before start, QEMU's guest_cpu_* events, one non-vCPU
 * event and one compiled out in Debian's QEMU 7.2.
 */
export function qemuLikeTarget(): FakeTarget {
  const t = new FakeTarget(2);
  t.runStatus = 'prelaunch';
  t.events = [
    { name: 'guest_cpu_enter', vcpu: true }, { name: 'guest_cpu_exit', vcpu: true }, { name: 'guest_cpu_reset', vcpu: true },
    { name: 'memory_region_ops_read', vcpu: false }, { name: 'memory_region_ops_write', vcpu: false },
    { name: 'qxl_io_write_vga', vcpu: false, unavailable: true }, // compiled out ("disable") in Debian's QEMU 7.2
  ];
  return t;
}
