/**
 * An HMP session on the emulator's stdio (`-monitor stdio`), driven one
 * command at a time: type a line, wait for the next `(qemu) ` prompt, return
 * what the command printed. Works the same on tsemu and on QEMU (the oracle):
 * stdin is a pipe, so both echo the line before the output — tsemu echoes the
 * plain line, QEMU's readline redraws it with escape sequences — and in both
 * the echo ends with the first CR LF.
 */
import { GuestSession } from '../support/guest-session.js';
import type { GuestRunResult } from '../support/run-guest.js';
import { waitFor } from '../support/tools.js';
import { slotAddress } from './spin-guest.js';

export const PROMPT = '(qemu) ';

export type Emulator = 'tsemu' | 'qemu';

export class HmpStdio {
  private constructor(readonly session: GuestSession, readonly banner: string) {}

  /** Start the emulator and wait for the banner and the first prompt. */
  static async start(emulator: Emulator, args: readonly string[], timeoutMs = 90_000): Promise<HmpStdio> {
    const session = emulator === 'tsemu'
      ? GuestSession.startTsemu(args, { timeoutMs })
      : GuestSession.startQemu(args, { timeoutMs });
    const banner = await session.expect(PROMPT, 30_000);
    return new HmpStdio(session, banner.slice(0, -PROMPT.length).replace(/\r\n/g, '\n'));
  }

  /** Run one command line; resolves with its output ("\n" line ends, echo and prompt removed). */
  async run(line: string, timeoutMs = 30_000): Promise<string> {
    this.session.type(`${line}\n`);
    const text = await this.session.expect(PROMPT, timeoutMs);
    const body = text.slice(0, -PROMPT.length);
    const echoEnd = body.indexOf('\r\n');
    return (echoEnd < 0 ? '' : body.slice(echoEnd + 2)).replace(/\r\n/g, '\n');
  }

  /** Poll `info cpus` until it lists `count` vCPUs (the machine may still be starting them). */
  async waitForCpus(count: number, timeoutMs = 30_000): Promise<string> {
    let out = '';
    const listed = async (): Promise<string | undefined> => {
      out = await this.run('info cpus');
      return out.split('\n').filter((l) => /CPU #\d+:/.test(l)).length >= count ? out : undefined;
    };
    try {
      return await waitFor(`info cpus to list ${count} vCPUs`, listed, timeoutMs, 100);
    } catch {
      throw new Error(`info cpus still lists fewer than ${count} vCPUs: ${JSON.stringify(out)}`);
    }
  }

  /** The spin guest's loop counter of `hart` (guests/spin.S: it moves only while that hart runs its loop). */
  async counter(hart: number): Promise<bigint> {
    return parseXg(await this.run(`x /1xg 0x${slotAddress(hart).toString(16)}`));
  }

  /**
   * Resolves once each of `harts` has gone `by` times round its loop since the call: proof that they
   * ran guest code from now on, a wait measured in guest progress rather than host time.
   */
  async waitForLoops(harts: readonly number[], by = 1n, timeoutMs = 20_000): Promise<void> {
    for (const hart of harts) {
      const from = await this.counter(hart);
      await waitFor(`hart ${hart}'s loop counter to move ${by} past ${from}`, async () => (await this.counter(hart)) - from >= by, timeoutMs, 100);
    }
  }

  /** Type `quit` and wait for the process to end. */
  async quit(): Promise<GuestRunResult> {
    this.session.type('quit\n');
    return this.session.waitForExit();
  }

  kill(): void {
    this.session.kill();
  }
}

/** A 64-bit value `x /1xg ADDR` printed (`ADDR: 0x...`). */
export function parseXg(output: string): bigint {
  const m = /^[0-9a-f]{16}: 0x([0-9a-f]{16})\n$/.exec(output);
  if (m === null) throw new Error(`unexpected x /1xg output ${JSON.stringify(output)}`);
  return BigInt(`0x${m[1]}`);
}
