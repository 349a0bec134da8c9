/**
 * SiFive PLIC as instantiated by QEMU 7.2's `virt` machine
 * (hw/intc/sifive_plic.c with hart-config "MS,MS,...", 96 sources, 7 priority
 * levels): context 2h is hart h's M-mode target (drives MEIP), context 2h+1
 * its S-mode target (drives SEIP).
 *
 * Register map (offsets from base):
 *   0x000000 + 4*src        source priority (WARL, 3 bits; QEMU 7.2 decodes 4..0x180, sources 1..96)
 *   0x001000 + 4*word       pending bits (read-only; QEMU 7.2 decodes numSources / 8 bytes)
 *   0x002000 + 0x80*ctx     enable bits
 *   0x200000 + 0x1000*ctx   priority threshold; +4 claim (read) / complete (write)
 *
 * A raised line latches its pending bit until a claim (lowering does not clear it),
 * and on completion a source whose line is still high becomes pending again
 * (the gateway behaviour of the PLIC spec), so a device need not re-assert.
 *
 * Offsets are decoded as QEMU 7.2's sifive_plic_read/write do, with its -d guest_errors
 * lines for the rest (`invalid pending write` has no newline in QEMU, so the next log
 * line continues it). QEMU's priority window starts at 4 and is numSources words long,
 * so it reaches a "source 96" one past the last; its priority is stored and read back
 * (QEMU writes it past its array), never used.
 */
import type { AccessSize, DevicePlacement, HartIrqSink, IrqLine, MmioDevice } from './device.js';
import { trace_plic_claim, trace_plic_complete } from '../trace/generated/events.js';
import { NO_GUEST_LOG, type GuestLog } from './guest-log.js';

/** QEMU's region: name (guest-error lines), valid access sizes (memory_region_access_valid). */
export const PLIC_REGION = { name: 'riscv.sifive.plic', validMin: 4, validMax: 4 } as const;

const PRIORITY_BASE = 0x4;
const PENDING_BASE = 0x1000;
const ENABLE_BASE = 0x2000;
const ENABLE_STRIDE = 0x80;
const CONTEXT_BASE = 0x200000;
const CONTEXT_STRIDE = 0x1000;
/** virt uses 3 priority bits (VIRT_IRQCHIP_NUM_PRIO_BITS). */
const NUM_PRIORITIES = 7;
export const PLIC_MAX_HARTS = 16;
/** mip bits driven by the two contexts of a hart. */
const MIP_MEIP = 11;
const MIP_SEIP = 9;

export interface PlicOptions extends DevicePlacement {
  name?: string;
  /** Interrupt sources including the reserved source 0 (virt: 96, VIRT_IRQCHIP_NUM_SOURCES). */
  numSources: number;
  /** Where -d guest_errors lines go. */
  log?: GuestLog;
}

export class Plic implements MmioDevice {
  readonly name: string;
  readonly base: number;
  readonly size: number;
  readonly numSources: number;

  private readonly numContexts: number;
  private readonly words: number;
  private readonly priority: Uint32Array;
  private readonly pending: Uint32Array;
  private readonly claimed: Uint32Array;
  /** Current level of each input line (kept across reset: it belongs to the devices). */
  private readonly lineLevel: Uint32Array;
  private readonly enable: Uint32Array;
  private readonly threshold: Uint32Array;
  private readonly outputLevel: Uint8Array;
  private readonly log: GuestLog;

