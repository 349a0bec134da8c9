#!/usr/bin/env node
// Entry point installed as `tsemu-riscv64` (QEMU's linux-user: run one RISC-V Linux program);
// the program lives in dist/ (npm run build).
await import('../dist/src/threads/user-main.js');
