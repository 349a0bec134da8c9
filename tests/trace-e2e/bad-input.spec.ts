/**
 * Bad tracing input on the real command line, compared with
 * qemu-system-riscv64 7.2 where it has the same option (the QEMU half is
 * skipped without QEMU; the guest, instr/guests/count.elf, exits by itself).
 *
 * QEMU 7.2 (Debian) is built with the `log` backend, so its `-trace file=`
 * names the log file, while tsemu's selects the `simple` backend: for an
 * unwritable `file=` only the exit behaviour (one line, status 1) is
 * compared. `serial_write` exists in both emulators' event lists.
 */
import { join } from 'node:path';
import { expect } from 'chai';
import { QEMU_BINARY, runQemu, runTsemu, virtKernelArgs, type GuestRunResult } from '../support/run-guest.js';
import { INSTR_GUESTS, PROGRAM, describeRun, expectCleanFailure, hasTool, linesOf, makeTempDir, runPooled } from '../instr/helpers.js';

const ELF = join(INSTR_GUESTS, 'count.elf');
const QEMU_PROGRAM = 'qemu-system-riscv64';

interface Case {
  readonly name: string;
  readonly args: (dir: string) => string[];
}

const CASES: readonly Case[] = [
  { name: 'unknown event', args: () => ['-trace', 'no_such_event'] },
  { name: 'pattern matching nothing', args: () => ['-trace', 'no_such_*'] },
  { name: 'unreadable events file', args: (d) => ['-trace', `events=${join(d, 'missing', 'events')}`] },
  { name: 'unwritable -D log file', args: (d) => ['-D', join(d, 'missing', 'log'), '-trace', 'serial_write'] },
  { name: 'unwritable trace file', args: (d) => ['-trace', `serial_write,file=${join(d, 'missing', 'trace')}`] },
];

/** stderr with the program name made neutral, so the two emulators' lines compare. */
function neutral(stderr: string, program: string): string[] {
  return linesOf(stderr).map((l) => (l.startsWith(program) ? `PROGRAM${l.slice(program.length)}` : l));
}

describe('trace-e2e: bad tracing input (against qemu-system-riscv64)', function () {
  let dir = '';
  const tsemu = new Map<string, GuestRunResult>();
  const qemu = new Map<string, GuestRunResult>();

  before(async function () {
    this.timeout(120_000);
    dir = makeTempDir('trace-bad');
    const withQemu = hasTool(QEMU_BINARY);
    const jobs: (() => Promise<void>)[] = [];
    for (const c of CASES) {
      jobs.push(async () => { tsemu.set(c.name, await runTsemu(virtKernelArgs(ELF, c.args(dir)), { timeoutMs: 40_000 })); });
      if (withQemu) jobs.push(async () => { qemu.set(c.name, await runQemu(virtKernelArgs(ELF, c.args(dir)), { timeoutMs: 40_000 })); });
    }
    await runPooled(jobs);
  });

  function both(name: string, test: Mocha.Context): { ts: GuestRunResult; q: GuestRunResult } {
    const ts = tsemu.get(name) as GuestRunResult;
    const q = qemu.get(name);
    if (!q) throw new Error('missing test prerequisite (.ci/run installs it): ' + '!q');
    return { ts, q: q as GuestRunResult };
  }

  it("unknown event name: QEMU's warning, and the run goes on (status 0)", function () {
    const { ts, q } = both('unknown event', this);
    expect(ts.status, describeRun(ts)).to.equal(0);
    expect(neutral(ts.stderr, PROGRAM)).to.deep.equal(neutral(q.stderr, QEMU_PROGRAM));
    expect(neutral(ts.stderr, PROGRAM)).to.deep.equal(["PROGRAM: -trace no_such_event: warning: trace event 'no_such_event' does not exist"]);
    expect(ts.status).to.equal(q.status);
  });

  it('a pattern that matches nothing: no message at all, the run goes on', function () {
    const { ts, q } = both('pattern matching nothing', this);
    expect(ts.status, describeRun(ts)).to.equal(0);
    expect(ts.stderr).to.equal('');
    expect(q.stderr).to.equal('');
    expect(ts.status).to.equal(q.status);
  });

  it("an events file that cannot be read: QEMU's one line and exit status 1", function () {
    const { ts, q } = both('unreadable events file', this);
    expectCleanFailure(ts, /No such file or directory$/);
    expect(q.status).to.equal(1);
    expect(neutral(ts.stderr, PROGRAM)).to.deep.equal(neutral(q.stderr, QEMU_PROGRAM));
  });

  it("a -D log file that cannot be created: QEMU's one line and exit status 1", function () {
    const { ts, q } = both('unwritable -D log file', this);
    expect(q.status).to.equal(1);
    expectCleanFailure(ts, /No such file or directory$/);
    expect(neutral(ts.stderr, PROGRAM)).to.deep.equal(neutral(q.stderr, QEMU_PROGRAM));
  });

  it('a trace file that cannot be created: one line naming it, exit status 1 (as QEMU)', function () {
    const { ts, q } = both('unwritable trace file', this);
    expect(q.status).to.equal(1);
    const line = expectCleanFailure(ts, /No such file or directory$/);
    expect(line).to.include(join(dir, 'missing', 'trace'));
  });
});
