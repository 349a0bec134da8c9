/**
 * The part of C's printf that trace-events formats use (glibc behaviour on an
 * LP64 host): flags `-+ #0`, width, precision, length `hh h l ll j z t`,
 * conversions `d i o u x X c s p %`. Formats are compiled once per event.
 */
import type { TraceArg } from './event-info.js';

type Length = '' | 'hh' | 'h' | 'l' | 'll' | 'j' | 'z' | 't';

interface Conversion {
  readonly flags: string;
  readonly width: number | undefined;
  readonly precision: number | undefined;
  readonly length: Length;
  readonly conv: string;
}

/** Literal text or one conversion. */
export type FormatSegment = string | Conversion;

const SPEC = /%([-+ #0']*)(\d+)?(?:\.(\d*))?(hh|h|ll|l|j|z|t)?([diouxXcsp%])/g;

export function compileFormat(format: string): FormatSegment[] {
  const segments: FormatSegment[] = [];
  let last = 0;
  for (const m of format.matchAll(SPEC)) {
    const at = m.index ?? 0;
    if (at > last) segments.push(format.slice(last, at));
    const [, flags = '', width, precision, length = '', conv = ''] = m;
    if (conv === '%') segments.push('%');
    else {
      segments.push({
        flags,
        width: width === undefined ? undefined : Number(width),
        precision: precision === undefined ? undefined : Number(precision || '0'),
        length: length as Length,
        conv,
      });
    }
    last = at + m[0].length;
  }
  if (last < format.length) segments.push(format.slice(last));
  return segments;
}

export function formatCompiled(segments: readonly FormatSegment[], args: readonly TraceArg[]): string {
  let out = '';
  let next = 0;
  for (const seg of segments) {
    if (typeof seg === 'string') out += seg;
    else out += convert(seg, args[next++]);
  }
  return out;
}

export function sprintf(format: string, args: readonly TraceArg[]): string {
  return formatCompiled(compileFormat(format), args);
}

function convert(c: Conversion, arg: TraceArg | undefined): string {
  switch (c.conv) {
    case 's': {
      const s = arg === undefined ? '' : String(arg);
      return pad(c, c.precision === undefined ? s : s.slice(0, c.precision));
    }
    case 'c':
      return pad(c, String.fromCharCode(Number(BigInt.asUintN(8, toBigInt(arg)))));
    case 'p': {
      const v = BigInt.asUintN(64, toBigInt(arg));
      return pad(c, v === 0n ? '(nil)' : `0x${v.toString(16)}`);
    }
    default:
      return integer(c, toBigInt(arg));
  }
}

function toBigInt(arg: TraceArg | undefined): bigint {
  if (typeof arg === 'bigint') return arg;
  if (typeof arg === 'number' && Number.isFinite(arg)) return BigInt(Math.trunc(arg));
  return 0n;
}

/** The width the argument is read with: int unless a length modifier says otherwise. */
function bitsOf(length: Length): number {
  switch (length) {
    case 'hh':
      return 8;
    case 'h':
      return 16;
    case '':
      return 32;
    default:
      return 64;
  }
}

function integer(c: Conversion, raw: bigint): string {
  const bits = bitsOf(c.length);
  const signed = c.conv === 'd' || c.conv === 'i';
  const value = signed ? BigInt.asIntN(bits, raw) : BigInt.asUintN(bits, raw);
  const negative = value < 0n;
  const magnitude = negative ? -value : value;
  let digits = magnitude.toString(radixOf(c.conv));
  if (c.conv === 'X') digits = digits.toUpperCase();
  if (c.precision !== undefined) digits = c.precision === 0 && magnitude === 0n ? '' : digits.padStart(c.precision, '0');
  let prefix = '';
  if (signed) prefix = negative ? '-' : c.flags.includes('+') ? '+' : c.flags.includes(' ') ? ' ' : '';
  if (c.flags.includes('#')) {
    if (c.conv === 'o' && !digits.startsWith('0')) digits = `0${digits}`;
    if ((c.conv === 'x' || c.conv === 'X') && magnitude !== 0n) prefix = c.conv === 'x' ? '0x' : '0X';
  }
  const zeroPad = c.flags.includes('0') && !c.flags.includes('-') && c.precision === undefined;
  if (zeroPad && c.width !== undefined) digits = digits.padStart(c.width - prefix.length, '0');
  return pad(c, prefix + digits);
}

function radixOf(conv: string): number {
  if (conv === 'o') return 8;
  if (conv === 'x' || conv === 'X') return 16;
  return 10;
}

/** Space padding to the field width, on the left unless `-`. */
function pad(c: Conversion, text: string): string {
  if (c.width === undefined || text.length >= c.width) return text;
  return c.flags.includes('-') ? text.padEnd(c.width) : text.padStart(c.width);
}
