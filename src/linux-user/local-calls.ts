/**
 * The system calls a guest thread's worker serves itself: those that sleep. futex waits are
 * Atomics.wait on the guest word in the shared guest memory and wakes are Atomics.notify on it,
 * so a waiting thread's worker sleeps and a wake from any worker (or from the service, for
 * CLONE_CHILD_CLEARTID) reaches it; nanosleep sleeps the worker. Each returns undefined when a
 * guest page it needs is not present yet: the service then brings it in and the call is retried.
 *
 * A signal for the thread (CH_SIGNAL, with a notify of the word it sleeps on) ends a wait early:
 * the call then goes to the service as CAUSE_INTERRUPTED_CALL, which returns EINTR or restarts it.
 *
 * Differences from Linux's futex: REQUEUE and CMP_REQUEUE wake the waiters they would move
 * (a waiter must always recheck its word, so this is a spurious wake-up, which futex allows), and
 * a bitset other than FUTEX_BITSET_MATCH_ANY is treated as match-any.
 */
import type { GuestMemory } from '../memory/guest-memory.js';
import { CH_SIGNAL, CH_SLEEP_WORD, CH_WAKE, walkUser, type Channel } from './channel.js';
import { E } from './errno.js';
import { NR } from './syscall-names.js';

const FUTEX_WAIT = 0;
const FUTEX_WAKE = 1;
const FUTEX_REQUEUE = 3;
const FUTEX_CMP_REQUEUE = 4;
const FUTEX_WAKE_OP = 5;
const FUTEX_LOCK_PI = 6;
const FUTEX_UNLOCK_PI = 7;
const FUTEX_TRYLOCK_PI = 8;
const FUTEX_WAIT_BITSET = 9;
const FUTEX_LOCK_PI2 = 13;
const PI_OPS = new Set([FUTEX_LOCK_PI, FUTEX_UNLOCK_PI, FUTEX_TRYLOCK_PI, FUTEX_LOCK_PI2]);
const FUTEX_OP_OPARG_SHIFT = 8;
const FUTEX_WAITERS = 0x8000_0000 | 0;
const FUTEX_OWNER_DIED = 0x4000_0000;
const FUTEX_TID_MASK = 0x3fff_ffff;
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

/** The longest single Atomics.wait: a signal's notify that came just before the wait is seen this late at most. */
const SLICE_MS = 50;

/** What the worker's sleeping calls need besides the call: guest memory, the thread's id and its channel (signals). */
export interface LocalEnv {
  readonly mem: GuestMemory;
  readonly satp: bigint;
  readonly tid: number;
  readonly ch: Channel;
}

/** A signal came while the call slept: the service answers with EINTR or a restart (CAUSE_INTERRUPTED_CALL). */
export const INTERRUPTED = 'interrupted';
export type LocalResult = bigint | undefined | typeof INTERRUPTED;

/** A signal waits for the thread (the service set CH_SIGNAL): taken here, the service delivers it. */
function signalled(ch: Channel): boolean {
  if (Atomics.load(ch.i32, CH_SIGNAL) === 0) return false;
  Atomics.store(ch.i32, CH_SIGNAL, 0);
  return true;
}

/**
 * Sleep on guest word `index` while it holds `value`, until `end` (hrtime ns; undefined: until
 * woken), in slices so that a signal ends the wait. A later slice that finds the word changed
 * counts as woken: the waker's notify may have come between two slices.
 */
function waitOn(env: LocalEnv, index: number, value: number, end: bigint | undefined): 'ok' | 'not-equal' | 'timed-out' | typeof INTERRUPTED {
  const { mem, ch } = env;
  Atomics.store(ch.i32, CH_SLEEP_WORD, index + 1);
  try {
    for (let first = true; ; first = false) {
      if (signalled(ch)) return INTERRUPTED;
      let ms = SLICE_MS;
      if (end !== undefined) {
        const left = end - process.hrtime.bigint();
        if (left <= 0n) return Atomics.load(mem.m32, index) === value ? 'timed-out' : first ? 'not-equal' : 'ok';
        ms = Math.min(ms, Number(left) / 1e6);
      }
      const r = Atomics.wait(mem.m32, index, value, ms);
      if (r === 'not-equal') return first ? 'not-equal' : 'ok';
      if (r === 'ok') return signalled(ch) ? INTERRUPTED : 'ok';
    }
  } finally {
    Atomics.store(ch.i32, CH_SLEEP_WORD, 0);
  }
}

/** The hrtime deadline of a timeout of `ns` from now (undefined: none). */
function deadline(ns: bigint | undefined): bigint | undefined {
  return ns === undefined ? undefined : process.hrtime.bigint() + ns;
}

/** FUTEX_WAKE_OP's operation on the old value of the second word (val3's op and oparg). */
function wakeOpValue(old: number, val3: number): number {
  let arg = (val3 << 8) >> 20;
  if (((val3 >>> 28) & FUTEX_OP_OPARG_SHIFT) !== 0) arg = 1 << (arg & 31);
  switch ((val3 >>> 28) & 7) {
    case 0: return arg;
    case 1: return (old + arg) | 0;
    case 2: return old | arg;
    case 3: return old & ~arg;
    default: return old ^ arg;
  }
}

