/**
 * CLINT / ACLINT (QEMU 7.2 hw/intc/riscv_aclint.c as wired on `virt`):
 *   0x0000 + 4*hart   msip      (MSWI: bit 0 drives mip.MSIP of that hart)
 *   0x4000 + 8*hart   mtimecmp  (64-bit, or two 32-bit halves)
 *   0xbff8            mtime     (64-bit, or two 32-bit halves)
 *
 * Unlike the other devices the CLINT is used from every vCPU worker at once,
 * so all of its state lives in one SharedArrayBuffer (`ClintShared`) that each
 * thread wraps in its own `ClintShared` view. mtime is computed, never stored:
 * it is a count at the board's timebase (10 MHz on virt, stored in the buffer)
 * derived from a nanosecond clock (`process.hrtime.bigint()`, the same
 * monotonic clock in every thread of the process; tests inject their own) plus
 * an offset that guest writes to mtime adjust. The main thread can pause the
 * count (VM stopped) and resume it where it stopped.
 *
 * MTIP is not driven by the CLINT: the vCPU run loop compares `mtime()` with
 * `mtimecmp(hart)` (see `timerPending`, `nextDeadlineMs`). The CLINT only
 * kicks a hart when something it depends on changes, so a hart sleeping in
 * WFI recomputes its deadline.
 */
import type { AccessSize, DevicePlacement, MmioDevice } from './device.js';
import {
  ExitReason,
  Irq,
  type VcpuStateViews,
  WORD_EXIT_REASONS,
  WORD_EXIT_REQUEST,
  WORD_IRQ_LINES,
  WORD_WAKE,
} from '../abi/state-layout.js';
import { NO_GUEST_LOG, type GuestLog } from './guest-log.js';

export const CLINT_MAX_HARTS = 16;

/**
 * QEMU 7.2 builds the CLINT from two ACLINT regions: the MSWI at +0 (0x4000 bytes) and the
 * MTIMER at +0x4000 (0x8000 bytes); the rest of the 0x10000 slot is unassigned. Their
 * offsets that decode to no register are logged under -d unimp (`aclint-swi: invalid read:
 * %08x`, relative to each region, without a newline, as QEMU prints them).
 */
export const CLINT_SWI_REGION = { name: 'riscv.aclint.swi', offset: 0, size: 0x4000, validMin: 4, validMax: 4 } as const;
export const CLINT_MTIMER_REGION = { name: 'riscv.aclint.mtimer', offset: 0x4000, size: 0x8000, validMin: 4, validMax: 8 } as const;

const MSIP_BASE = 0x0;
const MTIMECMP_BASE = 0x4000;
const MTIME_OFFSET = 0xbff8;

const MASK32 = 0xffffffffn;
const U64 = 64;
/** Deadlines further away than this are reported as Infinity (no timer armed). */
const FAR_FUTURE_TICKS = 2n ** 52n;

/*
 * Shared buffer layout.
 * BigInt64 slots:
 *   0  offset   mtime = hostTicks() + offset   (while running)
 *   1  frozen   mtime while paused
 *   2+h mtimecmp[h]
 * Int32 words (after the slots):
 *   SEQ     sequence lock for offset/frozen/paused (odd while a writer is inside)
 *   PAUSED  1 while the count is stopped
 *   TIMEBASE  ticks per second (the board's timebase-frequency)
 *   MSIP+h  msip[h] (0/1)
 */
const SLOT_OFFSET = 0;
const SLOT_FROZEN = 1;
const SLOT_MTIMECMP = 2;
const SLOT_COUNT = SLOT_MTIMECMP + CLINT_MAX_HARTS;
const WORD_SEQ = SLOT_COUNT * 2;
const WORD_PAUSED = WORD_SEQ + 1;
const WORD_TIMEBASE = WORD_PAUSED + 1;
const WORD_MSIP = WORD_TIMEBASE + 1;
/**
 * -icount: the shift (-1 when time follows the host clock; `auto` changes it as the run goes),
 * sleep=on|off (1/0), shift=auto (1/0), align=on (1/0); Int64 [SLOT_ICOUNT_SKIP] the nanoseconds
 * idle vCPUs skipped and [SLOT_ICOUNT_BIAS] the nanoseconds that keep virtual time continuous
 * across shift changes (QEMU's qemu_icount_bias).
 */
