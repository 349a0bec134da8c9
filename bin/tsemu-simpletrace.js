#!/usr/bin/env node
// Entry point installed as `tsemu-simpletrace`: prints a simple-backend trace file (npm run build first).
import '../dist/src/trace/simpletrace-cli.js';