/** FUTEX_WAKE_OP's comparison of the old value (val3's cmp and cmparg); an unknown comparison is false. */
function wakeOpCompare(old: number, val3: number): boolean {
  const arg = (val3 << 20) >> 20;
  switch ((val3 >>> 24) & 15) {
    case 0: return old === arg;
    case 1: return old !== arg;
    case 2: return old < arg;
    case 3: return old <= arg;
    case 4: return old > arg;
    case 5: return old >= arg;
    default: return false;
  }
}

/** FUTEX_WAKE_OP: change the second word atomically, wake `val` waiters of the first and, if the second's old value compares true, `val2` of the second. */
function wakeOp(env: LocalEnv, index: number, a: readonly bigint[]): LocalResult {
  const addr2 = Number(a[4]);
  if (addr2 % 4 !== 0) return BigInt(-E.EINVAL);
  const off2 = walkUser(env.mem, env.satp, addr2, true);
  if (off2 < 0) return BigInt(-E.EFAULT);
  const m32 = env.mem.m32;
  const i2 = off2 / 4;
  const val3 = Number(BigInt.asIntN(32, a[5]));
  let old = Atomics.load(m32, i2);
  for (let seen = Atomics.compareExchange(m32, i2, old, wakeOpValue(old, val3)); seen !== old; seen = Atomics.compareExchange(m32, i2, old, wakeOpValue(old, val3))) old = seen;
  let woken = Atomics.notify(m32, index, Number(BigInt.asUintN(31, a[2])));
  if (wakeOpCompare(old, val3)) woken += Atomics.notify(m32, i2, Number(BigInt.asUintN(31, a[3])));
  return BigInt(woken);
}

/**
 * FUTEX_LOCK_PI / LOCK_PI2 / TRYLOCK_PI: the word holds the owner's tid, and FUTEX_WAITERS while
 * someone waits (so the owner's unlock comes here). There is no priority to lend: a waiter sets
 * FUTEX_WAITERS and sleeps on the word; a thread that takes the lock after waiting keeps the bit
 * (others may still wait), so its unlock wakes the next.
 */
function lockPi(env: LocalEnv, index: number, op: number, a: readonly bigint[]): LocalResult {
  const m32 = env.mem.m32;
  let end: bigint | undefined;
  if (op !== FUTEX_TRYLOCK_PI && a[3] !== 0n) {
    const t = readTimespec(env.mem, env.satp, a[3]);
    if (t === undefined) return undefined;
    if (t === 'fault') return BigInt(-E.EINVAL);
    // LOCK_PI's timeout is absolute on CLOCK_REALTIME; LOCK_PI2's on the clock the op names
    end = deadline(t - nowNs(op === FUTEX_LOCK_PI || (Number(a[1]) & FUTEX_CLOCK_REALTIME) !== 0));
  }
  for (let waited = false; ;) {
    const v = Atomics.load(m32, index);
    const owner = v & FUTEX_TID_MASK;
    if (owner === 0) {
      const mine = env.tid | (v & FUTEX_OWNER_DIED) | (waited ? FUTEX_WAITERS : 0);
      if (Atomics.compareExchange(m32, index, v, mine) === v) return 0n;
      continue;
    }
    if (owner === env.tid) return BigInt(-E.EDEADLK);
    if (op === FUTEX_TRYLOCK_PI) return BigInt(-E.EAGAIN);
    const marked = v | FUTEX_WAITERS;
    if (marked !== v && Atomics.compareExchange(m32, index, v, marked) !== v) continue;
    const r = waitOn(env, index, marked, end);
    if (r === INTERRUPTED) return INTERRUPTED;
    if (r === 'timed-out') return BigInt(-E.ETIMEDOUT);
    waited = true;
  }
}

/** FUTEX_UNLOCK_PI: the owner frees the word and wakes one waiter, which takes it (or waits again). */
function unlockPi(env: LocalEnv, index: number): bigint {
  const m32 = env.mem.m32;
  for (;;) {
    const v = Atomics.load(m32, index);
    if ((v & FUTEX_TID_MASK) !== env.tid) return BigInt(-E.EPERM);
    if (Atomics.compareExchange(m32, index, v, 0) !== v) continue;
    if ((v & FUTEX_WAITERS) !== 0) Atomics.notify(m32, index, 1);
    return 0n;
  }
}

