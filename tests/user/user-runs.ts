/**
 * The recipes of the user-mode suite: each runs one program of tests/user/bin (built by
 * `make -C tests/user`) under tsemu-riscv64 or qemu-riscv64 with the same arguments, an empty
 * environment (so the stack, and every address -strace prints, is laid out the same), and the
 * repository root as working directory. user-diff.spec.ts holds tsemu to the committed QEMU
 * transcripts; user-diff.oracle.spec.ts runs QEMU live.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../support/run-guest.js';

export const QEMU_USER = 'qemu-riscv64';
export const SYSROOT = '/usr/riscv64-linux-gnu';

export interface UserRecipe {
  name: string;
  /** Options before the program. */
  options: string[];
  program: string;
  /** Arguments after it; `$DIR` is a fresh temporary directory. */
  args: string[];
  /** Compare -strace's stderr (PIDs and the /proc/self/exe length normalized) too. */
  strace?: boolean;
}

const PROGRAMS = ['hello', 'args', 'files', 'memory', 'misc', 'signals', 'procs', 'waits'];

function recipesFor(kind: 'static' | 'dynamic'): UserRecipe[] {
  const opts = kind === 'dynamic' ? ['-L', SYSROOT] : [];
  const bin = (p: string): string => `tests/user/bin/${p}-${kind}`;
  const list: UserRecipe[] = PROGRAMS.filter((p) => p !== 'args' && p !== 'files').map((p) => ({ name: `${p}-${kind}`, options: opts, program: bin(p), args: [] }));
  list.push(
    { name: `args-${kind}`, options: [...opts, '-E', 'TSEMU_T_A=1,TSEMU_T_EXIT=7', '-E', 'TSEMU_T_B=two words', '-U', 'TSEMU_T_A', '-0', 'renamed'], program: bin('args'), args: ['x', 'two words', ''] },
    { name: `files-${kind}`, options: opts, program: bin('files'), args: ['$DIR'] },
    // poll/select/epoll, eventfd, unix and loopback sockets between threads and a fork
    { name: `net-${kind}`, options: opts, program: bin('net'), args: ['$DIR'] },
    { name: `memory-segv-${kind}`, options: opts, program: bin('memory'), args: ['segv'] },
    { name: `hello-strace-${kind}`, options: [...opts, '-strace'], program: bin('hello'), args: [], strace: true },
    // QEMU's formats for rt_sigaction/rt_sigprocmask/kill/futex (WAKE_OP, the PI ops) and rt_sigsuspend
    { name: `waits-strace-${kind}`, options: [...opts, '-strace'], program: bin('waits'), args: ['alone'], strace: true },
    // what execve of args (argv and environment as procs.c passes them) must print: QEMU running it directly
    { name: `exec-target-${kind}`, options: [...opts, '-0', 'exec-child', '-E', 'TSEMU_T_EXIT=9'], program: bin('args'), args: ['one', 'two'] },
    { name: `threads-2-${kind}`, options: opts, program: bin('threads'), args: ['2'] },
    { name: `threads-4-${kind}`, options: opts, program: bin('threads'), args: ['4'] },
    { name: `threads-8-${kind}`, options: opts, program: bin('threads'), args: ['8'] },
  );
  // -R (QEMU's reserved_va): QEMU's placement from the top of the space (-strace's addresses) and
  // tsemu's flat memory: protections, guard pages, SIGSEGV's si_addr, fork's copy, threads
  const reserved = [...opts, '-R', '0x40000000'];
  list.push(
    { name: `hello-strace-reserved-${kind}`, options: [...reserved, '-strace'], program: bin('hello'), args: [], strace: true },
    { name: `memory-reserved-${kind}`, options: reserved, program: bin('memory'), args: [] },
    { name: `memory-segv-reserved-${kind}`, options: reserved, program: bin('memory'), args: ['segv'] },
    { name: `signals-reserved-${kind}`, options: reserved, program: bin('signals'), args: [] },
    { name: `procs-reserved-${kind}`, options: reserved, program: bin('procs'), args: [] },
    { name: `misc-reserved-${kind}`, options: [...opts, '-R', '1G'], program: bin('misc'), args: [] },
    { name: `threads-4-reserved-${kind}`, options: reserved, program: bin('threads'), args: ['4'] },
  );
  return list;
}

