/**
 * The QMP JSON parser on its own: any chunking gives the same messages, the
 * limits (nesting 1024, 2 Mi tokens, 64 MiB per message; QEMU's
 * json-streamer.c values) end a message with an error and parsing goes on,
 * and QEMU's number/string output rules. Error texts themselves are compared
 * with QEMU in qmp-oracle.spec.ts.
 */
import { expect } from 'chai';
import { JsonLimits, JsonMessageParser, QEMU_JSON_LIMITS } from '../../src/monitor/json-stream.js';
import { formatDouble, JsonValue, qdictOrder, toJson } from '../../src/monitor/json-value.js';

type Message = { value?: string; error?: string };

function parse(chunks: readonly Uint8Array[], limits?: JsonLimits): Message[] {
  const out: Message[] = [];
  const parser = new JsonMessageParser((value: JsonValue | undefined, error: string | undefined) => {
    out.push(error !== undefined ? { error } : { value: toJson(value) });
  }, limits);
  for (const c of chunks) parser.feed(c);
  return out;
}

const bytes = (s: string): Uint8Array => Buffer.from(s, 'utf8');

const CORPUS = Buffer.concat([
  bytes('{"execute": "a", "id": 1}{"execute": "b"}\n'),
  bytes('{"nested": [1, [2, {"x": null}], "s\\u00e9"]} '),
  bytes("{'single': 'quo\"ted', \"esc\": '\\''}"),
  bytes('{"a": 1]\n'),
  bytes('@ {"after": "error"}\n'),
  Buffer.from('"\xff" {"x": 1}\n', 'latin1'), // a byte that is never UTF-8
  bytes('[1, 2.5, -0.0, 1e400, 18446744073709551615, 18446744073709551616]\n'),
  bytes('}{"ok": true}'),
]);