/** FUTEX_WAIT / WAIT_BITSET: sleep while the word holds the value. */
function futexWait(env: LocalEnv, index: number, op: number, a: readonly bigint[]): LocalResult {
  if (op === FUTEX_WAIT_BITSET && BigInt.asUintN(32, a[5]) === 0n) return BigInt(-E.EINVAL);
  let end: bigint | undefined;
  if (a[3] !== 0n) {
    const t = readTimespec(env.mem, env.satp, a[3]);
    if (t === undefined) return undefined;
    if (t === 'fault') return BigInt(-E.EINVAL);
    // FUTEX_WAIT's timeout is relative, WAIT_BITSET's absolute (monotonic unless CLOCK_REALTIME)
    end = deadline(op === FUTEX_WAIT ? t : t - nowNs((Number(a[1]) & FUTEX_CLOCK_REALTIME) !== 0));
  }
  const r = waitOn(env, index, Number(BigInt.asIntN(32, a[2])), end);
  if (r === INTERRUPTED) return r;
  return r === 'ok' ? 0n : BigInt(r === 'not-equal' ? -E.EAGAIN : -E.ETIMEDOUT);
}

function futex(a: readonly bigint[], env: LocalEnv): LocalResult {
  const op = Number(a[1]) & 0x7f;
  const addr = Number(a[0]);
  if (addr % 4 !== 0) return BigInt(-E.EINVAL);
  const off = walkUser(env.mem, env.satp, addr, op === FUTEX_WAKE_OP || PI_OPS.has(op));
  if (off < 0) return undefined;
  const index = off / 4;
  const m32 = env.mem.m32;
  switch (op) {
    case FUTEX_WAIT: case FUTEX_WAIT_BITSET: return futexWait(env, index, op, a);
    case FUTEX_WAKE: case FUTEX_WAKE_BITSET:
      return BigInt(Atomics.notify(m32, index, Number(BigInt.asUintN(31, a[2]))));
    case FUTEX_REQUEUE: case FUTEX_CMP_REQUEUE: {
      if (op === FUTEX_CMP_REQUEUE && Atomics.load(m32, index) !== Number(BigInt.asIntN(32, a[5]))) return BigInt(-E.EAGAIN);
      return BigInt(Atomics.notify(m32, index, Number(BigInt.asUintN(31, a[2])) + Number(BigInt.asUintN(31, a[3]))));
    }
    case FUTEX_WAKE_OP: return wakeOp(env, index, a);
    case FUTEX_LOCK_PI: case FUTEX_LOCK_PI2: case FUTEX_TRYLOCK_PI: return lockPi(env, index, op, a);
    case FUTEX_UNLOCK_PI: return unlockPi(env, index);
    default: return BigInt(-E.ENOSYS);
  }
}

/** Does this futex call write its word (so its page must be present and writable)? */
export function futexWrites(op: bigint): boolean {
  const o = Number(op & 0x7fn);
  return o === FUTEX_WAKE_OP || PI_OPS.has(o);
}

/** Is it a PI lock, which Linux restarts after a handler whatever SA_RESTART says? */
export function futexAlwaysRestarted(op: bigint): boolean {
  const o = Number(op & 0x7fn);
  return o === FUTEX_LOCK_PI || o === FUTEX_LOCK_PI2;
}

/** Write a remaining time (ns) to a guest timespec, if it is there and writable. */
function writeTimespec(env: LocalEnv, addr: bigint, ns: bigint): void {
  const off = addr === 0n ? -1 : walkUser(env.mem, env.satp, Number(addr), true);
  if (off < 0 || off % 8 !== 0) return;
  env.mem.m64[off / 8] = ns / NS_PER_S;
  env.mem.m64[off / 8 + 1] = ns % NS_PER_S;
}

/** nanosleep / clock_nanosleep: the worker sleeps on its channel's wake cell, which only a signal's notify ends early; `rem` gets the time left then. */
function sleep(clock: number, flags: number, req: bigint, rem: bigint, env: LocalEnv): LocalResult {
  const t = readTimespec(env.mem, env.satp, req);
  if (t === undefined) return undefined;
  if (t === 'fault') return BigInt(-E.EINVAL);
  if (clock !== 0 && clock !== 1 && clock !== 7) return BigInt(-E.EINVAL);
  const absolute = (flags & TIMER_ABSTIME) !== 0;
  const end = absolute ? t - nowNs(clock === 0) + process.hrtime.bigint() : process.hrtime.bigint() + t;
  const ch = env.ch;
  for (let left = end - process.hrtime.bigint(); left > 0n; left = end - process.hrtime.bigint()) {
    if (signalled(ch)) {
      if (!absolute) writeTimespec(env, rem, left);
      return INTERRUPTED;
    }
    Atomics.wait(ch.i32, CH_WAKE, 0, Math.min(SLICE_MS, Number(left) / 1e6));
  }
  return 0n;
}

/** Serve call `nr` here if it is one of the sleeping calls and its memory is present. */
export function localSyscall(nr: number, a: readonly bigint[], env: LocalEnv): LocalResult {
  switch (nr) {
    case NR.futex: return futex(a, env);
    case NR.nanosleep: return sleep(1, 0, a[0], a[1], env);
    case NR.clock_nanosleep: return sleep(Number(a[0]), Number(a[1]), a[2], a[3], env);
    default: return undefined;
  }
}
