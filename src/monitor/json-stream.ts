/**
 * QMP's input side: a streaming JSON parser that behaves like QEMU 7.2's
 * qobject/json-lexer.c + json-streamer.c + json-parser.c. Bytes go in in any
 * chunking; every complete top-level value, and every error, comes out in
 * order through the callback, with QEMU's error texts ("JSON parse error,
 * ..."). QEMU's extensions are kept: single-quoted strings, `\'` escapes,
 * modified UTF-8 (C0 80 for NUL), error recovery at structural characters or
 * control bytes, and the limits (64 MiB of tokens per message, 2 Mi tokens,
 * nesting depth 1024).
 */
import { JsonObject, JsonValue } from './json-value.js';

/** QEMU's limits (json-streamer.c MAX_TOKEN_SIZE/MAX_TOKEN_COUNT/MAX_NESTING). */
export interface JsonLimits {
  readonly maxTokenSize: number;
  readonly maxTokenCount: number;
  readonly maxNesting: number;
}

export const QEMU_JSON_LIMITS: JsonLimits = { maxTokenSize: 64 << 20, maxTokenCount: 2 << 20, maxNesting: 1 << 10 };

/** Called once per parsed value or error; exactly one of the two is defined. */
export type JsonMessageCallback = (value: JsonValue | undefined, error: string | undefined) => void;

// ---- lexer states and token types (json-lexer.c) ------------------------------------------

const JSON_ERROR = 0;
const IN_RECOVERY = 1;
const IN_DQ_STRING_ESCAPE = 2;
const IN_DQ_STRING = 3;
const IN_SQ_STRING_ESCAPE = 4;
const IN_SQ_STRING = 5;
const IN_ZERO = 6;
const IN_EXP_DIGITS = 7;
const IN_EXP_SIGN = 8;
const IN_EXP_E = 9;
const IN_MANTISSA = 10;
const IN_MANTISSA_DIGITS = 11;
const IN_DIGITS = 12;
const IN_SIGN = 13;
const IN_KEYWORD = 14;
const IN_START = 15;
const STATE_COUNT = 16;

const enum Tok {
  LCurly = 16,
  RCurly,
  LSquare,
  RSquare,
  Colon,
  Comma,
  Integer,
  Float,
  Keyword,
  String,
}

/** Transition flag: the character is not consumed (the token ended before it). */
const LOOKAHEAD = 0x80;

function code(ch: string): number {
  return ch.charCodeAt(0);
}

