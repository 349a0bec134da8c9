/**
 * Workers started before the main program has loaded (src/threads/early-workers.ts), on the
 * real binary: they never keep a process alive that does not need them, and guests run on
 * them at -smp 1, -smp 2 and with thread=single (the guest reports through the finisher).
 * How many the command line asks for is early-workers.unit.spec.ts.
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../../bin/tsemu-system-riscv64.js', import.meta.url));
const GUEST = fileURLToPath(new URL('../../../tests/guest/bin/rv64m.elf', import.meta.url));

function tsemu(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 30_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('cli/early-workers: worker threads started ahead of the machine', function () {
  this.timeout(60_000);

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
