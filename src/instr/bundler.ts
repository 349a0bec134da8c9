/**
 * Bundling a checked library with esbuild into one ES module in a temporary directory, with every
 * import of the API (`tsemu/qemu-instr/...`) pointed at this installation's API modules, so a
 * library anywhere on disk works without installing tsemu next to it and all instances in a thread
 * share one API module. Kept apart from the type check (loader.ts) so that the thread that bundles
 * (the main thread, see src/threads/compile-pool.ts) never loads TypeScript.
 */
import { build, Message, Plugin } from 'esbuild';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LibraryLoadError } from './errors.js';

export const API_DIR = resolve(dirname(fileURLToPath(import.meta.url)), 'api');
export const API_MODULES: Record<string, string> = {
  'tsemu/qemu-instr': join(API_DIR, 'index.js'),
  'tsemu/qemu-instr/events': join(API_DIR, 'events.js'),
  'tsemu/qemu-instr/control': join(API_DIR, 'control.js'),
  'tsemu/qemu-instr/types': join(API_DIR, 'types.js'),
};

const apiPlugin: Plugin = {
  name: 'tsemu-qemu-instr',
  setup(b) {
    b.onResolve({ filter: /^tsemu(\/.*)?$/ }, (args) => {
      const target = API_MODULES[args.path];
      if (!target) return { errors: [{ text: `unknown tsemu module '${args.path}' (use tsemu/qemu-instr/events, tsemu/qemu-instr/control or tsemu/qemu-instr)` }] };
      return { path: target, external: true };
    });
  },
};

let outDir: string | undefined;

function formatMessage(m: Message): string {
  const loc = m.location;
  return loc ? `${loc.file}:${loc.line}:${loc.column + 1}: ${m.text}` : m.text;
}

/**
 * Bundle the checked library at `abs` into one ES module file with esbuild; returns that file.
 * esbuild works in a child process of the thread that calls this: call it from a thread that
 * outlives the call (the child must be waited for when esbuild's `stop()` ends it).
 */
export async function bundleLibrary(abs: string, path: string): Promise<string> {
  outDir ??= mkdtempSync(join(tmpdir(), 'tsemu-instr-'));
  const outfile = join(outDir, `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}.mjs`);
  try {
    const result = await build({
      entryPoints: [abs],
      bundle: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      outfile,
      write: true,
      logLevel: 'silent',
      plugins: [apiPlugin],
      sourcemap: 'inline',
    });
    if (result.errors.length > 0) throw new LibraryLoadError(formatMessage(result.errors[0]));
  } catch (e) {
    const errors = (e as { errors?: Message[] }).errors;
    if (errors && errors.length > 0) throw new LibraryLoadError(formatMessage(errors[0]));
    throw new LibraryLoadError(`could not compile '${path}': ${e instanceof Error ? e.message : String(e)}`);
  }
  return outfile;
}