function buildLexerTable(): Uint8Array[] {
  const table: Uint8Array[] = [];
  for (let s = 0; s < STATE_COUNT; s++) table.push(new Uint8Array(256)); // default: JSON_ERROR
  const set = (state: number, from: number, to: number, next: number): void => { table[state].fill(next, from, to + 1); };
  const at = (state: number, ch: string, next: number): void => { table[state][code(ch)] = next; };
  const terminal = (state: number, tok: number): void => { table[state].fill(tok | LOOKAHEAD); };

  // Error recovery: skip to a structural character, a control character other than tab, or 0xFE/0xFF.
  set(IN_RECOVERY, 0, 0x1f, IN_START | LOOKAHEAD);
  set(IN_RECOVERY, 0x20, 0xfd, IN_RECOVERY);
  set(IN_RECOVERY, 0xfe, 0xff, IN_START | LOOKAHEAD);
  at(IN_RECOVERY, '\t', IN_RECOVERY);
  for (const ch of '[]{}:,') at(IN_RECOVERY, ch, IN_START | LOOKAHEAD);

  set(IN_DQ_STRING_ESCAPE, 0x20, 0xfd, IN_DQ_STRING);
  set(IN_DQ_STRING, 0x20, 0xfd, IN_DQ_STRING);
  at(IN_DQ_STRING, '\\', IN_DQ_STRING_ESCAPE);
  at(IN_DQ_STRING, '"', Tok.String);
  set(IN_SQ_STRING_ESCAPE, 0x20, 0xfd, IN_SQ_STRING);
  set(IN_SQ_STRING, 0x20, 0xfd, IN_SQ_STRING);
  at(IN_SQ_STRING, '\\', IN_SQ_STRING_ESCAPE);
  at(IN_SQ_STRING, "'", Tok.String);

  terminal(IN_ZERO, Tok.Integer);
  set(IN_ZERO, code('0'), code('9'), JSON_ERROR);
  at(IN_ZERO, '.', IN_MANTISSA);

  terminal(IN_EXP_DIGITS, Tok.Float);
  set(IN_EXP_DIGITS, code('0'), code('9'), IN_EXP_DIGITS);
  set(IN_EXP_SIGN, code('0'), code('9'), IN_EXP_DIGITS);
  at(IN_EXP_E, '-', IN_EXP_SIGN);
  at(IN_EXP_E, '+', IN_EXP_SIGN);
  set(IN_EXP_E, code('0'), code('9'), IN_EXP_DIGITS);

  terminal(IN_MANTISSA_DIGITS, Tok.Float);
  set(IN_MANTISSA_DIGITS, code('0'), code('9'), IN_MANTISSA_DIGITS);
  at(IN_MANTISSA_DIGITS, 'e', IN_EXP_E);
  at(IN_MANTISSA_DIGITS, 'E', IN_EXP_E);
  set(IN_MANTISSA, code('0'), code('9'), IN_MANTISSA_DIGITS);

  terminal(IN_DIGITS, Tok.Integer);
  set(IN_DIGITS, code('0'), code('9'), IN_DIGITS);
  at(IN_DIGITS, 'e', IN_EXP_E);
  at(IN_DIGITS, 'E', IN_EXP_E);
  at(IN_DIGITS, '.', IN_MANTISSA);
  at(IN_SIGN, '0', IN_ZERO);
  set(IN_SIGN, code('1'), code('9'), IN_DIGITS);

  terminal(IN_KEYWORD, Tok.Keyword);
  set(IN_KEYWORD, code('a'), code('z'), IN_KEYWORD);

  at(IN_START, '"', IN_DQ_STRING);
  at(IN_START, "'", IN_SQ_STRING);
  at(IN_START, '0', IN_ZERO);
  set(IN_START, code('1'), code('9'), IN_DIGITS);
  at(IN_START, '-', IN_SIGN);
  at(IN_START, '{', Tok.LCurly);
  at(IN_START, '}', Tok.RCurly);
  at(IN_START, '[', Tok.LSquare);
  at(IN_START, ']', Tok.RSquare);
  at(IN_START, ',', Tok.Comma);
  at(IN_START, ':', Tok.Colon);
  set(IN_START, code('a'), code('z'), IN_KEYWORD);
  for (const ch of ' \t\r\n') at(IN_START, ch, IN_START);
  return table;
}

const LEXER = buildLexerTable();

/**
 * A token for the parser. Numbers and keywords keep their (ASCII) text,
 * strings their raw bytes (decoded by the parser); `size` is the length in
 * bytes, which counts against the message size limit.
 */
interface Token {
  readonly type: number;
  readonly size: number;
  readonly text: string;
  readonly bytes?: Uint8Array;
}

/** Shared tokens for the one-character structural tokens (most of any message). */
const STRUCTURAL_TOKENS: readonly Token[] = (() => {
  const tokens: Token[] = [];
  for (const type of [Tok.LCurly, Tok.RCurly, Tok.LSquare, Tok.RSquare, Tok.Colon, Tok.Comma]) tokens[type] = { type, size: 1, text: '' };
  return tokens;
})();

/** A byte buffer that grows; the lexer's current token. */
class ByteBuffer {
  private buf = new Uint8Array(64);
  length = 0;

  push(b: number): void {
    if (this.length === this.buf.length) this.grow(this.length + 1);
    this.buf[this.length++] = b;
  }

  pushRange(src: Uint8Array, from: number, to: number): void {
    const n = to - from;
    if (this.length + n > this.buf.length) this.grow(this.length + n);
    this.buf.set(src.subarray(from, to), this.length);
    this.length += n;
  }

  private grow(needed: number): void {
    let size = this.buf.length * 2;
    while (size < needed) size *= 2;
    const bigger = new Uint8Array(size);
    bigger.set(this.buf.subarray(0, this.length));
    this.buf = bigger;
  }

  take(): Uint8Array {
    const bytes = this.buf.slice(0, this.length);
    this.clear();
    return bytes;
  }

  /** The contents as a one-char-per-byte string (for the short ASCII tokens: numbers, keywords). */
  takeText(): string {
    let text = '';
    for (let i = 0; i < this.length; i++) text += String.fromCharCode(this.buf[i]);
    this.clear();
    return text;
  }