const WORD_ICOUNT_SHIFT = WORD_MSIP + CLINT_MAX_HARTS;
const WORD_ICOUNT_SLEEP = WORD_ICOUNT_SHIFT + 1;
const WORD_ICOUNT_AUTO = WORD_ICOUNT_SLEEP + 1;
const WORD_ICOUNT_ALIGN = WORD_ICOUNT_AUTO + 1;
const SLOT_ICOUNT_SKIP = (WORD_ICOUNT_ALIGN + 2) >> 1;
const SLOT_ICOUNT_BIAS = SLOT_ICOUNT_SKIP + 1;
const WORD_COUNT = (SLOT_ICOUNT_BIAS + 1) * 2;

/** QEMU's MAX_ICOUNT_SHIFT and ICOUNT_WOBBLE (softmmu/icount.c). */
export const MAX_ICOUNT_SHIFT = 10;
const ICOUNT_WOBBLE_NS = 100_000_000n;
/** QEMU adjusts an auto shift every second of real time and every 100 ms of virtual time. */
const ADJUST_RT_NS = 1_000_000_000n;
const ADJUST_VM_NS = 100_000_000n;
/** align=on: a vCPU ahead of real time by more than this sleeps (QEMU's VM_CLOCK_ADVANCE, 3 ms). */
const ALIGN_ADVANCE_NS = 3_000_000n;
/** Longest align sleep at once, so control requests are not held up. */
const ALIGN_MAX_SLEEP_MS = 100;

/**
 * One step of QEMU 7.2's icount_adjust: `delta` is virtual time minus real time; a guest getting
 * too far ahead (delta positive and growing past the wobble) gets a smaller shift, one too far
 * behind a larger one, within 0..MAX_ICOUNT_SHIFT. ("A very crude algorithm", says QEMU.)
 */
export function icountAdjustStep(shift: number, lastDelta: bigint, realNs: bigint, virtualNs: bigint): { shift: number; lastDelta: bigint } {
  const delta = virtualNs - realNs;
  let next = shift;
  if (delta > 0n && lastDelta + ICOUNT_WOBBLE_NS < delta * 2n && shift > 0) next = shift - 1;
  if (delta < 0n && lastDelta - ICOUNT_WOBBLE_NS > delta * 2n && shift < MAX_ICOUNT_SHIFT) next = shift + 1;
  return { shift: next, lastDelta: delta };
}
export const CLINT_SHARED_BYTES = WORD_COUNT * 4;

/** `-icount shift=N|auto[,sleep=on|off][,align=on|off]`: virtual time is executed instructions << shift ns. */
export interface IcountSettings {
  /** The shift, or auto's starting shift (QEMU's 3). */
  shift: number;
  /** sleep=on (QEMU's default): an idle machine waits for the deadline in real time before skipping to it. */
  sleep: boolean;
  /** shift=auto: the shift follows the host's speed (icountTick). */
  auto?: boolean;
  /** align=on: a vCPU ahead of real time sleeps until real time catches up (icountTick). */
  align?: boolean;
}

/** A monotonic nanosecond count, the same in every thread of the process. */
export type NanosecondClock = () => bigint;
export const hostClock: NanosecondClock = () => process.hrtime.bigint();

/** One thread's view of the CLINT state. Construct over the same buffer in every thread. */
export class ClintShared {
  readonly buffer: SharedArrayBuffer;
  /** mtime ticks per millisecond (timebase / 1000). */
  readonly ticksPerMs: number;
  private readonly i64: BigInt64Array;
  private readonly i32: Int32Array;
  private readonly nsPerTick: bigint;

  /**
   * Allocate fresh state counting at `timebaseHz` (a divisor of 1 GHz): mtime starts at 0 and runs,
   * mtimecmp = 0, msip clear.
   */
  static create(timebaseHz: number, clock: NanosecondClock = hostClock, icount?: IcountSettings): ClintShared {
    if (!Number.isInteger(timebaseHz) || timebaseHz < 1 || 1_000_000_000 % timebaseHz !== 0) {
      throw new RangeError(`clint: timebase ${timebaseHz} Hz must divide 1 GHz`);
    }
    const buffer = new SharedArrayBuffer(CLINT_SHARED_BYTES);
    const words = new Int32Array(buffer, 0, WORD_COUNT);
    words[WORD_TIMEBASE] = timebaseHz;
    words[WORD_ICOUNT_SHIFT] = icount?.shift ?? -1;
    words[WORD_ICOUNT_SLEEP] = icount?.sleep === false ? 0 : 1;
    words[WORD_ICOUNT_AUTO] = icount?.auto === true ? 1 : 0;
    words[WORD_ICOUNT_ALIGN] = icount?.align === true ? 1 : 0;
    // with -icount, time starts at 0 with no instruction executed (useInstructionClock attaches the count)
    const shared = new ClintShared(buffer, icount === undefined ? clock : () => 0n, clock);
    shared.setMtime(0n);
    return shared;
  }