  constructor(
    private readonly sink: HartIrqSink,
    readonly numHarts: number,
    options: PlicOptions,
  ) {
    if (!Number.isInteger(numHarts) || numHarts < 1 || numHarts > PLIC_MAX_HARTS) {
      throw new RangeError(`plic: numHarts ${numHarts} must be in 1..${PLIC_MAX_HARTS}`);
    }
    this.name = options.name ?? 'plic';
    this.base = options.base;
    this.size = options.size;
    this.numSources = options.numSources;
    this.words = Math.ceil(this.numSources / 32);
    this.priority = new Uint32Array(this.numSources + 1);
    this.log = options.log ?? NO_GUEST_LOG;
    this.numContexts = numHarts * 2;
    this.pending = new Uint32Array(this.words);
    this.claimed = new Uint32Array(this.words);
    this.lineLevel = new Uint32Array(this.words);
    this.enable = new Uint32Array(this.numContexts * this.words);
    this.threshold = new Uint32Array(this.numContexts);
    this.outputLevel = new Uint8Array(this.numContexts);
    this.reset();
  }

  /** The input line of one interrupt source (1..95). */
  irqLine(source: number): IrqLine {
    if (!Number.isInteger(source) || source < 1 || source >= this.numSources) {
      throw new RangeError(`plic: source ${source} must be in 1..${this.numSources - 1}`);
    }
    return { set: (level: boolean) => this.setLine(source, level) };
  }

  reset(): void {
    this.priority.fill(0);
    this.pending.fill(0);
    this.claimed.fill(0);
    this.enable.fill(0);
    this.threshold.fill(0);
    // Lines still high after reset are pending again, as a level source would be.
    this.pending.set(this.lineLevel);
    for (let ctx = 0; ctx < this.numContexts; ctx++) this.drive(ctx, false, true);
    this.update();
  }

  read(offset: number, size: AccessSize): bigint {
    if (size !== 4) return 0n; // QEMU accepts only 32-bit accesses (the vCPU refuses others first)
    const value = this.readWord(offset);
    if (value === undefined) {
      this.log.guestError(`sifive_plic_read: Invalid register read 0x${offset.toString(16)}\n`);
      return 0n;
    }
    return BigInt(value >>> 0);
  }

  write(offset: number, size: AccessSize, value: bigint): void {
    if (size !== 4) return;
    this.writeWord(offset, Number(value & 0xffffffffn));
  }

  /** A register's value, or undefined for an offset QEMU does not decode. */
  private readWord(offset: number): number | undefined {
    if (this.inRange(offset, PRIORITY_BASE, this.numSources * 4)) {
      return this.priority[((offset - PRIORITY_BASE) >> 2) + 1];
    }
    if (this.inRange(offset, PENDING_BASE, this.numSources >> 3)) {
      return this.pending[(offset - PENDING_BASE) >> 2] ?? 0;
    }
    if (this.inRange(offset, ENABLE_BASE, this.numContexts * ENABLE_STRIDE)) {
      const word = this.enableIndex(offset);
      return word === undefined ? undefined : this.enable[word];
    }
    if (this.inRange(offset, CONTEXT_BASE, this.numContexts * CONTEXT_STRIDE)) {
      const ctx = Math.floor((offset - CONTEXT_BASE) / CONTEXT_STRIDE);
      const reg = (offset - CONTEXT_BASE) % CONTEXT_STRIDE;
      if (reg === 0) return this.threshold[ctx];
      if (reg === 4) return this.claim(ctx);
    }
    return undefined;
  }

  private writeWord(offset: number, value: number): void {
    const hex = offset.toString(16);
    if (this.inRange(offset, PRIORITY_BASE, this.numSources * 4)) {
      const source = ((offset - PRIORITY_BASE) >> 2) + 1;
      this.priority[source] = value % (NUM_PRIORITIES + 1);
      this.update();
    } else if (this.inRange(offset, PENDING_BASE, this.numSources >> 3)) {
      this.log.guestError(`sifive_plic_write: invalid pending write: 0x${hex}`);
    } else if (this.inRange(offset, ENABLE_BASE, this.numContexts * ENABLE_STRIDE)) {
      const word = this.enableIndex(offset);
      if (word === undefined) {
        this.log.guestError(`sifive_plic_write: Invalid enable write 0x${hex}\n`);
        return;
      }
      this.enable[word] = value;
      this.update();
    } else if (this.inRange(offset, CONTEXT_BASE, this.numContexts * CONTEXT_STRIDE)) {
      const ctx = Math.floor((offset - CONTEXT_BASE) / CONTEXT_STRIDE);
      const reg = (offset - CONTEXT_BASE) % CONTEXT_STRIDE;
      if (reg === 0) {
        this.threshold[ctx] = value % (NUM_PRIORITIES + 1);
        this.update();
      } else if (reg === 4) {
        trace_plic_complete(ctx, value);
        this.complete(value);
      } else {
        this.log.guestError(`sifive_plic_write: Invalid context write 0x${hex}\n`);
      }
    } else {
      this.log.guestError(`sifive_plic_write: Invalid register write 0x${hex}\n`);
    }
  }

