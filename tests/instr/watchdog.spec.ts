/**
 * A library cannot wedge the emulator: qi_init and qi_fini run under a watchdog
 * (src/instr/watchdog.ts, TSEMU_INSTR_TIMEOUT seconds). A qi_init that never returns fails the
 * load with one line naming the library and the function; Ctrl-C (SIGINT) interrupts it at once,
 * whatever the limit; a qi_fini that never returns does not keep the emulator from exiting with
 * the guest's status. (The monitor's instr-load of such a library: tests/monitor-e2e/bad-input.)
 * And compiling a library leaves no zombie process behind for the rest of the run.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { repoRoot, runTsemu, tsemuScript, virtKernelArgs } from '../support/run-guest.js';
import { waitFor } from '../support/tools.js';

/** Zombie children of `pid`, from /proc (the fields after the command's closing parenthesis). */
function zombieChildren(pid: number): string[] {
  const zombies: string[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // gone meanwhile
    }
    const close = stat.lastIndexOf(')');
    const [state, ppid] = stat.slice(close + 2).split(' ');
    if (Number(ppid) === pid && state === 'Z') zombies.push(stat.slice(0, close + 1));
  }
  return zombies;
}

const LIBS = join(repoRoot(), 'tests/instr/libs');
const GUEST = join(repoRoot(), 'tests/guest/bin/rv64i.elf');

describe('instr: the watchdog on qi_init and qi_fini', function () {
  this.timeout(60_000);

  it('qi_init never returns (TSEMU_INSTR_TIMEOUT=1): one line naming the library and qi_init, status 1', async function () {
    const r = await runTsemu(virtKernelArgs(GUEST, ['-instr', `file=${join(LIBS, 'init-never-returns.ts')}`]), { env: { TSEMU_INSTR_TIMEOUT: '1' }, timeoutMs: 50_000 });
    expect(r.stdout).to.include('init-never-returns: looping');
    expect(r.stderr).to.equal(`tsemu-system-riscv64: -instr: instrumentation library '${join(LIBS, 'init-never-returns.ts')}': qi_init did not return within 1 s (TSEMU_INSTR_TIMEOUT)\n`);
    expect(r.status).to.equal(1);
  });

  it('Ctrl-C while qi_init spins ends the run at once, however long the limit', async function () {
    const child = spawn(process.execPath, [tsemuScript(), ...virtKernelArgs(GUEST, ['-instr', `file=${join(LIBS, 'init-never-returns.ts')}`])], {
      env: { ...process.env, TSEMU_INSTR_TIMEOUT: '3600' }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      if (stdout.includes('looping')) child.kill('SIGINT'); // qi_init is in its loop now
    });
    const killer = setTimeout(() => child.kill('SIGKILL'), 50_000);
    const [status] = (await once(child, 'exit')) as [number | null];
    clearTimeout(killer);
    expect(stderr).to.match(/qi_init interrupted \(SIGINT\)\n$/);
    expect(stderr.split('\n').filter((l) => l !== '')).to.have.length(1);
    expect(status).to.equal(1);
  });

  it("qi_fini never returns: one line for it, and the emulator exits with the guest's status", async function () {
    const r = await runTsemu(virtKernelArgs(GUEST, ['-instr', `file=${join(LIBS, 'fini-never-returns.ts')}`]), { env: { TSEMU_INSTR_TIMEOUT: '1' }, timeoutMs: 50_000 });
    expect(r.stdout).to.include('PASS rv64i');
    expect(r.stderr).to.equal('tsemu-system-riscv64: instrumentation library 0: qi_fini did not return within 1 s (TSEMU_INSTR_TIMEOUT)\n');
    expect(r.status).to.equal(0);
  });

  it('no zombie process while an -instr run goes on (the bundler\'s child is waited for)', async function () {
    const spin = join(repoRoot(), 'tests/monitor-e2e/guests/bin/spin.elf');
    const child = spawn(process.execPath, [tsemuScript(), ...virtKernelArgs(spin, ['-instr', `file=${join(LIBS, 'announce.ts')}`])], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
    child.stderr.resume();
    try {
      // the library is loaded once its qi_init has printed; the guest spins on for as long as we look
      await waitFor('the library to load', () => stdout.includes('announce: loaded') || child.exitCode !== null, 50_000, 20);
      expect(child.exitCode, stdout).to.equal(null);
      await waitFor('no zombie children', () => zombieChildren(child.pid ?? -1).length === 0, 5_000, 50)
        .catch(() => expect.fail(`zombie children of the emulator: ${zombieChildren(child.pid ?? -1).join(', ')}`));
    } finally {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
  });
});
