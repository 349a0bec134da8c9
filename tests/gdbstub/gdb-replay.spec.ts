/**
 * npm-test tier of the gdbstub: the packets gdb-multiarch sent to QEMU 7.2 in the oracle session
 * (tests/gdbstub/session.gdb at -smp 4: breakpoints, watchpoints, registers, memory, stepi across
 * an ecall, threads, monitor, detach; committed in tests/transcripts/gdbstub/session.json) are
 * replayed to tsemu, which must answer each one as QEMU did, packet for packet.
 */
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { readTranscript } from '../support/transcripts.js';
import { repoRoot, tsemuScript } from '../support/run-guest.js';
import { freePort, GdbSessionTranscript, replay, RSP_TRANSCRIPT, stubArgs, waitForPort } from './rsp.js';

describe('gdbstub: QEMU\'s recorded gdb session replayed against tsemu', function () {
  this.timeout(120_000);

  it('every reply equals QEMU\'s (stop replies with watch/awatch, qXfer, g/p, m, qRcmd, threads)', async function () {
    const recorded = readTranscript<GdbSessionTranscript>(RSP_TRANSCRIPT);
    expect(recorded.rsp.some((s) => s.replies.some((r) => r.includes(';watch:'))), 'the session triggers a watchpoint').to.equal(true);
    const port = await freePort();
    const emu = spawn(process.execPath, [tsemuScript(), ...stubArgs(port)], { stdio: 'ignore', cwd: repoRoot() });
    try {
      await waitForPort(port);
      const got = await replay(port, recorded.rsp, 20_000);
      for (let i = 0; i < recorded.rsp.length; i++) {
        expect(got[i], `step ${i}: gdb sent $${recorded.rsp[i].gdb}`).to.deep.equal(recorded.rsp[i]);
      }
    } finally {
      emu.kill();
    }
  });
});
