/**
 * Task run by the compile pool (piscina): check and type-check one library off the main thread,
 * so the devices and the monitor keep serving the guest while TypeScript works (seconds for a
 * cold type check).
 */
import { checkLibrary, LibraryLoadError } from '../instr/loader.js';

/** Check (and type-check) one library; the bundling runs on the main thread (compile-pool.ts). */
export default function check(path: string): { file: string } | { error: string } {
  try {
    return { file: checkLibrary(path) };
  } catch (e) {
    return { error: e instanceof LibraryLoadError ? e.message : `could not compile '${path}': ${e instanceof Error ? e.message : String(e)}` };
  }
}
