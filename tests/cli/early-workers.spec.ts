/**
 * Workers started before the main program has loaded (src/machine/early-workers.ts):
 * how many the command line asks for, that they never keep a process alive
 * that does not need them, and that guests run on them at -smp 1, -smp 2 and
 * with thread=single (the guest reports through the finisher).
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expectedVcpuWorkers, hotplugRoom, translatorNeededAtOnce } from '../../src/threads/early-workers.js';

const BIN = fileURLToPath(new URL('../../../bin/tsemu-system-riscv64.js', import.meta.url));
const GUEST = fileURLToPath(new URL('../../../tests/guest/bin/rv64m.elf', import.meta.url));

function tsemu(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 30_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('cli/early-workers: worker threads started ahead of the machine', function () {
  this.timeout(60_000);

  it('expects one vCPU worker per -smp CPU, one with thread=single', function () {
    expect(expectedVcpuWorkers([])).to.equal(1);
    expect(expectedVcpuWorkers(['-smp', '4'])).to.equal(4);
    expect(expectedVcpuWorkers(['-smp', 'cpus=2,maxcpus=4'])).to.equal(2);
    expect(expectedVcpuWorkers(['-smp', 'maxcpus=4,cpus=3'])).to.equal(3);
    expect(expectedVcpuWorkers(['--smp', '2'])).to.equal(2);
    expect(expectedVcpuWorkers(['-smp', '4', '-accel', 'tcg,thread=single'])).to.equal(1);
    expect(expectedVcpuWorkers(['-smp', 'bogus'])).to.equal(1);
    expect(expectedVcpuWorkers(['-smp'])).to.equal(1);
  });

  it('starts the translator service early when something may observe translation from the start, or the vCPUs take every core', function () {
    expect(translatorNeededAtOnce([], 2)).to.equal(false);
    expect(translatorNeededAtOnce(['-nographic', '-kernel', 'x.elf'], 2)).to.equal(false);
    expect(translatorNeededAtOnce(['-d', 'in_asm'], 2)).to.equal(true);
    expect(translatorNeededAtOnce(['--trace', 'translate_block'], 2)).to.equal(true);
    expect(translatorNeededAtOnce(['-instr', 'file=lib.ts'], 2)).to.equal(true);
    // vCPUs on every core: later it would take time from the guest
    expect(translatorNeededAtOnce(['-smp', '2'], 2)).to.equal(true);
    expect(translatorNeededAtOnce(['-smp', '2'], 4)).to.equal(false);
  });

  it('keeps a spare vCPU worker when -smp leaves room for hot-plug in workers of their own', function () {
    expect(hotplugRoom([])).to.equal(false);
    expect(hotplugRoom(['-smp', '2'])).to.equal(false);
    expect(hotplugRoom(['-smp', '1,maxcpus=2'])).to.equal(true);
    expect(hotplugRoom(['-smp', 'cpus=2,maxcpus=2'])).to.equal(false);
    expect(hotplugRoom(['-smp', '1,maxcpus=4', '-accel', 'tcg,thread=single'])).to.equal(false);
  });

  it('does not keep a process alive that ends early (-version, a bad option)', function () {
    const v = tsemu(['-smp', '4', '-version']);
    expect(v.status).to.equal(0);
    expect(v.stdout).to.match(/version/i);
    const bad = tsemu(['-smp', '2', '-no-such-option']);
    expect(bad.status).to.equal(1);
    expect(bad.stderr.trim().split('\n')).to.have.length(1);
  });

  for (const args of [[], ['-smp', '2'], ['-smp', '2', '-accel', 'tcg,thread=single'], ['-smp', '1,maxcpus=2'], ['-d', 'in_asm', '-D', '/dev/null']]) {
    it(`runs a guest to its finisher exit with ${args.join(' ') || 'defaults'}`, function () {
      const r = tsemu(['-M', 'virt', '-bios', 'none', '-nographic', '-kernel', GUEST, ...args]);
      expect(r.stderr).to.equal('');
      expect(r.stdout).to.match(/^PASS rv64m/m);
      expect(r.status).to.equal(0);
    });
  }
});
