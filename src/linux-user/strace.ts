/**
 * `-strace` lines as QEMU 7.2's linux-user prints them: `PID name(args)` before the call and
 * ` = result` after it (two writes, so output the call makes lands between them, as with QEMU),
 * checked against qemu-riscv64 7.2. A syscall without a format here prints QEMU's generic form,
 * six arguments in signed decimal.
 */
import { SYSCALL_NAMES } from './syscall-names.js';
import { errnoText } from './errno.js';

/** How one argument prints. */
type ArgKind =
  | 'd' | 'u' | 'x' | 'o' | 'p' | 'ptr' | 'str' | 'dirfd' | 'ld' | 'lx'
  | 'prot' | 'mmap' | 'open' | 'access' | 'atflags' | 'whence' | 'clock' | 'ioctl' | 'timespec' | 'unlinkflags'
  | 'signal' | 'futexop' | 'sighow';

interface Format {
  args: readonly ArgKind[];
  /** How the result prints: signed decimal, an address, or a clock's timespec after it. */
  ret?: 'addr' | 'clock';
  /** The call does not return (exit): the line ends after the arguments. */
  noReturn?: boolean;
  /** Which argument each printed one is, when not the first ones in order (QEMU's print_futex prints arg4 twice). */
  from?: readonly number[];
}

const FORMATS: Readonly<Record<string, Format>> = {
  brk: { args: ['ptr'], ret: 'addr' },
  mmap: { args: ['ptr', 'ld', 'prot', 'mmap', 'd', 'lx'], ret: 'addr' },
  munmap: { args: ['ptr', 'ld'] },
  mprotect: { args: ['ptr', 'ld', 'prot'] },
  close: { args: ['d'] },
  read: { args: ['d', 'x', 'd'] },
  write: { args: ['d', 'x', 'd'] },
  getcwd: { args: ['p', 'd'] },
  getdents64: { args: ['d', 'p', 'd'] },
  getrandom: { args: ['p', 'u', 'u'] },
  uname: { args: ['p'] },
  getpid: { args: [] },
  getppid: { args: [] },
  gettid: { args: [] },
  dup: { args: ['d'] },
  chdir: { args: ['str'] },
  exit: { args: ['d'], noReturn: true },
  exit_group: { args: ['d'], noReturn: true },
  openat: { args: ['dirfd', 'str', 'open'] },
  newfstatat: { args: ['dirfd', 'str', 'ptr', 'x'] },
  faccessat: { args: ['dirfd', 'str', 'access', 'atflags'] },
  readlinkat: { args: ['dirfd', 'str', 'ptr', 'd'] },
  mkdirat: { args: ['dirfd', 'str', 'o'] },
  unlinkat: { args: ['dirfd', 'str', 'unlinkflags'] },
  lseek: { args: ['d', 'ld', 'whence'] },
  ioctl: { args: ['d', 'ioctl', 'ptr'] },
  clock_gettime: { args: ['clock', 'ptr'], ret: 'clock' },
  clock_getres: { args: ['clock', 'ptr'], ret: 'clock' },
  clock_nanosleep: { args: ['clock', 'd', 'timespec', 'ptr'] },
  fchmod: { args: ['d', 'o'] },
  umask: { args: ['o'] },
  fstatfs: { args: ['d', 'p'] },
  writev: { args: ['d', 'p', 'x'] },
  sigaltstack: { args: ['p', 'p'] },
  futex: { args: ['ptr', 'futexop', 'd', 'ptr', 'ptr', 'd'], from: [0, 1, 2, 3, 4, 4] },
  kill: { args: ['d', 'signal'] },
  tkill: { args: ['d', 'signal'] },
  tgkill: { args: ['d', 'd', 'signal'] },
  rt_sigaction: { args: ['signal', 'ptr', 'ptr'] },
  rt_sigprocmask: { args: ['sighow', 'ptr', 'ptr'] },
};

/** The signals QEMU 7.2's print_signal names; others print as numbers. */
const SIGNAL_NAMES: ReadonlyMap<number, string> = new Map([
  [1, 'SIGHUP'], [2, 'SIGINT'], [3, 'SIGQUIT'], [4, 'SIGILL'], [6, 'SIGABRT'], [8, 'SIGFPE'], [9, 'SIGKILL'], [11, 'SIGSEGV'],
  [13, 'SIGPIPE'], [14, 'SIGALRM'], [15, 'SIGTERM'], [10, 'SIGUSR1'], [12, 'SIGUSR2'], [17, 'SIGCHLD'], [18, 'SIGCONT'],
  [19, 'SIGSTOP'], [21, 'SIGTTIN'], [22, 'SIGTTOU'],
]);

