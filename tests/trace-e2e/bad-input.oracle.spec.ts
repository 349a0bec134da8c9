/**
 * Oracle tier of bad-input.spec.ts: qemu-system-riscv64 7.2, live, on each case of
 * bad-input-cases.ts — the QEMU-side facts the tsemu comparisons rest on, and exactly what the
 * committed transcripts tests/transcripts/trace-e2e/bad-input/*.json hold.
 */
import { rmSync } from 'node:fs';
import { expect } from 'chai';
import { QEMU_BINARY, runQemu, virtKernelArgs, type GuestRunResult } from '../support/run-guest.js';
import { makeTempDir, requireTool } from '../support/tools.js';
import { verifyTranscript } from '../support/transcripts.js';
import { describeRun, runPooled } from '../instr/helpers.js';
import { CASES, ELF, RUN_TIMEOUT_MS, outcome, type BadInputOutcome, type Case } from './bad-input-cases.js';

describe('trace-e2e: bad tracing input on qemu-system-riscv64 live (oracle)', function () {
  let dir = '';
  const qemu = new Map<string, { run: GuestRunResult; command: string[] }>();

  before(async function () {
    this.timeout(120_000);
    requireTool(QEMU_BINARY);
    dir = makeTempDir('trace-bad');
    await runPooled(Object.values(CASES).map((c: Case) => async () => {
      const args = virtKernelArgs(ELF, c.args(dir));
      qemu.set(c.name, { run: await runQemu(args, { timeoutMs: RUN_TIMEOUT_MS }), command: [QEMU_BINARY, ...args] });
    }));
  });

  after(function () {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Checks `facts` on QEMU's run of `c`, then its transcript. */
  function check(c: Case, facts: (q: BadInputOutcome) => void): void {
    const { run, command } = qemu.get(c.name) as { run: GuestRunResult; command: string[] };
    expect(run.timedOut, describeRun(run)).to.equal(false);
    const q = outcome(run, dir);
    facts(q);
    verifyTranscript(c.key, q, command);
  }

  it('unknown event name: one warning, the run goes on (status 0)', function () {
    check(CASES.unknownEvent, (q) => {
      expect(q.status).to.equal(0);
      expect(q.stderr).to.deep.equal(["qemu-system-riscv64: -trace no_such_event: warning: trace event 'no_such_event' does not exist"]);
    });
  });

  it('a pattern that matches nothing: no message at all, status 0', function () {
    check(CASES.patternMatchingNothing, (q) => expect(q).to.deep.equal({ status: 0, stderr: [] }));
  });

  it('an events file that cannot be read: one line, exit status 1', function () {
    check(CASES.unreadableEventsFile, (q) => {
      expect(q.status).to.equal(1);
      expect(q.stderr).to.have.length(1);
    });
  });

  it('a -D log file that cannot be created: one line, exit status 1', function () {
    check(CASES.unwritableLogFile, (q) => {
      expect(q.status).to.equal(1);
      expect(q.stderr).to.have.length(1);
    });
  });

  it('a trace file that cannot be created: exit status 1', function () {
    check(CASES.unwritableTraceFile, (q) => expect(q.status).to.equal(1));
  });
});
