/**
 * What the monitors (HMP and QMP) need from the machine. The monitors are
 * written against this interface only; the machine implements it. Everything
 * QEMU's monitor layer does itself (argument parsing, error texts, trace-event
 * pattern rules, output formats) stays in src/monitor; the target answers
 * plain questions and performs plain actions.
 *
 * Error convention: a method that can fail returns QEMU's error message as a
 * string (no "Error: " prefix, no trailing newline) and `undefined` on success.
 */

export interface QemuVersion {
  readonly major: number;
  readonly minor: number;
  readonly micro: number;
}

/** QMP `query-version`: the emulated QEMU version and the package string (QEMU's `--version` suffix). */
export interface VersionInfo {
  readonly qemu: QemuVersion;
  readonly package: string;
}

/** QEMU's RunState values that tsemu can be in. */
export type RunStatus = 'debug' | 'running' | 'paused' | 'prelaunch' | 'shutdown' | 'internal-error';

export interface StatusInfo {
  readonly running: boolean;
  readonly status: RunStatus;
}

/** QEMU's CpuInstanceProperties; members that do not apply are left out. */
export interface CpuInstanceProps {
  readonly nodeId?: number;
  readonly socketId?: number;
  readonly coreId?: number;
  readonly threadId?: number;
}

/** One existing vCPU (QMP `query-cpus-fast`, HMP `info cpus`). */
export interface CpuInfo {
  /** QEMU's cpu_index: what `cpu N`, `info registers N` and `vcpu` arguments name. */
  readonly index: number;
  readonly hartId: number;
  readonly pc: bigint;
  /** Waiting for an interrupt (WFI) or otherwise not running instructions. */
  readonly halted: boolean;
  /** Host thread id QEMU reports; tsemu reports the vCPU worker's threadId. */
  readonly threadId: number;
  /** QOM path; QEMU's virt uses `/machine/soc0/harts[N]`, hot-plugged CPUs `/machine/peripheral/ID`. */
  readonly qomPath: string;
  /** For riscv virt QEMU reports `{ coreId: N }`. */
  readonly props: CpuInstanceProps;
}

/** One CPU slot, present or not (QMP `query-hotpluggable-cpus`). */
export interface HotpluggableCpu {
  /** QOM type, e.g. `rv64-riscv-cpu`. */
  readonly type: string;
  readonly vcpusCount: number;
  readonly props: CpuInstanceProps;
  /** Present only when a CPU occupies the slot. */
  readonly qomPath?: string;
}

export type TraceEventState = 'unavailable' | 'disabled' | 'enabled';

export interface TraceEventInfo {
  readonly name: string;
  /** `unavailable` when the event is statically disabled (the `disable` property). */
  readonly state: TraceEventState;
  /** True for events with the `vcpu` property (per-vCPU dynamic state). */
  readonly vcpu: boolean;
}

export interface InstrLibrary {
  readonly id: string;
  readonly path: string;
  readonly args: readonly string[];
}

/** QMP's DeviceNotFound error class, for `device_del` of an unknown id. */
export interface DeviceNotFound {
  readonly errorClass: 'DeviceNotFound';
  readonly desc: string;
}

/** `trace-file` operations; `status` is the command without arguments. */
export type TraceFileOp = 'status' | 'on' | 'off' | 'flush' | 'set';

/**
 * An asynchronous event as QMP sends it: STOP, RESUME, RESET, SHUTDOWN,
 * DEVICE_DELETED, ... `data` is undefined for events without data (STOP, RESUME).
 */
export type MonitorEventListener = (event: string, data: Readonly<Record<string, unknown>> | undefined) => void;

export interface MonitorTarget {
  /** The version QMP's greeting and `query-version` report (QEMU reports its own; tsemu the one it emulates). */
  version(): VersionInfo;

  /** Run state (QMP `query-status`, HMP `info status`). */
  status(): StatusInfo;

  /**
   * Pause every vCPU; resolves once they are all stopped. When running, the
   * state becomes `paused` and the target emits STOP before resolving (QEMU
   * sends it before the command's reply). When not running (e.g. `prelaunch`
   * under -S) QEMU does nothing: no event, state unchanged.
   */
  stop(): Promise<void>;

  /**
   * Resume; when not running, the state becomes `running` and RESUME is
   * emitted before resolving; when already running nothing happens. Returns
   * QEMU's error text if the machine cannot continue.
   */
  cont(): Promise<string | undefined>;

  /**
   * Reset the machine as QMP `system_reset` does; emits
   * `RESET {guest: false, reason: "host-qmp-system-reset"}` before resolving.
   * A machine that was not running is in `prelaunch` afterwards (QEMU 7.2).
   */
  systemReset(): Promise<void>;