  /**
   * Another thread's view of a buffer made by create(). `realClock` is the host's time, which
   * -icount's auto shift and align compare virtual time with.
   */
  constructor(buffer: SharedArrayBuffer, private clock: NanosecondClock = hostClock, private readonly realClock: NanosecondClock = hostClock) {
    if (buffer.byteLength < CLINT_SHARED_BYTES) throw new RangeError('clint: shared buffer too small');
    this.buffer = buffer;
    this.i64 = new BigInt64Array(buffer, 0, WORD_COUNT >> 1);
    this.i32 = new Int32Array(buffer, 0, WORD_COUNT);
    const timebase = Atomics.load(this.i32, WORD_TIMEBASE);
    if (timebase <= 0) throw new RangeError('clint: shared buffer has no timebase (not made by ClintShared.create)');
    this.nsPerTick = BigInt(1_000_000_000 / timebase);
    this.ticksPerMs = timebase / 1000;
  }

  /**
   * Does mtime advance with the host's monotonic clock (no -icount, no test clock)? A vCPU then
   * knows how long its timer comparisons stay false without reading the time (Hart.pendingInterrupt).
   */
  get followsHostClock(): boolean {
    return this.clock === hostClock;
  }

  /** -icount's settings, or undefined when time follows the host clock. */
  get icount(): IcountSettings | undefined {
    const shift = Atomics.load(this.i32, WORD_ICOUNT_SHIFT);
    if (shift < 0) return undefined;
    const settings: IcountSettings = { shift, sleep: this.i32[WORD_ICOUNT_SLEEP] !== 0 };
    if (this.i32[WORD_ICOUNT_AUTO] !== 0) settings.auto = true;
    if (this.i32[WORD_ICOUNT_ALIGN] !== 0) settings.align = true;
    return settings;
  }

  /**
   * -icount: from now on this view's clock is virtual, `instructions() << shift` nanoseconds plus
   * what idle vCPUs skipped (skipTo); every thread attaches the same counter (the vCPUs' instret).
   */
  useInstructionClock(instructions: () => number): void {
    if (this.icount === undefined) return;
    this.instructions = instructions;
    this.realStart = this.realClock();
    // the shift is read each time: shift=auto changes it (icountTick), in whichever thread adjusts
    this.clock = () => (BigInt(instructions() + this.insnsInBlock) << BigInt(Atomics.load(this.i32, WORD_ICOUNT_SHIFT))) +
      Atomics.load(this.i64, SLOT_ICOUNT_BIAS) + Atomics.load(this.i64, SLOT_ICOUNT_SKIP);
  }

  private instructions: () => number = () => 0;
  /** The real clock when this view's virtual clock started (auto and align compare with it). */
  private realStart = 0n;
  private adjust = { lastDelta: 0n, nextRealNs: ADJUST_RT_NS, nextVirtualNs: ADJUST_VM_NS };

  /**
   * -icount auto/align, from the thread that runs the vCPUs, now and then (the run loop's service):
   * auto adjusts the shift as QEMU's icount_adjust does, every second of real time and every 100 ms
   * of virtual time, keeping virtual time continuous; align returns how long to sleep (ms) when
   * virtual time is ahead of real time by more than 3 ms (0 otherwise). Real time here counts
   * from this view's start, paused or not.
   */
  icountTick(): number {
    const auto = this.i32[WORD_ICOUNT_AUTO] !== 0;
    const align = this.i32[WORD_ICOUNT_ALIGN] !== 0;
    if (!auto && !align) return 0;
    const real = this.realClock() - this.realStart;
    const virtual = this.clock();
    if (auto && (real >= this.adjust.nextRealNs || virtual >= this.adjust.nextVirtualNs)) {
      if (real >= this.adjust.nextRealNs) this.adjust.nextRealNs = real + ADJUST_RT_NS;
      if (virtual >= this.adjust.nextVirtualNs) this.adjust.nextVirtualNs = virtual + ADJUST_VM_NS;
      this.adjustShift(real, virtual);
    }
    if (!align || virtual - real <= ALIGN_ADVANCE_NS) return 0;
    return Math.min(Number(virtual - real) / 1e6, ALIGN_MAX_SLEEP_MS);
  }

