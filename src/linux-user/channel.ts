/**
 * The call channel between a guest thread's vCPU worker and the process service on the main
 * thread: a small SharedArrayBuffer per thread. The worker writes the trap it took, posts the
 * thread id, and sleeps in Atomics.wait on READY; the service (which reads and writes the
 * thread's registers directly in its state buffer) answers with an ACTION and wakes it.
 *
 * Also here: the worker's own read-only walk of the process's Sv48 tables, so that futex and
 * nanosleep, the calls that sleep, run in the worker without a round trip (and a sleeping thread
 * blocks nothing else).
 */
import type { GuestMemory } from '../memory/guest-memory.js';
import { USER_RAM_BASE } from './address-space.js';

/** Int32 words of the channel. */
export const CH_READY = 0;
export const CH_ACTION = 1;
/** Set by the service when mappings changed (munmap, mprotect): the worker drops its TLB. */
export const CH_FLUSH = 2;
/** Set by the service when a signal waits for this thread: the worker comes to the service. */
export const CH_SIGNAL = 3;
export const CH_CAUSE = 4;
/** BigInt64 index of the trap's tval, Float64 index of its pc. */
export const CH_TVAL64 = 4;
export const CH_EPC64 = 5;
/**
 * While the worker sleeps in futex: 1 + the Int32 index of the guest word it waits on, else 0; the
 * service notifies that word (and CH_WAKE) when a signal comes, so the call ends with EINTR.
 */
export const CH_SLEEP_WORD = 12;
/** The cell nanosleep waits on (nothing else changes it: only a signal's notify ends the wait early). */
export const CH_WAKE = 13;
/**
 * Set by the service when it delivered a signal to the thread (its handler runs next): the signal
 * number, negated for a synchronous one (a fault, a forced signal). The worker raises
 * guest_vcpu_discon for it and clears the word.
 */
export const CH_DELIVERED = 14;
export const CHANNEL_BYTES = 64;
/** The cause the worker reports when it comes only for a signal (no trap). */
export const CAUSE_INTERRUPT = -1;
/** The cause for a call the worker serves itself (futex, nanosleep) that a signal interrupted: EINTR or a restart. */
export const CAUSE_INTERRUPTED_CALL = -2;

export const enum ChannelAction {
  Resume = 0,
  /** The thread ends (exit, or its process ended). */
  End = 1,
}

export interface Channel {
  i32: Int32Array;
  i64: BigInt64Array;
  f64: Float64Array;
}

export function channelViews(buffer: SharedArrayBuffer): Channel {
  return { i32: new Int32Array(buffer), i64: new BigInt64Array(buffer), f64: new Float64Array(buffer) };
}

const PTE_V = 1n, PTE_R = 2n, PTE_W = 4n, PTE_U = 16n;

/**
 * The RAM offset of user address `vaddr` by the Sv48 tables of `satp`, or -1 when the page is not
 * present (not touched yet, or not accessible as asked): the caller then asks the service.
 */
export function walkUser(mem: GuestMemory, satp: bigint, vaddr: number, write: boolean): number {
  if (vaddr < 0 || vaddr >= 2 ** 47) return -1;
  let table = Number(satp & ((1n << 44n) - 1n)) * 4096 - USER_RAM_BASE;
  const vpage = Math.floor(vaddr / 4096);
  for (let level = 3; level >= 0; level--) {
    const idx = Math.floor(vpage / 2 ** (9 * level)) % 512;
    const pte = Atomics.load(mem.m64, table / 8 + idx);
    if ((pte & PTE_V) === 0n) return -1;
    const next = Number(pte >> 10n) * 4096 - USER_RAM_BASE;
    if (level === 0) {
      if ((pte & PTE_U) === 0n || (pte & PTE_R) === 0n || (write && (pte & PTE_W) === 0n)) return -1;
      return next + (vaddr % 4096);
    }
    table = next;
  }
  return -1;
}