/** QEMU's print_futex_op: the private and clock flags, then the operation's name (an unknown one in decimal). */
const FUTEX_OPS = ['FUTEX_WAIT', 'FUTEX_WAKE', 'FUTEX_FD', 'FUTEX_REQUEUE', 'FUTEX_CMP_REQUEUE', 'FUTEX_WAKE_OP', 'FUTEX_LOCK_PI',
  'FUTEX_UNLOCK_PI', 'FUTEX_TRYLOCK_PI', 'FUTEX_WAIT_BITSET', 'FUTEX_WAKE_BITSET'];

function futexOpText(op: number): string {
  let text = '';
  let cmd = op;
  if ((cmd & 128) !== 0) {
    text += 'FUTEX_PRIVATE_FLAG|';
    cmd &= ~128;
  }
  if ((cmd & 256) !== 0) {
    text += 'FUTEX_CLOCK_REALTIME|';
    cmd &= ~256;
  }
  return text + (FUTEX_OPS[cmd] ?? String(cmd));
}

type Flag = readonly [string, number];
const PROT_FLAGS: readonly Flag[] = [['PROT_EXEC', 4], ['PROT_READ', 1], ['PROT_WRITE', 2]];
const MMAP_FLAGS: readonly Flag[] = [
  ['MAP_SHARED', 1], ['MAP_PRIVATE', 2], ['MAP_ANONYMOUS', 0x20], ['MAP_DENYWRITE', 0x800], ['MAP_FIXED', 0x10],
  ['MAP_GROWSDOWN', 0x100], ['MAP_EXECUTABLE', 0x1000], ['MAP_LOCKED', 0x2000], ['MAP_NONBLOCK', 0x10000],
  ['MAP_NORESERVE', 0x4000], ['MAP_POPULATE', 0x8000], ['MAP_HUGETLB', 0x40000], ['MAP_STACK', 0x20000],
  ['MAP_FIXED_NOREPLACE', 0x100000],
];
const OPEN_FLAGS: readonly Flag[] = [
  ['O_APPEND', 0o2000], ['O_CREAT', 0o100], ['O_DIRECTORY', 0o200000], ['O_EXCL', 0o200], ['O_LARGEFILE', 0o100000],
  ['O_NOCTTY', 0o400], ['O_NOFOLLOW', 0o400000], ['O_NONBLOCK', 0o4000], ['O_DSYNC', 0o10000], ['O_SYNC', 0o4010000],
  ['O_TRUNC', 0o1000], ['O_ASYNC', 0o20000], ['O_DIRECT', 0o40000], ['O_NOATIME', 0o1000000], ['O_CLOEXEC', 0o2000000],
  ['O_PATH', 0o10000000],
];
const ACCESS_FLAGS: readonly Flag[] = [['R_OK', 4], ['W_OK', 2], ['X_OK', 1]];
const AT_FLAGS: readonly Flag[] = [['AT_EACCESS', 0x200], ['AT_SYMLINK_NOFOLLOW', 0x100]];
const CLOCKS = ['CLOCK_REALTIME', 'CLOCK_MONOTONIC', 'CLOCK_PROCESS_CPUTIME_ID', 'CLOCK_THREAD_CPUTIME_ID', 'CLOCK_MONOTONIC_RAW',
  'CLOCK_REALTIME_COARSE', 'CLOCK_MONOTONIC_COARSE', 'CLOCK_BOOTTIME', 'CLOCK_REALTIME_ALARM', 'CLOCK_BOOTTIME_ALARM'];
const IOCTLS: ReadonlyMap<number, string> = new Map([
  [0x5401, 'TCGETS'], [0x5402, 'TCSETS'], [0x5403, 'TCSETSW'], [0x5404, 'TCSETSF'], [0x5413, 'TIOCGWINSZ'],
  [0x540f, 'TIOCGPGRP'], [0x5410, 'TIOCSPGRP'], [0x541b, 'FIONREAD'], [0x5421, 'FIONBIO'],
]);

/** QEMU's print_flags(): matching names joined by '|', what is left as |%#x; nothing matched: %#x. */
function flagsText(table: readonly Flag[], value: number): string {
  const names: string[] = [];
  let rest = value >>> 0;
  for (const [name, bit] of table) {
    if (bit !== 0 && (rest & bit) === bit) {
      names.push(name);
      rest = (rest & ~bit) >>> 0;
    }
  }
  if (names.length === 0) return hex32(rest);
  return rest !== 0 ? `${names.join('|')}|${hex32(rest)}` : names.join('|');
}

function hex32(v: number): string {
  return v === 0 ? '0' : `0x${(v >>> 0).toString(16)}`;
}

/** glibc's %p: 0x and the digits, `(nil)` for 0. */
function glibcPointer(v: bigint): string {
  return v === 0n ? '(nil)' : `0x${BigInt.asUintN(64, v).toString(16)}`;
}

/** QEMU's print_pointer(): NULL, or 0x and 16 digits. */
export function qemuPointer(v: bigint): string {
  return v === 0n ? 'NULL' : `0x${BigInt.asUintN(64, v).toString(16).padStart(16, '0')}`;
}