  clear(): void {
    this.length = 0;
    if (this.buf.length > 4096) this.buf = new Uint8Array(64);
  }
}

const utf8Decoder = new TextDecoder('utf-8');


/** Token text for error messages: C string semantics (stops at NUL), invalid UTF-8 shown as U+FFFD. */
function tokenText(bytes: Uint8Array): string {
  const nul = bytes.indexOf(0);
  return utf8Decoder.decode(nul < 0 ? bytes : bytes.subarray(0, nul));
}

/**
 * One QMP connection's JSON input. feed() may be called with any split of
 * the byte stream; the callback runs synchronously for each message.
 */
export class JsonMessageParser {
  private state = IN_START;
  private readonly token = new ByteBuffer();
  private tokens: Token[] = [];
  private tokenSize = 0;
  private braceCount = 0;
  private bracketCount = 0;

  constructor(private readonly emit: JsonMessageCallback, private readonly limits: JsonLimits = QEMU_JSON_LIMITS) {}

  feed(chunk: Uint8Array): void {
    let i = 0;
    while (i < chunk.length) {
      if (this.state === IN_DQ_STRING || this.state === IN_SQ_STRING) {
        const run = this.stringRun(chunk, i);
        if (run > i) {
          // Ordinary string characters only extend the token: append them in one go.
          this.token.pushRange(chunk, i, run);
          i = run;
          if (this.token.length > this.limits.maxTokenSize) this.tokenTooLong();
          continue;
        }
      }
      this.feedByte(chunk[i++]);
    }
  }

  /** End of the run of bytes from `at` that keep a string token going, capped at the size limit. */
  private stringRun(chunk: Uint8Array, at: number): number {
    const quote = this.state === IN_DQ_STRING ? 0x22 : 0x27;
    const limit = Math.min(chunk.length, at + this.limits.maxTokenSize + 1 - this.token.length);
    let j = at;
    while (j < limit) {
      const b = chunk[j];
      if (b < 0x20 || b > 0xfd || b === 0x5c || b === quote) break;
      j++;
    }
    return j;
  }

  private feedByte(ch: number): void {
    let consumed = false;
    while (!consumed) {
      let next = LEXER[this.state][ch];
      consumed = (next & LOOKAHEAD) === 0;
      next &= ~LOOKAHEAD;
      if (consumed) this.token.push(ch);
      if (next >= Tok.LCurly) {
        this.processToken(this.makeToken(next));
        next = IN_START;
      } else if (next === IN_START) {
        this.token.clear();
      } else if (next === JSON_ERROR) {
        this.finish(undefined, `JSON parse error, stray '${tokenText(this.token.take())}'`);
        next = IN_RECOVERY;
      } else if (next === IN_RECOVERY) {
        this.token.clear();
      }
      this.state = next;
    }
    if (this.token.length > this.limits.maxTokenSize) this.tokenTooLong();
  }

  /** QEMU hands an over-long unfinished token to the streamer, which rejects it for its size. */
  private tokenTooLong(): void {
    const size = this.token.length;
    this.token.clear();
    this.processToken({ type: this.state, size, text: '' });
    this.state = IN_START;
  }

  private makeToken(type: number): Token {
    const structural = STRUCTURAL_TOKENS[type];
    if (structural !== undefined) {
      this.token.clear();
      return structural;
    }
    const size = this.token.length;
    if (type === Tok.String) return { type, size, text: '', bytes: this.token.take() };
    return { type, size, text: this.token.takeText() };
  }

  /** json_message_process_token() (lexical errors are reported by feedByte). */
  private processToken(token: Token): void {
    switch (token.type) {
      case Tok.LCurly: this.braceCount++; break;
      case Tok.RCurly: this.braceCount--; break;
      case Tok.LSquare: this.bracketCount++; break;
      case Tok.RSquare: this.bracketCount--; break;
      default: break;
    }
    const size = token.size;
    if (this.tokenSize + size + 1 > this.limits.maxTokenSize) {
      this.finish(undefined, 'JSON token size limit exceeded');
      return;
    }
    if (this.tokens.length + 1 > this.limits.maxTokenCount) {
      this.finish(undefined, 'JSON token count limit exceeded');
      return;
    }
    if (this.bracketCount + this.braceCount > this.limits.maxNesting) {
      this.finish(undefined, 'JSON nesting depth limit exceeded');
      return;
    }
    this.tokens.push(token);
    this.tokenSize += size;
    if ((this.braceCount > 0 || this.bracketCount > 0) && this.braceCount >= 0 && this.bracketCount >= 0) return;
    const result = parseTokens(this.tokens);
    this.finish(result.value, result.error);
  }

