/**
 * Goldfish RTC (QEMU 7.2 hw/rtc/goldfish_rtc.c) at 0x101000.
 *
 * Time is nanoseconds since the Unix epoch. Like QEMU, the count starts at
 * the host's wall-clock time truncated to whole seconds when the device is
 * created and then advances with a monotonic host clock. Reading TIME_LOW
 * latches the high half for the following TIME_HIGH read. Writing an alarm
 * low word arms the alarm; when it expires the interrupt becomes pending and
 * the IRQ line follows pending & enabled. 32-bit accesses only, like QEMU.
 */
import type { AccessSize, DevicePlacement, IrqLine, MmioDevice } from './device.js';
import { NO_GUEST_LOG, type GuestLog } from './guest-log.js';

/**
 * QEMU's region: name, size (0x24, in a 0x1000 slot: the rest of the page is unassigned, so
 * QEMU treats the page as a subpage), valid access sizes.
 */
export const RTC_REGION = { name: 'goldfish_rtc', size: 0x24, validMin: 4, validMax: 4 } as const;

const TIME_LOW = 0x00;
const TIME_HIGH = 0x04;
const ALARM_LOW = 0x08;
const ALARM_HIGH = 0x0c;
const IRQ_ENABLED = 0x10;
const CLEAR_ALARM = 0x14;
const ALARM_STATUS = 0x18;
const CLEAR_INTERRUPT = 0x1c;

const MASK32 = 0xffffffffn;
const MASK64 = (1n << 64n) - 1n;
const NS_PER_MS = 1_000_000n;

/** Host services the RTC needs; injectable so tests control time. */
export interface RtcHost {
  /** A monotonic clock in nanoseconds. */
  monotonicNs(): bigint;
  /** Wall-clock time in milliseconds since the epoch (for the initial value). */
  wallClockMs(): number;
  /** Run `callback` after `delayMs`; returns a cancel function. */
  schedule(callback: () => void, delayMs: number): () => void;
}

export const defaultRtcHost: RtcHost = {
  monotonicNs: () => process.hrtime.bigint(),
  wallClockMs: () => Date.now(),
  schedule(callback, delayMs) {
    // setTimeout's limit is 2^31-1 ms; a later alarm re-arms itself via the check in fire().
    const timer = setTimeout(callback, Math.min(Math.max(delayMs, 0), 0x7fffffff));
    timer.unref(); // an armed alarm must not keep the emulator alive
    return () => clearTimeout(timer);
  },
};

export interface GoldfishRtcOptions extends DevicePlacement {
  name?: string;
  host?: RtcHost;
  /** Where -d guest_errors lines go. */
  log?: GuestLog;
}

export class GoldfishRtc implements MmioDevice {
  readonly name: string;
  readonly base: number;
  readonly size: number;

  private readonly host: RtcHost;
  private readonly log: GuestLog;
  /** Added to the monotonic clock to give ns since the epoch (mod 2^64). */
  private tickOffset: bigint;
  private alarmNext = 0n;
  private alarmRunning = false;
  private irqPending = false;
  private irqEnabled = false;
  private timeHigh = 0n;
  private cancelAlarm: (() => void) | undefined;

  constructor(
    private readonly irq: IrqLine,
    options: GoldfishRtcOptions,
  ) {
    this.name = options.name ?? 'rtc';
    this.base = options.base;
    this.size = options.size;
    this.host = options.host ?? defaultRtcHost;
    this.log = options.log ?? NO_GUEST_LOG;
    const wholeSeconds = BigInt(Math.floor(this.host.wallClockMs() / 1000));
    this.tickOffset = wholeSeconds * 1_000_000_000n - this.host.monotonicNs();
  }

  /** Current RTC value in ns since the epoch. */
  now(): bigint {
    return (this.tickOffset + this.host.monotonicNs()) & MASK64;
  }

  reset(): void {
    this.clearAlarm();
    this.alarmNext = 0n;
    this.irqPending = false;
    this.irqEnabled = false;
    this.updateIrq();
  }

  read(offset: number, size: AccessSize): bigint {
    if (size !== 4) return 0n;
    switch (offset) {
      case TIME_LOW: {
        const count = this.now();
        this.timeHigh = count >> 32n;
        return count & MASK32;
      }
      case TIME_HIGH:
        return this.timeHigh;
      case ALARM_LOW:
        return this.alarmNext & MASK32;
      case ALARM_HIGH:
        return this.alarmNext >> 32n;
      case IRQ_ENABLED:
        return this.irqEnabled ? 1n : 0n;
      case ALARM_STATUS:
        return this.alarmRunning ? 1n : 0n;
      default:
        this.log.guestError(`goldfish_rtc_read: offset 0x${offset.toString(16)} is UNIMP.\n`);
        return 0n;
    }
  }

  write(offset: number, size: AccessSize, value: bigint): void {
    if (size !== 4) return;
    const v = value & MASK32;
    switch (offset) {
      case TIME_LOW:
        this.setCount((this.now() & ~MASK32) | v);
        return;
      case TIME_HIGH:
        this.setCount((v << 32n) | (this.now() & MASK32));
        return;
      case ALARM_LOW:
        this.alarmNext = (this.alarmNext & ~MASK32) | v;
        this.setAlarm();
        return;
      case ALARM_HIGH:
        this.alarmNext = (v << 32n) | (this.alarmNext & MASK32);
        return;
      case IRQ_ENABLED:
        this.irqEnabled = (v & 1n) !== 0n;
        this.updateIrq();
        return;
      case CLEAR_ALARM:
        this.clearAlarm();
        return;
      case CLEAR_INTERRUPT:
        this.irqPending = false;
        this.updateIrq();
        return;
      default:
        this.log.guestError(`goldfish_rtc_write: offset 0x${offset.toString(16)} is UNIMP.\n`);
        return;
    }
  }

  private setCount(value: bigint): void {
    this.tickOffset = (this.tickOffset + (value - this.now())) & MASK64;
  }

  private setAlarm(): void {
    this.clearAlarm();
    const now = this.now();
    if (this.alarmNext <= now) {
      this.fire();
      return;
    }
    this.alarmRunning = true;
    const delayMs = Number((this.alarmNext - now + NS_PER_MS - 1n) / NS_PER_MS);
    this.cancelAlarm = this.host.schedule(() => this.onTimer(), delayMs);
  }

  private onTimer(): void {
    this.cancelAlarm = undefined;
    if (!this.alarmRunning) return;
    // Host timers can fire early or be capped; only fire once the RTC has really reached the alarm.
    if (this.now() < this.alarmNext) this.setAlarm();
    else this.fire();
  }

  private fire(): void {
    this.alarmRunning = false;
    this.irqPending = true;
    this.updateIrq();
  }

  private clearAlarm(): void {
    this.cancelAlarm?.();
    this.cancelAlarm = undefined;
    this.alarmRunning = false;
  }

  private updateIrq(): void {
    this.irq.set(this.irqPending && this.irqEnabled);
  }
}
