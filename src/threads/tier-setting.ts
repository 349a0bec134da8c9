/**
 * The tier settings every vCPU worker (system mode's and user mode's) reads from the environment,
 * in one place so both modes run guest code the same way.
 */
import { DEFAULT_TIER, defaultHotThreshold, type Tier } from '../vcpu/block-cache.js';

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
