/**
 * Reading U-Boot's console output: the lines where tsemu legitimately differs
 * from QEMU 7.2 (masked before comparing), and parsers for `md` dumps and
 * `bdinfo`, plus the bytes an ELF file puts at a physical address.
 */
import { readFileSync } from 'node:fs';

/** One line shape whose value may differ between QEMU and tsemu; `replace` null drops the line. */
interface Difference {
  readonly line: RegExp;
  readonly replace: string | null;
}

/**
 * Every line allowed to differ, and why. Only the value is masked (the label
 * stays), so a line missing on one side still shows up as a difference.
 */
const LEGITIMATE_DIFFERENCES: readonly Difference[] = [
  // QEMU 7.2's default rv64 CPU has the H extension, tsemu is RV64GC without it: OpenSBI prints the
  // base ISA, and its delegation masks include H-only causes (VS interrupts, guest page faults, VS ecall).
  { line: /^(Boot HART Base ISA\s*: ).*$/, replace: '$1<isa: no H in tsemu>' },
  { line: /^(Boot HART MIDELEG\s*: ).*$/, replace: '$1<mideleg: H bits>' },
  { line: /^(Boot HART MEDELEG\s*: ).*$/, replace: '$1<medeleg: H bits>' },
  // OpenSBI counts the mhpmcounters that hold a written value: QEMU 7.2 has 16, tsemu's read as zero
  // (a legal WARL choice).
  { line: /^(Boot HART MHPM Count\s*: ).*$/, replace: '$1<hpm counters>' },
  // U-Boot prints the device tree's riscv,isa: QEMU's also names H, Zba/Zbb/Zbc/Zbs and Zihintpause.
  { line: /^(CPU:\s+).*$/, replace: '$1<riscv,isa>' },
  // tsemu does not emulate the two CFI flash banks at 0x20000000 (see src/machine/virt-fdt.ts), so
  // U-Boot binds fewer devices, finds no flash, and bdinfo has no flash bank.
  { line: /^(Core:\s+)\d+ devices, \d+ uclasses/, replace: '$1<n> devices, <n> uclasses' },
  { line: /^Flash: /, replace: null },
  { line: /^(flashstart|flashsize)(\s+= ).*$/, replace: '$1$2<flash>' },
  // The device tree is smaller without those nodes, so U-Boot's relocated copy starts higher (it ends
  // at the same address: checked separately) and so do the addresses derived from it.
  { line: /^(Working FDT set to ).*$/, replace: '$1<fdt>' },
  { line: /^(fdt_blob|new_fdt|fdt_size)(\s+= ).*$/, replace: '$1$2<fdt>' },
  { line: /^(fdt_addr|fdtaddr|fdtcontroladdr)=.*$/, replace: '$1=<fdt>' },
  // Timing: the countdown shows " 0" or " 0 " depending on whether the key press arrived before
  // U-Boot's first check or inside its 10 ms polling loop, and how far it had counted.
  { line: /^(Hit any key to stop autoboot:).*$/, replace: '$1 <countdown>' },
];

/**
 * lmb reserves from just below U-Boot's stack pointer, which sits right under
 * the relocated FDT, to the end of RAM: that reservation's start moves with the
 * FDT. It is recognised as the one starting at most this far below the FDT.
 */
const STACK_RESERVATION_BELOW_FDT = 0x10000n;

/** Splits console text into lines (U-Boot ends lines with \r\n). */
export function consoleLines(text: string): string[] {
  return text.split('\n').map((l) => l.replace(/\r$/, ''));
}

/**
 * Masks the legitimately differing values in a transcript section. `fdt` is
 * the address of U-Boot's relocated device tree (see fdtAddress): the lmb
 * reservation that starts just below it moves with it.
 */
export function maskDifferences(text: string, fdt: bigint | undefined): string {
  const out: string[] = [];
  for (const line of consoleLines(text)) {
    const masked = maskLine(line, fdt);
    if (masked !== null) out.push(masked);
  }
  return out.join('\n');
}

