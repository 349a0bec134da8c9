/**
 * A library's qi_init and qi_fini run under a watchdog: a call that does not return within the
 * limit is terminated (V8 stops the script; node:vm's timeout, which reaches the functions the
 * call makes) and the load fails, or the unload goes on without it, with one line naming the
 * library and the function. On the main thread Ctrl-C (SIGINT) interrupts the call at once too;
 * the caller then delivers the signal as usual. The limit is TSEMU_INSTR_TIMEOUT seconds (default
 * 5; 0 turns the watchdog off). Callbacks are not watched: a call per event through node:vm
 * would cost far more than the callbacks themselves.
 */
import { Script } from 'node:vm';
import { isMainThread } from 'node:worker_threads';

export const DEFAULT_INSTR_TIMEOUT_SECONDS = 5;

/** The call did not return in time, or was interrupted by SIGINT (main thread). */
export class WatchdogExpired extends Error {
  constructor(readonly why: 'timeout' | 'sigint', readonly seconds: number) {
    super(why === 'timeout' ? `did not return within ${seconds} s (TSEMU_INSTR_TIMEOUT)` : 'interrupted (SIGINT)');
  }
}

/** The limit in seconds from TSEMU_INSTR_TIMEOUT; 0 = no watchdog. */
export function watchdogSeconds(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.TSEMU_INSTR_TIMEOUT;
  if (raw === undefined || raw.trim() === '') return DEFAULT_INSTR_TIMEOUT_SECONDS;
  const seconds = Number(raw);
  return Number.isFinite(seconds) && seconds > 0 ? seconds : 0;
}

/** The one script the watchdog runs: it calls the function parked on globalThis. */
const CALL = new Script('globalThis.__tsemuWatchdogCall()', { filename: 'tsemu-instr-watchdog' });

interface WatchdogGlobal { __tsemuWatchdogCall?: () => void }

/** Run `fn` under the watchdog; throws WatchdogExpired, or what `fn` threw. */
export function underWatchdog<T>(fn: () => T, seconds = watchdogSeconds()): T {
  if (seconds <= 0) return fn();
  const g = globalThis as WatchdogGlobal;
  const outer = g.__tsemuWatchdogCall;
  let result: { value: T } | undefined;
  g.__tsemuWatchdogCall = () => { result = { value: fn() }; };
  try {
    CALL.runInThisContext({ timeout: Math.ceil(seconds * 1000), breakOnSigint: isMainThread });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException | undefined)?.code;
    if (code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') throw new WatchdogExpired('timeout', seconds);
    if (code === 'ERR_SCRIPT_EXECUTION_INTERRUPTED') throw new WatchdogExpired('sigint', seconds);
    throw e;
  } finally {
    g.__tsemuWatchdogCall = outer;
  }
  if (result === undefined) throw new Error('watchdog: the call did not run');
  return result.value;
}