  /** icount_adjust: a new shift, and the bias that keeps virtual time where it was. */
  private adjustShift(real: bigint, virtual: bigint): void {
    const shift = Atomics.load(this.i32, WORD_ICOUNT_SHIFT);
    const step = icountAdjustStep(shift, this.adjust.lastDelta, real, virtual);
    this.adjust.lastDelta = step.lastDelta;
    if (step.shift === shift) return;
    Atomics.store(this.i32, WORD_ICOUNT_SHIFT, step.shift);
    const raw = BigInt(this.instructions()) << BigInt(step.shift);
    Atomics.store(this.i64, SLOT_ICOUNT_BIAS, virtual - raw - Atomics.load(this.i64, SLOT_ICOUNT_SKIP));
  }

  /**
   * Instructions of the running block, up to the one reading the time, that the vCPUs' instret does
   * not hold yet (a block adds its count when it ends). QEMU ends the block at a time read under
   * -icount (gen_io_start, or cpu_io_recompile for a device load), so the reading instruction
   * counts itself: rdtime as a block's first instruction sees 1 instruction more.
   */
  private insnsInBlock = 0;

  /** Run `read` (a time or device read) with `insns` instructions of the running block counted (see insnsInBlock). */
  atInsn<T>(insns: number, read: () => T): T {
    this.insnsInBlock = insns;
    try {
      return read();
    } finally {
      this.insnsInBlock = 0;
    }
  }

  /** -icount: an idle vCPU moves virtual time on to mtime `deadline` (QEMU's icount warp). */
  skipTo(deadline: bigint): void {
    const now = this.mtime();
    if (this.icount === undefined || deadline <= now) return;
    Atomics.add(this.i64, SLOT_ICOUNT_SKIP, (deadline - now) * this.nsPerTick);
  }

  /** -icount sleep=on: the machine slept `ns` of real time idle; virtual time moves on by as much (QEMU's icount_warp_rt). */
  warp(ns: bigint): void {
    if (this.icount === undefined || ns <= 0n) return;
    Atomics.add(this.i64, SLOT_ICOUNT_SKIP, ns);
  }

  /** The clock in mtime ticks. */
  private hostTicks(): bigint {
    return this.clock() / this.nsPerTick;
  }

  /** Current mtime (unsigned 64-bit). */
  mtime(): bigint {
    for (;;) {
      const seq = Atomics.load(this.i32, WORD_SEQ);
      if (seq & 1) continue; // a writer is inside: retry
      const value =
        Atomics.load(this.i32, WORD_PAUSED) !== 0
          ? Atomics.load(this.i64, SLOT_FROZEN)
          : this.hostTicks() + Atomics.load(this.i64, SLOT_OFFSET);
      if (Atomics.load(this.i32, WORD_SEQ) === seq) return BigInt.asUintN(U64, value);
    }
  }

  /** Set mtime (guest write or machine reset); keeps running or paused as it was. */
  setMtime(value: bigint): void {
    this.locked(() => {
      const v = BigInt.asIntN(U64, value);
      if (Atomics.load(this.i32, WORD_PAUSED) !== 0) Atomics.store(this.i64, SLOT_FROZEN, v);
      else Atomics.store(this.i64, SLOT_OFFSET, BigInt.asIntN(U64, v - this.hostTicks()));
    });
  }

  /** Stop the count (VM stopped). mtime keeps its value until resume(). */
  pause(): void {
    this.locked(() => {
      if (Atomics.load(this.i32, WORD_PAUSED) !== 0) return;
      const now = this.hostTicks() + Atomics.load(this.i64, SLOT_OFFSET);
      Atomics.store(this.i64, SLOT_FROZEN, BigInt.asIntN(U64, now));
      Atomics.store(this.i32, WORD_PAUSED, 1);
    });
  }

  /** Continue counting from the value mtime had when paused. */
  resume(): void {
    this.locked(() => {
      if (Atomics.load(this.i32, WORD_PAUSED) === 0) return;
      const frozen = Atomics.load(this.i64, SLOT_FROZEN);
      Atomics.store(this.i64, SLOT_OFFSET, BigInt.asIntN(U64, frozen - this.hostTicks()));
      Atomics.store(this.i32, WORD_PAUSED, 0);
    });
  }