  private inRange(offset: number, base: number, length: number): boolean {
    return offset >= base && offset - base < length;
  }

  /** Index into `enable` for an offset in the enable block, or undefined past the last word. */
  private enableIndex(offset: number): number | undefined {
    const ctx = Math.floor((offset - ENABLE_BASE) / ENABLE_STRIDE);
    const word = ((offset - ENABLE_BASE) % ENABLE_STRIDE) >> 2;
    return word < this.words ? ctx * this.words + word : undefined;
  }

  private bit(bits: Uint32Array, source: number): boolean {
    return (((bits[source >> 5] ?? 0) >>> (source & 31)) & 1) !== 0;
  }

  private setBit(bits: Uint32Array, source: number, on: boolean): void {
    const mask = 1 << (source & 31);
    const word = source >> 5;
    bits[word] = on ? (bits[word] ?? 0) | mask : (bits[word] ?? 0) & ~mask;
  }

  /**
   * A raised line latches the pending bit; lowering it does not clear it (the
   * request stays until claimed), as Debian's QEMU 7.2 behaves.
   */
  private setLine(source: number, level: boolean): void {
    this.setBit(this.lineLevel, source, level);
    if (level) this.setBit(this.pending, source, true);
    this.update();
  }

  /**
   * The source a claim by `ctx` would return: highest priority above the
   * threshold among pending, enabled, unclaimed sources; lowest id on ties.
   */
  private best(ctx: number): number {
    let bestSource = 0;
    let bestPriority = this.threshold[ctx] ?? 0;
    for (let w = 0; w < this.words; w++) {
      let candidates = (this.pending[w] ?? 0) & ~(this.claimed[w] ?? 0) & (this.enable[ctx * this.words + w] ?? 0);
      while (candidates !== 0) {
        const bitIndex = 31 - Math.clz32(candidates & -candidates);
        candidates &= candidates - 1;
        const source = w * 32 + bitIndex;
        const prio = this.priority[source] ?? 0;
        if (source < this.numSources && prio > bestPriority) {
          bestSource = source;
          bestPriority = prio;
        }
      }
    }
    return bestSource;
  }

  private claim(ctx: number): number {
    const source = this.best(ctx);
    if (source !== 0) {
      this.setBit(this.pending, source, false);
      this.setBit(this.claimed, source, true);
    }
    this.update();
    trace_plic_claim(ctx, source);
    return source;
  }

  private complete(source: number): void {
    if (source >= this.numSources) return;
    this.setBit(this.claimed, source, false);
    if (source !== 0 && this.bit(this.lineLevel, source)) this.setBit(this.pending, source, true);
    this.update();
  }

  private update(): void {
    for (let ctx = 0; ctx < this.numContexts; ctx++) this.drive(ctx, this.best(ctx) !== 0);
  }

  private drive(ctx: number, level: boolean, force = false): void {
    const value = level ? 1 : 0;
    if (!force && this.outputLevel[ctx] === value) return;
    this.outputLevel[ctx] = value;
    const hart = ctx >> 1;
    this.sink.setHartIrq(hart, ctx & 1 ? MIP_SEIP : MIP_MEIP, level);
  }
}