function maskLine(line: string, fdt: bigint | undefined): string | null {
  for (const d of LEGITIMATE_DIFFERENCES) {
    if (d.line.test(line)) return d.replace === null ? null : line.replace(d.line, d.replace);
  }
  const reserved = /^( reserved\[\d+\]\t\[)0x([0-9a-f]+)(-0x[0-9a-f]+\], )0x[0-9a-f]+( bytes.*)$/.exec(line);
  if (reserved && fdt !== undefined) {
    const start = BigInt(`0x${reserved[2]}`);
    if (start <= fdt && fdt - start < STACK_RESERVATION_BELOW_FDT) return `${reserved[1]}<fdt - n>${reserved[3]}<size>${reserved[4]}`;
  }
  return line;
}

/** U-Boot's relocated device tree address, from "Working FDT set to <hex>" (the last one printed). */
export function fdtAddress(text: string): bigint | undefined {
  const all = [...text.matchAll(/Working FDT set to ([0-9a-f]+)/g)];
  const last = all[all.length - 1];
  return last ? BigInt(`0x${last[1]}`) : undefined;
}

/** `bdinfo` output as name → value ("-> size     = 0x..." gives "-> size"). */
export function parseBdinfo(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of consoleLines(text)) {
    const m = /^(\S.*?)\s*= (.*)$/.exec(line);
    if (m) fields.set(m[1], m[2]);
  }
  return fields;
}

/** `printenv` output as name → value. */
export function parseEnv(text: string): Map<string, string> {
  const vars = new Map<string, string>();
  for (const line of consoleLines(text)) {
    const m = /^([A-Za-z_][\w.]*)=(.*)$/.exec(line);
    if (m) vars.set(m[1], m[2]);
  }
  return vars;
}

export interface MemoryDump {
  readonly start: bigint;
  /** The dumped memory in address order (each md word converted back to little-endian bytes). */
  readonly bytes: Uint8Array;
  /** Bytes per displayed word (md.b 1, md.w 2, md.l 4, md.q 8). */
  readonly unit: number;
}

/** Parses `md[.b|.w|.l|.q]` output: "addr: word word ...  ascii" lines. */
export function parseMd(text: string): MemoryDump {
  const bytes: number[] = [];
  let start: bigint | undefined;
  let unit = 0;
  for (const line of consoleLines(text)) {
    const m = /^([0-9a-f]{8,16}): ((?:[0-9a-f]{2,16} )+) /.exec(line);
    if (!m) continue;
    const addr = BigInt(`0x${m[1]}`);
    start ??= addr;
    if (addr !== start + BigInt(bytes.length)) throw new Error(`md line out of sequence: ${line}`);
    for (const word of m[2].trim().split(' ')) {
      unit = word.length / 2;
      let v = BigInt(`0x${word}`);
      for (let i = 0; i < unit; i++, v >>= 8n) bytes.push(Number(v & 0xffn));
    }
  }
  if (start === undefined) throw new Error(`no md output in ${JSON.stringify(text)}`);
  return { start, bytes: Uint8Array.from(bytes), unit };
}

/** The file bytes an ELF64 (little-endian) puts at physical address `paddr` (PT_LOAD, file-backed part). */
export function elfBytesAt(path: string, paddr: bigint, length: number): Uint8Array {
  const file = readFileSync(path);
  const phoff = Number(file.readBigUInt64LE(0x20));
  const phentsize = file.readUInt16LE(0x36);
  const phnum = file.readUInt16LE(0x38);
  for (let i = 0; i < phnum; i++) {
    const ph = phoff + i * phentsize;
    if (file.readUInt32LE(ph) !== 1) continue; // PT_LOAD
    const offset = file.readBigUInt64LE(ph + 0x08);
    const segPaddr = file.readBigUInt64LE(ph + 0x18);
    const filesz = file.readBigUInt64LE(ph + 0x20);
    if (paddr >= segPaddr && paddr + BigInt(length) <= segPaddr + filesz) {
      const at = Number(offset + paddr - segPaddr);
      return new Uint8Array(file.subarray(at, at + length));
    }
  }
  throw new Error(`${path}: nothing loaded at 0x${paddr.toString(16)}`);
}

/** CRC-32 (IEEE 802.3, as U-Boot's crc32 command computes it). */
export function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const b of bytes) {
    crc ^= b;
    for (let k = 0; k < 8; k++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return (crc ^ 0xffffffff) >>> 0;
}
