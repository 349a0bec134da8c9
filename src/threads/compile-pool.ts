/**
 * Compiling an instrumentation library (src/instr/loader.ts): the type check runs in a piscina
 * worker pool — a pool of interchangeable threads is exactly what a stateless, CPU-heavy task
 * wants, and the main thread stays free for devices and the monitor; the pool (and with it
 * TypeScript) is created on first use only, its entry point is compile-worker.ts. The bundling
 * runs here, on the main thread: esbuild works in a child process of the calling thread, and only
 * a thread that lives on can wait for that child when `stop()` ends it (from the pool's thread,
 * torn down after each library, it stayed a zombie for the rest of the run).
 */
import { LibraryLoadError } from '../instr/errors.js';
import { alreadyTypeChecked, libraryFile } from '../instr/library-file.js';

let pool: { run(path: string): Promise<{ file: string } | { error: string }>; destroy(): Promise<void> } | undefined;

/** Bundle the checked library `abs` with esbuild, loaded on first use (see below). */
async function bundle(abs: string, path: string): Promise<string> {
  // loaded on first use: start-up of a run without libraries pays for neither esbuild nor
  // (through a static import of loader.ts) TypeScript
  const [{ bundleLibrary }, esbuild] = await Promise.all([import('../instr/bundler.js'), import('esbuild')]);
  try {
    return await bundleLibrary(abs, path);
  } finally {
    await esbuild.stop();
  }
}

/** The path of the bundle made from the library at `path`; rejects with a LibraryLoadError. */
export async function compileInPool(path: string): Promise<string> {
  // a JavaScript library, or a TypeScript one that passed the type check unchanged before, needs no
  // TypeScript at all: no pool, no compiler loaded (about a second of CPU)
  const file = libraryFile(path);
  if (!file.typescript || alreadyTypeChecked(file.abs)) return bundle(file.abs, path);
  if (!pool) {
    const { Piscina } = await import('piscina');
    pool = new Piscina({ filename: new URL('./compile-worker.js', import.meta.url).href, maxThreads: 1 });
  }
  const current = pool;
  try {
    const result = await current.run(path);
    if ('error' in result) throw new LibraryLoadError(result.error);
    return await bundle(result.file, path);
  } finally {
    // the pool's thread holds a whole TypeScript program: tear it down now, before the
    // guest runs again, rather than let it idle and be collected while vCPUs need the cores
    if (pool === current) pool = undefined;
    await current.destroy();
  }
}
