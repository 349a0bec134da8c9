/**
 * Size arguments (`-m 512`, `-m 1.5G`) with QEMU 7.2's rules: util/cutils.c
 * do_strtosz() plus softmmu/vl.c parse_memory_options().
 */
import { optionError } from './option-error.js';

export const MiB = 1024 * 1024;
export const GiB = 1024 * MiB;

/** QEMU virt's default RAM (mc->default_ram_size). */
export const DEFAULT_RAM_SIZE = 128 * MiB;
/** QEMU rounds every -m value up to this (QEMU_ALIGN_UP(sz, 8192) in parse_memory_options). */
export const RAM_SIZE_ALIGN = 8192;
/** tsemu's own bounds; QEMU itself accepts any size (see src/cli/README.md). */
export const MIN_RAM_SIZE = 16 * MiB;

const SUFFIX_SHIFT: Readonly<Record<string, bigint>> = { B: 0n, K: 10n, M: 20n, G: 30n, T: 40n, P: 50n, E: 60n };
const U64_LIMIT = 1n << 64n;

function suffixMultiplier(c: string | undefined): bigint | undefined {
  if (c === undefined) return undefined;
  const shift = SUFFIX_SHIFT[c.toUpperCase()];
  return shift === undefined ? undefined : 1n << shift;
}

/** strtoull()'s view of a leading integer: whitespace, optional sign, digits. */
function scanUnsigned(text: string, start: number, radix: 10 | 16): { value: bigint; end: number; negative: boolean } | undefined {
  let i = start;
  while (i < text.length && /\s/.test(text[i] ?? '')) i += 1;
  let negative = false;
  if (text[i] === '+' || text[i] === '-') {
    negative = text[i] === '-';
    i += 1;
  }
  if (radix === 16 && text[i] === '0' && (text[i + 1] === 'x' || text[i + 1] === 'X') && /[0-9a-fA-F]/.test(text[i + 2] ?? '')) i += 2;
  const digits = radix === 10 ? /[0-9]/ : /[0-9a-fA-F]/;
  const from = i;
  while (i < text.length && digits.test(text[i] ?? '')) i += 1;
  if (i === from) return undefined;
  const value = BigInt(radix === 10 ? text.slice(from, i) : `0x${text.slice(from, i)}`);
  return { value, end: i, negative };
}

/**
 * Parses a size the way QEMU 7.2's qemu_strtosz() does with byte as the default unit:
 * decimal or 0x-hex integer, an optional decimal fraction (only with a unit suffix),
 * an optional B/K/M/G/T/P/E suffix (either case, powers of 1024). Returns undefined
 * for anything QEMU rejects, including values of 2^64 or more.
 */
export function parseQemuSize(text: string): bigint | undefined {
  const dec = scanUnsigned(text, 0, 10);
  if (dec === undefined || dec.negative) return undefined;
  let value = dec.value;
  let end = dec.end;
  let fraction = 0;
  if (value === 0n && (text[end] === 'x' || text[end] === 'X')) {
    const hex = scanUnsigned(text, 0, 16);
    if (hex === undefined || text[hex.end] === '.') return undefined;
    value = hex.value;
    end = hex.end;
  } else if (text[end] === '.') {
    const match = /^\.[0-9]*/.exec(text.slice(end));
    const digits = match?.[0] ?? '.';
    if (/^[eE][+-]?[0-9]/.test(text.slice(end + digits.length))) return undefined; // QEMU refuses exponents
    fraction = digits.length > 1 ? Number(`0${digits}`) : 0;
    end += digits.length;
  }
  let multiplier = suffixMultiplier(text[end]);
  if (multiplier !== undefined) end += 1;
  else multiplier = 1n;
  if (end !== text.length) return undefined;
  if (value >= U64_LIMIT) return undefined;
  if (multiplier === 1n) return fraction === 0 ? value : undefined;
  // 64.64 fixed point exactly as QEMU: truncate fraction*2^64, scale, round half up.
  const fixedFraction = BigInt(Math.trunc(fraction * 2 ** 64));
  const scaledFraction = fixedFraction * multiplier;
  const roundUp = (scaledFraction >> 63n) & 1n;
  const total = value * multiplier + (scaledFraction >> 64n) + roundUp;
  return total < U64_LIMIT ? total : undefined;
}

const SIZE_HINT =
  'Optional suffix k, M, G, T, P or E means kilo-, mega-, giga-, tera-, peta-\nand exabytes, respectively.';

/** The error QEMU gives for an unparsable size parameter (with its two hint lines). */
export function sizeSyntaxError(where: string, param: string): Error {
  return optionError(where, `Parameter '${param}' expects a non-negative number below 2^64\n${SIZE_HINT}`);
}

/**
 * Turns the `size` value of `-m` into bytes: a number without a unit suffix means MiB
 * (QEMU's legacy rule: the last character is a digit), 0 means the default, and the
 * result is rounded up to 8 KiB. Then tsemu's bounds apply.
 */
export function parseRamSize(value: string, where: string): number {
  let size = parseQemuSize(value);
  if (size === undefined) throw sizeSyntaxError(where, 'size');
  if (/[0-9]$/.test(value)) {
    size *= BigInt(MiB);
    if (size >= U64_LIMIT) throw optionError(undefined, "too large 'size' option value");
  }
  if (size === 0n) size = BigInt(DEFAULT_RAM_SIZE);
  const align = BigInt(RAM_SIZE_ALIGN);
  size = ((size + align - 1n) / align) * align;
  if (size < BigInt(MIN_RAM_SIZE)) throw optionError(where, `ram size too small (tsemu needs at least ${MIN_RAM_SIZE / MiB}M)`);
  return Number(size);
}
