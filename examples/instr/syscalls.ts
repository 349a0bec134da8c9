/*
 * A per-thread histogram of a Linux program's system calls (user mode): every guest thread is a
 * vCPU, guest_user_syscall fires in its worker with the call's number, and the counts go to a
 * scoreboard row of that vCPU, which qi_merge prints: only the main instance runs it, once, after
 * every thread's instance ran qi_fini (a thread's instance finishes when its thread ends, when the
 * scoreboard does not hold the other threads' final counts yet).
 *
 *   tsemu-riscv64 -instr file=examples/instr/syscalls.ts ./prog
 *   tsemu-riscv64 -instr file=examples/instr/syscalls.ts,arg=top=5 ./prog   (5 calls per thread)
 *
 * Prints, for each thread that ran (in vCPU order: the main thread is cpu 0), its calls by count.
 */
import type { QICPU, QIScoreboard } from 'tsemu/qemu-instr';
import { QI_EVENT_GUEST_CPU_ENTER, QI_EVENT_GUEST_USER_SYSCALL } from 'tsemu/qemu-instr/events';
import { qi_ctrl_event_set, qi_scoreboard_new, qi_trace_event_set_state_dynamic } from 'tsemu/qemu-instr/control';

/** Counters 0..NR_MAX-1: calls by number; STARTED: the thread ran. */
const NR_MAX = 512;
const STARTED = NR_MAX;
const MAX_THREADS = 256;
let board: QIScoreboard;
let top = NR_MAX;

/* the names of the RISC-V generic table's common calls; others print as syscall_N */
const NAMES: Record<number, string> = {
  17: 'getcwd', 19: 'eventfd2', 20: 'epoll_create1', 21: 'epoll_ctl', 22: 'epoll_pwait', 23: 'dup', 24: 'dup3',
  25: 'fcntl', 29: 'ioctl', 34: 'mkdirat', 35: 'unlinkat', 46: 'ftruncate', 48: 'faccessat', 49: 'chdir',
  56: 'openat', 57: 'close', 59: 'pipe2', 61: 'getdents64', 62: 'lseek', 63: 'read', 64: 'write', 65: 'readv',
  66: 'writev', 67: 'pread64', 68: 'pwrite64', 72: 'pselect6', 73: 'ppoll', 78: 'readlinkat', 79: 'newfstatat',
  80: 'fstat', 93: 'exit', 94: 'exit_group', 96: 'set_tid_address', 98: 'futex', 99: 'set_robust_list',
  101: 'nanosleep', 113: 'clock_gettime', 115: 'clock_nanosleep', 124: 'sched_yield', 129: 'kill', 131: 'tgkill',
  132: 'sigaltstack', 134: 'rt_sigaction', 135: 'rt_sigprocmask', 139: 'rt_sigreturn', 160: 'uname',
  169: 'gettimeofday', 172: 'getpid', 173: 'getppid', 174: 'getuid', 175: 'geteuid', 176: 'getgid',
  177: 'getegid', 178: 'gettid', 198: 'socket', 199: 'socketpair', 200: 'bind', 201: 'listen', 202: 'accept',
  203: 'connect', 204: 'getsockname', 205: 'getpeername', 206: 'sendto', 207: 'recvfrom', 208: 'setsockopt',
  209: 'getsockopt', 210: 'shutdown', 211: 'sendmsg', 212: 'recvmsg', 214: 'brk', 215: 'munmap', 216: 'mremap',
  220: 'clone', 221: 'execve', 222: 'mmap', 226: 'mprotect', 233: 'madvise', 242: 'accept4', 260: 'wait4',
  261: 'prlimit64', 278: 'getrandom', 293: 'rseq', 435: 'clone3',
};

export function on_syscall(cpu: QICPU, num: bigint): void {
  board.add(cpu, num < BigInt(NR_MAX) ? Number(num) : NR_MAX - 1, 1);
}

export function on_start(cpu: QICPU): void {
  board.add(cpu, STARTED, 1);
}

export function qi_init(argc: number, argv: readonly string[]): void {
  for (let i = 0; i < argc; i++) {
    const m = /^top=(\d+)$/.exec(argv[i]);
    if (m) top = Number(m[1]);
  }
  board = qi_scoreboard_new(NR_MAX + 1); /* one row per vCPU = guest thread, shared by every instance */
  qi_ctrl_event_set(QI_EVENT_GUEST_USER_SYSCALL, on_syscall);
  qi_trace_event_set_state_dynamic(QI_EVENT_GUEST_USER_SYSCALL, true);
  qi_ctrl_event_set(QI_EVENT_GUEST_CPU_ENTER, on_start);
  qi_trace_event_set_state_dynamic(QI_EVENT_GUEST_CPU_ENTER, true);
}

export function qi_fini(): void { /* each instance: nothing to hand over, the rows are on the scoreboard */ }

export function qi_merge(): void {
  let total = 0n;
  let threads = 0;
  for (let cpu = 0; cpu < MAX_THREADS; cpu++) {
    if (board.get(cpu, STARTED) === 0n) continue;
    threads++;
    const rows: [number, bigint][] = [];
    for (let nr = 0; nr < NR_MAX; nr++) {
      const n = board.get(cpu, nr);
      if (n !== 0n) rows.push([nr, n]);
    }
    rows.sort((a, b) => (a[1] === b[1] ? a[0] - b[0] : a[1] > b[1] ? -1 : 1));
    const calls = rows.reduce((s, r) => s + r[1], 0n);
    total += calls;
    console.log(`syscalls: thread ${cpu}: ${calls} calls`);
    for (const [nr, n] of rows.slice(0, top)) console.log(`  ${(NAMES[nr] ?? `syscall_${nr}`).padEnd(18)} ${n}`);
  }
  console.log(`syscalls: total ${total} calls in ${threads} threads`);
}