  /**
   * Shut down and exit (QMP `quit`, HMP `quit`). Emits
   * `SHUTDOWN {guest: false, reason: "host-qmp-quit"}` synchronously, then exits
   * asynchronously so that the monitor can still send its reply.
   */
  quit(): void;

  /** The vCPUs that exist now, by index. */
  cpus(): CpuInfo[];

  /**
   * `info registers` body for one vCPU: QEMU's riscv cpu_dump_state with
   * CPU_DUMP_FPU, i.e. the lines after the `CPU#N` header (" V      =   0",
   * " pc       ...", ..., the x and f register rows), each ending in "\n".
   */
  registers(cpu: number): Promise<string>;

  /**
   * Read guest memory for `x`/`xp`: virtual addresses go through `cpu`'s MMU
   * (a debug access: no faults, no TLB side effects), physical ones straight to
   * the bus. Returns an error string when any byte is not accessible.
   */
  readMemory(cpu: number, addr: bigint, len: number, physical: boolean): Promise<Uint8Array | string>;

  /** `info mtree` text, every line ending in "\n" (QEMU's layout, see README). */
  mtree(): string;

  /** `info pci` text, every line ending in "\n" (QEMU 7.2's hmp_info_pci). */
  infoPci(): string;

  /**
   * Trace events whose name matches `pattern` (glob with `*` and `?`; a name
   * without wildcards matches only itself), in trace-events file order. With
   * `vcpu`, per-vCPU events report that vCPU's dynamic state; `vcpu` is always
   * the index of an existing vCPU (the monitor checks). Without it, a per-vCPU
   * event is `enabled` while it is enabled on any vCPU (QEMU counts them).
   */
  traceEvents(pattern: string, vcpu: number | undefined): TraceEventInfo[];

  /**
   * Set one event's dynamic state: globally (for a per-vCPU event: on every
   * vCPU), or for one vCPU of a per-vCPU event. The monitor only calls it for
   * statically enabled events that exist, and with `vcpu` only for per-vCPU events.
   */
  setTraceEvent(name: string, enable: boolean, vcpu: number | undefined): void;

  /**
   * The simple backend's `trace-file` command (QEMU's st_* functions): `off`
   * closes the file and drops records, `on` re-creates it (header and event
   * mappings, like QEMU's fopen "wb"), `set FILE` is off, rename, on; `flush`
   * writes out buffered records. Returns the text to print, if any: for
   * `status` QEMU's `Trace file "NAME" on|off.`. Resolves once every thread
   * has followed.
   */
  traceFile(op: TraceFileOp, file?: string): string | undefined | Promise<string | undefined>;

  /**
   * Whether the simple trace backend is in use. QEMU has `trace-file` only
   * when built with it (Debian's QEMU is not: `unknown command`); without
   * this member the command is always there.
   */
  hasSimpleTraceBackend?(): boolean;

  /** Load an instrumentation library (errors: "Library ID exists", "Error loading library: ...", ...). */
  instrLoad(path: string, args: readonly string[], id?: string): Promise<{ id: string } | { error: string }>;

  /** Unload by id ("Unknown library ID" when there is none). */
  instrUnload(id: string): Promise<string | undefined>;

  instrList(): InstrLibrary[];
  /** Library callbacks running for a second or more (a library stuck in a loop), one line each. */
  instrSlowCallbacks?(): string[];

  /**
   * HMP `log ITEMS`: `none` or a comma list the monitor has checked with
   * parseLogItems(); the new items replace the old ones in every thread
   * (trace:PATTERN items enable events and stay). Returns the lines to print,
   * if any (warnings for trace patterns, QEMU's error texts), without the
   * final newline; resolves once every thread has the new items.
   */
  log(items: string): string | undefined | Promise<string | undefined>;

  /**
   * HMP `logfile PATH`: logs (and the log trace backend) go to PATH, truncated,
   * in every thread; error text e.g. "Error opening logfile PATH: No such file or directory".
   */
  logfile(path: string): string | undefined | Promise<string | undefined>;

  /** CPU slots in ascending slot order (the monitor reverses them, as QEMU lists them). */
  hotpluggableCpus(): HotpluggableCpu[];

  /**
   * `device_add` with QemuOpts-style options: `driver` is always present, the
   * other keys are the given properties (`id`, `core-id`, ...) as strings.
   * Errors as QEMU words them, e.g. "'foo' is not a valid device model name",
   * "Duplicate device ID 'c1'".
   */
  deviceAdd(opts: Readonly<Record<string, string>>): Promise<string | undefined>;

  /** `device_del ID`; DEVICE_DELETED is emitted when the device is gone. */
  deviceDel(id: string): Promise<string | DeviceNotFound | undefined>;

  /** The old HMP `cpu-add ID`: plug the CPU with this core-id. */
  cpuAdd(coreId: number): Promise<string | undefined>;

  /** Register for asynchronous events (called once per startMonitors()). */
  onEvent(listener: MonitorEventListener): void;
}