/** Reads guest memory for string and struct arguments (undefined where it faults). */
export interface StraceMemory {
  cString(addr: number): string | undefined;
  u64(addr: number): bigint | undefined;
}

function openFlagsText(flags: number): string {
  const acc = ['O_RDONLY', 'O_WRONLY', 'O_RDWR', '0x3'][flags & 3];
  const rest = flags & ~3;
  return rest === 0 ? acc : `${acc}|${flagsText(OPEN_FLAGS, rest)}`;
}

function timespecText(mem: StraceMemory, addr: bigint): string {
  if (addr === 0n) return 'NULL';
  const sec = mem.u64(Number(addr));
  const nsec = mem.u64(Number(addr) + 8);
  if (sec === undefined || nsec === undefined) return qemuPointer(addr);
  return `{tv_sec = ${BigInt.asIntN(64, sec)},tv_nsec = ${BigInt.asIntN(64, nsec)}}`;
}

function argText(kind: ArgKind, v: bigint, mem: StraceMemory): string {
  const i32 = Number(BigInt.asIntN(32, v));
  switch (kind) {
    case 'd': return String(i32);
    case 'u': return String(i32 >>> 0);
    case 'x': return hex32(i32);
    case 'o': return i32 === 0 ? '0' : `0${(i32 >>> 0).toString(8)}`;
    case 'p': return glibcPointer(v);
    case 'ptr': return qemuPointer(v);
    case 'ld': return String(BigInt.asIntN(64, v));
    case 'lx': return v === 0n ? '0' : `0x${BigInt.asUintN(64, v).toString(16)}`;
    case 'str': {
      const s = v === 0n ? undefined : mem.cString(Number(v));
      return s === undefined ? qemuPointer(v) : `"${s}"`;
    }
    case 'dirfd': return i32 === -100 ? 'AT_FDCWD' : String(i32);
    case 'prot': return i32 === 0 ? 'PROT_NONE' : flagsText(PROT_FLAGS, i32);
    case 'mmap': return flagsText(MMAP_FLAGS, i32);
    case 'open': return openFlagsText(i32);
    case 'access': return i32 === 0 ? 'F_OK' : flagsText(ACCESS_FLAGS, i32);
    case 'atflags': return flagsText(AT_FLAGS, i32);
    case 'unlinkflags': return flagsText([['AT_REMOVEDIR', 0x200]], i32);
    case 'whence': return ['SEEK_SET', 'SEEK_CUR', 'SEEK_END', 'SEEK_DATA', 'SEEK_HOLE'][i32] ?? String(i32);
    case 'clock': return CLOCKS[i32] ?? String(i32);
    case 'ioctl': return IOCTLS.get(i32 >>> 0) ?? hex32(i32);
    case 'timespec': return timespecText(mem, v);
    case 'signal': return SIGNAL_NAMES.get(Number(v)) ?? String(BigInt.asIntN(64, v));
    case 'futexop': return futexOpText(i32);
    case 'sighow': return ['SIG_BLOCK', 'SIG_UNBLOCK', 'SIG_SETMASK'][i32] ?? '(null)';
  }
}

function nameOf(nr: number): string | undefined {
  return SYSCALL_NAMES.get(nr);
}

/** The part printed before the call: `PID name(args)`, or QEMU's line for an unknown number. */
export function straceCall(pid: number, nr: number, args: readonly bigint[], mem: StraceMemory): string {
  const name = nameOf(nr);
  if (name === undefined) return `${pid} Unknown syscall ${nr}\n`;
  const f = FORMATS[name];
  let text: string;
  if (!f) {
    text = `${name}(${args.slice(0, 6).map((a) => String(BigInt.asIntN(64, a))).join(',')})`;
  } else {
    const shown = f.args.map((k, i) => argText(k, args[f.from?.[i] ?? i], mem));
    if (name === 'openat' && (Number(args[2]) & (0o100 | 0o20000000)) !== 0) shown.push(argText('o', args[3], mem));
    text = `${name}(${shown.join(',')})`;
  }
  return `${pid} ${text}${f?.noReturn ? '\n' : ''}`;
}

/** The part printed after the call: ` = result` (errors: ` = -1 errno=N (text)`). */
export function straceReturn(nr: number, ret: bigint, args: readonly bigint[], mem: StraceMemory): string {
  const name = nameOf(nr);
  if (name === undefined) return '';
  const f = FORMATS[name];
  if (f?.noReturn) return '';
  const r = BigInt.asIntN(64, ret);
  if (r < 0n && r >= -4095n) return ` = -1 errno=${-r} (${errnoText(Number(-r))})\n`;
  if (f?.ret === 'addr') return ` = ${qemuPointer(r)}\n`;
  if (f?.ret === 'clock') return ` = ${r} (${timespecText(mem, args[1])})\n`;
  return ` = ${r}\n`;
}
