/**
 * Oracle tier of control.spec.ts: what qemu-system-riscv64 7.2 prints for the -trace / -d trace:
 * cases of control-cases.ts, live, holding the QEMU-side facts the tsemu comparisons rest on, and
 * equal to the committed transcripts tests/transcripts/trace/control/*.json.
 */
import { rmSync } from 'node:fs';
import { expect } from 'chai';
import { QEMU_BINARY } from '../support/run-guest.js';
import { makeTempDir, requireTool } from '../support/tools.js';
import { verifyTranscript } from '../support/transcripts.js';
import { CASES, HELP_KEY, prepareScratch, runQemuCase, runQemuHelp, type MessageCase, type QemuMessages } from './control-cases.js';

describe('trace/control: qemu-system-riscv64 live (oracle)', function () {
  let dir = '';
  before(function () {
    requireTool(QEMU_BINARY);
    dir = makeTempDir('trace-control');
    prepareScratch(dir);
  });
  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Runs the case on QEMU, checks `facts`, then the transcript. */
  function check(c: MessageCase, facts: (q: QemuMessages) => void): void {
    const { value, command } = runQemuCase(c, dir);
    facts(value);
    verifyTranscript(c.key, value, command);
  }

  it('-trace UNKNOWN: one warning line, and -version still runs', function () {
    check(CASES.unknownEvent, (q) => {
      expect(q.lines).to.have.length(1);
      expect(q.status).to.equal(0);
    });
  });

  it('-trace with a glob matching nothing is silent', function () {
    check(CASES.globMatchingNothing, (q) => expect(q.lines).to.deep.equal([]));
  });

  it('events=FILE: five warnings, FILE:LINE each', function () {
    check(CASES.eventsFile, (q) => {
      expect(q.lines).to.have.length(5);
      for (const l of q.lines) expect(l).to.match(/^qemu-system-riscv64:\$DIR\/events:\d+: warning: /);
    });
  });

  it('events=FILE that cannot be read: exit status 1', function () {
    check(CASES.eventsFileMissing, (q) => expect(q.status).to.equal(1));
  });

  it('events=DIRECTORY says nothing', function () {
    check(CASES.eventsDirectory, (q) => expect(q.lines).to.deep.equal([]));
  });

  it('-d trace:UNKNOWN: one warning', function () {
    check(CASES.logTraceUnknown, (q) => expect(q.lines.filter((l) => l.includes('warning'))).to.have.length(1));
  });

  it('-trace help: one name per line on stdout, exit 0', function () {
    const { value, command } = runQemuHelp();
    expect(value.status).to.equal(0);
    expect(value.oneNamePerLine, value.firstLines.join('\n')).to.equal(true);
    verifyTranscript(HELP_KEY, value, command);
  });

  it('an unwritable log file (missing directory, or a directory): exit status 1', function () {
    check(CASES.logFileMissingDir, (q) => expect(q.status).to.equal(1));
    check(CASES.logFileDirectory, (q) => expect(q.status).to.equal(1));
  });
});
