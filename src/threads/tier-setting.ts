/**
 * The tier settings every vCPU worker (system mode's and user mode's) reads from the environment,
 * in one place so both modes run guest code the same way.
 */
import { availableParallelism } from 'node:os';
import { ASYNC_AFTER_MS, DEFAULT_TIER, defaultHotThreshold, type Tier } from '../vcpu/block-cache.js';

/**
 * Where hot blocks go: TSEMU_TIER=interp|js|wasm forces a tier, for measuring and testing them
 * (any other value is ignored); unset, DEFAULT_TIER.
 */
export function tierSetting(): Tier {
  const t = process.env.TSEMU_TIER;
  return t === 'interp' || t === 'js' || t === 'wasm' ? t : DEFAULT_TIER;
}

/** Was a tier forced with TSEMU_TIER? */
function tierForced(): boolean {
  return tierSetting() === process.env.TSEMU_TIER;
}

/**
 * Interpreted runs before a block is compiled: TSEMU_HOT (0: compile at once). A tier forced
 * with TSEMU_TIER compiles every block at once unless TSEMU_HOT says otherwise.
 */
export function hotThresholdSetting(): number {
  const fallback = tierForced() ? 0 : defaultHotThreshold(tierSetting());
  const n = Number(process.env.TSEMU_HOT ?? fallback);
  return Number.isInteger(n) && n >= 0 ? n : fallback;
}

/**
 * Are WebAssembly batches compiled in a thread of their own (wasm-compiler.ts) while the vCPU
 * interprets them? Yes when blocks go to WebAssembly after a warm-up and the host has a core to
 * spare beside the machine's vCPU threads, unless the run must repeat exactly (-icount: when a
 * block changes tier would depend on the host's timing); TSEMU_ASYNC_COMPILE=0 or 1 decides
 * instead (to measure the difference). Without a spare core the compiler threads (one per vCPU)
 * only compete with the vCPUs, and the blocks they compile stay interpreted meanwhile: the -smp 4
 * lock bench on 2 cores took 5.1-5.2 M ticks with them and 0.66-1.1 M compiling in the vCPU.
 */
export function asyncWasmCompile(tier: Tier, hotThreshold: number, deterministic: boolean, vcpuThreads: number): boolean {
  if (tier !== 'wasm' || hotThreshold === 0 || deterministic) return false;
  const forced = process.env.TSEMU_ASYNC_COMPILE;
  if (forced === '0' || forced === '1') return forced === '1';
  return vcpuThreads < availableParallelism();
}

/**
 * WebAssembly compile time (ms) a vCPU spends itself before batches go to its compiler thread:
 * TSEMU_ASYNC_AFTER_MS (to measure others), else ASYNC_AFTER_MS.
 */
export function asyncAfterMsSetting(): number {
  const raw = process.env.TSEMU_ASYNC_AFTER_MS;
  const n = raw === undefined || raw.trim() === '' ? ASYNC_AFTER_MS : Number(raw);
  return Number.isFinite(n) && n >= 0 ? n : ASYNC_AFTER_MS;
}

/**
 * Do WebAssembly blocks of a batch go straight to one another (src/tcg/backend-wasm.ts)?
 * Yes unless TSEMU_WASM_LINKS=0 (to measure the difference, or to rule the links out).
 */
export function wasmLinksSetting(): boolean {
  return process.env.TSEMU_WASM_LINKS !== '0';
}
