/**
 * `-nographic` in a real terminal (tmux), used as a person would: boot
 * Debian's OpenSBI + U-Boot, wait for U-Boot's `=>` prompt, Ctrl-a c to the
 * monitor, `info cpus`, Ctrl-a c back, type `version` to U-Boot and read its
 * answer, Ctrl-a x to quit; a wrapper shell writes the exit status to a file.
 * QEMU 7.2 does the same in a second pane; both screens must tell the same
 * story from the monitor banner on (names, versions, thread ids and tsemu's pc
 * column in `info cpus` aside).
 *
 * Oracle tier as a whole (`npm run test:oracle`): it needs tmux, QEMU and
 * Debian's opensbi and u-boot-qemu packages.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { QEMU_BINARY, repoRoot, tsemuScript } from '../support/run-guest.js';
import { hasTool, makeTempDir, missingPrerequisite, requireTool } from '../support/tools.js';
import type { Emulator } from './hmp-stdio.js';
import { shellQuote, Tmux } from './tmux.js';

const OPENSBI = '/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.elf';
const UBOOT = '/usr/lib/u-boot/qemu-riscv64_smode/uboot.elf';
const ARGS = ['-M', 'virt', '-smp', '2', '-nographic', '-bios', OPENSBI, '-kernel', UBOOT];

interface Outcome {
  /** The screen from the monitor banner's line to the end. */
  transcript: string;
  /** What `info cpus` printed. */
  infoCpus: string[];
  /** What U-Boot answered to `version`. */
  version: string[];
  status: string;
}

const lastLine = (screen: string): string => screen.trimEnd().split('\n').at(-1) ?? '';
const textAfter = (screen: string, marker: string): string => screen.slice(screen.lastIndexOf(marker) + marker.length);

async function scenario(tmux: Tmux, emulator: Emulator, dir: string): Promise<Outcome> {
  const session = emulator;
  const statusFile = join(dir, `${emulator}.status`);
  const program = emulator === 'tsemu' ? [process.execPath, tsemuScript()] : [QEMU_BINARY];
  const command = `cd ${shellQuote(repoRoot())} && ${[...program, ...ARGS].map(shellQuote).join(' ')}; echo $? > ${shellQuote(statusFile)}`;
  tmux.newSession(session, command);
  const wait = (what: string, done: (screen: string) => boolean, timeoutMs?: number): Promise<string> =>
    tmux.waitFor(session, done, `${emulator}: ${what}`, timeoutMs);

  await wait("U-Boot's => prompt", (s) => s.includes('U-Boot') && lastLine(s) === '=>', 120_000);
  tmux.keys(session, 'C-a', 'c');
  await wait('the monitor prompt', (s) => s.includes("monitor - type 'help' for more information") && lastLine(s) === '(qemu)');
  tmux.type(session, 'info cpus');
  tmux.keys(session, 'Enter');
  const cpus = await wait('the answer to info cpus', (s) => /\(qemu\) info cpus\n.*CPU #0:.*\n.*CPU #1:.*\n\(qemu\)$/.test(s.trimEnd()));
  tmux.keys(session, 'C-a', 'c');
  // Pacing only: switching back to the guest prints nothing to wait for; the next keys go to U-Boot,
  // whose answer the test waits for.
  await new Promise((r) => setTimeout(r, 300));
  tmux.type(session, 'version');
  tmux.keys(session, 'Enter');
  const version = await wait("U-Boot's answer to version", (s) => /\nversion\nU-Boot 20[^\n]*\n[\s\S]*\n=>$/.test(s.trimEnd()));
  tmux.keys(session, 'C-a', 'x');
  const deadline = Date.now() + 30_000;
  while (!existsSync(statusFile) || readFileSync(statusFile, 'utf8') === '') {
    if (Date.now() > deadline) throw new Error(`${emulator} did not end after Ctrl-a x; screen:\n${tmux.capture(session)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  const screen = tmux.capture(session);
  const bannerLine = screen.lastIndexOf('\n', screen.lastIndexOf(" monitor - type 'help'")) + 1;
  return {
    transcript: screen.slice(bannerLine),
    infoCpus: textAfter(cpus.trimEnd(), '(qemu) info cpus\n').split('\n').slice(0, -1),
    version: textAfter(version.trimEnd(), '\nversion\n').split('\n').slice(0, -1),
    status: readFileSync(statusFile, 'utf8').trim(),
  };
}

/** What legitimately differs between the two screens. */
function normalize(transcript: string): string {
  return transcript
    .replace(/(QEMU|tsemu) \d+\.\d+\.\d+ monitor/g, 'EMU monitor')
    .replace(/(QEMU|tsemu): Terminated/g, 'EMU: Terminated')
    // tsemu prints the older `info cpus` with pc and halted state (qemu-conventions §5); 7.2 prints neither
    .replace(/ pc=0x[0-9a-f]{16}( \(halted\))?/g, '')
    .replace(/thread_id=\d+/g, 'thread_id=N');
}

describe('monitor e2e: -nographic in a terminal (tmux), OpenSBI + U-Boot', function () {
  this.timeout(180_000);
  const tmux = new Tmux(`tsemu-e2e-${process.pid}`);
  let dir: string;
  let ours: Outcome;
  let theirs: Outcome;

  before(async function () {
    if (!hasTool('tmux', '-V')) throw missingPrerequisite('tmux');
    requireTool(QEMU_BINARY);
    for (const f of [OPENSBI, UBOOT]) if (!existsSync(f)) throw missingPrerequisite(f);
    dir = makeTempDir('tmux');
    [ours, theirs] = await Promise.all([scenario(tmux, 'tsemu', dir), scenario(tmux, 'qemu', dir)]);
  });

  after(() => {
    tmux.killServer();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it('Ctrl-a c shows the monitor banner and prompt', () => {
    expect(ours.transcript.split('\n')[0]).to.match(/^=> tsemu \d+\.\d+\.\d+ monitor - type 'help' for more information$/);
    expect(ours.transcript).to.include('\n(qemu) info cpus\n');
  });

  it('info cpus lists both harts with a pc in RAM', () => {
    expect(ours.infoCpus).to.have.length(2);
    ours.infoCpus.forEach((line, i) => {
      const m = /^([* ]) CPU #(\d+): pc=0x([0-9a-f]{16})( \(halted\))? thread_id=\d+$/.exec(line);
      expect(m, line).to.not.equal(null);
      if (m === null) return;
      expect([m[1], Number(m[2])]).to.deep.equal([i === 0 ? '*' : ' ', i]);
      const pc = BigInt(`0x${m[3]}`);
      expect(pc >= 0x8000_0000n && pc < 0x8800_0000n, `pc ${m[3]} in the 128 MiB of RAM`).to.equal(true);
    });
  });

  it('Ctrl-a c gives the keyboard back to U-Boot, which answers version', () => {
    expect(ours.version[0]).to.match(/^U-Boot 20\d\d\.\d\d/);
    const uboot = readFileSync(UBOOT).toString('latin1');
    expect(uboot, 'the version string is the one in the U-Boot binary').to.include(ours.version[0]);
  });

  it('Ctrl-a x ends the process with status 0', () => {
    expect(ours.transcript.trimEnd().endsWith('tsemu: Terminated')).to.equal(true);
    expect(ours.status).to.equal('0');
  });

  it('the screen from the monitor banner on is what QEMU shows', function () {
    expect(theirs.status, 'QEMU exit status').to.equal('0');
    expect(normalize(ours.transcript)).to.equal(normalize(theirs.transcript));
  });
});
