/**
 * -trace / -d trace: front ends. Messages are compared with what Debian's qemu-system-riscv64 7.2
 * printed for the same input: the committed transcripts tests/transcripts/trace/control/*.json,
 * which control.oracle.spec.ts checks against a live QEMU (recipe: control-cases.ts). Event names
 * used there exist in neither emulator.
 */
import { closeSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import type { TraceSpec } from '../../src/cli/trace-opts.js';
import {
  applyLogTracePatterns,
  applyTraceOptions,
  openTraceLogFile,
  traceEventListing,
  type TraceControlOutcome,
} from '../../src/trace/control.js';
import { EVENTS, EventId } from '../../src/trace/generated/events.js';
import { TraceState } from '../../src/trace/state.js';
import { makeTempDir } from '../support/tools.js';
import { readTranscript } from '../support/transcripts.js';
import {
  asTsemu, CASES, HELP_KEY, neutralDir, ONE_NAME_PER_LINE, paths, prepareScratch, UNKNOWN_EVENT,
  type MessageCase, type QemuHelpListing, type QemuMessages,
} from './control-cases.js';

function spec(enable?: string, events?: string, file?: string): TraceSpec {
  return { enable, events, file };
}

/** QEMU's answer for a case (transcript), with tsemu's program name. */
function qemu(c: MessageCase): { status: number | null; lines: string[] } {
  const q = readTranscript<QemuMessages>(c.key);
  return { status: q.status, lines: asTsemu(q.lines) };
}

describe('trace/control', function () {
  let dir = '';
  before(() => {
    dir = makeTempDir('trace-control');
    prepareScratch(dir);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** tsemu's messages with the scratch directory written as in the transcripts. */
  function warningsOf(outcome: TraceControlOutcome): string[] {
    return outcome.warnings.map((w) => neutralDir(w, dir));
  }

  it('enables by pattern and returns the file of the last -trace', function () {
    const s = TraceState.create();
    const r = applyTraceOptions(s, [
      { spec: spec('guest_mem_before_*', undefined, 'a.log'), where: '-trace guest_mem_before_*,file=a.log' },
      { spec: spec('-guest_mem_before_trans'), where: '-trace -guest_mem_before_trans' },
    ]);
    expect(r).to.deep.equal({ kind: 'ok', warnings: [], file: undefined });
    expect([s.dynamicState(EventId.guest_mem_before_trans), s.dynamicState(EventId.guest_mem_before_exec)]).to.deep.equal([false, true]);
    const r2 = applyTraceOptions(TraceState.create(), [{ spec: spec(undefined, undefined, 'b.log') }]);
    expect(r2).to.deep.equal({ kind: 'ok', warnings: [], file: 'b.log' });
  });

  it('-trace UNKNOWN: the warning QEMU prints, with the option as location', function () {
    const oracle = qemu(CASES.unknownEvent);
    const r = applyTraceOptions(TraceState.create(), [{ spec: spec(UNKNOWN_EVENT), where: `-trace ${UNKNOWN_EVENT}` }]);
    expect(r.kind).to.equal('ok');
    expect(warningsOf(r)).to.deep.equal(oracle.lines);
    expect(oracle.lines).to.have.length(1);
  });

  it('-trace with a glob matching nothing is silent, like QEMU', function () {
    expect(qemu(CASES.globMatchingNothing).lines).to.deep.equal([]);
    expect(warningsOf(applyTraceOptions(TraceState.create(), [{ spec: spec('zzz_nothing*'), where: '-trace zzz_nothing*' }]))).to.deep.equal([]);
  });

  it('events=FILE: per-line warnings with FILE:LINE, comments, blank lines and the fgets quirks', function () {
    // control-cases.ts EVENTS_FILE_TEXT: a leading '-' disables; no trimming; the last line has no newline and loses its last character.
    const file = paths(dir).eventsFile;
    const oracle = qemu(CASES.eventsFile);
    const r = applyTraceOptions(TraceState.create(), [{ spec: spec(undefined, file), where: `-trace events=${file}` }]);
    expect(warningsOf(r)).to.deep.equal(oracle.lines);
    expect(oracle.lines).to.have.length(5);
  });

  it('events=FILE that cannot be read: the one-line error, after earlier warnings', function () {
    const missing = paths(dir).missing;
    const oracle = qemu(CASES.eventsFileMissing);
    const r = applyTraceOptions(TraceState.create(), [
      { spec: spec('zz_before'), where: '-trace zz_before' },
      { spec: spec(undefined, missing), where: `-trace events=${missing}` },
    ]);
    expect(oracle.status).to.equal(1);
    if (r.kind !== 'error') throw new Error(`expected an error, got ${r.kind}`);
    expect([...warningsOf(r), neutralDir(r.message, dir)]).to.deep.equal(oracle.lines);
  });

  it('events=DIRECTORY reads nothing and says nothing, like QEMU', function () {
    expect(qemu(CASES.eventsDirectory).lines).to.deep.equal([]);
    expect(applyTraceOptions(TraceState.create(), [{ spec: spec(undefined, dir) }])).to.deep.equal({ kind: 'ok', warnings: [], file: undefined });
  });

  it('-d trace:UNKNOWN warns without a location (QEMU handles -d after parsing)', function () {
    const oracle = qemu(CASES.logTraceUnknown);
    const r = applyLogTracePatterns(TraceState.create(), ['zz_nonexistent', 'zz_glob*']);
    expect(warningsOf(r)).to.deep.equal(oracle.lines.filter((l) => l.includes('warning')));
    expect(warningsOf(r)).to.have.length(1);
  });

  it('-trace help, -trace ?, -d trace:help and a help line in an events file list the events, exit 0', function () {
    const q = readTranscript<QemuHelpListing>(HELP_KEY);
    expect(q.status).to.equal(0);
    expect(q.oneNamePerLine, q.firstLines.join('\n')).to.equal(true); // QEMU's form: one name per line
    const listing = traceEventListing(EVENTS);
    expect(listing).to.equal(EVENTS.map((e) => `${e.name}\n`).join(''));
    expect(listing).to.match(ONE_NAME_PER_LINE);
    const helpFile = join(dir, 'help-events');
    writeFileSync(helpFile, 'help\n');
    for (const r of [
      applyTraceOptions(TraceState.create(), [{ spec: spec('help') }]),
      applyTraceOptions(TraceState.create(), [{ spec: spec('?') }]),
      applyTraceOptions(TraceState.create(), [{ spec: spec(undefined, helpFile) }]),
      applyLogTracePatterns(TraceState.create(), ['help']),
    ]) {
      expect(r).to.deep.equal({ kind: 'help', warnings: [], listing });
    }
  });

  it('an unwritable log file gives QEMU\'s "Error opening logfile" line', function () {
    for (const [path, c] of [[paths(dir).unwritableLog, CASES.logFileMissingDir], [dir, CASES.logFileDirectory]] as const) {
      const oracle = qemu(c);
      expect(oracle.status).to.equal(1);
      const opened = openTraceLogFile(path);
      if (!('error' in opened)) throw new Error('opened an unwritable file');
      expect([neutralDir(opened.error, dir)]).to.deep.equal(oracle.lines);
    }
  });

  it('openTraceLogFile truncates and returns a descriptor', function () {
    const path = join(dir, 'sub', 'log.txt');
    mkdirSync(join(dir, 'sub'));
    writeFileSync(path, 'old contents\n');
    const opened = openTraceLogFile(path);
    if (!('fd' in opened)) throw new Error(opened.error);
    closeSync(opened.fd);
    expect(readFileSync(path, 'utf8')).to.equal('');
  });
});
