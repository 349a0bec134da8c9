/**
 * The recipe log-format.unit.spec.ts (tsemu's sprintf against the transcript) and
 * log-format.oracle.spec.ts (glibc, live) share: every printf conversion trace-events formats use,
 * as a C call, and how glibc's answers are obtained — a static riscv64 program built by
 * riscv64-linux-gnu-gcc, one printf per case, run with qemu-riscv64. The transcript
 * tests/transcripts/trace/log-format/glibc-printf.json holds each call with glibc's output.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ArgType, TraceArg } from '../../src/trace/event-info.js';

export const GLIBC_PRINTF_KEY = 'trace/log-format/glibc-printf';
export const CROSS_GCC = 'riscv64-linux-gnu-gcc';
export const QEMU_USER = 'qemu-riscv64';

/** One case as the transcript keeps it: the C statement and what glibc printed (the line, without its newline). */
export type GlibcPrintf = {
  readonly call: string;
  readonly glibc: string;
};

// [format, C type of the argument, value]
export const CASES: readonly [string, ArgType, TraceArg][] = [
  ['%d', 'int32_t', -5],
  ['%u', 'int32_t', -1],
  ['%x', 'uint32_t', 0xdeadbeef],
  ['%X', 'uint32_t', 0xdeadbeef],
  ['%08x', 'uint32_t', 0x1234],
  ['[%-8x]', 'uint32_t', 0x1234],
  ['[%8x]', 'uint32_t', 0x1234],
  ['%#x', 'uint32_t', 0x1f],
  ['%#x', 'uint32_t', 0],
  ['%#o', 'uint32_t', 8],
  ['%o', 'uint32_t', 8],
  ['%#010x', 'uint32_t', 0xab],
  ['[%5d]', 'int32_t', -42],
  ['[%-5d]', 'int32_t', 42],
  ['[%05d]', 'int32_t', -42],
  ['%+d', 'int32_t', 7],
  ['% d', 'int32_t', 7],
  ['%.3d', 'int32_t', 7],
  ['[%.0d]', 'int32_t', 0],
  ['[%8.3x]', 'uint32_t', 0xa],
  ['%hhd', 'int32_t', 300],
  ['%hhu', 'int32_t', -1],
  ['%hu', 'uint32_t', 70000],
  ['%d', 'uint8_t', 0x1ff],
  ['%d', 'int8_t', 0xff],
  ['%d', 'bool', 5],
  ['%ld', 'int64_t', -9223372036854775808n],
  ['%lu', 'int64_t', -1n],
  ['%016lx', 'uint64_t', 0x80000000n],
  ['%lx', 'uint64_t', 0xffffffffffffffffn],
  ['%c', 'uint32_t', 65],
  ['[%s]', 'const char *', 'hello'],
  ['[%.2s]', 'const char *', 'hello'],
  ['[%10s]', 'const char *', 'hi'],
  ['[%-10s]', 'const char *', 'hi'],
  ['[%p]', 'void *', 0n],
  ['[%p]', 'void *', 0x1234n],
  ['[%20p]', 'void *', 0x1234n],
  ['[%-20p]', 'void *', 0xabcn],
  ['100%% %d', 'int32_t', 1],
];

/** The C statement printing one case on a line of its own. */
export function cCall([fmt, type, value]: readonly [string, ArgType, TraceArg]): string {
  return `printf(${JSON.stringify(fmt)} "\\n", (${type})${cValue(value)});`;
}

function cValue(value: TraceArg): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'bigint') return value < 0n ? `(${value + 1n}LL - 1)` : `${value}ULL`;
  return `${value}`;
}

/** The program: every case's printf, in order. */
export function cProgram(cases: readonly (readonly [string, ArgType, TraceArg])[]): string {
  const lines = cases.map((c) => `  ${cCall(c)}`);
  return `#include <stdio.h>\n#include <stdint.h>\n#include <stdbool.h>\nint main(void) {\n${lines.join('\n')}\n  return 0;\n}\n`;
}

/**
 * Each case printed by glibc's printf (oracle tier: builds and runs the program in `dir`);
 * `command` is the recipe as one line for the transcript.
 */
export function glibcPrintf(dir: string, cases: readonly (readonly [string, ArgType, TraceArg])[]): { value: GlibcPrintf[]; command: string[] } {
  const src = join(dir, 'printf.c');
  const exe = join(dir, 'printf');
  writeFileSync(src, cProgram(cases));
  const ccArgs = ['-static', '-O0', '-Wno-format', '-o', exe, src];
  const cc = spawnSync(CROSS_GCC, ccArgs, { encoding: 'utf8' });
  if (cc.status !== 0) throw new Error(cc.stderr);
  const run = spawnSync(QEMU_USER, [exe], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(run.stderr);
  const out = run.stdout.split('\n');
  if (out.length !== cases.length + 1 || out[cases.length] !== '') throw new Error(`expected ${cases.length} lines, got:\n${run.stdout}`);
  return {
    value: cases.map((c, i) => ({ call: cCall(c), glibc: out[i] })),
    command: [CROSS_GCC, ...ccArgs, '&&', QEMU_USER, exe],
  };
}
