/**
 * Time to the U-Boot prompt: OpenSBI (fw_jump) then U-Boot in S-mode, timed
 * from spawn until "=> " first appears on stdout. A space is typed as soon as
 * the autoboot countdown starts, so its seconds of sleeping do not dominate;
 * then Ctrl-a x quits (the process is killed if it does not).
 */
import { existsSync } from 'node:fs';
import { argsFor, type EmulatorCommand } from './emulators.js';
import { describeFailure, runMeasured, stdoutTail, type RunControl, type RunResult } from './process-run.js';
import type { BenchContext, BenchRow, BenchSection, SectionResult } from './section.js';
import { kibToMib, median, present, ratio } from './stats.js';

const OPENSBI = '/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.elf';
const UBOOT = '/usr/lib/u-boot/qemu-riscv64_smode/uboot.elf';
const AUTOBOOT_BANNER = 'Hit any key to stop autoboot';
const PROMPT = '=> ';
const CTRL_A_X = '\x01x';
const TIMEOUT_MS = { tsemu: 20_000, qemu: 20_000 } as const;
/** How long an emulator may take to exit after Ctrl-a x before it is killed. */
const QUIT_GRACE_MS = 5_000;
export const PROMPT_TIME_RATIO_TARGET = 5;

interface PromptRun {
  readonly emulator: EmulatorCommand;
  readonly process: RunResult;
  /** Spawn to first "=> ", in milliseconds; null if it never appeared. */
  readonly promptMs: number | null;
  readonly sawAutobootBanner: boolean;
}

/** Reacts to the console: stop the countdown, note the prompt, quit. */
class PromptWatcher {
  promptMs: number | null = null;
  sawAutobootBanner = false;

  onStdout(text: string, control: RunControl): void {
    if (!this.sawAutobootBanner && text.includes(AUTOBOOT_BANNER)) {
      this.sawAutobootBanner = true;
      control.write(' ');
    }
    if (this.promptMs === null && text.includes(PROMPT)) {
      this.promptMs = control.elapsedMs();
      control.write(CTRL_A_X);
      setTimeout(() => control.kill(), QUIT_GRACE_MS).unref();
    }
  }
}

async function runToPrompt(emulator: EmulatorCommand): Promise<PromptRun> {
  const watcher = new PromptWatcher();
  const process = await runMeasured({
    command: emulator.command,
    args: argsFor(emulator, ['-M', 'virt', '-nographic', '-bios', OPENSBI, '-kernel', UBOOT]),
    timeoutMs: TIMEOUT_MS[emulator.id],
    onStdout: (text, control) => watcher.onStdout(text, control),
  });
  return { emulator, process, promptMs: watcher.promptMs, sawAutobootBanner: watcher.sawAutobootBanner };
}

function describeRun(run: PromptRun): string {
  if (run.promptMs === null) return `FAILED (no prompt; ${describeFailure(run.process)})`;
  const rss = run.process.peakRssKiB === null ? 'RSS n/a' : `${kibToMib(run.process.peakRssKiB).toFixed(1)} MiB`;
  return `prompt after ${(run.promptMs / 1000).toFixed(3)} s, ${rss}`;
}

function checkRuns(runs: readonly PromptRun[]): string[] {
  const warnings: string[] = [];
  for (const run of runs) {
    if (run.promptMs === null) {
      warnings.push(`U-Boot: a ${run.emulator.id} run never reached the prompt: ${describeFailure(run.process)}; ` +
        `console ended with ${stdoutTail(run.process)}`);
    } else if (!run.sawAutobootBanner) warnings.push(`U-Boot: ${run.emulator.id} showed no autoboot countdown (prompt time may include other waits)`);
    if (run.promptMs !== null && run.process.peakRssKiB === null) {
      warnings.push(`U-Boot: no peak RSS for a ${run.emulator.id} run (${describeFailure(run.process)})`);
    }
  }
  return warnings;
}

function promptRows(runs: readonly PromptRun[]): BenchRow[] {
  const reached = (id: string): PromptRun[] => runs.filter((r) => r.emulator.id === id && r.promptMs !== null);
  const seconds = (rs: PromptRun[]): number[] => rs.map((r) => (r.promptMs as number) / 1000);
  const rssMib = (rs: PromptRun[]): number[] => present(rs.map((r) => r.process.peakRssKiB)).map(kibToMib);
  const tsemuRuns = reached('tsemu');
  const qemuRuns = reached('qemu');
  const tsemuTime = median(seconds(tsemuRuns));
  const qemuTime = median(seconds(qemuRuns));
  const timeRatio = ratio(tsemuTime, qemuTime);
  const tsemuRss = median(rssMib(tsemuRuns));
  const qemuRss = median(rssMib(qemuRuns));
  return [
    { id: 'uboot.prompt', label: 'time to U-Boot "=> " prompt', unit: 's', decimals: 3,
      tsemu: tsemuTime, qemu: qemuTime, ratio: timeRatio,
      target: { text: `<= ${PROMPT_TIME_RATIO_TARGET}`, met: timeRatio === null ? null : timeRatio <= PROMPT_TIME_RATIO_TARGET },
      samples: { tsemu: seconds(tsemuRuns), qemu: seconds(qemuRuns) } },
    { id: 'uboot.rss', label: 'U-Boot session: peak RSS', unit: 'MiB', decimals: 1,
      tsemu: tsemuRss, qemu: qemuRss, ratio: ratio(tsemuRss, qemuRss),
      samples: { tsemu: rssMib(tsemuRuns), qemu: rssMib(qemuRuns) } },
  ];
}

export const ubootPromptSection: BenchSection = {
  id: 'uboot',
  title: 'Boot: OpenSBI fw_jump + U-Boot (S-mode) to the "=> " prompt',
  async run(ctx: BenchContext): Promise<SectionResult> {
    const missing = [OPENSBI, UBOOT].filter((f) => !existsSync(f));
    if (missing.length > 0) {
      return { rows: promptRows([]), warnings: [`U-Boot: skipped, firmware not installed: ${missing.join(', ')}`] };
    }
    const emulators = ctx.qemu === null ? [ctx.tsemu] : [ctx.tsemu, ctx.qemu];
    const runs: PromptRun[] = [];
    for (let i = 1; i <= ctx.repeats; i++) {
      for (const emulator of emulators) {
        const run = await runToPrompt(emulator);
        ctx.progress(`U-Boot: ${emulator.id} run ${i}/${ctx.repeats}: ${describeRun(run)}`);
        runs.push(run);
      }
    }
    return { rows: promptRows(runs), warnings: checkRuns(runs) };
  },
};