  private finish(value: JsonValue | undefined, error: string | undefined): void {
    this.braceCount = 0;
    this.bracketCount = 0;
    this.tokens = [];
    this.tokenSize = 0;
    this.emit(value, error);
  }
}

// ---- parser (json-parser.c) ----------------------------------------------------------------

/** Thrown inside the recursive descent; the first error wins, as in QEMU. */
class ParseError extends Error {}

class TokenReader {
  private pos = 0;
  constructor(private readonly tokens: readonly Token[]) {}

  peek(): Token | undefined {
    return this.tokens[this.pos];
  }

  pop(): Token | undefined {
    return this.tokens[this.pos++];
  }
}

function fail(message: string): never {
  throw new ParseError(`JSON parse error, ${message}`);
}

function parseTokens(tokens: readonly Token[]): { value?: JsonValue; error?: string } {
  try {
    return { value: parseValue(new TokenReader(tokens)) };
  } catch (e) {
    if (e instanceof ParseError) return { error: e.message };
    throw e;
  }
}

function parseValue(r: TokenReader): JsonValue {
  const token = r.peek();
  if (token === undefined) fail('premature EOI');
  switch (token.type) {
    case Tok.LCurly: return parseObject(r);
    case Tok.LSquare: return parseArray(r);
    case Tok.String: r.pop(); return parseString(token.bytes ?? new Uint8Array(2));
    case Tok.Integer: r.pop(); return parseInteger(token.text);
    case Tok.Float: r.pop(); return Number(token.text);
    case Tok.Keyword: r.pop(); return parseKeyword(token.text);
    default: fail('expecting value');
  }
}

function parseObject(r: TokenReader): JsonObject {
  r.pop(); // '{'
  const dict: JsonObject = new Map();
  const first = r.peek();
  if (first === undefined) fail('premature EOI');
  if (first.type === Tok.RCurly) {
    r.pop();
    return dict;
  }
  parsePair(r, dict);
  for (let token = r.pop(); token?.type !== Tok.RCurly; token = r.pop()) {
    if (token === undefined) fail('premature EOI');
    if (token.type !== Tok.Comma) fail('expected separator in dict');
    parsePair(r, dict);
  }
  return dict;
}

function parsePair(r: TokenReader, dict: JsonObject): void {
  if (r.peek() === undefined) fail('premature EOI');
  const key = parseValue(r);
  if (typeof key !== 'string') fail('key is not a string in object');
  const colon = r.pop();
  if (colon === undefined) fail('premature EOI');
  if (colon.type !== Tok.Colon) fail('missing : in object pair');
  const value = parseValue(r);
  if (dict.has(key)) fail('duplicate key');
  dict.set(key, value);
}

function parseArray(r: TokenReader): JsonValue[] {
  r.pop(); // '['
  const list: JsonValue[] = [];
  const first = r.peek();
  if (first === undefined) fail('premature EOI');
  if (first.type === Tok.RSquare) {
    r.pop();
    return list;
  }
  list.push(parseValue(r));
  for (let token = r.pop(); token?.type !== Tok.RSquare; token = r.pop()) {
    if (token === undefined) fail('premature EOI');
    if (token.type !== Tok.Comma) fail('expected separator in list');
    list.push(parseValue(r));
  }
  return list;
}

function parseKeyword(word: string): JsonValue {
  if (word === 'true') return true;
  if (word === 'false') return false;
  if (word === 'null') return null;
  fail(`invalid keyword '${word}'`);
}

const INT64_MIN = -(1n << 63n);
const UINT64_MAX = (1n << 64n) - 1n;

/** int64 if it fits, else uint64, else a double (parse_literal). */
function parseInteger(text: string): JsonValue {
  if (text.length < 16) return BigInt(Number(text)); // exact below 2^53, and far cheaper
  const n = BigInt(text);
  if (n >= INT64_MIN && n <= UINT64_MAX) return n;
  return Number(text);
}

// ---- strings: escapes and modified UTF-8 (json-parser.c parse_string, util/unicode.c) -------

