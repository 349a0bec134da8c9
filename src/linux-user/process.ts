/**
 * A new process image, as QEMU 7.2's linux-user builds it (loader_exec, load_elf_binary,
 * setup_arg_pages, create_elf_tables): the program, the stack with its guard page, the
 * interpreter, the signal trampoline page, then argv/envp/auxv on the stack. Addresses come out
 * where QEMU puts them, so `-strace` lines and printed pointers match.
 */
import { accessSync, constants, readFileSync, realpathSync, statSync } from 'node:fs';
import { AddressSpace, PROT_EXEC, PROT_READ, PROT_WRITE } from './address-space.js';
import { functionSymbols, type FunctionSymbol } from './elf-symbols.js';
import { ElfLoadError, hasElfMagic, loadElfImage, RESERVE_BRK, type LoadedImage } from './elf-load.js';
import { hostPath } from './paths.js';
import { PAGE_SIZE } from '../memory/guest-memory.js';

/** AT_HWCAP: the letters I, M, A, F, D, C (QEMU 7.2's riscv ELF_HWCAP for rv64gc). */
const HWCAP = (1 << 8) | (1 << 12) | (1 << 0) | (1 << 5) | (1 << 3) | (1 << 2);
/** `li a7, 139` (rt_sigreturn) and `ecall`: the trampoline QEMU writes for signal handlers' return. */
const SIGTRAMP = [0x08b00893, 0x00000073];

/** The program cannot be loaded: QEMU's "Error while loading PATH: strerror" (exit status 1). */
export class ExecError extends Error {
  constructor(readonly path: string, readonly errno: string) {
    super(`Error while loading ${path}: ${errno}`);
  }
}

export interface ProcessImage {
  entry: number;
  sp: number;
  brk: number;
  main: LoadedImage;
  interpBase: number;
  /** Absolute path of the program (/proc/self/exe). */
  exePath: string;
  /** The signal trampoline page (handlers return through it). */
  sigtramp: number;
  /** Where the auxv starts (for /proc/self/auxv, later). */
  auxv: number;
  /** Function symbols per image, the interpreter's first (QEMU's lookup order), when asked for. */
  symbols: FunctionSymbol[][];
}

export interface ExecRequest {
  path: string;
  argv: readonly string[];
  envp: readonly string[];
  ldPrefix: string;
  stackSize: number;
  random16: Uint8Array;
  /** Read the images' function symbols (`-d in_asm` names blocks by them). */
  symbols?: boolean;
}

/** prepare_binprm(): the checks that give "Error while loading" before any ELF parsing. */
function readProgram(path: string): Uint8Array {
  let st;
  try {
    st = statSync(path);
  } catch {
    throw new ExecError(path, 'No such file or directory');
  }
  if (!st.isFile() || (st.mode & 0o111) === 0) throw new ExecError(path, 'Permission denied');
  try {
    accessSync(path, constants.R_OK);
  } catch {
    throw new ExecError(path, 'Permission denied');
  }
  const bytes = readFileSync(path);
  if (!hasElfMagic(bytes)) throw new ExecError(path, 'Exec format error');
  return bytes;
}

/** load_elf_interp(): the interpreter, looked up under the -L prefix first. */
function readInterpreter(name: string, prefix: string): Uint8Array {
  try {
    return readFileSync(hostPath(prefix, name));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'EACCES' ? 'Permission denied' : code === 'EISDIR' ? 'Is a directory' : 'No such file or directory';
    throw new ElfLoadError(`Could not open '${name}': ${why}`, { cause: 'interp' });
  }
}

/** copy_elf_strings(): strings stored downwards from `p`, the last one first; returns the new p. */
function pushStrings(space: AddressSpace, p: number, strings: readonly string[]): number {
  for (let i = strings.length - 1; i >= 0; i--) {
    const bytes = Buffer.from(`${strings[i]}\0`, 'utf8');
    p -= bytes.length;
    space.write(p, bytes);
  }
  return p;
}

function hostIds(): { uid: number; euid: number; gid: number; egid: number } {
  return {
    uid: process.getuid?.() ?? 0, euid: process.geteuid?.() ?? 0,
    gid: process.getgid?.() ?? 0, egid: process.getegid?.() ?? 0,
  };
}

