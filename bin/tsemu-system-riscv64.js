#!/usr/bin/env node
// Entry point installed as `tsemu-system-riscv64`; the program lives in dist/ (npm run build).
// The workers start first, so loading their code overlaps with loading the main program's
// (dynamic imports: a static one would load main's whole module graph before anything runs).
// TSEMU_STATS: the workers tell their start-up steps in ms from this process's start
if (process.env.TSEMU_STATS) process.env.TSEMU_T0 = String(performance.timeOrigin);
const { spawnEarlyWorkers } = await import('../dist/src/threads/early-workers.js');
spawnEarlyWorkers(process.argv.slice(2));
await import('../dist/src/threads/main.js');
