/**
 * The one copy of the small helpers every suite needs: is an external tool here, fail with the
 * one-line "missing test prerequisite" message when a live-oracle test lacks it, temporary
 * directories, and waiting for a condition.
 *
 * `npm test` needs none of the tools named here (it runs on Node alone); the `*.oracle.spec`
 * files of `npm run test:oracle` call requireTool() for what they use.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const found = new Map<string, boolean>();

/** True if `tool` runs on this machine (`tool --version`, or `tool <versionArg>`, exits 0). */
export function hasTool(tool: string, versionArg = '--version'): boolean {
  const key = `${tool}\0${versionArg}`;
  let ok = found.get(key);
  if (ok === undefined) {
    ok = spawnSync(tool, [versionArg], { encoding: 'utf8', timeout: 10_000 }).status === 0;
    found.set(key, ok);
  }
  return ok;
}

/** The message a live-oracle test fails with when `what` is absent. */
export function missingPrerequisite(what: string): Error {
  return new Error(`missing test prerequisite: ${what} (npm run test:oracle needs it; .ci/run installs it)`);
}

/** Fails the test with the one-line message naming the first tool that does not run here. */
export function requireTool(...tools: string[]): void {
  for (const tool of tools) if (!hasTool(tool)) throw missingPrerequisite(tool);
}

/** A fresh temporary directory, `tsemu-<tag>-XXXXXX`. */
export function makeTempDir(tag: string): string {
  return mkdtempSync(join(tmpdir(), `tsemu-${tag}-`));
}

/**
 * Resolves once `probe()` returns something other than undefined/false (and gives that back);
 * rejects with "timed out waiting for WHAT" after `timeoutMs`.
 */
export async function waitFor<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 5000, pollMs = 5): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

/**
 * Resolves after every callback already queued (promise reactions, process.nextTick, I/O) has run:
 * the proof that in-process work driven only by promises, with no timers, has finished.
 */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
