/**
 * Turning a library file into an importable module: the checks and the strict type check of
 * `.ts`/`.mts` files (here, with TypeScript), then the bundling (bundler.ts, esbuild). Problems
 * come back as one-line messages (`file:line:column: text` for compile errors).
 */
import ts from 'typescript';
import { dirname } from 'node:path';

import { LibraryLoadError } from './errors.js';
import { API_MODULES, bundleLibrary } from './bundler.js';
import { alreadyTypeChecked, libraryFile, markTypeChecked, nodeTypesRoot } from './library-file.js';
export { LibraryLoadError };

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

/** Type-check `abs` unless the same file passed before (library-file.ts keeps that cache). */
function typeCheckCached(abs: string): void {
  if (alreadyTypeChecked(abs)) return;
  typeCheck(abs, nodeTypesRoot(dirname(abs)));
  markTypeChecked(abs);
}

/**
 * Check that `path` is a library file and, for TypeScript, that it type-checks (the slow part:
 * seconds for a cold TypeScript program); returns its absolute path.
 */
export function checkLibrary(path: string): string {
  const { abs, typescript } = libraryFile(path);
  if (typescript) typeCheckCached(abs);
  return abs;
}

/** Compile `path` to an ES module file (check, then bundle); returns the compiled file's absolute path. */
export async function compileLibrary(path: string): Promise<string> {
  return bundleLibrary(checkLibrary(path), path);
}
