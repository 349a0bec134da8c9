/**
 * HMP command-line parsing as QEMU 7.2's monitor/hmp.c does it: words and
 * quoted strings (get_str), integer expressions (get_expr: + - * / % & | ^ ~
 * ( ) 'c' with C's strtoull number syntax), the x/xp format (/fmt), on|off
 * booleans, -x flags, QemuOpts strings, and the args_type mini-language of
 * hmp-commands.hx ("name:s,vcpu:i?"). Errors carry QEMU's texts.
 */

/** Thrown for an argument error; `message` is what the monitor prints (without newline). */
export class HmpArgError extends Error {}

/** QEMU's qemu_isspace(): C isspace() in the C locale. */
export function isSpace(ch: string | undefined): boolean {
  return ch === ' ' || ch === '\t' || ch === '\n' || ch === '\v' || ch === '\f' || ch === '\r';
}

export function skipSpaces(s: string, pos: number): number {
  while (isSpace(s[pos])) pos++;
  return pos;
}

/**
 * get_str(): one word, or a "quoted string" with \n \r \\ \' \" escapes.
 * Returns undefined at the end of input or for a malformed string (QEMU prints
 * the reason to its stdout, not the monitor; tsemu leaves it out).
 */
export function getStr(s: string, pos: number): { value: string; end: number } | undefined {
  let p = skipSpaces(s, pos);
  if (p >= s.length) return undefined;
  let value = '';
  if (s[p] !== '"') {
    while (p < s.length && !isSpace(s[p])) value += s[p++];
    return { value, end: p };
  }
  p++;
  while (p < s.length && s[p] !== '"') {
    if (s[p] !== '\\') {
      value += s[p++];
      continue;
    }
    const c = s[p + 1];
    p += 2;
    if (c === 'n') value += '\n';
    else if (c === 'r') value += '\r';
    else if (c === '\\' || c === "'" || c === '"') value += c;
    else return undefined;
  }
  if (s[p] !== '"') return undefined;
  return { value, end: p + 1 };
}

/** parse_cmdline(): split into at most 16 words (undefined on error or too many, like QEMU). */
export function splitWords(s: string): string[] | undefined {
  const words: string[] = [];
  let p = 0;
  for (;;) {
    p = skipSpaces(s, p);
    if (p >= s.length) return words;
    if (words.length >= 16) return undefined;
    const word = getStr(s, p);
    if (word === undefined) return undefined;
    words.push(word.value);
    p = word.end;
  }
}

// ---- expressions (get_expr) -------------------------------------------------------------------

const toInt64 = (v: bigint): bigint => BigInt.asIntN(64, v);

/** Recursive-descent evaluator over int64, mirroring expr_sum/expr_logic/expr_prod/expr_unary. */
class Expression {
  constructor(private readonly s: string, public pos: number) {}

  /** The current character (a method, so that TypeScript does not narrow it across calls). */
  private ch(): string | undefined {
    return this.s[this.pos];
  }

  /** next(): step over one character and the spaces after it. */
  private next(): void {
    if (this.pos < this.s.length) this.pos = skipSpaces(this.s, this.pos + 1);
  }

  sum(): bigint {
    let val = this.logic();
    for (let op = this.ch(); op === '+' || op === '-'; op = this.ch()) {
      this.next();
      const rhs = this.logic();
      val = toInt64(op === '+' ? val + rhs : val - rhs);
    }
    return val;
  }

  private logic(): bigint {
    let val = this.prod();
    for (let op = this.ch(); op === '&' || op === '|' || op === '^'; op = this.ch()) {
      this.next();
      const rhs = this.prod();
      val = op === '&' ? val & rhs : op === '|' ? val | rhs : val ^ rhs;
    }
    return val;
  }

  private prod(): bigint {
    let val = this.unary();
    for (let op = this.ch(); op === '*' || op === '/' || op === '%'; op = this.ch()) {
      this.next();
      const rhs = this.unary();
      if (op === '*') {
        val = toInt64(val * rhs);
        continue;
      }
      if (rhs === 0n) throw new HmpArgError('division by zero');
      val = toInt64(op === '/' ? val / rhs : val % rhs);
    }
    return val;
  }

