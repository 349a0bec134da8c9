#!/usr/bin/env node
// Entry point installed as `tsemu-system-riscv64`; the program lives in dist/ (npm run build).
// The workers start first, so loading their code overlaps with loading the main program's
// (dynamic imports: a static one would load main's whole module graph before anything runs).
const { spawnEarlyWorkers } = await import('../dist/src/threads/early-workers.js');
spawnEarlyWorkers(process.argv.slice(2));
await import('../dist/src/threads/main.js');