  get paused(): boolean {
    return Atomics.load(this.i32, WORD_PAUSED) !== 0;
  }

  mtimecmp(hart: number): bigint {
    return BigInt.asUintN(U64, Atomics.load(this.i64, SLOT_MTIMECMP + checkHart(hart)));
  }

  setMtimecmp(hart: number, value: bigint): void {
    Atomics.store(this.i64, SLOT_MTIMECMP + checkHart(hart), BigInt.asIntN(U64, value));
  }

  msip(hart: number): boolean {
    return Atomics.load(this.i32, WORD_MSIP + checkHart(hart)) !== 0;
  }

  setMsip(hart: number, on: boolean): void {
    Atomics.store(this.i32, WORD_MSIP + checkHart(hart), on ? 1 : 0);
  }

  /** mip.MTIP of `hart`: mtime >= mtimecmp. */
  timerPending(hart: number): boolean {
    return this.mtime() >= this.mtimecmp(hart);
  }

  /**
   * Milliseconds until mtime reaches `compare` (0 if it already has; Infinity
   * if the count is paused or the compare value is practically never reached).
   * Also usable for the Sstc stimecmp of a hart.
   */
  msUntil(compare: bigint): number {
    const now = this.mtime();
    const target = BigInt.asUintN(U64, compare);
    if (now >= target) return 0;
    if (this.paused) return Infinity;
    const ticks = target - now;
    if (ticks >= FAR_FUTURE_TICKS) return Infinity;
    return Number(ticks) / this.ticksPerMs;
  }

  /** How long hart `hart` may sleep in WFI before its machine timer fires. */
  nextDeadlineMs(hart: number): number {
    return this.msUntil(this.mtimecmp(hart));
  }

  /** Run `update` with the sequence word odd, so readers retry instead of seeing a half-update. */
  private locked(update: () => void): void {
    for (;;) {
      const seq = Atomics.load(this.i32, WORD_SEQ);
      if (seq & 1) continue;
      if (Atomics.compareExchange(this.i32, WORD_SEQ, seq, seq + 1) !== seq) continue;
      try {
        update();
      } finally {
        Atomics.store(this.i32, WORD_SEQ, (seq + 2) | 0);
      }
      return;
    }
  }
}

function checkHart(hart: number): number {
  if (!Number.isInteger(hart) || hart < 0 || hart >= CLINT_MAX_HARTS) {
    throw new RangeError(`clint: hart ${hart} out of range`);
  }
  return hart;
}

/** Make a vCPU leave its block loop (and WFI) to re-evaluate interrupts. */
export function kickHart(state: VcpuStateViews): void {
  Atomics.or(state.i32, WORD_EXIT_REASONS, ExitReason.Interrupt);
  Atomics.store(state.i32, WORD_EXIT_REQUEST, 1);
  Atomics.add(state.i32, WORD_WAKE, 1);
  Atomics.notify(state.i32, WORD_WAKE);
}

export interface ClintOptions extends DevicePlacement {
  name?: string;
  /** Where -d unimp / guest_errors lines go (the vCPU worker's log). */
  log?: GuestLog;
}

function hex8(n: number): string {
  return n.toString(16).padStart(8, '0');
}

/** The CLINT register window; one instance per thread over the same `ClintShared` buffer. */
export class Clint implements MmioDevice {
  readonly name: string;
  readonly base: number;
  readonly size: number;
  private readonly log: GuestLog;

  constructor(
    readonly shared: ClintShared,
    readonly numHarts: number,
    private readonly hartState: (hart: number) => VcpuStateViews | undefined,
    options: ClintOptions,
  ) {
    if (!Number.isInteger(numHarts) || numHarts < 1 || numHarts > CLINT_MAX_HARTS) {
      throw new RangeError(`clint: numHarts ${numHarts} must be in 1..${CLINT_MAX_HARTS}`);
    }
    this.name = options.name ?? 'clint';
    this.base = options.base;
    this.size = options.size;
    this.log = options.log ?? NO_GUEST_LOG;
  }

  /** system_reset: software interrupts drop; mtime and mtimecmp keep running (QEMU 7.2). */
  reset(): void {
    for (let hart = 0; hart < this.numHarts; hart++) this.setMsip(hart, false);
  }

