/**
 * Event state shared by every thread, in QEMU's terms:
 *
 * - static state: from trace-events (`disable` = compiled out); fixed, so each
 *   thread reads it from EVENTS and it is not in the shared buffer;
 * - dynamic state: on/off at run time, per event;
 * - per-vCPU dynamic state: for `vcpu` events, on/off for each vCPU.
 *
 * An event fires for a vCPU when it is statically enabled and dynamically
 * enabled for that vCPU. Setting the dynamic state of a `vcpu` event sets it
 * for every vCPU; the per-vCPU setter changes one vCPU. The dynamic state of a
 * `vcpu` event reads as "enabled on at least one vCPU" (QEMU's dstate count).
 *
 * Layout (Int32Array over one SharedArrayBuffer): a small header, then one
 * mask per event. Bit n of a `vcpu` event's mask = enabled for vCPU n; a
 * non-vCPU event's mask is 0 or all ones. So "does event X fire on vCPU n" is
 * one typed-array read, which is what the generated emit functions do.
 *
 * Masks of a global set cover vCPUs that do not exist yet: `-trace` runs
 * before any vCPU is created. vcpuInit()/vcpuFini() reproduce QEMU's
 * trace_init_vcpu()/trace_fini_vcpu() for hot-plug: a new vCPU takes the
 * events enabled on any present vCPU; a removed vCPU has its bits cleared.
 *
 * Writers use Atomics so concurrent changes from several threads are not lost;
 * every change that flips a bit bumps generation(), and tcgStateGeneration()
 * too when the event is a `tcg` level (translated code depends on those).
 */
import type { EventInfo } from './event-info.js';
import { EVENTS } from './generated/events.js';

export const MAX_VCPUS = 16;

const MAGIC = 0x54726365; // "Trce"
const H_MAGIC = 0;
const H_COUNT = 1;
const H_GENERATION = 2;
const H_TCG_GENERATION = 3;
const H_PRESENT = 4;
const HEADER_WORDS = 8;

const ALL_BITS = -1;

export type TraceStateErrorReason = 'not-traceable' | 'not-vcpu' | 'bad-vcpu' | 'bad-event' | 'bad-buffer';

/** A refused state change; `reason` lets front ends word it their way (HMP, QMP, instrumentation API). */
export class TraceStateError extends Error {
  override readonly name = 'TraceStateError';
  constructor(
    readonly reason: TraceStateErrorReason,
    message: string,
  ) {
    super(message);
  }
}

export class TraceState {
  /** Pass this to other threads and attach() there. */
  readonly buffer: SharedArrayBuffer;
  /** Per-event masks (see the file comment); read by the generated emit functions. */
  readonly dstate: Int32Array;
  private readonly header: Int32Array;
  /** Ids of `tcg` levels, in order: bit i of tcgStateKey() is tcgLevelIds[i]. */
  private readonly tcgLevelIds: readonly number[];

  private constructor(
    buffer: SharedArrayBuffer,
    readonly events: readonly EventInfo[],
  ) {
    this.buffer = buffer;
    this.header = new Int32Array(buffer, 0, HEADER_WORDS);
    this.dstate = new Int32Array(buffer, HEADER_WORDS * 4, events.length);
    this.tcgLevelIds = events.filter((e) => e.level !== undefined).map((e) => e.id);
  }

  /** A fresh state, every event dynamically disabled (main thread). */
  static create(events: readonly EventInfo[] = EVENTS): TraceState {
    const buffer = new SharedArrayBuffer((HEADER_WORDS + events.length) * 4);
    const state = new TraceState(buffer, events);
    state.header[H_MAGIC] = MAGIC;
    state.header[H_COUNT] = events.length;
    return state;
  }

  /** A view of a state created elsewhere (workers); `events` must be the same catalog. */
  static attach(buffer: SharedArrayBuffer, events: readonly EventInfo[] = EVENTS): TraceState {
    const header = new Int32Array(buffer, 0, HEADER_WORDS);
    if (header[H_MAGIC] !== MAGIC || header[H_COUNT] !== events.length) {
      throw new TraceStateError('bad-buffer', `not a trace-state buffer for ${events.length} events`);
    }
    return new TraceState(buffer, events);
  }

  /** Statically enabled (not `disable`d in trace-events). */
  staticState(id: number): boolean {
    return this.event(id).staticEnabled;
  }

  /** QEMU's trace_event_get_state_dynamic(): for `vcpu` events, enabled on some present vCPU. */
  dynamicState(id: number): boolean {
    const mask = this.dstate[id];
    if (!this.event(id).vcpu) return mask !== 0;
    const present = Atomics.load(this.header, H_PRESENT);
    return (present === 0 ? mask : mask & present) !== 0;
  }

  /** Per-vCPU dynamic state of a `vcpu` event. */
  vcpuDynamicState(id: number, cpu: number): boolean {
    this.requireVcpuEvent(id);
    checkVcpu(cpu);
    return ((this.dstate[id] >>> cpu) & 1) === 1;
  }

