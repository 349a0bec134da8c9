/**
 * QEMU TCG plugins for the instrumentation comparison: the C files in
 * bench/qemu-plugins/ compiled with `gcc -shared -fPIC` (against the local
 * 7.2 API header) into a temporary directory that is removed when the bench
 * exits. Nothing is built when QEMU lacks -plugin (built without plugins).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EmulatorCommand } from './emulators.js';

export const QEMU_PLUGIN_SOURCES = ['store-count', 'insn-count', 'insn-exec-count', 'cache'] as const;
/** Where a source lives, relative to the repository root: the cache model is the contrib tool's QEMU reference. */
const SOURCE_DIR: Partial<Record<string, string>> = { cache: join('tests', 'instr', 'qemu-plugins') };
export type QemuPluginName = (typeof QEMU_PLUGIN_SOURCES)[number];

export type QemuPlugins =
  | { readonly kind: 'built'; readonly paths: Readonly<Record<QemuPluginName, string>> }
  | { readonly kind: 'unavailable'; readonly reason: string };

const CC = 'gcc';
const BUILD_TIMEOUT_MS = 60_000;

/** Whether this QEMU has the -plugin option at all (configure --disable-plugins drops it). */
function supportsPlugins(qemu: EmulatorCommand): boolean {
  const help = spawnSync(qemu.command, [...qemu.prefixArgs, '-help'], { encoding: 'utf8', timeout: 10_000 });
  return help.status === 0 && /^-plugin /m.test(help.stdout);
}

function compile(repoRoot: string, dir: string, name: QemuPluginName): string {
  const source = join(repoRoot, SOURCE_DIR[name] ?? join('bench', 'qemu-plugins'), `${name}.c`);
  const output = join(dir, `${name}.so`);
  const cc = spawnSync(CC, ['-shared', '-fPIC', '-O2', '-Wall', '-o', output, source], { encoding: 'utf8', timeout: BUILD_TIMEOUT_MS });
  if (cc.status !== 0) throw new Error(`${CC} ${name}.c failed: ${(cc.stderr ?? cc.error?.message ?? '').trim().split('\n')[0] ?? ''}`);
  return output;
}

export function buildQemuPlugins(repoRoot: string, qemu: EmulatorCommand | null): QemuPlugins {
  if (qemu === null) return { kind: 'unavailable', reason: 'n/a (QEMU not available)' };
  if (!supportsPlugins(qemu)) return { kind: 'unavailable', reason: 'n/a (QEMU built without plugins)' };
  const dir = mkdtempSync(join(tmpdir(), 'tsemu-bench-plugins-'));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  try {
    const paths = Object.fromEntries(QEMU_PLUGIN_SOURCES.map((name) => [name, compile(repoRoot, dir, name)]));
    return { kind: 'built', paths: paths as Record<QemuPluginName, string> };
  } catch (err) {
    return { kind: 'unavailable', reason: `n/a (${err instanceof Error ? err.message : String(err)})` };
  }
}

/** QEMU's plugin output goes to its log, i.e. stderr, only under `-d plugin`. */
export function qemuPluginArgs(path: string): string[] {
  return ['-plugin', path, '-d', 'plugin'];
}
