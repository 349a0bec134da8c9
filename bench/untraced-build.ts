/**
 * A second tsemu with tracing compiled out, to measure what the normal build's
 * compiled-in-but-disabled events cost. It is a copy of the sources built in a
 * temporary directory with `tracetool.mjs --disable-all`, which marks every
 * event `disable` (empty emit functions; the translator sees every event as
 * statically off). node_modules is a symlink to the repository's.
 *
 * The build takes tsc's time (tens of seconds), so it is kept in
 * $TMPDIR/tsemu-bench-untraced-<repo hash> and reused while the sources it was
 * built from (hashed) are unchanged.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type { EmulatorCommand } from './emulators.js';

/** What the build needs from the repository (tests/ and bench/ are not part of tsemu). */
const COPIED = ['src', 'scripts', 'bin', 'trace-events', 'instrument-events', 'tsconfig.json', 'package.json'] as const;
const STAMP = 'bench-build-stamp.json';
const BUILD_TIMEOUT_MS = 300_000;

export interface UntracedBuild {
  readonly tsemu: EmulatorCommand;
  /** Where it lives. */
  readonly dir: string;
  /** Whether it was built now (false: reused from an earlier bench run). */
  readonly fresh: boolean;
  /** tsc's complaints, if any (the build still ran if it emitted the CLI). */
  readonly warnings: readonly string[];
}

interface Stamp {
  readonly hash: string;
  readonly warnings: readonly string[];
}

function filesUnder(path: string): string[] {
  if (!existsSync(path)) return [];
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path).sort().flatMap((entry) => filesUnder(join(path, entry)));
}

/** Hash of every copied file's path and contents. */
function sourceHash(repoRoot: string): string {
  const hash = createHash('sha256');
  for (const file of COPIED.flatMap((p) => filesUnder(join(repoRoot, p)))) {
    hash.update(relative(repoRoot, file)).update('\0').update(readFileSync(file)).update('\0');
  }
  return hash.digest('hex');
}

function readStamp(dir: string): Stamp | null {
  try {
    const value: unknown = JSON.parse(readFileSync(join(dir, STAMP), 'utf8'));
    if (typeof value !== 'object' || value === null) return null;
    const { hash, warnings } = value as { hash?: unknown; warnings?: unknown };
    if (typeof hash !== 'string' || !Array.isArray(warnings)) return null;
    return { hash, warnings: warnings.filter((w): w is string => typeof w === 'string') };
  } catch {
    return null;
  }
}

function run(dir: string, args: readonly string[]): { ok: boolean; output: string } {
  const result = spawnSync(process.execPath, [...args], { cwd: dir, encoding: 'utf8', timeout: BUILD_TIMEOUT_MS });
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}${result.error?.message ?? ''}`.trim();
  return { ok: result.status === 0, output };
}

function commandFor(dir: string): EmulatorCommand {
  return { id: 'tsemu', command: process.execPath, prefixArgs: [join(dir, 'bin', 'tsemu-system-riscv64.js')], version: `node ${process.version}` };
}

/** Refuse to measure a build in which some event is still compiled in. */
function checkCompiledOut(dir: string): void {
  const generated = readFileSync(join(dir, 'src', 'trace', 'generated', 'events.ts'), 'utf8');
  if (generated.includes('staticEnabled: true')) throw new Error(`${dir}: tracetool --disable-all left events enabled`);
}

/** Copy, generate with --disable-all, compile. Throws when no runnable CLI came out. */
function build(repoRoot: string, dir: string): string[] {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const entry of COPIED) {
    if (existsSync(join(repoRoot, entry))) cpSync(join(repoRoot, entry), join(dir, entry), { recursive: true });
  }
  symlinkSync(join(repoRoot, 'node_modules'), join(dir, 'node_modules'), 'dir');
  const tracetool = run(dir, ['scripts/tracetool.mjs', '--disable-all']);
  if (!tracetool.ok) throw new Error(`tracetool --disable-all failed: ${tracetool.output}`);
  const instrtool = run(dir, ['scripts/instrtool.mjs']);
  if (!instrtool.ok) throw new Error(`instrtool failed: ${instrtool.output}`);
  // No declarations or source maps: nothing here reads them, and they cost build time.
  const tsc = run(dir, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json', '--declaration', 'false', '--sourceMap', 'false']);
  if (!existsSync(join(dir, 'dist', 'src', 'threads', 'main.js'))) throw new Error(`tsc produced no CLI: ${tsc.output.slice(0, 500)}`);
  checkCompiledOut(dir);
  // tsc emits despite type errors; the same errors are then in the normal build too.
  return tsc.ok ? [] : [`compiled-out build: tsc reported errors (built anyway): ${tsc.output.split('\n')[0] ?? ''}`];
}

export function untracedBuild(repoRoot: string, progress: (message: string) => void): UntracedBuild {
  const dir = join(tmpdir(), `tsemu-bench-untraced-${createHash('sha256').update(repoRoot).digest('hex').slice(0, 12)}`);
  const hash = sourceHash(repoRoot);
  const stamp = readStamp(dir);
  if (stamp?.hash === hash && existsSync(join(dir, 'dist', 'src', 'threads', 'main.js'))) {
    progress(`compiled-out build: reusing ${dir}`);
    return { tsemu: commandFor(dir), dir, fresh: false, warnings: stamp.warnings };
  }
  progress(`compiled-out build: building a copy with tracetool --disable-all in ${dir} (tsc takes a while)`);
  const warnings = build(repoRoot, dir);
  writeFileSync(join(dir, STAMP), JSON.stringify({ hash, warnings } satisfies Stamp));
  return { tsemu: commandFor(dir), dir, fresh: true, warnings };
}
