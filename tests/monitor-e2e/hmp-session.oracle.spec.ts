/**
 * Oracle tier of hmp-session: QEMU 7.2 run the way hmp-session.spec.ts runs tsemu (plus
 * `-display none -cpu rv64,h=false`, see hmp-session-qemu.ts) lists both vCPUs from its first
 * command, stops in the guest's loop with QEMU 7.2's `info registers` layout, shows the ELF's
 * bytes with x/xp, runs on after cont and quits with status 0; and its session is what the
 * committed transcript tests/transcripts/monitor-e2e/hmp-session/qemu.json holds.
 */
import { rmSync } from 'node:fs';
import { expect } from 'chai';
import { QEMU_BINARY } from '../support/run-guest.js';
import { makeTempDir, requireTool } from '../support/tools.js';
import { verifyTranscript } from '../support/transcripts.js';
import { output, qemuSession, TRANSCRIPT_KEY } from './hmp-session-qemu.js';
import { COUNTER_MASK, expectedRegisterSkeleton, registerSkeleton, registerValues } from './register-dump.js';
import { hex16, loadSpinGuest, MAGIC_ADDR, wordDumpLine } from './spin-guest.js';

const guest = loadSpinGuest();

describe('monitor e2e: HMP on stdio, QEMU 7.2 live (oracle)', function () {
  this.timeout(60_000);

  it('QEMU gives the session the transcript holds', async function () {
    this.timeout(120_000);
    requireTool(QEMU_BINARY);
    const dir = makeTempDir('hmp-e2e-qemu');
    try {
      let command: string[] = [];
      const qemu = await qemuSession(dir, (c) => { command = c; });
      expect(qemu.firstInfoCpus.split('\n').filter((l) => l.includes('CPU #')), 'first info cpus').to.have.length(2);
      expect(output(qemu, 'stop')).to.equal('');
      expect(output(qemu, 'info status')).to.equal('VM status: paused\n');
      for (const [hart, key] of [[0, 'info registers'], [1, 'info registers 1']] as const) {
        const dump = output(qemu, key);
        expect(registerSkeleton(dump), `CPU#${hart} layout`).to.equal(expectedRegisterSkeleton(hart).replace(/(x6\/t1\s+)<hex>/, `$1${COUNTER_MASK}`));
        expect(hex16(registerValues(dump).get('pc') ?? 0n), `CPU#${hart} pc`).to.equal(hex16(guest.spin));
        expect(registerValues(dump).get('mhartid'), `CPU#${hart} mhartid`).to.equal(BigInt(hart));
      }
      const magic = `${wordDumpLine(MAGIC_ADDR, guest.bytesAt(MAGIC_ADDR, 16))}\n`;
      expect(output(qemu, 'x')).to.equal(magic);
      expect(output(qemu, 'xp')).to.equal(magic);
      expect(output(qemu, 'cont')).to.equal('');
      expect(output(qemu, 'info status after cont')).to.equal('VM status: running\n');
      expect(qemu.exitStatus).to.equal(0);
      verifyTranscript(TRANSCRIPT_KEY, qemu, command);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
