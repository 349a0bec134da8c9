/**
 * Event patterns: GLib's g_pattern_match_simple() globbing and QEMU's
 * do_trace_enable_events() rules (trace/control.c); warning texts as QEMU 7.2
 * prints them (checked with qemu-system-riscv64 -trace, see control.unit.spec.ts).
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { loadTraceEventsFile } from '../../src/trace/catalog.js';
import type { EventInfo } from '../../src/trace/event-info.js';
import { applyEventPattern, globMatch, isPattern, matchingEvents } from '../../src/trace/patterns.js';
import { TraceState } from '../../src/trace/state.js';
import { makeTempDir } from '../support/tools.js';

const CATALOG = `foo(uint32_t a) "a=0x%x"
vcpu bar(uint32_t a) "a=0x%x"
tcg vcpu baz(uint32_t a) "a=0x%x", "a=0x%x"
disable vcpu bat(void) ""
`;

describe('trace/patterns', function () {
  let events: EventInfo[] = [];
  let dir = '';
  before(async () => {
    dir = makeTempDir('trace-patterns');
    writeFileSync(join(dir, 'trace-events'), CATALOG);
    events = await loadTraceEventsFile(join(dir, 'trace-events'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('globs like g_pattern_match_simple: * any run (also empty), ? one character, whole name', function () {
    const cases: [string, string, boolean][] = [
      ['foo', 'foo', true],
      ['foo', 'foobar', false],
      ['fo', 'foo', false],
      ['*', '', true],
      ['*', 'anything', true],
      ['foo*', 'foo', true],
      ['*bar', 'foobar', true],
      ['f*o*r', 'foobar', true],
      ['f*o*z', 'foobar', false],
      ['?oo', 'foo', true],
      ['?', '', false],
      ['??', 'f', false],
      ['a*b*c', 'aXbYbZc', true],
      ['a*b*c', 'aXbYbZ', false],
      ['guest_*_exec', 'guest_mem_before_exec', true],
      ['[f]oo', 'foo', false], // no character classes
    ];
    for (const [pattern, name, expected] of cases) expect(globMatch(pattern, name), `${pattern} ~ ${name}`).to.equal(expected);
  });

  it('only `*` makes a pattern (trace_event_is_pattern)', function () {
    expect([isPattern('ba*'), isPattern('ba?'), isPattern('bar')]).to.deep.equal([true, false, false]);
  });

  it('iterates matches in id order', function () {
    expect(matchingEvents('ba*', events).map((e) => e.name)).to.deep.equal(['bar', 'baz_trans', 'baz_exec', 'bat']);
    expect(matchingEvents(undefined, events)).to.have.length(5);
  });

  it('a name enables that event; `-` disables it', function () {
    const s = TraceState.create(events);
    expect(applyEventPattern(s, 'baz_exec')).to.equal(undefined);
    expect([s.dynamicState(2), s.dynamicState(3)]).to.deep.equal([false, true]);
    expect(applyEventPattern(s, '-baz_exec')).to.equal(undefined);
    expect(s.dynamicState(3)).to.equal(false);
  });

  it('a pattern changes every traceable match and skips disabled events silently', function () {
    const s = TraceState.create(events);
    expect(applyEventPattern(s, 'ba*')).to.equal(undefined);
    expect(events.map((e) => s.dynamicState(e.id))).to.deep.equal([false, true, true, true, false]);
    expect(applyEventPattern(s, '-*_trans')).to.equal(undefined);
    expect(s.dynamicState(2)).to.equal(false);
  });

  it('a pattern matching nothing says nothing (QEMU warns for plain names only)', function () {
    const s = TraceState.create(events);
    expect(applyEventPattern(s, 'zzz*')).to.equal(undefined);
    expect(applyEventPattern(s, '-zzz*')).to.equal(undefined);
  });

  it("warns for an unknown name, quoting it without the '-'", function () {
    const s = TraceState.create(events);
    expect(applyEventPattern(s, 'nope')).to.equal("trace event 'nope' does not exist");
    expect(applyEventPattern(s, '-nope')).to.equal("trace event 'nope' does not exist");
    expect(applyEventPattern(s, '')).to.equal("trace event '' does not exist");
  });

  it('a name with ? is globbed but is no pattern: first match only, warning if none', function () {
    const s = TraceState.create(events);
    expect(applyEventPattern(s, 'ba?')).to.equal(undefined);
    expect(events.map((e) => s.dynamicState(e.id))).to.deep.equal([false, true, false, false, false]);
    expect(applyEventPattern(s, 'zz?')).to.equal("trace event 'zz?' does not exist");
  });

  it("a disabled event named exactly is 'not traceable'", function () {
    const s = TraceState.create(events);
    expect(applyEventPattern(s, 'bat')).to.equal("trace event 'bat' is not traceable");
    expect(applyEventPattern(s, '-bat')).to.equal("trace event 'bat' is not traceable");
  });
});
