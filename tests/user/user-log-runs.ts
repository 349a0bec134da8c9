/**
 * `-d in_asm` in user mode, shared by user-log.spec.ts (committed transcript) and
 * user-log.oracle.spec.ts (live qemu-riscv64): hello-static with `-singlestep -d in_asm -D LOG`,
 * so every instruction the program runs is a block of its own, logged once when first translated
 * (qemu-riscv64's blocks end elsewhere than tsemu's, which follow a jal within the page). The
 * transcript keeps stdout, the exit status and the whole log (`IN: symbol` headers, no Priv line),
 * gzip-compressed, base64 in chunks (tests/disas/in-asm-runs.ts's packing).
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../support/run-guest.js';
import { packRun, unpackLines, type InAsmRun } from '../disas/in-asm-runs.js';

export const IN_ASM_KEY = 'user/in-asm-singlestep-static';
export const IN_ASM_PROGRAM = 'tests/user/bin/hello-static';

export type UserInAsmRun = InAsmRun & { readonly stdout: string };

/** Run `command` with `options` -d in_asm -D LOG on hello-static: stdout, status and the log's lines. */
export function runInAsm(command: readonly string[], options: readonly string[]): UserInAsmRun {
  return runLogged(command, options, 'in_asm', Infinity);
}

/** hello-static's `-d in_asm` without -singlestep: QEMU's blocks (user mode translates them for the log). */
export const IN_ASM_BLOCKS_KEY = 'user/in-asm-static';
/** hello-static's `-singlestep -d exec`: every block QEMU runs, host pointers normalized. */
export const EXEC_KEY = 'user/exec-singlestep-static';

/**
 * `-d exec` on hello-static: stdout, status and the log with QEMU's host code pointers replaced by
 * PTR and its "Linking TBs" lines (host pointers only, no guest meaning) left out.
 */
export function runExecLog(command: readonly string[], options: readonly string[]): UserInAsmRun {
  // glibc's start-up copies the directory of /proc/self/exe (the program's absolute path), so how
  // many blocks run depends on where the program lies: run a copy at a path of fixed length
  const r = runLogged(command, options, 'exec', Infinity, true);
  const lines = unpackLines(r).filter((l) => !l.startsWith('Linking TBs ')).map((l) => l.replace(/^(Trace \d+): 0x[0-9a-f]+ /, '$1: PTR '));
  return { stdout: r.stdout, ...packRun(r.status, lines) };
}

export const CPU_KEY = 'user/cpu-singlestep-static';
/**
 * Lines of `-singlestep -d cpu` compared: the register dumps before set_tid_address returns the
 * pid (about 6,770 lines in; from there registers hold the pid and AT_RANDOM's bytes).
 */
export const CPU_LINES = 6000;

/** -singlestep -d cpu on hello-static: the first CPU_LINES lines of the log. */
export function runCpuLog(command: readonly string[]): UserInAsmRun {
  return runLogged(command, ['-singlestep'], 'cpu', CPU_LINES);
}

function runLogged(command: readonly string[], options: readonly string[], items: string, maxLines: number, fixedPath = false): UserInAsmRun {
  // fixedPath: /tmp/tsemu-user-log-XXXXXX/hello-static, the same length on every machine and checkout
  const dir = mkdtempSync(join(fixedPath ? '/tmp' : tmpdir(), 'tsemu-user-log-'));
  try {
    const log = join(dir, 'log');
    const program = fixedPath ? './hello-static' : IN_ASM_PROGRAM;
    if (fixedPath) copyFileSync(join(repoRoot(), IN_ASM_PROGRAM), join(dir, 'hello-static'));
    const p = spawnSync(command[0], [...command.slice(1), ...options, '-d', items, '-D', log, program], { cwd: fixedPath ? dir : repoRoot(), env: {}, encoding: 'utf8', timeout: 120_000 });
    const text = readFileSync(log, 'utf8');
    return { stdout: p.stdout, ...packRun(p.status, text.split('\n').slice(0, maxLines)) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
