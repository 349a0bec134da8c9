/**
 * Bad tracing input on the real command line, compared with what qemu-system-riscv64 7.2 did for
 * the same option: the committed transcripts tests/transcripts/trace-e2e/bad-input/*.json, which
 * bad-input.oracle.spec.ts checks against a live QEMU (recipe: bad-input-cases.ts; the guest,
 * instr/guests/count.elf, exits by itself).
 *
 * QEMU 7.2 (Debian) is built with the `log` backend, so its `-trace file=`
 * names the log file, while tsemu's selects the `simple` backend: for an
 * unwritable `file=` only the exit behaviour (one line, status 1) is
 * compared. `serial_write` exists in both emulators' event lists.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { runTsemu, virtKernelArgs, type GuestRunResult } from '../support/run-guest.js';
import { makeTempDir } from '../support/tools.js';
import { readTranscript } from '../support/transcripts.js';
import { PROGRAM, describeRun, expectCleanFailure, runPooled } from '../instr/helpers.js';
import { CASES, ELF, RUN_TIMEOUT_MS, neutral, outcome, type BadInputOutcome, type Case } from './bad-input-cases.js';

const QEMU_PROGRAM = 'qemu-system-riscv64';

describe('trace-e2e: bad tracing input (against qemu-system-riscv64 transcripts)', function () {
  let dir = '';
  const tsemu = new Map<string, GuestRunResult>();

  before(async function () {
    this.timeout(120_000);
    dir = makeTempDir('trace-bad');
    await runPooled(Object.values(CASES).map((c: Case) => async () => {
      tsemu.set(c.name, await runTsemu(virtKernelArgs(ELF, c.args(dir)), { timeoutMs: RUN_TIMEOUT_MS }));
    }));
  });

  after(function () {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** tsemu's run (raw, and as the transcript would keep it) and QEMU's transcript. */
  function both(c: Case): { ts: GuestRunResult; tsLines: string[]; q: BadInputOutcome; qLines: string[] } {
    const ts = tsemu.get(c.name) as GuestRunResult;
    const q = readTranscript<BadInputOutcome>(c.key);
    return { ts, tsLines: neutral(outcome(ts, dir).stderr, PROGRAM), q, qLines: neutral(q.stderr, QEMU_PROGRAM) };
  }

  it("unknown event name: QEMU's warning, and the run goes on (status 0)", function () {
    const { ts, tsLines, q, qLines } = both(CASES.unknownEvent);
    expect(ts.status, describeRun(ts)).to.equal(0);
    expect(tsLines).to.deep.equal(qLines);
    expect(tsLines).to.deep.equal(["PROGRAM: -trace no_such_event: warning: trace event 'no_such_event' does not exist"]);
    expect(ts.status).to.equal(q.status);
  });

  it('a pattern that matches nothing: no message at all, the run goes on', function () {
    const { ts, q } = both(CASES.patternMatchingNothing);
    expect(ts.status, describeRun(ts)).to.equal(0);
    expect(ts.stderr).to.equal('');
    expect(q.stderr).to.deep.equal([]);
    expect(ts.status).to.equal(q.status);
  });

  it("an events file that cannot be read: QEMU's one line and exit status 1", function () {
    const { ts, tsLines, q, qLines } = both(CASES.unreadableEventsFile);
    expectCleanFailure(ts, /No such file or directory$/);
    expect(q.status).to.equal(1);
    expect(tsLines).to.deep.equal(qLines);
  });

  it("a -D log file that cannot be created: QEMU's one line and exit status 1", function () {
    const { ts, tsLines, q, qLines } = both(CASES.unwritableLogFile);
    expect(q.status).to.equal(1);
    expectCleanFailure(ts, /No such file or directory$/);
    expect(tsLines).to.deep.equal(qLines);
  });

  it('a trace file that cannot be created: one line naming it, exit status 1 (as QEMU)', function () {
    const { ts, q } = both(CASES.unwritableTraceFile);
    expect(q.status).to.equal(1);
    const line = expectCleanFailure(ts, /No such file or directory$/);
    expect(line).to.include(join(dir, 'missing', 'trace'));
  });
});
