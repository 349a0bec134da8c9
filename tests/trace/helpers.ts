/**
 * Shared by the trace tests: paths, running the generator and loading a module
 * generated from a test-only trace-events file. (Temporary directories, tool
 * checks and the repository root come from tests/support.)
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';
import type { EventInfo, TraceArg } from '../../src/trace/event-info.js';
import { repoRoot } from '../support/run-guest.js';

const REPO_ROOT = repoRoot();
export const TRACETOOL = join(REPO_ROOT, 'scripts/tracetool.mjs');
export const SIMPLETRACE_BIN = join(REPO_ROOT, 'bin/tsemu-simpletrace.js');
/** Compiled src/trace, which generated modules import their runtime from. */
const DIST_TRACE_URL = new URL('../../src/trace', import.meta.url).href;

export interface ProcessResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function runNode(args: readonly string[], cwd: string = REPO_ROOT): ProcessResult {
  const r = spawnSync(process.execPath, args, { cwd, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The functions and table of a generated events module. */
export interface GeneratedModule {
  readonly events: readonly EventInfo[];
  emit(name: string, ...args: (number | bigint | string | boolean)[]): void;
  readonly source: string;
}

/**
 * Runs tracetool on `traceEvents` (a test-only trace-events text), transpiles
 * the generated TypeScript and imports it; its emit functions share this
 * process's runtime (dist/src/trace/runtime.js).
 */
export async function loadGeneratedModule(dir: string, traceEvents: string): Promise<GeneratedModule> {
  const input = join(dir, 'trace-events');
  const output = join(dir, 'events.ts');
  writeFileSync(input, traceEvents);
  const r = runNode([TRACETOOL, '--input', input, '--output', output, '--runtime-dir', DIST_TRACE_URL]);
  if (r.status !== 0) throw new Error(`tracetool failed: ${r.stderr}`);
  const source = readFileSync(output, 'utf8');
  const js = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022, preserveConstEnums: true },
  }).outputText;
  const jsPath = join(dir, 'events.mjs');
  writeFileSync(jsPath, js);
  const mod: unknown = await import(pathToFileURL(jsPath).href);
  if (mod === null || typeof mod !== 'object' || !('EVENTS' in mod) || !Array.isArray(mod.EVENTS)) {
    throw new Error('generated module has no EVENTS');
  }
  const exports = mod as Record<string, unknown>;
  return {
    events: mod.EVENTS as EventInfo[],
    source,
    emit(name, ...args) {
      const fn = exports[`trace_${name}`];
      if (typeof fn !== 'function') throw new Error(`no trace_${name} in the generated module`);
      fn(...args);
    },
  };
}

/** One captured backend call. */
export interface Emitted {
  readonly id: number;
  readonly cpu: number;
  readonly args: TraceArg[];
}