export const STATIC_RECIPES = recipesFor('static');

/**
 * procs with a program argument execs it (fork+execve, posix_spawn). qemu-riscv64 without binfmt_misc
 * cannot exec a RISC-V program; tsemu runs it as binfmt would, so what it must print is QEMU's
 * exec-target run twice, each followed by procs.c's report of the child's exit.
 */
export function execRecipe(kind: 'static' | 'dynamic'): UserRecipe {
  return { name: `procs-exec-${kind}`, options: kind === 'dynamic' ? ['-L', SYSROOT] : [], program: `tests/user/bin/procs-${kind}`, args: [`tests/user/bin/args-${kind}`] };
}

export function expectedExec(target: UserOutcome): UserOutcome {
  const code = target.status ?? 0;
  return {
    stdout: `${target.stdout}execve: exited ${code}\n${target.stdout}posix_spawn returned 0\nposix_spawn: exited ${code}\n`,
    status: 0, signal: null, strace: null,
  };
}
export const DYNAMIC_RECIPES = recipesFor('dynamic');

/** What a run gives: stdout, the exit status or signal, and (strace recipes) the normalized log. */
export interface UserOutcome {
  [key: string]: string | number | null;
  stdout: string;
  status: number | null;
  signal: string | null;
  strace: string | null;
}

/** -strace lines with the PID (each line's prefix, and wherever the process's pid appears) and the exe path's length made neutral. */
export function normalizeStrace(text: string, pid: number | undefined): string {
  let t = text.replace(/^\d+ /gm, 'PID ');
  // the pid as a result, an argument (kill) or si_pid
  if (pid !== undefined) t = t.replace(new RegExp(`\\b${pid}\\b`, 'g'), 'PID');
  return t.replace(/(readlinkat\(AT_FDCWD,"\/proc\/self\/exe",0x[0-9a-f]+,\d+\)) = \d+/g, '$1 = LEN');
}

