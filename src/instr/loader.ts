/**
 * Turning a library file into an importable module: the checks and the strict type check of
 * `.ts`/`.mts` files (here, with TypeScript), then the bundling (bundler.ts, esbuild). Problems
 * come back as one-line messages (`file:line:column: text` for compile errors).
 */
import ts from 'typescript';
import { existsSync, mkdirSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { dirname, extname, join, resolve } from 'node:path';
import { createRequire } from 'node:module';

import { LibraryLoadError } from './errors.js';
import { API_DIR, API_MODULES, bundleLibrary } from './bundler.js';
export { LibraryLoadError };

/**
 * The `@types` directory with Node's typings, found as tsc finds it for the library's author:
 * `node_modules/@types/node` in the library's directory or any directory above it; failing that,
 * the one this installation depends on, wherever npm put it (hoisted next to tsemu, usually).
 */
function nodeTypesRoot(libraryDir: string): string | undefined {
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

/**
 * Type-check a TypeScript library against the API's declarations (strict),
 * as its author's own `tsc` would with tsemu installed.
 */
function typeCheck(abs: string, typeRoot: string | undefined): void {
  const paths: Record<string, string[]> = {};
  for (const [spec, js] of Object.entries(API_MODULES)) paths[spec] = [js.replace(/\.js$/, '.d.ts')];
  const program = ts.createProgram([abs], {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    lib: ['lib.es2022.d.ts'],
    // libraries may use Node's API (console, fs for their output files)
    typeRoots: typeRoot === undefined ? [] : [typeRoot],
    types: typeRoot === undefined ? [] : ['node'],
    skipLibCheck: true,
    paths,
    allowImportingTsExtensions: true,
  });
  // as tsc: syntax errors first and alone (a missing ',' otherwise shows up as whatever type
  // error the parser's recovery produced earlier on the line)
  const syntactic = program.getSyntacticDiagnostics();
  const diagnostics = (syntactic.length > 0 ? syntactic : ts.getPreEmitDiagnostics(program)).filter((d) => d.category === ts.DiagnosticCategory.Error);
  const first = diagnostics[0];
  if (!first) return;
  const text = ts.flattenDiagnosticMessageText(first.messageText, ' ');
  if (first.file && first.start !== undefined) {
    const { line, character } = first.file.getLineAndCharacterOfPosition(first.start);
    throw new LibraryLoadError(`${first.file.fileName}:${line + 1}:${character + 1}: ${text}`);
  }
  throw new LibraryLoadError(text);
}

/**
 * Type-checking builds a TypeScript program with Node's typings (seconds);
 * a file that passed once, unchanged, against the same API, passes again:
 * remember that in a cache directory keyed by path, size, mtime and the API's
 * declarations.
 */
function typeCheckCached(abs: string): void {
  const st = statSync(abs);
  const apiStamp = statSync(join(API_DIR, 'events.d.ts'), { throwIfNoEntry: false })?.mtimeMs ?? 0;
  const typeRoot = nodeTypesRoot(dirname(abs));
  const key = createHash('sha256').update(`${abs}\0${st.size}\0${st.mtimeMs}\0${apiStamp}\0${ts.version}\0${typeRoot}`).digest('hex');
  const dir = join(tmpdir(), 'tsemu-typecheck-cache');
  const marker = join(dir, key);
  if (existsSync(marker)) return;
  typeCheck(abs, typeRoot);
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(marker, abs);
  } catch {
    // a cache that cannot be written only costs time
  }
}

/**
 * Check that `path` is a library file and, for TypeScript, that it type-checks (the slow part:
 * seconds for a cold TypeScript program); returns its absolute path.
 */
export function checkLibrary(path: string): string {
  const abs = resolve(path);
  if (!existsSync(abs)) throw new LibraryLoadError(`could not open instrumentation library '${path}': No such file or directory`);
  if (!statSync(abs).isFile()) throw new LibraryLoadError(`could not open instrumentation library '${path}': not a file`);
  const ext = extname(abs);
  if (!['.ts', '.mts', '.js', '.mjs'].includes(ext)) {
    throw new LibraryLoadError(`instrumentation library '${path}' must be a .ts, .mts, .js or .mjs file`);
  }
  if (ext === '.ts' || ext === '.mts') typeCheckCached(abs);
  return abs;
}

/** Compile `path` to an ES module file (check, then bundle); returns the compiled file's absolute path. */
export async function compileLibrary(path: string): Promise<string> {
  return bundleLibrary(checkLibrary(path), path);
}