  private unary(): bigint {
    switch (this.ch()) {
      case '+': this.next(); return this.unary();
      case '-': this.next(); return toInt64(-this.unary());
      case '~': this.next(); return ~this.unary();
      case '(': {
        this.next();
        const val = this.sum();
        if (this.ch() !== ')') throw new HmpArgError("')' expected");
        this.next();
        return val;
      }
      case "'": return this.charConstant();
      case '$': return this.register();
      case undefined: throw new HmpArgError('unexpected end of expression');
      default: return this.number();
    }
  }

  private charConstant(): bigint {
    this.pos++;
    const c = this.ch();
    if (c === undefined) throw new HmpArgError('character constant expected');
    this.pos++;
    if (this.ch() !== "'") throw new HmpArgError("missing terminating ' character");
    this.next();
    return BigInt(c.charCodeAt(0));
  }

  /** `$reg`: QEMU 7.2 has no monitor register names for riscv, so every name is unknown. */
  private register(): bigint {
    this.pos++;
    while (/[A-Za-z0-9_.]/.test(this.ch() ?? '')) this.pos++;
    this.pos = skipSpaces(this.s, this.pos);
    throw new HmpArgError('unknown register');
  }

  /** strtoull(p, &end, 0), then the spaces after it. */
  private number(): bigint {
    const rest = this.s.slice(this.pos);
    const m = /^(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)/.exec(rest);
    if (m === null) throw new HmpArgError(`invalid char '${rest[0] ?? ''}' in expression`);
    const text = m[1];
    const value = /^0[xX]/.test(text) ? BigInt(text) : text.length > 1 && text[0] === '0' ? BigInt(`0o${text.slice(1)}`) : BigInt(text);
    if (value > 0xffffffffffffffffn) throw new HmpArgError('number too large');
    this.pos = skipSpaces(this.s, this.pos + text.length);
    return toInt64(value);
  }
}

/** get_expr(): evaluate an expression at `pos`; returns the int64 value and where it stopped. */
export function getExpr(s: string, pos: number): { value: bigint; end: number } {
  const e = new Expression(s, skipSpaces(s, pos));
  const value = e.sum();
  return { value, end: e.pos };
}

// ---- args_type specs ---------------------------------------------------------------------------

/** One parameter of an args_type string such as "name:s,option:b,vcpu:i?". */
export interface ArgSpec {
  readonly key: string;
  /** QEMU's type letter: s S F O / i l b -. */
  readonly type: string;
  readonly optional: boolean;
  /** For `-` (flag) parameters: the option letter, and whether it takes a string value. */
  readonly flag?: { readonly letter: string; readonly takesValue: boolean };
  /** Letters of the flags after this one (QEMU's is_valid_option() looks ahead for them). */
  readonly laterFlags?: readonly string[];
}

export function parseArgsType(argsType: string): ArgSpec[] {
  if (argsType === '') return [];
  const items = argsType.split(',');
  const flagLetter = (item: string): string | undefined => {
    const colon = item.indexOf(':');
    return item[colon + 1] === '-' ? item[colon + 2] : undefined;
  };
  return items.map((item, i) => {
    const colon = item.indexOf(':');
    const key = item.slice(0, colon);
    const type = item[colon + 1];
    const rest = item.slice(colon + 2);
    if (type !== '-') return { key, type, optional: rest.includes('?') || type === 'O' };
    const laterFlags = items.slice(i + 1).map(flagLetter).filter((l): l is string => l !== undefined);
    return { key, type, optional: true, flag: { letter: rest[0], takesValue: rest[1] === 's' }, laterFlags };
  });
}

// ---- x/xp format (the '/' type) ------------------------------------------------------------------

export interface DumpFormat {
  readonly count: number;
  /** x d u o c i */
  readonly format: string;
  /** 1 2 4 8, or -1 for `i` without a size. */
  readonly size: number;
}

