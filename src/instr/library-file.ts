/**
 * What can be known about a library file without TypeScript or esbuild: that it exists and has a
 * library's extension, and whether the same file already passed the type check (a cache keyed by
 * the file, the API's declarations, TypeScript's version and Node's typings). The thread layer asks
 * first (src/threads/compile-pool.ts), so loading an unchanged library starts no TypeScript at all
 * (about a second of CPU on every `-instr` run before); loader.ts fills the cache.
 */
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LibraryLoadError } from './errors.js';

/** The compiled API next to this module (its declarations are what libraries are checked against). */
const API_DIR = resolve(dirname(fileURLToPath(import.meta.url)), 'api');
const CACHE_DIR = join(tmpdir(), 'tsemu-typecheck-cache');

export interface LibraryFile {
  abs: string;
  /** A .ts/.mts file (type-checked before bundling). */
  typescript: boolean;
}

/** Check that `path` names a library file; one-line LibraryLoadError otherwise. */
export function libraryFile(path: string): LibraryFile {
  const abs = resolve(path);
  if (!existsSync(abs)) throw new LibraryLoadError(`could not open instrumentation library '${path}': No such file or directory`);
  if (!statSync(abs).isFile()) throw new LibraryLoadError(`could not open instrumentation library '${path}': not a file`);
  const ext = extname(abs);
  if (!['.ts', '.mts', '.js', '.mjs'].includes(ext)) {
    throw new LibraryLoadError(`instrumentation library '${path}' must be a .ts, .mts, .js or .mjs file`);
  }
  return { abs, typescript: ext === '.ts' || ext === '.mts' };
}

/**
 * The `@types` directory with Node's typings, found as tsc finds it for the library's author:
 * `node_modules/@types/node` in the library's directory or any directory above it; failing that,
 * the one this installation depends on, wherever npm put it (hoisted next to tsemu, usually).
 */
export function nodeTypesRoot(libraryDir: string): string | undefined {
  for (let dir = libraryDir; ; dir = dirname(dir)) {
    const root = join(dir, 'node_modules', '@types');
    if (existsSync(join(root, 'node', 'package.json'))) return root;
    if (dirname(dir) === dir) break;
  }
  try {
    return dirname(dirname(createRequire(import.meta.url).resolve('@types/node/package.json')));
  } catch {
    return undefined;
  }
}

/** TypeScript's version, read from its package.json (importing it would load the compiler). */
function typescriptVersion(): string {
  try {
    const file = createRequire(import.meta.url).resolve('typescript/package.json');
    return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/** The cache entry of the file as it is now: a file that passed once, unchanged, against the same API, passes again. */
function cacheEntry(abs: string): string {
  const st = statSync(abs);
  const apiStamp = statSync(join(API_DIR, 'events.d.ts'), { throwIfNoEntry: false })?.mtimeMs ?? 0;
  const typeRoot = nodeTypesRoot(dirname(abs));
  const key = createHash('sha256').update(`${abs}\0${st.size}\0${st.mtimeMs}\0${apiStamp}\0${typescriptVersion()}\0${typeRoot}`).digest('hex');
  return join(CACHE_DIR, key);
}

/** Did this file, as it is now, pass the type check before? */
export function alreadyTypeChecked(abs: string): boolean {
  return existsSync(cacheEntry(abs));
}

/** Remember that the file, as it is now, passed the type check. */
export function markTypeChecked(abs: string): void {
  try {
    mkdirSync(CACHE_DIR, { recursive: true });
    writeFileSync(cacheEntry(abs), abs);
  } catch {
    // a cache that cannot be written only costs time
  }
}