describe('monitor/json-stream: QMP input parsing', () => {
  it('gives the same messages however the input is chunked', () => {
    const whole = parse([CORPUS]);
    const oneByOne = parse([...CORPUS].map((b) => Uint8Array.of(b)));
    const sevens: Uint8Array[] = [];
    const all = CORPUS;
    for (let i = 0; i < all.length; i += 7) sevens.push(all.subarray(i, i + 7));
    expect(oneByOne).to.deep.equal(whole);
    expect(parse(sevens)).to.deep.equal(whole);
    expect(whole.map((m) => m.value ?? m.error)).to.deep.equal([
      '{"execute": "a", "id": 1}',
      '{"execute": "b"}',
      '{"nested": [1, [2, {"x": null}], "s\\u00E9"]}',
      '{"esc": "\'", "single": "quo\\"ted"}',
      'JSON parse error, expected separator in dict',
      "JSON parse error, stray '@'",
      '{"after": "error"}',
      'JSON parse error, stray \'"\uFFFD\'',
      '{"x": 1}',
      '[1, 2.5, -0, inf, 18446744073709551615, 1.8446744073709552e+19]',
      'JSON parse error, expecting value',
      '{"ok": true}',
    ]);
  });

  it('waits for the rest of a value split across chunks', () => {
    const out: string[] = [];
    const parser = new JsonMessageParser((v) => out.push(toJson(v)));
    parser.feed(bytes('{"execute": "qu'));
    parser.feed(bytes('ery-status", "arguments": {"a": [1,'));
    expect(out).to.deep.equal([]);
    parser.feed(bytes(' 2]}}'));
    expect(out).to.deep.equal(['{"execute": "query-status", "arguments": {"a": [1, 2]}}']);
  });

  it('allows nesting 1024 deep and refuses 1025, then goes on', () => {
    const ok = parse([bytes(`${'['.repeat(1024)}${']'.repeat(1024)}\n`)]);
    expect(ok).to.have.length(1);
    expect(ok[0].value).to.match(/^\[\[\[/);
    const deep = parse([bytes(`${'['.repeat(1025)}\n{"next": 1}`)]);
    expect(deep).to.deep.equal([{ error: 'JSON nesting depth limit exceeded' }, { value: '{"next": 1}' }]);
  });

  it('refuses a message of more than 2 Mi tokens, then goes on', () => {
    const limit = QEMU_JSON_LIMITS.maxTokenCount;
    const zeros = (n: number): string => `[${new Array<string>(n).fill('0').join(',')}]`;
    // 2k+1 tokens for k zeros
    expect(parse([bytes(`${zeros(limit / 2 - 1)}\n`)])[0].value).to.match(/^\[0, 0/);
    const over = parse([bytes(`${zeros(limit / 2)}\n{"next": 1}`)]);
    expect(over[0]).to.deep.equal({ error: 'JSON token count limit exceeded' });
    expect(over[over.length - 1]).to.deep.equal({ value: '{"next": 1}' });
  });

  it('refuses a message of more than 64 MiB, then goes on', function () {
    this.timeout(60_000);
    const chunk = `"${'a'.repeat(1 << 20)}",`;
    const parser: Message[] = [];
    const p = new JsonMessageParser((value, error) => parser.push(error !== undefined ? { error } : { value: typeof value }));
    p.feed(bytes('{"execute": "query-status", "id": ['));
    const piece = bytes(chunk);
    for (let i = 0; i < 65; i++) p.feed(piece);
    p.feed(bytes('"end"]}\n{"execute": "query-status"}\n'));
    expect(parser[0]).to.deep.equal({ error: 'JSON token size limit exceeded' });
    expect(parser[parser.length - 1]).to.deep.equal({ value: 'object' });
  });

  it('applies the same limits when they are lowered (as tests of sessions do)', () => {
    const limits: JsonLimits = { maxTokenSize: 64, maxTokenCount: 10, maxNesting: 3 };
    expect(parse([bytes('[[[[1]]]]\n[[[1]]]\n')], limits)[0]).to.deep.equal({ error: 'JSON nesting depth limit exceeded' });
    expect(parse([bytes('[[[1]]]\n')], limits)).to.deep.equal([{ value: '[[[1]]]' }]);
    // An over-long token is cut off like in QEMU; its tail is then lexed as new tokens until things resynchronize.
    const long = parse([bytes(`"${'x'.repeat(100)}"\n[1]\n`)], limits);
    expect(long[0]).to.deep.equal({ error: 'JSON token size limit exceeded' });
    expect(long[long.length - 1]).to.deep.equal({ value: '[1]' });
    const many = parse([bytes('[1,2,3,4,5,6]\n[7]\n')], limits);
    expect(many[0]).to.deep.equal({ error: 'JSON token count limit exceeded' });
    expect(many[many.length - 1]).to.deep.equal({ value: '[7]' });
  });

  it('prints doubles as C %.17g and integers exactly', () => {
    expect([0.1, 1e-5, 1e21, 1.5e300, 100000, -0, 1.8446744073709552e19, Infinity, 2.5].map(formatDouble)).to.deep.equal([
      '0.10000000000000001', '1.0000000000000001e-05', '1e+21', '1.5000000000000001e+300', '100000', '-0',
      '1.8446744073709552e+19', 'inf', '2.5',
    ]);
    expect(toJson(9223372036854775807n)).to.equal('9223372036854775807');
  });

  it('orders object members as QEMU\'s QDict does', () => {
    // Orders seen in QEMU 7.2 output (see qmp-oracle.spec.ts for the live comparison).
    expect(qdictOrder([['error', 1], ['id', 2]]).map(([k]) => k)).to.deep.equal(['id', 'error']);
    expect(qdictOrder([['return', 1], ['id', 2]]).map(([k]) => k)).to.deep.equal(['return', 'id']);
    expect(qdictOrder([['major', 1], ['minor', 2], ['micro', 3]]).map(([k]) => k)).to.deep.equal(['micro', 'minor', 'major']);
    expect(qdictOrder([['b', 1], ['a', 2], ['1', 3]]).map(([k]) => k)).to.deep.equal(['1', 'a', 'b']);
  });
});