export function runRecipe(command: readonly string[], r: UserRecipe, env: Readonly<Record<string, string>> = {}): UserOutcome {
  const dir = mkdtempSync(join(tmpdir(), 'tsemu-user-'));
  try {
    const args = [...r.options, r.program, ...r.args.map((a) => a.split('$DIR').join(dir))];
    const p = spawnSync(command[0], [...command.slice(1), ...args], { cwd: repoRoot(), env: { ...env }, encoding: 'utf8', timeout: 60_000 });
    return {
      stdout: p.stdout,
      status: p.status,
      signal: p.signal,
      strace: r.strace ? normalizeStrace(p.stderr, p.pid) : null,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** SIGINT from the terminal: waits.c prints "ready" and waits for it, with a handler or without. */
export const SIGINT_RECIPES: readonly UserRecipe[] = [
  { name: 'sigint-handled-static', options: [], program: 'tests/user/bin/waits-static', args: ['sigint', 'handle'] },
  { name: 'sigint-default-static', options: [], program: 'tests/user/bin/waits-static', args: ['sigint'] },
];

/**
 * Run a SIGINT recipe: the emulator gets SIGINT (as from the terminal) once the program has
 * printed "ready" (its handler, if any, is in place then); what it prints after, and how it ends.
 */
export function runSigintRecipe(command: readonly string[], r: UserRecipe, giveUpMs?: number): Promise<UserOutcome | 'gave up'> {
  return new Promise((resolve, reject) => {
    const p = spawn(command[0], [...command.slice(1), ...r.options, r.program, ...r.args], { cwd: repoRoot(), env: {}, stdio: ['ignore', 'pipe', 'inherit'] });
    let gaveUp = false;
    const timer = giveUpMs === undefined ? undefined : setTimeout(() => {
      gaveUp = true;
      p.kill('SIGKILL');
    }, giveUpMs);
    let stdout = '';
    let sent = false;
    p.stdout.setEncoding('utf8');
    p.stdout.on('data', (d: string) => {
      stdout += d;
      if (!sent && stdout.includes('ready\n')) {
        sent = true;
        p.kill('SIGINT');
      }
    });
    p.on('error', reject);
    p.on('close', (status, signal) => {
      clearTimeout(timer);
      resolve(gaveUp ? 'gave up' : { stdout, status, signal, strace: null });
    });
  });
}

export function tsemuCommand(): string[] {
  return [process.execPath, join(repoRoot(), 'bin', 'tsemu-riscv64.js')];
}

/** Bad input: QEMU's status and its stderr line, with QEMU's `qemu:` / `qemu-riscv64:` prefix as tsemu's. */
export interface BadInput {
  name: string;
  /** Arguments; `$TRUNC` is a copy of hello-static cut after 100 bytes, `$NOEXEC` one without x bits, `$NODE` an x86-64 ELF (node). */
  args: string[];
}

export const BAD_INPUTS: readonly BadInput[] = [
  { name: 'no-program', args: [] },
  { name: 'unknown-option', args: ['-foo', 'tests/user/bin/hello-static'] },
  { name: 'missing-argument', args: ['-L'] },
  { name: 'bad-cpu', args: ['-cpu', 'foo', 'tests/user/bin/hello-static'] },
  { name: 'missing-program', args: ['tests/user/bin/no-such-program'] },
  { name: 'not-riscv', args: ['$NODE'] },
  { name: 'truncated-elf', args: ['$TRUNC'] },
  { name: 'missing-interpreter', args: ['-L', '/nonexistent', 'tests/user/bin/hello-dynamic'] },
  { name: 'directory', args: ['tests/user'] },
  { name: 'not-executable', args: ['$NOEXEC'] },
  { name: 'text-file', args: ['tests/user/src/hello.c'] },
  { name: 'reserved-suffix', args: ['-R', '12X', 'tests/user/bin/hello-static'] },
  { name: 'reserved-too-big', args: ['-R', '99999999999999999999G', 'tests/user/bin/hello-static'] },
  { name: 'reserved-too-small', args: ['-R', '16M', 'tests/user/bin/hello-static'] },
];

/**
 * The bad inputs QEMU reports with "Error while loading PROGRAM: REASON" on stdout through printf
 * before _exit, so through a pipe its message is lost; tsemu says it on stderr: the line it must print.
 */
export const LOST_LOADING_ERRORS: Readonly<Record<string, string>> = {
  'missing-program': 'PROGRAM: Error while loading tests/user/bin/no-such-program: No such file or directory\n',
  directory: 'PROGRAM: Error while loading tests/user: Permission denied\n',
  'not-executable': 'PROGRAM: Error while loading $NOEXEC: Permission denied\n',
  'text-file': 'PROGRAM: Error while loading tests/user/src/hello.c: Permission denied\n',
};

export function runBadInput(command: readonly string[], b: BadInput): UserOutcome {
  const dir = mkdtempSync(join(tmpdir(), 'tsemu-user-'));
  try {
    const trunc = join(dir, 'trunc');
    const hello = readFileSync(join(repoRoot(), 'tests/user/bin/hello-static'));
    writeFileSync(trunc, hello.subarray(0, 100), { mode: 0o755 });
    const noexec = join(dir, 'noexec');
    writeFileSync(noexec, hello, { mode: 0o644 });
    const args = b.args.map((a) => a.replace('$TRUNC', trunc).replace('$NOEXEC', noexec).replace('$NODE', process.execPath));
    const p = spawnSync(command[0], [...command.slice(1), ...args], { cwd: repoRoot(), env: {}, encoding: 'utf8', timeout: 60_000 });
    const stderr = p.stderr.split(trunc).join('$TRUNC').split(noexec).join('$NOEXEC').split(process.execPath).join('$NODE')
      .replace(/^(qemu|qemu-riscv64|tsemu-riscv64): /gm, 'PROGRAM: ');
    return { stdout: p.stdout, status: p.status, signal: p.signal, strace: stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
