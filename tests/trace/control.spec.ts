/**
 * -trace / -d trace: front ends. Messages are compared with what Debian's
 * qemu-system-riscv64 7.2 prints for the same input (those cases skip when
 * QEMU is not installed); event names used there exist in neither emulator.
 */
import { spawnSync } from 'node:child_process';
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
import { hasTool, makeTempDir } from './helpers.js';

const QEMU = 'qemu-system-riscv64';

function spec(enable?: string, events?: string, file?: string): TraceSpec {
  return { enable, events, file };
}

/** QEMU's stderr lines for a command line that exits by itself (-version, or an error). */
function qemuStderr(args: readonly string[], input = ''): { status: number | null; lines: string[] } {
  const r = spawnSync(QEMU, args, { input, encoding: 'utf8', timeout: 15_000 });
  const lines = r.stderr.split('\n').filter((l) => l !== '').map((l) => l.replace(/qemu-system-riscv64/g, 'tsemu-system-riscv64'));
  return { status: r.status, lines };
}

function warningsOf(outcome: TraceControlOutcome): readonly string[] {
  return outcome.warnings;
}

describe('trace/control', function () {
  let dir = '';
  let qemu = false;
  before(() => {
    dir = makeTempDir('control');
    qemu = hasTool(QEMU);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  function needQemu(ctx: Mocha.Context): void {
    if (!qemu) throw new Error('missing test prerequisite (.ci/run installs it): ' + '!qemu');
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
    needQemu(this);
    const arg = 'foo_bar_nonexistent';
    const oracle = qemuStderr(['-trace', arg, '-version']);
    const r = applyTraceOptions(TraceState.create(), [{ spec: spec(arg), where: `-trace ${arg}` }]);
    expect(r.kind).to.equal('ok');
    expect(warningsOf(r)).to.deep.equal(oracle.lines);
    expect(oracle.lines).to.have.length(1);
  });

  it('-trace with a glob matching nothing is silent, like QEMU', function () {
    needQemu(this);
    expect(qemuStderr(['-trace', 'zzz_nothing*', '-version']).lines).to.deep.equal([]);
    expect(warningsOf(applyTraceOptions(TraceState.create(), [{ spec: spec('zzz_nothing*'), where: '-trace zzz_nothing*' }]))).to.deep.equal([]);
  });

  it('events=FILE: per-line warnings with FILE:LINE, comments, blank lines and the fgets quirks', function () {
    needQemu(this);
    const file = join(dir, 'events');
    // A leading '-' disables; no trimming; the last line has no newline and loses its last character.
    writeFileSync(file, '# comment\n\nzz_one\n  -zz_spaced\n-zz_two\nzz_glob*\n \nzz_three_x');
    const oracle = qemuStderr(['-trace', `events=${file}`, '-version']);
    const r = applyTraceOptions(TraceState.create(), [{ spec: spec(undefined, file), where: `-trace events=${file}` }]);
    expect(warningsOf(r)).to.deep.equal(oracle.lines);
    expect(oracle.lines).to.have.length(5);
  });

  it('events=FILE that cannot be read: the one-line error, after earlier warnings', function () {
    needQemu(this);
    const missing = join(dir, 'no-such-file');
    const oracle = qemuStderr(['-trace', 'zz_before', '-trace', `events=${missing}`, '-version']);
    const r = applyTraceOptions(TraceState.create(), [
      { spec: spec('zz_before'), where: '-trace zz_before' },
      { spec: spec(undefined, missing), where: `-trace events=${missing}` },
    ]);
    expect(oracle.status).to.equal(1);
    if (r.kind !== 'error') throw new Error(`expected an error, got ${r.kind}`);
    expect([...r.warnings, r.message]).to.deep.equal(oracle.lines);
  });

  it('events=DIRECTORY reads nothing and says nothing, like QEMU', function () {
    needQemu(this);
    expect(qemuStderr(['-trace', `events=${dir}`, '-version']).lines).to.deep.equal([]);
    expect(applyTraceOptions(TraceState.create(), [{ spec: spec(undefined, dir) }])).to.deep.equal({ kind: 'ok', warnings: [], file: undefined });
  });

  it('-d trace:UNKNOWN warns without a location (QEMU handles -d after parsing)', function () {
    needQemu(this);
    const oracle = qemuStderr(['-M', 'none', '-display', 'none', '-nodefaults', '-monitor', 'stdio', '-d', 'trace:zz_nonexistent'], 'quit\n');
    const r = applyLogTracePatterns(TraceState.create(), ['zz_nonexistent', 'zz_glob*']);
    expect(warningsOf(r)).to.deep.equal(oracle.lines.filter((l) => l.includes('warning')));
    expect(warningsOf(r)).to.have.length(1);
  });

  it('-trace help, -trace ?, -d trace:help and a help line in an events file list the events, exit 0', function () {
    needQemu(this);
    const q = spawnSync(QEMU, ['-trace', 'help'], { encoding: 'utf8', timeout: 15_000 });
    expect(q.status).to.equal(0);
    expect(q.stdout).to.match(/^(\w+\n)+$/); // QEMU's form: one name per line
    const listing = traceEventListing(EVENTS);
    expect(listing).to.equal(EVENTS.map((e) => `${e.name}\n`).join(''));
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
    needQemu(this);
    const bad = join(dir, 'missing-dir', 'trace.log');
    for (const path of [bad, dir]) {
      const oracle = qemuStderr(['-M', 'none', '-display', 'none', '-nodefaults', '-trace', `file=${path}`]);
      expect(oracle.status).to.equal(1);
      const opened = openTraceLogFile(path);
      if (!('error' in opened)) throw new Error('opened an unwritable file');
      expect([opened.error]).to.deep.equal(oracle.lines);
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
