/**
 * scripts/tracetool.mjs: QEMU's trace-events syntax (docs/devel/tracing.txt,
 * scripts/tracetool/__init__.py) to EventInfo metadata and generated
 * TypeScript; malformed lines stop it with `FILE:LINE: reason`, exit 1.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { loadTraceEventsFile } from '../../src/trace/catalog.js';
import type { EventInfo } from '../../src/trace/event-info.js';
import { EVENTS } from '../../src/trace/generated/events.js';
import { makeTempDir } from '../support/tools.js';
import { repoRoot } from '../support/run-guest.js';
import { runNode, TRACETOOL } from './helpers.js';

const GOOD = `# Says foo.
#
# Mode: user, softmmu
# Targets: all
foo(uint32_t a) "a=0x%x"
vcpu bar(uint32_t a) "a=0x%x"
tcg vcpu baz(uint32_t a) "a=0x%x", "a=0x%x"

# A detached comment (blank line below).

vcpu tcg mem(TCGv vaddr, uint8_t info, TCGv_i32 v32) "info=%d", "vaddr=0x%016"PRIx64" info=%d v32=%u"
disable quiet(int64_t d, const char* s, void *p, bool b) "d=%"PRId64" s=%s p=%p b=%d"
`;

const INSTRUMENT = `# instrument these
mem
foo   # trailing comment
`;

describe('trace/tracetool', function () {
  let dir = '';
  before(() => {
    dir = makeTempDir('trace-tool');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  function write(name: string, text: string): string {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  }

  describe('a well-formed file', function () {
    let events: EventInfo[] = [];
    before(async () => {
      events = await loadTraceEventsFile(write('good', GOOD), write('instr', INSTRUMENT));
    });

    it('makes foo_trans/foo_exec of tcg events, ids in file order', function () {
      expect(events.map((e) => `${e.id}:${e.name}`)).to.deep.equal([
        '0:foo', '1:bar', '2:baz_trans', '3:baz_exec', '4:mem_trans', '5:mem_exec', '6:quiet',
      ]);
    });

    it('drops TCG values at translation level and gives them host types at execution level', function () {
      const trans = events[4];
      const exec = events[5];
      expect(trans.args).to.deep.equal([{ name: 'info', type: 'uint8_t', declaredType: 'uint8_t', isTcgValue: false }]);
      expect(exec.args).to.deep.equal([
        { name: 'vaddr', type: 'uint64_t', declaredType: 'TCGv', isTcgValue: true },
        { name: 'info', type: 'uint8_t', declaredType: 'uint8_t', isTcgValue: false },
        { name: 'v32', type: 'uint32_t', declaredType: 'TCGv_i32', isTcgValue: true },
      ]);
      expect(trans.format).to.equal('info=%d');
      expect(exec.format).to.equal('vaddr=0x%016lx info=%d v32=%u');
      expect(exec.formatSource).to.equal('"vaddr=0x%016"PRIx64" info=%d v32=%u"');
    });

    it('links the two levels and records level, vcpu, static state and instrument', function () {
      expect([events[4].level, events[4].peer, events[5].level, events[5].peer]).to.deep.equal(['trans', 5, 'exec', 4]);
      expect([events[0].level, events[0].peer]).to.deep.equal([undefined, undefined]);
      expect(events.map((e) => e.vcpu)).to.deep.equal([false, true, true, true, true, true, false]);
      expect(events.map((e) => e.staticEnabled)).to.deep.equal([true, true, true, true, true, true, false]);
      // foo and mem come from the instrument-events file (--with-instrument-events).
      expect(events.map((e) => e.instrument)).to.deep.equal([true, false, false, false, true, true, false]);
      expect(events[5].properties).to.deep.equal(['vcpu', 'tcg', 'instrument']);
    });

    it('keeps Mode:/Targets: of the comment block right above the event only', function () {
      expect([events[0].mode, events[0].targets]).to.deep.equal(['user, softmmu', 'all']);
      expect([events[4].mode, events[4].targets]).to.deep.equal([undefined, undefined]);
    });

    it('accepts every argument type of the brief', function () {
      expect(events[6].args.map((a) => a.type)).to.deep.equal(['int64_t', 'const char *', 'void *', 'bool']);
      expect(events[6].format).to.equal('d=%ld s=%s p=%p b=%d');
    });
  });

  it('generates readable TypeScript: enum, metadata, typings, one emit function per event', function () {
    const out = join(dir, 'events.ts');
    const r = runNode([TRACETOOL, '--input', write('good2', GOOD), '--instrument-events', write('instr2', INSTRUMENT), '--output', out]);
    expect(r.status, r.stderr).to.equal(0);
    const ts = readFileSync(out, 'utf8');
    expect(ts).to.contain('export const enum EventId {\n  foo = 0,\n  bar = 1,\n  baz_trans = 2,\n  baz_exec = 3,');
    expect(ts).to.contain('export const EVENTS: readonly EventInfo[] = [');
    expect(ts).to.contain('  mem_exec: [vaddr: bigint, info: number, v32: number];');
    expect(ts).to.contain('  mem_trans: [info: number];');
    expect(ts).to.contain('export function trace_foo(a: number): void {\n  if (rt.dstate[EventId.foo] & 1) rt.dispatch(EventId.foo, NO_VCPU, [a]);\n}');
    expect(ts).to.contain('export function trace_bar(cpu: number, a: number): void {\n  if ((rt.dstate[EventId.bar] >>> cpu) & 1) rt.dispatch(EventId.bar, cpu, [a]);');
    expect(ts).to.contain('export function trace_quiet(d: bigint, s: string, p: bigint, b: boolean): void {}');
    expect(ts).to.contain(' * Says foo.\n *\n * Mode: user, softmmu\n * Targets: all\n');
  });

  it('the built EVENTS are what the generator makes of the repository trace-events', async function () {
    const parsed = await loadTraceEventsFile(join(repoRoot(), 'trace-events'));
    const plain = (list: readonly EventInfo[]): unknown => JSON.parse(JSON.stringify(list, (_k, v: unknown) => (v === undefined ? null : v)));
    expect(plain(parsed)).to.deep.equal(plain(EVENTS));
  });

  describe('malformed lines fail with FILE:LINE: reason and exit status 1', function () {
    const cases: [string, string, number, string][] = [
      ['unknown property', 'foo bar_evt(void) ""\n', 1, 'Unknown properties: foo'],
      ['duplicate property', 'vcpu vcpu ev(void) ""\n', 1, "duplicate property 'vcpu'"],
      ['no argument list', '# c\nev "x"\n', 2, `expected 'name(args) "format"'`],
      ['unclosed argument list', 'ev(uint32_t a "a=%u"\n', 1, "missing ')'"],
      ['invalid name', '1ev(void) ""\n', 1, "invalid event name '1ev'"],
      ['empty argument list', 'ev() ""\n', 1, "Empty argument (did you forget to use 'void'?)"],
      ['void among arguments', 'ev(void, uint32_t a) "%u"\n', 1, "'void' must be the only argument"],
      ['argument without a name', 'ev(uint32_t) "%u"\n', 1, "argument 'uint32_t' has no name"],
      ['disallowed type', 'ev(struct foo *f) "%p"\n', 1, "Argument type 'struct foo *' is not allowed"],
      ['duplicate argument', 'ev(uint32_t a, uint32_t a) "%u %u"\n', 1, "duplicate argument name 'a'"],
      ['missing format', '\n\nev(uint32_t a)\n', 3, 'missing format string'],
      ['unterminated format', 'ev(uint32_t a) "a=%u\n', 1, 'unterminated string in the format'],
      ['junk after the format', 'ev(uint32_t a) "a=%u" junk\n', 1, "unexpected 'junk' in the format"],
      ['tcg event with one format', 'tcg ev(TCGv a) "a=%lx"\n', 1, "Events with 'tcg' property must have two format strings"],
      ['two formats without tcg', 'ev(uint32_t a) "a=%u", "a=%u"\n', 1, "Only events with 'tcg' property can have two format strings"],
      ['TCG value without tcg', 'ev(TCGv a) "a=%"PRIx64\n', 1, "argument 'a' has TCG type 'TCGv' but the event lacks the 'tcg' property"],
      ['too few conversions', 'ev(uint32_t a, uint32_t b) "a=%u"\n', 1, 'has 1 conversion(s) for 2 argument(s)'],
      ['translation format counting a TCG value', 'tcg ev(TCGv a) "a=%lx", "a=%lx"\n', 1, 'has 1 conversion(s) for 0 argument(s)'],
      ['64-bit argument with %x', 'ev(uint64_t a) "a=%x"\n', 1, "format '%x' does not match argument 'a' (uint64_t)"],
      ['%s for an integer', 'ev(uint32_t a) "a=%s"\n', 1, "format '%s' does not match argument 'a' (uint32_t)"],
      ['%m', 'ev(void) "failed: %m"\n', 1, "Event format '%m' is forbidden, pass the error as an explicit trace argument"],
      ['newline at the end of the format', 'ev(void) "x\\n"\n', 1, 'Event format must not end with a newline character'],
      ['vcpu argument named cpu', 'vcpu ev(uint32_t cpu) "c=%u"\n', 1, "argument name 'cpu' is reserved"],
      ['duplicate event', 'ev(void) ""\n# again\nev(void) ""\n', 3, "duplicate event 'ev' (see line 1)"],
      ['tcg level clashing with an event', 'ev_exec(void) ""\ntcg ev(TCGv a) "", "a=%lx"\n', 2, "duplicate event 'ev_exec' (see line 1)"],
      ['no newline at end of file', 'ev(void) ""\nev2(void) ""', 2, 'file does not end with a new line'],
    ];
    for (const [title, text, line, reason] of cases) {
      it(title, function () {
        const path = write('bad', text);
        const r = runNode([TRACETOOL, '--input', path, '--output', join(dir, 'never.ts')]);
        expect(r.status).to.equal(1);
        expect(r.stderr).to.match(new RegExp(`^${escapeRegExp(`${path}:${line}: `)}`));
        expect(r.stderr).to.contain(reason);
        expect(r.stderr.trimEnd().split('\n')).to.have.length(1);
      });
    }

    it('an instrument-events name that is not an event', function () {
      const instr = write('instr-bad', '# list\nfoo\nnope\n');
      const r = runNode([TRACETOOL, '--input', write('ok', 'foo(void) ""\n'), '--instrument-events', instr, '--output', join(dir, 'never.ts')]);
      expect(r.status).to.equal(1);
      expect(r.stderr).to.equal(`${instr}:3: no event named 'nope' in trace-events\n`);
    });

    it('prints the path as given relative to the current directory (trace-events:LINE)', function () {
      write('trace-events', 'ok(void) ""\nbad(\n');
      const r = runNode([TRACETOOL, '--input', 'trace-events', '--output', join(dir, 'never.ts')], dir);
      expect(r.status).to.equal(1);
      expect(r.stderr).to.equal("trace-events:2: missing ')' after the arguments\n");
    });
  });
});

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
