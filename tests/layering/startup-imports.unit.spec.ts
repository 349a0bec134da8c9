/**
 * What the main thread loads at start-up: following the static imports of the built entry point
 * (dist/src/threads/main.js), neither TypeScript nor esbuild may be reached. Loading them cost
 * 0.5 s and 70 MiB of every run, library or not, when compile-pool.ts imported the loader
 * statically; they are imported on first use, when a library is loaded.
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { repoRoot } from '../support/run-guest.js';

/** `import ... from 'x'`, `export ... from 'x'` and `import 'x'` at the start of a line (not dynamic import()). */
const STATIC_IMPORT = /^(?:(?:import|export)\s[^;]*?from\s+|import\s+)['"]([^'"]+)['"]/gm;

function staticClosure(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const pending = [entry];
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    if (files.has(file)) continue;
    files.add(file);
    for (const m of readFileSync(file, 'utf8').matchAll(STATIC_IMPORT)) {
      const spec = m[1] as string;
      if (spec.startsWith('.')) pending.push(resolve(dirname(file), spec));
      else packages.add(spec.startsWith('node:') ? spec : spec.split('/')[0] as string);
    }
  }
  return { files, packages };
}

describe('layering: what the main thread loads at start-up', function () {
  it('the static imports of dist/src/threads/main.js reach neither typescript nor esbuild', function () {
    const { files, packages } = staticClosure(join(repoRoot(), 'dist/src/threads/main.js'));
    expect(files.size, 'the walk found the entry point and its modules').to.be.greaterThan(20);
    expect([...packages]).to.not.include('typescript');
    expect([...packages]).to.not.include('esbuild');
  });
});
