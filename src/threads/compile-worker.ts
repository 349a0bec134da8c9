/**
 * Task run by the compile pool (piscina): type-check and bundle one library
 * off the main thread, so the devices and the monitor keep serving the guest
 * while TypeScript works (seconds for a cold type check).
 */
import { compileLibrary, LibraryLoadError } from '../instr/loader.js';

export default async function compile(path: string): Promise<{ file: string } | { error: string }> {
  try {
    return { file: await compileLibrary(path) };
  } catch (e) {
    return { error: e instanceof LibraryLoadError ? e.message : `could not compile '${path}': ${e instanceof Error ? e.message : String(e)}` };
  }
}