/** QEMU keeps the last format and size (default_fmt_format/size) for the next x/xp. */
export interface FormatDefaults {
  format: string;
  size: number;
}

export function newFormatDefaults(): FormatDefaults {
  return { format: 'x', size: 4 };
}

const SIZE_LETTERS: Readonly<Record<string, number>> = { b: 1, h: 2, w: 4, g: 8, L: 8 };

function parseDumpFormat(s: string, pos: number, defaults: FormatDefaults): { value: DumpFormat; end: number } {
  let p = skipSpaces(s, pos);
  if (s[p] !== '/') {
    const format = defaults.format;
    return { value: { count: 1, format, size: format === 'i' ? -1 : defaults.size }, end: p };
  }
  p++;
  let count = 1;
  if (/[0-9]/.test(s[p] ?? '')) {
    count = 0;
    while (/[0-9]/.test(s[p] ?? '')) count = (count * 10 + Number(s[p++])) | 0;
  }
  let size = -1;
  let format = '';
  for (;;) {
    const c = s[p];
    if (c !== undefined && 'oduxic'.includes(c)) format = c;
    else if (c !== undefined && c in SIZE_LETTERS) size = SIZE_LETTERS[c];
    else break;
    p++;
  }
  if (p < s.length && !isSpace(s[p])) throw new HmpArgError(`invalid char in format: '${s[p]}'`);
  if (format === '') format = defaults.format;
  if (format !== 'i') {
    if (size < 0) size = defaults.size;
    defaults.size = size;
  }
  defaults.format = format;
  return { value: { count, format, size }, end: p };
}

// ---- QemuOpts ("driver,prop=value,...") ---------------------------------------------------------------

/** QEMU's id_wellformed(): a letter, then letters, digits, '-', '.', '_'. */
export function isWellFormedId(id: string): boolean {
  return /^[A-Za-z][A-Za-z0-9._-]*$/.test(id);
}

/** Splits at single commas; ",," stands for a literal comma (QEMU's get_opt_value). */
function splitOpts(text: string): string[] {
  const parts: string[] = [];
  let cur = '';
  for (let i = 0; i < text.length; i++) {
    if (text[i] !== ',') cur += text[i];
    else if (text[i + 1] === ',') { cur += ','; i++; }
    else { parts.push(cur); cur = ''; }
  }
  parts.push(cur);
  return parts;
}

/**
 * qemu_opts_parse_noisily() for option lists with an implied first option
 * (`driver` for -device): "foo,id=x,core-id=1" -> {driver: foo, id: x, core-id: 1}.
 * A bare name elsewhere means name=on.
 */
export function parseOpts(text: string, impliedName: string): Map<string, string> {
  const opts = new Map<string, string>();
  splitOpts(text).forEach((part, i) => {
    const eq = part.indexOf('=');
    if (i === 0 && eq < 0) opts.set(impliedName, part);
    else if (eq < 0) opts.set(part, 'on');
    else opts.set(part.slice(0, eq), part.slice(eq + 1));
  });
  const id = opts.get('id');
  if (id !== undefined && !isWellFormedId(id)) {
    throw new HmpArgError("Parameter 'id' expects an identifier\nIdentifiers consist of letters, digits, '-', '.', '_', starting with a letter.");
  }
  return opts;
}

// ---- monitor_parse_arguments() -------------------------------------------------------------------

export type HmpArgValue = string | bigint | boolean | DumpFormat | ReadonlyMap<string, string>;

/** Parsed arguments of one command, by args_type key. */
export class HmpArgs {
  constructor(private readonly values: ReadonlyMap<string, HmpArgValue>) {}

  has(key: string): boolean {
    return this.values.has(key);
  }

  str(key: string): string | undefined {
    const v = this.values.get(key);
    return typeof v === 'string' ? v : undefined;
  }

  int(key: string): bigint | undefined {
    const v = this.values.get(key);
    return typeof v === 'bigint' ? v : undefined;
  }

  bool(key: string): boolean {
    return this.values.get(key) === true;
  }

  format(key: string): DumpFormat {
    const v = this.values.get(key);
    if (typeof v === 'object' && 'format' in v) return v;
    throw new Error(`HMP argument ${key} is not a format`);
  }

