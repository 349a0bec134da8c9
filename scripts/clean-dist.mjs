// Removes dist/ before a build: tsc never deletes the output of a source file that was renamed or
// removed, and mocha would still run a stale dist/tests/**/X.spec.js.
import { rmSync } from 'node:fs';
rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });
