/*
 * The wall clock in microseconds, as QEMU's g_get_real_time() gives it to `-msg timestamp=on` and
 * to QMP event timestamps.
 *
 * Date.now() follows the wall clock (an NTP step, a `date -s`) but has only millisecond
 * resolution; performance.timeOrigin + performance.now() has microseconds but is anchored at
 * process start and never sees a step, so a long-running process drifts from the real time by
 * however far the clock was set. The monotonic clock supplies the microseconds here, re-anchored
 * whenever it leaves the millisecond Date.now() reports.
 */

let anchorMs = Date.now() - performance.now();

/** Microseconds since the epoch, by the wall clock as it reads now. */
export function wallClockMicros(): number {
  const mono = performance.now();
  const wall = Date.now();
  const estimate = anchorMs + mono;
  if (estimate < wall || estimate >= wall + 1) anchorMs = wall - mono;
  return Math.floor((anchorMs + mono) * 1000);
}
