/**
 * Bad input to the real tsemu-system-riscv64 binary: every user mistake ends
 * the program with exactly one line on stderr ("tsemu-system-riscv64: ..."),
 * exit status 1, nothing on stdout and no stack trace. Where QEMU 7.2 stops
 * with a message for the same command line, tsemu's line is compared with it
 * (program name aside; QEMU's message is the committed transcript
 * tests/transcripts/cli/bad-input/messages.json, checked live by
 * bad-input.oracle.spec.ts); where QEMU has none (it loads anything as a raw
 * image, or it has no such limit), the case says why.
 *
 * Also: a guest touching unmapped physical memory gets access faults and the
 * emulator carries on, exactly as on QEMU (tests/boot/guests/unmapped-access.S;
 * QEMU's run is tests/transcripts/cli/bad-input/unmapped-access.json).
 * bad-input-cases.ts is the recipe both tiers share.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { repoRoot, runTsemu, tsemuScript, type GuestRunResult } from '../support/run-guest.js';
import { readTranscript } from '../support/transcripts.js';
import {
  base, CASES, describeRun, KEYS, makeFixtures, PROGRAM, removeFixtures, RUN_TIMEOUT_MS, unmappedAccessArgs,
  type ConsoleOutcome, type Fixtures, type QemuMessage,
} from './bad-input-cases.js';
import { local } from './qemu-oracle.js';

/** The contract for every bad input: one "tsemu-system-riscv64: ..." line on stderr, status 1, no trace. */
function expectOneLineFailure(r: GuestRunResult): string {
  const why = describeRun(r);
  expect(r.timedOut, `hung\n${why}`).to.equal(false);
  expect(r.status, why).to.equal(1);
  expect(r.stderr.split('\n').filter((l) => /^\s+at /.test(l)), `stack trace\n${why}`).to.deep.equal([]);
  expect(r.stderr.endsWith('\n'), why).to.equal(true);
  const lines = r.stderr.slice(0, -1).split('\n');
  expect(lines, `one line on stderr\n${why}`).to.have.length(1);
  expect(lines[0]).to.match(new RegExp(`^${PROGRAM}: \\S`));
  expect(r.stdout, 'stdout').to.equal('');
  return lines[0];
}

describe('cli/bad-input: the real binary on bad command lines and files', function () {
  let files: Fixtures;

  before(function () {
    files = makeFixtures();
  });

  after(function () {
    removeFixtures(files);
  });

  for (const c of CASES) {
    const qemuNote = c.qemu.kind === 'none' ? ` (QEMU: none — ${c.qemu.why})` : ` (QEMU: ${c.qemu.kind === 'same' ? 'same message' : 'same message, one line'}, transcript)`;
    it(`${c.title}: one line, status 1${qemuNote}`, async function () {
      this.timeout(RUN_TIMEOUT_MS + 5_000);
      const args = c.args(files);
      const line = expectOneLineFailure(await runTsemu(args, { timeoutMs: RUN_TIMEOUT_MS }));
      expect(line, 'names what is wrong').to.contain(c.mentions(files));
      if (c.qemu.kind === 'none') return;
      const qemu = readTranscript<QemuMessage[]>(KEYS.messages).find((m) => m.title === c.title);
      if (qemu === undefined) throw new Error(`tests/transcripts/${KEYS.messages}.json has no entry for '${c.title}': record it again (TSEMU_RECORD_TRANSCRIPTS=1)`);
      expect(qemu.status, `QEMU (transcript)\n${qemu.stderr}`).to.equal(1);
      const qemuLines = local(qemu.stderr, files.dir).replace(/\n$/, '').split('\n').map((l) => l.split('qemu-system-riscv64').join(PROGRAM));
      if (c.qemu.kind === 'same') {
        expect(line).to.equal(qemuLines.join('\n'));
      } else {
        const last = qemuLines[qemuLines.length - 1];
        expect(qemuLines, 'QEMU’s two lines').to.have.length(2);
        expect(line.startsWith(last), `"${line}" starts with QEMU’s "${last}"`).to.equal(true);
      }
    });
  }

  it('the x86-64 ELF case also holds for the host’s /bin/true (a foreign-architecture ELF on this x86-64 host)', async function () {
    this.timeout(RUN_TIMEOUT_MS + 5_000);
    const host = readFileSync('/bin/true');
    expect(host.readUInt32BE(0), '/bin/true is an ELF').to.equal(0x7f454c46);
    expect(host.readUInt16LE(18), '/bin/true is not RISC-V').to.not.equal(243);
    const line = expectOneLineFailure(await runTsemu(base('/bin/true'), { timeoutMs: RUN_TIMEOUT_MS }));
    expect(line).to.contain('/bin/true');
  });

  it('a guest access to unmapped physical memory traps in the guest (access fault) and the emulator carries on, as on QEMU (transcript)', async function () {
    this.timeout(RUN_TIMEOUT_MS + 5_000);
    const ours = await runTsemu(unmappedAccessArgs(), { timeoutMs: RUN_TIMEOUT_MS });
    // The guest checks mcause and mtval itself and exits through sifive_test: status 0 = every probe trapped as expected.
    expect(ours.status, describeRun(ours)).to.equal(0);
    expect(ours.stderr).to.equal('');
    expect(ours.stdout.split('\n')).to.deep.equal([
      'load 0x0: mcause=0x5 mtval=0x0',
      'store 0x0: mcause=0x7 mtval=0x0',
      'load 0x88000000: mcause=0x5 mtval=0x88000000',
      'store 0x10000800: mcause=0x7 mtval=0x10000800',
      'fetch 0x0: mcause=0x1 mtval=0x0',
      'done',
      '',
    ]);
    const qemu = readTranscript<ConsoleOutcome>(KEYS.unmappedAccess);
    expect({ stdout: ours.stdout, status: ours.status }).to.deep.equal({ stdout: qemu.stdout, status: qemu.status });
  });

  it('standard output closed by its reader (`| head -c 100`): the guest runs on, exit 0, no EPIPE stack trace (QEMU ignores SIGPIPE and drops the output)', async function () {
    this.timeout(RUN_TIMEOUT_MS + 5_000);
    const child = spawn(process.execPath, [tsemuScript(), '-smp', '4', '-nographic', '-kernel', join(repoRoot(), 'examples/guest/demo.elf')],
      { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let firstChunk = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      firstChunk += d;
      if (firstChunk.includes('tsemu-sbi')) child.stdout.destroy(); // the reader goes away while the guest still prints
    });
    const killer = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MS);
    const [status] = (await once(child, 'exit')) as [number | null];
    clearTimeout(killer);
    expect(firstChunk, 'the guest started printing').to.contain('tsemu-sbi');
    expect(stderr).to.equal('');
    expect(status).to.equal(0);
  });
});
