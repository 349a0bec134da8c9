/**
 * Workers started before the main program has loaded (src/threads/early-workers.ts): how many
 * the command line asks for, read from the arguments alone (the runs on the real binary are
 * early-workers.spec.ts).
 */
import { expect } from 'chai';
import { expectedVcpuWorkers, hotplugRoom, translatorNeededAtOnce } from '../../src/threads/early-workers.js';

describe('cli/early-workers: how many workers the command line asks for', function () {
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

  it('starts the translator service early only when something may observe translation from the start', function () {
    expect(translatorNeededAtOnce([])).to.equal(false);
    expect(translatorNeededAtOnce(['-nographic', '-kernel', 'x.elf'])).to.equal(false);
    expect(translatorNeededAtOnce(['-d', 'in_asm'])).to.equal(true);
    expect(translatorNeededAtOnce(['--trace', 'translate_block'])).to.equal(true);
    expect(translatorNeededAtOnce(['-instr', 'file=lib.ts'])).to.equal(true);
    // vCPUs on every core: the service is not loaded at all unless something needs it later
    expect(translatorNeededAtOnce(['-smp', '2'])).to.equal(false);
  });

  it('keeps a spare vCPU worker when -smp leaves room for hot-plug in workers of their own', function () {
    expect(hotplugRoom([])).to.equal(false);
    expect(hotplugRoom(['-smp', '2'])).to.equal(false);
    expect(hotplugRoom(['-smp', '1,maxcpus=2'])).to.equal(true);
    expect(hotplugRoom(['-smp', 'cpus=2,maxcpus=2'])).to.equal(false);
    expect(hotplugRoom(['-smp', '1,maxcpus=4', '-accel', 'tcg,thread=single'])).to.equal(false);
  });
});
