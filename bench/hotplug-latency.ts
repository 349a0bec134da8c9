/**
 * Hot-add latency: from the monitor command (`cpu-add 1` over an HMP unix
 * socket) to the first guest instruction of the new vCPU, observed as the
 * byte that hart writes to the UART as its very first action
 * (bench/guest/hotplug.S). QEMU has no CPU hot-plug on RISC-V virt: n/a.
 */
import { connect } from 'node:net';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchContext, BenchSection, SectionResult } from './section.js';
import { median } from './stats.js';

const TIMEOUT_MS = 20_000;

function once(ctx: BenchContext): Promise<number | null> {
  const dir = mkdtempSync(join(tmpdir(), 'tsemu-hotplug-'));
  const sock = join(dir, 'mon.sock');
  const child = spawn(ctx.tsemu.command, [...ctx.tsemu.prefixArgs, '-M', 'virt', '-bios', 'none', '-smp', '1,maxcpus=2',
    '-serial', 'stdio', '-display', 'none', '-monitor', `unix:${sock},server,nowait`,
    '-kernel', join(ctx.repoRoot, 'bench/guest/hotplug.elf')], { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve) => {
    let out = '';
    let t0 = 0;
    let done = false;
    const finish = (v: number | null): void => {
      if (done) return;
      done = true;
      if (v === null) ctx.progress(`hot-add run: no new hart seen (output so far: ${JSON.stringify(out.slice(-80))}, command sent: ${t0 !== 0})`);
      clearTimeout(timer);
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
      resolve(v);
    };
    const timer = setTimeout(() => finish(null), TIMEOUT_MS);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString('latin1');
      if (t0 === 0 && out.includes('ready\n')) {
        const mon = connect(sock);
        let banner = '';
        mon.on('data', (m: Buffer) => {
          banner += m.toString();
          if (t0 === 0 && banner.includes('(qemu) ')) {
            t0 = performance.now();
            mon.write('cpu-add 1\n');
          }
        });
        mon.on('error', () => finish(null));
      }
      if (t0 !== 0 && out.includes('1\n')) finish(performance.now() - t0);
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.on('exit', () => { if (stderr) ctx.progress(`hot-add run failed: ${stderr.trim().split('\n')[0]}`); finish(null); });
  });
}

export const hotplugLatencySection: BenchSection = {
  id: 'hotplug',
  title: 'CPU hot-add latency (monitor command to the new vCPU\'s first instruction)',
  async run(ctx: BenchContext): Promise<SectionResult> {
    const samples: number[] = [];
    const warnings: string[] = [];
    for (let i = 0; i < ctx.repeats; i++) {
      ctx.progress(`hot-add latency, run ${i + 1}/${ctx.repeats}`);
      const ms = await once(ctx);
      if (ms === null) warnings.push('hot-add latency: a run did not see the new hart within 20 s');
      else samples.push(ms);
    }
    return {
      rows: [{
        id: 'hotplug.add_ms', label: 'hot-add: cpu-add to first instruction', unit: 'ms',
        tsemu: samples.length ? median(samples) : null, qemu: null, ratio: null, decimals: 1,
        samples: { tsemu: samples, qemu: [] },
      }],
      warnings,
    };
  },
};
