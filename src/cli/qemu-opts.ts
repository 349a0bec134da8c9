/**
 * Splitting of QEMU option arguments such as `file=a.img,format=raw,id=d0`.
 *
 * QEMU has two parsers for these strings and the options use one or the other;
 * their error messages differ, and `-smp 2,foo` vs `-drive foo` is where it shows:
 *  - "qemu-opts" (util/qemu-option.c): a bare `name` means name=on and `noname`
 *    means name=off, with a deprecation warning;
 *  - "keyval" (util/keyval.c): every element but an implied first one needs `=`.
 * In both, `,,` inside a value stands for a literal comma, a trailing comma is
 * ignored, and a repeated key keeps the last value.
 */
import { optionError, optionWarning } from './option-error.js';

export interface OptParam {
  readonly key: string;
  readonly value: string;
}

export interface OptParseConfig {
  readonly style: 'qemu-opts' | 'keyval';
  /** Key given to a first element written without `=` (e.g. `cpus` for `-smp 4`). */
  readonly impliedKey?: string;
}

export interface OptParseResult {
  readonly params: OptParam[];
  readonly warnings: string[];
}

const KEYVAL_KEY = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;

/** Reads a value starting at `start` up to an unescaped comma; returns it and where it stopped. */
function readValue(text: string, start: number): { value: string; end: number } {
  let value = '';
  let i = start;
  while (i < text.length) {
    if (text[i] === ',') {
      if (text[i + 1] !== ',') break;
      value += ',';
      i += 2;
    } else {
      value += text[i];
      i += 1;
    }
  }
  return { value, end: i };
}

/** Index of the first `=` or `,` at or after `start` (or the end of the text). */
function nameEnd(text: string, start: number): number {
  let i = start;
  while (i < text.length && text[i] !== '=' && text[i] !== ',') i += 1;
  return i;
}

/**
 * Parses `text` (the argument of option `where`, e.g. "-drive file=x") into key/value pairs
 * in the order written. Throws OptionError with QEMU's wording for malformed input.
 */
export function parseOptParams(text: string, config: OptParseConfig, where: string): OptParseResult {
  const params: OptParam[] = [];
  const warnings: string[] = [];
  let pos = 0;
  let first = true;
  while (pos < text.length) {
    const end = nameEnd(text, pos);
    const hasEquals = text[end] === '=';
    if (!hasEquals && first && config.impliedKey !== undefined && (config.style === 'qemu-opts' || end > pos)) {
      const { value, end: valueEnd } = readValue(text, pos);
      params.push({ key: config.impliedKey, value });
      pos = valueEnd;
    } else if (hasEquals) {
      const key = text.slice(pos, end);
      if (config.style === 'keyval' && !KEYVAL_KEY.test(key)) throw optionError(where, `Invalid parameter '${key}'`);
      const { value, end: valueEnd } = readValue(text, end + 1);
      params.push({ key, value });
      pos = valueEnd;
    } else {
      const name = text.slice(pos, end);
      if (config.style === 'keyval') {
        if (!KEYVAL_KEY.test(name)) throw optionError(where, `Invalid parameter '${name}'`);
        throw optionError(where, `Expected '=' after parameter '${name}'`);
      }
      params.push(flagParam(name, where, warnings));
      pos = end;
    }
    first = false;
    if (text[pos] === ',') pos += 1;
  }
  return { params, warnings };
}

/** QemuOpts' short-form boolean: `foo` is foo=on, `nofoo` is foo=off (deprecated since QEMU 6.0). */
function flagParam(name: string, where: string, warnings: string[]): OptParam {
  const negated = name.startsWith('no');
  const param = negated ? { key: name.slice(2), value: 'off' } : { key: name, value: 'on' };
  if (!isHelpRequest(name)) {
    warnings.push(
      `${optionWarning(where, `short-form boolean option '${name}' deprecated`)}\n` +
        `Please use ${param.key}=${param.value} instead`,
    );
  }
  return param;
}

/** QEMU treats `help` and `?` as requests for a list. */
export function isHelpRequest(text: string): boolean {
  return text === 'help' || text === '?';
}

/** Last value given for `key`, if any. */
export function lastValue(params: readonly OptParam[], key: string): string | undefined {
  let found: string | undefined;
  for (const p of params) if (p.key === key) found = p.value;
  return found;
}

/** Values that QEMU's boolean parser (qapi_bool_parse) accepts. */
export function parseOnOff(value: string): boolean | undefined {
  if (value === 'on' || value === 'yes' || value === 'true' || value === 'y') return true;
  if (value === 'off' || value === 'no' || value === 'false' || value === 'n') return false;
  return undefined;
}

/** QEMU's id_wellformed(): a letter, then letters, digits, '-', '.', '_'. */
export function isWellFormedId(id: string): boolean {
  return /^[A-Za-z][A-Za-z0-9._-]*$/.test(id);
}

/** QEMU's two-line complaint about a malformed id. */
export const ID_HINT = "Identifiers consist of letters, digits, '-', '.', '_', starting with a letter.";
