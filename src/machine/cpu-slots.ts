/**
 * CPU hot-plug on the main thread: which of the -smp maxcpus slots hold a
 * hart and the device id each hot-added one was given (what QMP's
 * query-hotpluggable-cpus and query-cpus-fast show, and what device_del
 * names), adding and removing a vCPU (device_add / cpu-add / device_del) with
 * QEMU's error texts, telling the guest through the hot-plug controller, and
 * keeping a spare vCPU worker loaded while a slot is free. Running the vCPU
 * itself is vcpu-threads.ts's part.
 */
import { trace_vcpu_created, trace_vcpu_destroyed } from '../trace/generated/events.js';
import { RunState, WORD_IRQ_LINES, WORD_RUN_STATE } from '../abi/state-layout.js';
import type { ThreadTracing } from '../trace/thread-tracing.js';
import type { WorkerLauncher } from './worker-launcher.js';
import type { VirtBoard } from './board.js';
import type { VcpuThreads } from './vcpu-threads.js';

export interface CpuSlotsConfig {
  launcher: WorkerLauncher;
  numHarts: number;
  maxHarts: number;
  singleThread: boolean;
  tracing: ThreadTracing;
  /** A QMP event (DEVICE_DELETED) for the monitors. */
  emit(event: string, data?: Record<string, unknown>): void;
}

export class CpuSlots {
  /** QOM-style id of each present hart added with device_add (cold-plugged harts have none). */
  private readonly cpuIds = new Map<number, string | undefined>();

  constructor(private readonly board: VirtBoard, private readonly threads: VcpuThreads, private readonly config: CpuSlotsConfig) {
    for (let h = 0; h < config.numHarts; h++) this.cpuIds.set(h, undefined); // present from the start
  }

  /** Present harts, ascending. */
  presentHarts(): number[] {
    return [...this.cpuIds.keys()].sort((a, b) => a - b);
  }

  isPresent(hart: number): boolean {
    return this.cpuIds.has(hart);
  }

  cpuId(hart: number): string | undefined {
    return this.cpuIds.get(hart);
  }

  /** The hart a device id names, if any. */
  hartOfId(id: string): number | undefined {
    for (const [hart, cid] of this.cpuIds) if (cid === id) return hart;
    return undefined;
  }

  /**
   * Once the cold-plugged vCPUs' workers have been asked for: end the workers
   * started ahead of the machine that nobody took, but one spare for hot-plug
   * while it has room, and keep that spare.
   */
  releaseEarlyWorkers(): void {
    this.config.launcher.endUntaken(this.hotplugRoom() ? 1 : 0);
    this.keepSpareWorker();
  }

  /** Can another vCPU be hot-added into a worker of its own? */
  private hotplugRoom(): boolean {
    return !this.config.singleThread && this.cpuIds.size < this.config.maxHarts && !this.threads.isShuttingDown;
  }

  /** While hot-plug has room, have a vCPU worker ready for it (src/threads/early-workers.ts). */
  private keepSpareWorker(): void {
    if (this.hotplugRoom()) this.config.launcher.keepSpareVcpu();
  }

  /**
   * Hot-add hart `hart` (the caller holds the machine's operation mutex). The
   * vCPU starts at the reset vector; the hot-plug controller tells the guest.
   * Errors are QEMU's texts (returned, nothing changes).
   */
  async add(hart: number, id: string | undefined): Promise<string | undefined> {
    // QEMU checks the id before anything else
    if (id !== undefined && this.hartOfId(id) !== undefined) return `Duplicate device ID '${id}'`;
    if (!Number.isInteger(hart) || hart < 0 || hart >= this.config.maxHarts) {
      return `Invalid CPU core-id: ${hart} must be in range 0:${this.config.maxHarts - 1}`;
    }
    if (this.cpuIds.has(hart)) return `CPU[${hart}] with core-id ${hart} exists`;
    this.cpuIds.set(hart, id);
    Atomics.store(this.board.hartState(hart).i32, WORD_IRQ_LINES, 0);
    this.config.tracing.state.vcpuInit(hart);
    await this.threads.addVcpu(hart);
    trace_vcpu_created(hart);
    this.keepSpareWorker();
    this.board.hotplug?.hartAdded(hart);
    return undefined;
  }

  /** Hot-remove hart `hart` (the caller holds the machine's operation mutex); QEMU's error texts. */
  async remove(hart: number): Promise<string | undefined> {
    if (!this.threads.hasVcpu(hart)) return `CPU ${hart} is not present`;
    if (this.threads.vcpuCount === 1) return 'Removing the last CPU is not supported';
    await this.threads.removeVcpu(hart);
    trace_vcpu_destroyed(hart);
    const id = this.cpuIds.get(hart);
    this.cpuIds.delete(hart);
    this.config.tracing.state.vcpuFini(hart);
    Atomics.store(this.board.hartState(hart).i32, WORD_RUN_STATE, RunState.Exited);
    this.board.hotplug?.hartRemoved(hart);
    this.keepSpareWorker();
    this.config.emit('DEVICE_DELETED', id !== undefined ? { device: id, path: `/machine/peripheral/${id}` } : { path: `/machine/soc0/harts[${hart}]` });
    return undefined;
  }
}