/** QEMU's is_valid_codepoint(): no surrogates, no noncharacters, at most U+10FFFF. */
function isValidCodepoint(cp: number): boolean {
  if (cp < 0 || cp > 0x10ffff) return false;
  if ((cp >= 0xfdd0 && cp <= 0xfdef) || (cp & 0xfffe) === 0xfffe) return false;
  return !(cp >= 0xd800 && cp <= 0xdfff);
}

function hexDigit(b: number | undefined): number {
  if (b === undefined) return -1;
  if (b >= 0x30 && b <= 0x39) return b - 0x30;
  if (b >= 0x61 && b <= 0x66) return b - 0x61 + 10;
  if (b >= 0x41 && b <= 0x46) return b - 0x41 + 10;
  return -1;
}

/** cvt4hex(): four hex digits at `at`, or -1. */
function fourHex(bytes: Uint8Array, at: number): number {
  let cp = 0;
  for (let i = 0; i < 4; i++) {
    const d = hexDigit(bytes[at + i]);
    if (d < 0) return -1;
    cp = (cp << 4) | d;
  }
  return cp;
}

/**
 * mod_utf8_codepoint(): decode one modified-UTF-8 sequence at `at`. Returns
 * the code point and length, or undefined for an invalid, overlong, or
 * truncated sequence (C0 80, the modified encoding of NUL, is accepted).
 */
function decodeUtf8(bytes: Uint8Array, at: number, end: number): { cp: number; len: number } | undefined {
  const b0 = bytes[at];
  if (b0 < 0x80) return { cp: b0, len: 1 };
  let len: number;
  let cp: number;
  if ((b0 & 0xe0) === 0xc0) { len = 2; cp = b0 & 0x1f; }
  else if ((b0 & 0xf0) === 0xe0) { len = 3; cp = b0 & 0x0f; }
  else if ((b0 & 0xf8) === 0xf0) { len = 4; cp = b0 & 0x07; }
  else return undefined;
  if (at + len > end) return undefined;
  for (let i = 1; i < len; i++) {
    const b = bytes[at + i];
    if ((b & 0xc0) !== 0x80) return undefined;
    cp = (cp << 6) | (b & 0x3f);
  }
  const minimum = len === 2 ? 0x80 : len === 3 ? 0x800 : 0x10000;
  if (cp < minimum && !(len === 2 && cp === 0)) return undefined; // overlong, except modified-UTF-8 NUL
  if (!isValidCodepoint(cp)) return undefined;
  return { cp, len };
}

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  '"': '"', "'": "'", '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t',
};

/** Printable ASCII other than the backslash: copied through in runs. */
function isPlain(b: number): boolean {
  return b >= 0x20 && b < 0x7f && b !== 0x5c;
}

function parseString(bytes: Uint8Array): string {
  const end = bytes.length - 1; // closing quote
  let out = '';
  let i = 1;
  while (i < end) {
    if (isPlain(bytes[i])) {
      let j = i + 1;
      while (j < end && isPlain(bytes[j])) j++;
      out += utf8Decoder.decode(bytes.subarray(i, j));
      i = j;
      continue;
    }
    if (bytes[i] !== 0x5c) {
      const decoded = decodeUtf8(bytes, i, end);
      if (decoded === undefined) fail('invalid UTF-8 sequence in string');
      out += String.fromCodePoint(decoded.cp);
      i += decoded.len;
      continue;
    }
    const begin = i;
    const escape = String.fromCharCode(bytes[i + 1]);
    i += 2;
    const simple = SIMPLE_ESCAPES[escape];
    if (simple !== undefined) {
      out += simple;
      continue;
    }
    if (escape !== 'u') fail('invalid escape sequence in string');
    let cp = fourHex(bytes, i);
    i += 4;
    if (cp >= 0xd800 && cp <= 0xdbff && bytes[i] === 0x5c && bytes[i + 1] === 0x75) {
      const trailing = fourHex(bytes, i + 2);
      if (trailing >= 0xdc00 && trailing <= 0xdfff) {
        cp = 0x10000 + ((cp & 0x3ff) << 10) + (trailing & 0x3ff);
        i += 6;
      } else {
        cp = -1;
      }
    }
    if (!isValidCodepoint(cp)) {
      // QEMU prints the escape as written (up to where it stopped reading), C-string style.
      fail(`${tokenText(bytes.subarray(begin, Math.min(i, bytes.length)))} is not a valid Unicode character`);
    }
    out += String.fromCodePoint(cp);
  }
  return out;
}
