/**
 * JSON values as QEMU's QObject model sees them, and their text form as
 * QEMU's qobject_to_json() writes it (compact, ", " and ": " separators,
 * non-ASCII as upper-case \uXXXX, doubles as %.17g, members in QDict hash
 * order).
 */

/**
 * Integers that fit int64 or uint64 are bigints (QNum I64/U64); every other
 * number is a double (QNum DOUBLE). Objects keep their members in input order.
 */
export type JsonValue = null | boolean | bigint | number | string | JsonValue[] | JsonObject;
export type JsonObject = Map<string, JsonValue>;

export function isJsonObject(v: JsonValue): v is JsonObject {
  return v instanceof Map;
}

/** QEMU's QString escaping (qobject/qjson.c to_json). */
export function quoteJsonString(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0) ?? 0;
    switch (ch) {
      case '"': out += '\\"'; break;
      case '\\': out += '\\\\'; break;
      case '\b': out += '\\b'; break;
      case '\f': out += '\\f'; break;
      case '\n': out += '\\n'; break;
      case '\r': out += '\\r'; break;
      case '\t': out += '\\t'; break;
      default:
        if (cp > 0xffff) out += `\\u${hex4(0xd800 | ((cp - 0x10000) >> 10))}\\u${hex4(0xdc00 | ((cp - 0x10000) & 0x3ff))}`;
        else if (cp < 0x20 || cp >= 0x7f) out += `\\u${hex4(cp)}`;
        else out += ch;
    }
  }
  return out + '"';
}

function hex4(n: number): string {
  return n.toString(16).toUpperCase().padStart(4, '0');
}

/** C's printf("%.17g"), which QEMU uses for doubles (including its "inf"/"nan"). */
export function formatDouble(d: number): string {
  if (Number.isNaN(d)) return d < 0 ? '-nan' : 'nan';
  if (!Number.isFinite(d)) return d < 0 ? '-inf' : 'inf';
  if (d === 0) return Object.is(d, -0) ? '-0' : '0';
  const [mantissa = '0', expText = '0'] = d.toExponential(16).split('e');
  const exponent = Number(expText);
  if (exponent < -4 || exponent >= 17) {
    const digits = stripFractionZeros(mantissa);
    const sign = exponent < 0 ? '-' : '+';
    return `${digits}e${sign}${String(Math.abs(exponent)).padStart(2, '0')}`;
  }
  return stripFractionZeros(d.toFixed(Math.max(0, 16 - exponent)));
}

function stripFractionZeros(text: string): string {
  return text.includes('.') ? text.replace(/\.?0+$/, '') : text;
}

/**
 * Serializes a value the way QEMU prints QMP messages. Besides JsonValue it
 * accepts plain objects (for data handed over by the target); members whose
 * value is undefined are left out.
 */
export function toJson(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean': return value ? 'true' : 'false';
    case 'bigint': return value.toString();
    case 'number': return formatDouble(value);
    case 'string': return quoteJsonString(value);
    case 'object': break;
    default: return 'null';
  }
  if (Array.isArray(value)) {
    const items: unknown[] = value;
    return `[${items.map((v) => toJson(v)).join(', ')}]`;
  }
  const entries: [string, unknown][] = value instanceof Map
    ? [...(value as Map<unknown, unknown>).entries()].map(([k, v]) => [String(k), v])
    : Object.entries(value);
  const members = qdictOrder(entries.filter(([, v]) => v !== undefined))
    .map(([k, v]) => `${quoteJsonString(k)}: ${toJson(v)}`);
  return `{${members.join(', ')}}`;
}

const utf8 = new TextEncoder();

/**
 * The bucket QEMU's QDict puts a key in (qobject/qdict.c tdb_hash() modulo
 * 512). QEMU prints and walks a dictionary bucket by bucket, so this decides
 * the member order of everything QMP sends.
 */
function qdictBucket(key: string): number {
  const bytes = utf8.encode(key);
  let value = Math.imul(0x238f13af, bytes.length) >>> 0;
  bytes.forEach((b, i) => { value = (value + ((b << ((i * 5) % 24)) >>> 0)) >>> 0; });
  return ((Math.imul(1103515243, value) + 12345) >>> 0) % 512;
}

/**
 * Members in QDict iteration order: by bucket, and within a bucket the most
 * recently inserted first. Build objects in QAPI member order and this gives
 * QEMU's output order (e.g. {"return": ..., "id": ...}, {"id": ..., "error": ...}).
 */
export function qdictOrder<T>(entries: readonly (readonly [string, T])[]): [string, T][] {
  return entries
    .map(([k, v], i) => ({ k, v, i, bucket: qdictBucket(k) }))
    .sort((a, b) => a.bucket - b.bucket || b.i - a.i)
    .map(({ k, v }) => [k, v]);
}

/** An object with members in the given (QAPI) order; toJson() prints them in QDict order. */
export function jsonObject(entries: readonly (readonly [string, JsonValue | undefined])[]): JsonObject {
  const map: JsonObject = new Map();
  for (const [k, v] of entries) if (v !== undefined) map.set(k, v);
  return map;
}
