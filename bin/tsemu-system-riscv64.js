#!/usr/bin/env node
// Entry point installed as `tsemu-system-riscv64`; the program lives in dist/ (npm run build).
import '../dist/src/cli/main.js';