  opts(key: string): ReadonlyMap<string, string> | undefined {
    const v = this.values.get(key);
    return v instanceof Map ? (v as ReadonlyMap<string, string>) : undefined;
  }
}

/**
 * Parse `line` from `pos` against `specs`. `cmdName` is the table name (with
 * aliases, e.g. "stop|s") that QEMU's messages use.
 */
export function parseArguments(line: string, pos: number, specs: readonly ArgSpec[], cmdName: string, defaults: FormatDefaults): HmpArgs {
  const values = new Map<string, HmpArgValue>();
  let p = pos;
  for (const spec of specs) {
    p = parseOne(line, p, spec, cmdName, defaults, values);
  }
  p = skipSpaces(line, p);
  if (p < line.length) throw new HmpArgError(`${cmdName}: extraneous characters at the end of line`);
  return new HmpArgs(values);
}

function parseOne(line: string, pos: number, spec: ArgSpec, cmdName: string, defaults: FormatDefaults, out: Map<string, HmpArgValue>): number {
  let p = skipSpaces(line, pos);
  const atEnd = p >= line.length;
  switch (spec.type) {
    case 's':
    case 'F': {
      if (spec.optional && atEnd) return p;
      const word = getStr(line, p);
      if (word === undefined) throw new HmpArgError(`${cmdName}: ${spec.type === 'F' ? 'filename' : 'string'} expected`);
      out.set(spec.key, word.value);
      return word.end;
    }
    case 'S': {
      if (spec.optional && atEnd) return p;
      if (atEnd) throw new HmpArgError(`${cmdName}: string expected`);
      out.set(spec.key, line.slice(p));
      return line.length;
    }
    case 'O': {
      if (atEnd) return p;
      const word = getStr(line, p);
      if (word === undefined) throw new HmpArgError(''); // QEMU says nothing in the monitor here
      out.set(spec.key, parseOpts(word.value, 'driver'));
      return word.end;
    }
    case '/': {
      const fmt = parseDumpFormat(line, p, defaults);
      out.set(spec.key, fmt.value);
      return fmt.end;
    }
    case 'i':
    case 'l': {
      if (spec.optional && atEnd) return p;
      const expr = getExpr(line, p);
      if (spec.type === 'i' && ((expr.value >> 32n) & 0xffffffffn) !== 0n) {
        throw new HmpArgError(`'${cmdName}' has failed: integer is for 32-bit values`);
      }
      out.set(spec.key, expr.value);
      return expr.end;
    }
    case 'b': {
      let end = p;
      while (end < line.length && line.charCodeAt(end) > 0x20 && line.charCodeAt(end) < 0x7f) end++;
      const word = line.slice(p, end);
      if (word !== 'on' && word !== 'off') throw new HmpArgError("Expected 'on' or 'off'");
      out.set(spec.key, word === 'on');
      return end;
    }
    case '-':
      return parseFlag(line, pos, p, spec, cmdName, out);
    default:
      throw new HmpArgError(`${cmdName}: unknown type '${spec.type}'`);
  }
}

/** A `-x` option; QEMU looks ahead in the args_type for other flags before complaining. */
function parseFlag(line: string, original: number, p: number, spec: ArgSpec, cmdName: string, out: Map<string, HmpArgValue>): number {
  const flag = spec.flag;
  if (flag === undefined || line[p] !== '-') return original;
  const letter = line[p + 1] ?? '';
  if (letter !== flag.letter) {
    // Another flag of the same command comes later in args_type: leave the text for it.
    if (spec.laterFlags?.includes(letter)) return original;
    throw new HmpArgError(`${cmdName}: unsupported option -${letter}`);
  }
  if (!flag.takesValue) {
    out.set(spec.key, true);
    return p + 2;
  }
  const word = getStr(line, skipSpaces(line, p + 2));
  if (word === undefined) throw new HmpArgError(`${cmdName}: value expected for -${letter}`);
  out.set(spec.key, word.value);
  return word.end;
}