  /**
   * Whether the event fires (for vCPU `cpu`, if given and the event is a
   * `vcpu` event). Statically disabled events are never enabled dynamically,
   * so the mask alone answers.
   */
  isEnabled(id: number, cpu?: number): boolean {
    if (cpu === undefined || !this.events[id].vcpu) return this.dynamicState(id);
    return ((this.dstate[id] >>> cpu) & 1) === 1;
  }

  /** QEMU's trace_event_set_state_dynamic(): for `vcpu` events, every vCPU. */
  setDynamic(id: number, enabled: boolean): void {
    this.requireTraceable(id);
    const value = enabled ? ALL_BITS : 0;
    const old = Atomics.exchange(this.dstate, id, value);
    if (old !== value) this.changed(id);
  }

  /** QEMU's trace_event_set_vcpu_state_dynamic(): one vCPU of a `vcpu` event. */
  setVcpuDynamic(id: number, cpu: number, enabled: boolean): void {
    this.requireTraceable(id);
    this.requireVcpuEvent(id);
    checkVcpu(cpu);
    if (this.setBit(id, cpu, enabled)) this.changed(id);
  }

  /** The raw mask of an event (see the file comment): what restoreMask() takes back. */
  mask(id: number): number {
    return Atomics.load(this.dstate, id);
  }

  /** Put back a mask read with mask() (an instrumentation library's changes, when it is unloaded). */
  restoreMask(id: number, mask: number): void {
    this.requireTraceable(id);
    const old = Atomics.exchange(this.dstate, id, mask);
    if (old !== mask) this.changed(id);
  }

  /** A vCPU comes to life: it takes each `vcpu` event that some present vCPU has enabled. */
  vcpuInit(cpu: number): void {
    checkVcpu(cpu);
    const present = Atomics.load(this.header, H_PRESENT);
    for (const e of this.events) {
      if (!e.vcpu || !e.staticEnabled) continue;
      const mask = this.dstate[e.id];
      const inherit = (present === 0 ? mask : mask & present & ~(1 << cpu)) !== 0;
      if (this.setBit(e.id, cpu, inherit)) this.changed(e.id);
    }
    Atomics.or(this.header, H_PRESENT, 1 << cpu);
  }

  /** A vCPU goes away: its per-vCPU states are cleared. */
  vcpuFini(cpu: number): void {
    checkVcpu(cpu);
    Atomics.and(this.header, H_PRESENT, ~(1 << cpu));
    for (const e of this.events) {
      if (e.vcpu && e.staticEnabled && this.setBit(e.id, cpu, false)) this.changed(e.id);
    }
  }

  /** Bit n set = vCPU n was vcpuInit()ed and not vcpuFini()ed. */
  presentVcpus(): number {
    return Atomics.load(this.header, H_PRESENT);
  }

  /** Bumped on every change of any event's state. */
  generation(): number {
    return Atomics.load(this.header, H_GENERATION);
  }

  /** Bumped on every change of a `tcg` level's state: translated code may be stale. */
  tcgStateGeneration(): number {
    return Atomics.load(this.header, H_TCG_GENERATION);
  }

  /**
   * Which `tcg` levels fire on `cpu`, one bit each (bit i = i-th tcg level in
   * id order, wrapping past 31). QEMU 2.10 keyed translated blocks on the
   * equivalent bitmap so vCPUs with different tracing states get different code.
   */
  tcgStateKey(cpu: number): number {
    let key = 0;
    this.tcgLevelIds.forEach((id, i) => {
      if (this.isEnabled(id, cpu)) key |= 1 << (i & 31);
    });
    return key;
  }

  private setBit(id: number, cpu: number, on: boolean): boolean {
    const bit = 1 << cpu;
    const old = on ? Atomics.or(this.dstate, id, bit) : Atomics.and(this.dstate, id, ~bit);
    return ((old & bit) !== 0) !== on;
  }

  private changed(id: number): void {
    Atomics.add(this.header, H_GENERATION, 1);
    if (this.events[id].level !== undefined) Atomics.add(this.header, H_TCG_GENERATION, 1);
  }

  private event(id: number): EventInfo {
    const e = this.events[id];
    if (e === undefined) throw new TraceStateError('bad-event', `no trace event with id ${id}`);
    return e;
  }

  private requireTraceable(id: number): void {
    const e = this.event(id);
    if (!e.staticEnabled) throw new TraceStateError('not-traceable', `trace event '${e.name}' is not traceable`);
  }

  private requireVcpuEvent(id: number): void {
    const e = this.event(id);
    if (!e.vcpu) throw new TraceStateError('not-vcpu', `trace event '${e.name}' is not vCPU-specific`);
  }
}

function checkVcpu(cpu: number): void {
  if (!Number.isInteger(cpu) || cpu < 0 || cpu >= MAX_VCPUS) {
    throw new TraceStateError('bad-vcpu', `invalid vCPU index ${cpu} (tsemu has at most ${MAX_VCPUS} vCPUs)`);
  }
}