  read(offset: number, size: AccessSize): bigint {
    if (offset < MTIMECMP_BASE) {
      if (size === 4 && this.msipDecodes(offset)) return this.shared.msip(offset >> 2) ? 1n : 0n;
      this.log.unimp(`aclint-swi: invalid read: ${hex8(offset)}`);
      return 0n;
    }
    if (size !== 4 && size !== 8) return 0n;
    if (offset >= MTIMECMP_BASE && offset < MTIMECMP_BASE + this.numHarts * 8 && (offset & 3) === 0) {
      const hart = (offset - MTIMECMP_BASE) >> 3;
      return readHalfOrWhole(this.shared.mtimecmp(hart), offset & 7, size);
    }
    if (offset === MTIME_OFFSET || offset === MTIME_OFFSET + 4) {
      return readHalfOrWhole(this.shared.mtime(), offset - MTIME_OFFSET, size);
    }
    this.log.unimp(`aclint-mtimer: invalid read: ${hex8(offset - MTIMECMP_BASE)}`);
    return 0n;
  }

  write(offset: number, size: AccessSize, value: bigint): void {
    if (offset < MTIMECMP_BASE) {
      if (size === 4 && this.msipDecodes(offset)) this.setMsip(offset >> 2, (value & 1n) !== 0n);
      else this.log.unimp(`aclint-swi: invalid write: ${hex8(offset)}`);
      return;
    }
    if (size !== 4 && size !== 8) return;
    if (offset >= MTIMECMP_BASE && offset < MTIMECMP_BASE + this.numHarts * 8) {
      const hart = (offset - MTIMECMP_BASE) >> 3;
      const merged = writeHalfOrWhole(this.shared.mtimecmp(hart), offset & 7, size, value);
      if (merged === undefined) {
        this.logBadHalf('timecmp', offset);
        return;
      }
      this.shared.setMtimecmp(hart, merged);
      this.kick(hart);
    } else if (offset === MTIME_OFFSET || offset === MTIME_OFFSET + 4) {
      const merged = writeHalfOrWhole(this.shared.mtime(), offset - MTIME_OFFSET, size, value);
      if (merged === undefined) {
        this.logBadHalf('time', offset);
        return;
      }
      this.shared.setMtime(merged);
      for (let hart = 0; hart < this.numHarts; hart++) this.kick(hart);
    } else {
      this.log.unimp(`aclint-mtimer: invalid write: ${hex8(offset - MTIMECMP_BASE)}`);
    }
  }

  /** QEMU's lines for a 64-bit register written where it cannot be (8 bytes at +4, or off a word). */
  private logBadHalf(what: 'timecmp' | 'time', offset: number): void {
    const rel = hex8(offset - MTIMECMP_BASE);
    if ((offset & 7) === 4) this.log.guestError(`aclint-mtimer: invalid ${what}_hi write: ${rel}`);
    else if (what === 'timecmp') this.log.unimp(`aclint-mtimer: invalid timecmp write: ${rel}`);
  }

  /** An msip word of an existing hart. */
  private msipDecodes(offset: number): boolean {
    return (offset >> 2) < this.numHarts && (offset & 3) === 0;
  }

  private setMsip(hart: number, on: boolean): void {
    this.shared.setMsip(hart, on);
    const state = this.hartState(hart);
    if (!state) return;
    if (on) Atomics.or(state.i32, WORD_IRQ_LINES, 1 << Irq.MSIP);
    else Atomics.and(state.i32, WORD_IRQ_LINES, ~(1 << Irq.MSIP));
    kickHart(state);
  }

  private kick(hart: number): void {
    const state = this.hartState(hart);
    if (state) kickHart(state);
  }
}

/** A 64-bit register read whole (8 bytes at +0) or as 32-bit halves (+0 low, +4 high). */
function readHalfOrWhole(register: bigint, at: number, size: AccessSize): bigint {
  if (at === 0) return size === 8 ? register : register & MASK32;
  if (at === 4) return register >> 32n; // QEMU returns the high half whatever the size
  return 0n;
}

/** The register after a write; undefined for an access QEMU rejects (8 bytes at +4, misaligned). */
function writeHalfOrWhole(register: bigint, at: number, size: AccessSize, value: bigint): bigint | undefined {
  if (at === 0) return size === 8 ? BigInt.asUintN(U64, value) : (register & ~MASK32) | (value & MASK32);
  if (at === 4 && size === 4) return ((value & MASK32) << 32n) | (register & MASK32);
  return undefined;
}
