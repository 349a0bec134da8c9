/**
 * The system calls a guest thread's worker serves itself: those that sleep. futex waits are
 * Atomics.wait on the guest word in the shared guest memory and wakes are Atomics.notify on it,
 * so a waiting thread's worker sleeps and a wake from any worker (or from the service, for
 * CLONE_CHILD_CLEARTID) reaches it; nanosleep sleeps the worker. Each returns undefined when a
 * guest page it needs is not present yet: the service then brings it in and the call is retried.
 *
 * Differences from Linux's futex: REQUEUE and CMP_REQUEUE wake the waiters they would move
 * (a waiter must always recheck its word, so this is a spurious wake-up, which futex allows), and
 * a bitset other than FUTEX_BITSET_MATCH_ANY is treated as match-any.
 */
import type { GuestMemory } from '../memory/guest-memory.js';
import { walkUser } from './channel.js';
import { E } from './errno.js';
import { NR } from './syscall-names.js';

const FUTEX_WAIT = 0;
const FUTEX_WAKE = 1;
const FUTEX_REQUEUE = 3;
const FUTEX_CMP_REQUEUE = 4;
const FUTEX_WAIT_BITSET = 9;
const FUTEX_WAKE_BITSET = 10;
const FUTEX_CLOCK_REALTIME = 256;
const TIMER_ABSTIME = 1;
const NS_PER_S = 1_000_000_000n;
/** The realtime clock, from the monotonic one. */
const REALTIME_OFFSET = BigInt(Date.now()) * 1_000_000n - process.hrtime.bigint();

function readTimespec(mem: GuestMemory, satp: bigint, addr: bigint): bigint | undefined | 'fault' {
  const off = walkUser(mem, satp, Number(addr), false);
  if (off < 0 || off % 8 !== 0) return undefined;
  const sec = mem.m64[off / 8];
  const nsec = mem.m64[off / 8 + 1];
  if (nsec < 0n || nsec >= NS_PER_S || sec < 0n) return 'fault';
  return sec * NS_PER_S + nsec;
}

function nowNs(realtime: boolean): bigint {
  return process.hrtime.bigint() + (realtime ? REALTIME_OFFSET : 0n);
}

/** Sleep on `cell` for `ns` (or forever when undefined); what Atomics.wait said last. */
function waitOn(m32: Int32Array, index: number, value: number, ns: bigint | undefined): 'ok' | 'not-equal' | 'timed-out' {
  if (ns === undefined) return Atomics.wait(m32, index, value);
  if (ns <= 0n) return Atomics.load(m32, index) === value ? 'timed-out' : 'not-equal';
  return Atomics.wait(m32, index, value, Number(ns) / 1e6);
}

function futex(a: readonly bigint[], mem: GuestMemory, satp: bigint): bigint | undefined {
  const op = Number(a[1]) & 0x7f;
  const realtime = (Number(a[1]) & FUTEX_CLOCK_REALTIME) !== 0;
  const addr = Number(a[0]);
  if (addr % 4 !== 0) return BigInt(-E.EINVAL);
  const off = walkUser(mem, satp, addr, false);
  if (off < 0) return undefined;
  const index = off / 4;
  switch (op) {
    case FUTEX_WAIT: case FUTEX_WAIT_BITSET: {
      if (op === FUTEX_WAIT_BITSET && BigInt.asUintN(32, a[5]) === 0n) return BigInt(-E.EINVAL);
      let ns: bigint | undefined;
      if (a[3] !== 0n) {
        const t = readTimespec(mem, satp, a[3]);
        if (t === undefined) return undefined;
        if (t === 'fault') return BigInt(-E.EINVAL);
        // FUTEX_WAIT's timeout is relative, WAIT_BITSET's absolute (monotonic unless CLOCK_REALTIME)
        ns = op === FUTEX_WAIT ? t : t - nowNs(realtime);
      }
      const r = waitOn(mem.m32, index, Number(BigInt.asIntN(32, a[2])), ns);
      return r === 'ok' ? 0n : BigInt(r === 'not-equal' ? -E.EAGAIN : -E.ETIMEDOUT);
    }
    case FUTEX_WAKE: case FUTEX_WAKE_BITSET:
      return BigInt(Atomics.notify(mem.m32, index, Number(BigInt.asUintN(31, a[2]))));
    case FUTEX_REQUEUE: case FUTEX_CMP_REQUEUE: {
      if (op === FUTEX_CMP_REQUEUE && Atomics.load(mem.m32, index) !== Number(BigInt.asIntN(32, a[5]))) return BigInt(-E.EAGAIN);
      return BigInt(Atomics.notify(mem.m32, index, Number(BigInt.asUintN(31, a[2])) + Number(BigInt.asUintN(31, a[3]))));
    }
    default: return BigInt(-E.ENOSYS);
  }
}

function sleep(clock: number, flags: number, req: bigint, mem: GuestMemory, satp: bigint): bigint | undefined {
  const t = readTimespec(mem, satp, req);
  if (t === undefined) return undefined;
  if (t === 'fault') return BigInt(-E.EINVAL);
  if (clock !== 0 && clock !== 1 && clock !== 7) return BigInt(-E.EINVAL);
  const end = (flags & TIMER_ABSTIME) !== 0 ? t - nowNs(clock === 0) + process.hrtime.bigint() : process.hrtime.bigint() + t;
  const cell = new Int32Array(new SharedArrayBuffer(4));
  for (let left = end - process.hrtime.bigint(); left > 0n; left = end - process.hrtime.bigint()) Atomics.wait(cell, 0, 0, Number(left) / 1e6);
  return 0n;
}

/** Serve call `nr` here if it is one of the sleeping calls and its memory is present. */
export function localSyscall(nr: number, a: readonly bigint[], mem: GuestMemory, satp: bigint): bigint | undefined {
  switch (nr) {
    case NR.futex: return futex(a, mem, satp);
    case NR.nanosleep: return sleep(1, 0, a[0], mem, satp);
    case NR.clock_nanosleep: return sleep(Number(a[0]), Number(a[1]), a[2], mem, satp);
    default: return undefined;
  }
}