/** create_elf_tables(): random bytes, then argc, argv[], envp[], auxv, 16-byte aligned. */
function buildTables(space: AddressSpace, req: ExecRequest, strings: { p: number; args: number; envs: number; file: number }, main: LoadedImage, interpBase: number): { sp: number; auxv: number } {
  let sp = Math.floor(strings.p / 16) * 16 - 16;
  const random = sp;
  space.write(random, req.random16);
  const ids = hostIds();
  const aux: [number, number][] = [
    [3, main.phdr], [4, main.phent], [5, main.phnum], [6, PAGE_SIZE], [7, interpBase], [8, 0], [9, main.entry],
    [11, ids.uid], [12, ids.euid], [13, ids.gid], [14, ids.egid], [16, HWCAP], [17, 100], [25, random], [23, 0],
    [31, strings.file], [0, 0],
  ];
  const words = aux.length * 2 + req.envp.length + req.argv.length + 3;
  sp = Math.floor((sp - words * 8) / 16) * 16;
  const table: bigint[] = [BigInt(req.argv.length)];
  let p = strings.args;
  for (const a of req.argv) {
    table.push(BigInt(p));
    p += Buffer.byteLength(a, 'utf8') + 1;
  }
  table.push(0n);
  p = strings.envs;
  for (const e of req.envp) {
    table.push(BigInt(p));
    p += Buffer.byteLength(e, 'utf8') + 1;
  }
  table.push(0n);
  const auxv = sp + table.length * 8;
  for (const [k, v] of aux) table.push(BigInt(k), BigInt(v));
  const bytes = new Uint8Array(table.length * 8);
  const view = new DataView(bytes.buffer);
  table.forEach((v, i) => view.setBigUint64(i * 8, BigInt.asUintN(64, v), true));
  space.write(sp, bytes);
  return { sp, auxv };
}

/** The trampoline page signal handlers return through (QEMU 7.2's setup_sigtramp). */
function mapSigtramp(space: AddressSpace): number {
  const page = space.findFree(0, PAGE_SIZE);
  space.map(page, PAGE_SIZE, PROT_READ | PROT_WRITE);
  const code = new Uint8Array(new Uint32Array(SIGTRAMP).buffer);
  space.write(page, code);
  space.protect(page, PAGE_SIZE, PROT_READ | PROT_EXEC);
  return page;
}

/** Build the process image for `req` in `space` (empty). Throws ExecError or ElfLoadError. */
export function execImage(space: AddressSpace, req: ExecRequest): ProcessImage {
  const file = readProgram(req.path);
  const main = loadElfImage(space, file, true);
  const guard = PAGE_SIZE;
  const stackBase = space.findFree(0, req.stackSize + guard);
  space.map(stackBase, req.stackSize + guard, PROT_READ | PROT_WRITE);
  space.protect(stackBase, guard, 0);
  const top = stackBase + guard + req.stackSize;
  let p = top - 8;
  p = pushStrings(space, p, [req.path]);
  const file0 = p;
  p = pushStrings(space, p, req.envp);
  const envs = p;
  p = pushStrings(space, p, req.argv);
  const args = p;
  let entry = main.entry;
  let interpBase = 0;
  const symbols = req.symbols === true ? [functionSymbols(file, main.bias)] : [];
  if (main.interp !== undefined) {
    const interpFile = readInterpreter(main.interp, req.ldPrefix);
    const interp = loadElfImage(space, interpFile, false);
    interpBase = interp.start;
    entry = interp.entry;
    if (req.symbols === true) symbols.unshift(functionSymbols(interpFile, interp.bias));
  }
  const sigtramp = mapSigtramp(space);
  const { sp, auxv } = buildTables(space, req, { p, args, envs, file: file0 }, main, interpBase);
  space.unmap(main.brk, RESERVE_BRK);
  let exePath = req.path;
  try {
    exePath = realpathSync(req.path);
  } catch {
    // the file was readable a moment ago; keep the path as given
  }
  return { entry, sp, brk: main.brk, main, interpBase, exePath, auxv, sigtramp, symbols };
}
