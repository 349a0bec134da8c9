/**
 * The "stop the machine" control calls (src/instr/api/control.ts):
 *
 * - qi_exit(status), through examples/instr/contrib/stoptrigger.ts (icount=1000:7) beside insn.ts on
 *   guests/tools.elf: the line, exit status 7, and the other library's qi_fini summary (the machine
 *   shut down as on a guest poweroff, as QEMU's exit() runs every plugin's atexit callback); the
 *   calling vCPU stopped at its next block boundary (insn's count: past 1000, far from the end);
 * - qi_vm_stop(reason), through libs/vm-stop.ts under the monitor on guests/count.elf: at the 500th
 *   execution of `hot` the machine pauses (`info status`: paused, one line on stderr with the
 *   reason, the guest's counter no longer moves), `cont` resumes it and the guest finishes: all
 *   1000 iterations counted, one stop.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { expect } from 'chai';
import { repoRoot, runTsemu, virtKernelArgs } from '../support/run-guest.js';
import { elfSymbols, symbol } from '../support/elf-symbols.js';
import { waitFor } from '../support/tools.js';
import { HmpStdio } from '../monitor-e2e/hmp-stdio.js';
import { INSTR_GUESTS, INSTR_LIBS, describeRun, linesOf } from './helpers.js';
import { CONTRIB, TOOLS_ELF } from './contrib-recipes.js';

const COUNT_ELF = join(INSTR_GUESTS, 'count.elf');

describe('instr: qi_exit and qi_vm_stop', function () {
  this.timeout(120_000);

  it('qi_exit (stoptrigger icount=1000:7): its line, status 7, the other library\'s qi_fini ran; the vCPU stopped at its next block boundary', async function () {
    const run = await runTsemu(virtKernelArgs(TOOLS_ELF, ['-instr', `file=${join(CONTRIB, 'stoptrigger.ts')},arg=icount=1000:7`,
      '-instr', `file=${join(CONTRIB, 'insn.ts')}`]), { timeoutMs: 60_000 });
    expect(run.status, describeRun(run)).to.equal(7);
    expect(run.stderr, describeRun(run)).to.equal('');
    const lines = linesOf(run.stdout);
    expect(lines[0]).to.equal('icount reached at 0x80000028, exiting');
    const insns = Number(/^cpu 0 insns: (\d+)$/.exec(lines.find((l) => l.startsWith('cpu 0 insns: ')) ?? '')?.[1]);
    // the vCPU stops at its next block boundary: compiled code chained within its batch may run the
    // loop a few hundred instructions on (the interpreter stops within the block), never to the
    // guest's end (57,790 instructions)
    expect(insns, run.stdout).to.be.within(1001, 10_000);
  });

  it('qi_exit in user mode (stoptrigger icount=1000:5 on hello-static): its line, status 5, the program ends there (no greeting)', function () {
    const p = spawnSync(process.execPath, [join('bin', 'tsemu-riscv64.js'), '-instr', `file=${join('examples', 'instr', 'contrib', 'stoptrigger.ts')},arg=icount=1000:5`,
      join('tests', 'user', 'bin', 'hello-static')], { cwd: repoRoot(), env: {}, encoding: 'utf8', timeout: 100_000 });
    expect(p.status, p.stderr).to.equal(5);
    expect(p.stderr).to.equal('');
    expect(linesOf(p.stdout)).to.have.lengthOf(1);
    expect(p.stdout).to.match(/^icount reached at 0x[0-9a-f]+, exiting\n$/);
  });

  it('qi_vm_stop pauses the machine as the monitor\'s stop does; cont resumes it and nothing is lost', async function () {
    const hot = symbol(elfSymbols(COUNT_ELF), 'hot');
    const buf = symbol(elfSymbols(COUNT_ELF), 'buf');
    const hmp = await HmpStdio.start('tsemu', ['-instr', `file=${join(INSTR_LIBS, 'vm-stop.ts')},arg=0x${hot.toString(16)},arg=500`,
      '-M', 'virt', '-bios', 'none', '-serial', 'none', '-monitor', 'stdio', '-kernel', COUNT_ELF]);
    try {
      await waitFor('the library to stop the machine', async () => (await hmp.run('info status')).includes('paused') || undefined, 30_000, 50);
      const x = async () => (await hmp.run(`x /1xg 0x${buf.toString(16)}`)).trim();
      const before = await x();
      // the guest stores its down-counter (1000, 999, ...) at each iteration: stopped within the 500th's block
      expect(before).to.match(/: 0x0*(1f5|1f4)$/);
      expect(await x()).to.equal(before);
      await hmp.run('cont');
      const end = await hmp.session.waitForExit();
      expect(end.status, end.stderr).to.equal(0);
      expect(end.stdout).to.contain(`vm-stop: 0x${hot.toString(16)} ran 1000 times, stopped 1 time(s)`);
      expect(linesOf(end.stderr).filter((l) => l.includes('vm stopped'))).to.deep.equal([`tsemu-system-riscv64: instrumentation: vm stopped: 0x${hot.toString(16)} ran 500 times`]);
    } finally {
      hmp.kill();
    }
  });
});
