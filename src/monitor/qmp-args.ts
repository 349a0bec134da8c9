/**
 * QMP argument checking as QEMU's QAPI input visitor does it (strict mode):
 * members are visited in schema order, the first missing or ill-typed one is
 * reported, and left-over members are rejected at the end. Texts are QEMU's.
 */
import { JsonObject, JsonValue, qdictOrder } from './json-value.js';

export type QmpArgType =
  | { readonly kind: 'str' }
  | { readonly kind: 'int' }
  | { readonly kind: 'bool' }
  | { readonly kind: 'strList' }
  | { readonly kind: 'enumList'; readonly values: readonly string[] };

export interface QmpArgSpec {
  readonly name: string;
  readonly type: QmpArgType;
  readonly optional: boolean;
}

export class QmpArgError extends Error {}

const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;

function expected(name: string, what: string): QmpArgError {
  return new QmpArgError(`Invalid parameter type for '${name}', expected: ${what}`);
}

/** QAPI 'int' (int64): a JSON integer that fits; doubles and larger integers do not. */
function checkInt(name: string, v: JsonValue): bigint {
  if (typeof v !== 'bigint' || v < INT64_MIN || v > INT64_MAX) throw expected(name, 'integer');
  return v;
}

function checkList(name: string, v: JsonValue, element: (itemName: string, item: JsonValue) => string): string[] {
  if (!Array.isArray(v)) throw expected(name, 'array');
  return v.map((item, i) => element(`${name}[${i}]`, item));
}

export type QmpArgValue = string | bigint | boolean | string[];

function checkValue(spec: QmpArgSpec, v: JsonValue): QmpArgValue {
  const { name, type } = spec;
  switch (type.kind) {
    case 'str':
      if (typeof v !== 'string') throw expected(name, 'string');
      return v;
    case 'int':
      return checkInt(name, v);
    case 'bool':
      if (typeof v !== 'boolean') throw expected(name, 'boolean');
      return v;
    case 'strList':
      return checkList(name, v, (itemName, item) => {
        if (typeof item !== 'string') throw expected(itemName, 'string');
        return item;
      });
    case 'enumList':
      return checkList(name, v, (itemName, item) => {
        if (typeof item !== 'string') throw expected(itemName, 'string');
        // QEMU 7.2 names list elements 'null' in this message (sic).
        if (!type.values.includes(item)) throw new QmpArgError(`Parameter 'null' does not accept value '${item}'`);
        return item;
      });
  }
}

/** Checked arguments by name; absent optional members are absent. */
export class QmpArgs {
  constructor(private readonly values: ReadonlyMap<string, QmpArgValue>) {}

  str(name: string): string | undefined {
    const v = this.values.get(name);
    return typeof v === 'string' ? v : undefined;
  }

  int(name: string): bigint | undefined {
    const v = this.values.get(name);
    return typeof v === 'bigint' ? v : undefined;
  }

  bool(name: string): boolean | undefined {
    const v = this.values.get(name);
    return typeof v === 'boolean' ? v : undefined;
  }

  list(name: string): string[] | undefined {
    const v = this.values.get(name);
    return Array.isArray(v) ? v : undefined;
  }
}

/** Visit `args` against `specs`; throws QmpArgError with QEMU's text. */
export function checkArguments(args: JsonObject, specs: readonly QmpArgSpec[]): QmpArgs {
  const values = new Map<string, QmpArgValue>();
  for (const spec of specs) {
    const v = args.get(spec.name);
    if (v === undefined) {
      if (!spec.optional) throw new QmpArgError(`Parameter '${spec.name}' is missing`);
      continue;
    }
    values.set(spec.name, checkValue(spec, v));
  }
  // Left-over members are reported in QDict order, as QEMU's visitor finds them.
  for (const [key] of qdictOrder([...args.entries()])) {
    if (!specs.some((s) => s.name === key)) throw new QmpArgError(`Parameter '${key}' is unexpected`);
  }
  return new QmpArgs(values);
}
