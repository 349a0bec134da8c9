/**
 * Oracle tier of qmp-session: QEMU 7.2 with the same command line (plus `-display none -accel
 * tcg,thread=single`) gets the same requests in the same order as tsemu in qmp-session.spec.ts
 * (see qmp-session-qemu.ts): it greets with the QMP banner, lists both harts at once, keeps a
 * second client waiting while the first is connected, greets it once the first leaves, quits with
 * status 0, and its side of the session is what the committed transcript
 * tests/transcripts/monitor-e2e/qmp-session/qemu.json holds.
 */
import { rmSync } from 'node:fs';
import { expect } from 'chai';
import { QEMU_BINARY } from '../support/run-guest.js';
import { makeTempDir, requireTool } from '../support/tools.js';
import { verifyTranscript } from '../support/transcripts.js';
import { qemuQmpSession, TRANSCRIPT_KEY } from './qmp-session-qemu.js';

describe('monitor e2e: QMP on a unix socket, QEMU 7.2 live (oracle)', function () {
  this.timeout(120_000);

  it('QEMU gives the session the transcript holds', async () => {
    requireTool(QEMU_BINARY);
    const dir = makeTempDir('qmp-q');
    try {
      let command: string[] = [];
      const qemu = await qemuQmpSession(dir, (c) => { command = c; });
      expect(qemu.greeting).to.equal('{"QMP": {"version": {"qemu": V, "package": P}, "capabilities": ["oob"]}}');
      expect((JSON.parse(qemu.firstCpus.replace(/"thread-id": T/g, '"thread-id": 0')) as { return: unknown[] }).return).to.have.length(2);
      expect(qemu.secondClientSilent, 'QEMU keeps the second client waiting').to.equal(true);
      expect(qemu.secondClientGreeting).to.equal(qemu.greeting);
      expect(qemu.exitStatus).to.equal(0);
      verifyTranscript(TRANSCRIPT_KEY, qemu, command);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
