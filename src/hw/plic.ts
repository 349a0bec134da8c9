/**
 * SiFive PLIC as instantiated by QEMU 7.2's `virt` machine
 * (hw/intc/sifive_plic.c with hart-config "MS,MS,...", 96 sources, 7 priority
 * levels): context 2h is hart h's M-mode target (drives MEIP), context 2h+1
 * its S-mode target (drives SEIP).
 *
 * Register map (offsets from base):
 *   0x000000 + 4*src        source priority (WARL, 3 bits)
 *   0x001000 + 4*word       pending bits (read-only)
 *   0x002000 + 0x80*ctx     enable bits
 *   0x200000 + 0x1000*ctx   priority threshold; +4 claim (read) / complete (write)
 *
 * A raised line latches its pending bit until a claim (lowering does not clear it),
 * and on completion a source whose line is still high becomes pending again
 * (the gateway behaviour of the PLIC spec), so a device need not re-assert.
 */
import type { AccessSize, DevicePlacement, HartIrqSink, IrqLine, MmioDevice } from './device.js';
import { trace_plic_claim, trace_plic_complete } from '../trace/generated/events.js';

const PRIORITY_BASE = 0x0;
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
    this.priority = new Uint32Array(this.numSources);
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
    if (size !== 4) return 0n; // QEMU accepts only 32-bit accesses
    return BigInt(this.readWord(offset) >>> 0);
  }

  write(offset: number, size: AccessSize, value: bigint): void {
    if (size !== 4) return;
    this.writeWord(offset, Number(value & 0xffffffffn));
  }

  private readWord(offset: number): number {
    if (this.inRange(offset, PRIORITY_BASE, this.numSources * 4)) {
      return this.priority[(offset - PRIORITY_BASE) >> 2] ?? 0;
    }
    if (this.inRange(offset, PENDING_BASE, this.words * 4)) {
      return this.pending[(offset - PENDING_BASE) >> 2] ?? 0;
    }
    if (this.inRange(offset, ENABLE_BASE, this.numContexts * ENABLE_STRIDE)) {
      const word = this.enableIndex(offset);
      return word === undefined ? 0 : (this.enable[word] ?? 0);
    }
    if (this.inRange(offset, CONTEXT_BASE, this.numContexts * CONTEXT_STRIDE)) {
      const ctx = Math.floor((offset - CONTEXT_BASE) / CONTEXT_STRIDE);
      const reg = (offset - CONTEXT_BASE) % CONTEXT_STRIDE;
      if (reg === 0) return this.threshold[ctx] ?? 0;
      if (reg === 4) return this.claim(ctx);
    }
    return 0;
  }

  private writeWord(offset: number, value: number): void {
    if (this.inRange(offset, PRIORITY_BASE, this.numSources * 4)) {
      const source = (offset - PRIORITY_BASE) >> 2;
      if (source === 0) return; // reserved: no priority register
      this.priority[source] = value % (NUM_PRIORITIES + 1);
      this.update();
    } else if (this.inRange(offset, ENABLE_BASE, this.numContexts * ENABLE_STRIDE)) {
      const word = this.enableIndex(offset);
      if (word === undefined) return;
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
      }
    }
    // Pending bits are read-only; everything else is reserved.
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
