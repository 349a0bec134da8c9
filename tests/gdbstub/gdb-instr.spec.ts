/**
 * Debugging an instrumented run (issue 18, point 3): a breakpoint in the middle of a run counted
 * by examples/instr/insn-count.ts stops the guest, a library is loaded with `monitor instr-load`
 * (qRcmd) while it is stopped, and after `continue` the guest's count equals the one of the same
 * run without a debugger: stopping and resuming lose no instruction and count none twice.
 */
import { expect } from 'chai';
import { join } from 'node:path';
import { repoRoot, runTsemu, virtKernelArgs } from '../support/run-guest.js';
import { freePort, RspClient, waitForPort } from './rsp.js';

const GUEST = join(repoRoot(), 'tests/guest/bin/rv64i.elf');
/** `check_eq` of rv64i.elf (riscv64-unknown-elf-nm), called for every check: mid-run. */
const CHECK_EQ = '80004160';
const INSTR = ['-instr', 'file=examples/instr/insn-count.ts'];

function counts(stdout: string): string[] {
  return stdout.split('\n').filter((l) => l.startsWith('insn-count:'));
}

describe('gdbstub with instrumentation: a breakpoint mid-run loses no event', function () {
  this.timeout(180_000);

  it('stop at a breakpoint, instr-load through qRcmd, continue: the counts equal an undebugged run', async function () {
    const plain = await runTsemu(virtKernelArgs(GUEST, INSTR), { timeoutMs: 60_000 });
    expect(plain.status, plain.stderr).to.equal(0);
    const expected = counts(plain.stdout);
    expect(expected).to.have.length(2);

    const port = await freePort();
    const run = runTsemu(virtKernelArgs(GUEST, [...INSTR, '-gdb', `tcp::${port}`, '-S']), { timeoutMs: 90_000 });
    await waitForPort(port);
    const gdb = await RspClient.connect(port);
    try {
      expect(await gdb.request(`Z0,${CHECK_EQ},2`, 1, 10_000)).to.deep.equal(['OK']);
      expect(await gdb.request('vCont;c', 1, 60_000)).to.deep.equal(['T05thread:p01.01;']);
      const pc = await gdb.request('p20', 1, 10_000);
      expect(pc).to.deep.equal([`${CHECK_EQ.match(/../g)?.reverse().join('')}00000000`]);
      const load = await gdb.monitor('instr-load -i ldst examples/instr/ldst-count.ts', 60_000);
      expect(load.reply).to.equal('OK');
      const info = await gdb.monitor('info instr', 10_000);
      expect(info.output).to.match(/ldst/);
      expect(await gdb.request(`z0,${CHECK_EQ},2`, 1, 10_000)).to.deep.equal(['OK']);
      expect(await gdb.request('D', 1, 10_000)).to.deep.equal(['OK']);
    } finally {
      gdb.close();
    }
    const debugged = await run;
    expect(debugged.status, debugged.stderr).to.equal(0);
    expect(debugged.stdout).to.contain('PASS rv64i');
    expect(counts(debugged.stdout)).to.deep.equal(expected);
    expect(debugged.stdout, 'the library loaded while stopped ran to its qi_fini').to.match(/ldst-count/);
  });
});
