/**
 * Oracle tier of log-runtime: QEMU 7.2 with the same command line (plus `-display none -accel
 * tcg,thread=single`, see log-runtime-qemu.ts) logs the reset vector as its first in_asm block
 * after `log in_asm` and `cont`, prints its `log` help for every bad item list, the expected text
 * for every message case, and nothing once a logfile opens (`%d` being its process id); and the
 * committed transcripts tests/transcripts/monitor-e2e/log-runtime/*.json hold what it printed.
 */
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { QEMU_BINARY } from '../support/run-guest.js';
import { makeTempDir, requireTool } from '../support/tools.js';
import { verifyTranscript } from '../support/transcripts.js';
import {
  BAD_ITEM_LISTS, FIRST_BLOCK_KEY, MESSAGE_CASES, MESSAGES_KEY, qemuFirstBlock, qemuMessages, RESET_VECTOR,
} from './log-runtime-qemu.js';

describe('monitor e2e: log / logfile messages, QEMU 7.2 live (oracle)', function () {
  this.timeout(60_000);
  before(function () {
    requireTool(QEMU_BINARY);
  });

  it('log in_asm, then cont: the first block is the reset vector', async () => {
    let command: string[] = [];
    const live = await qemuFirstBlock((c) => { command = c; });
    expect(live.block).to.equal(RESET_VECTOR);
    verifyTranscript(FIRST_BLOCK_KEY, live, command);
  });

  it('bad item lists print the log help, the messages are the expected texts, a logfile that opens ends the errors', async () => {
    let command: string[] = [];
    const { record, qemu } = await qemuMessages((c) => { command = c; });
    const dir = makeTempDir('log-msg-qemu');
    try {
      expect(record.badItemLists.map(([line]) => line)).to.deep.equal(BAD_ITEM_LISTS);
      const help = record.badItemLists[0]?.[1] ?? '';
      expect(help).to.match(/^Log items \(comma separated\):\nnone {12}remove all logs\n/);
      for (const [line, out] of record.badItemLists) expect(out, line).to.equal(help);
      MESSAGE_CASES.forEach(([line, expected], i) => {
        expect(record.messages[i], `QEMU: ${line}`).to.deep.equal([line, expected]);
      });
      expect(await qemu.run(`logfile ${join(dir, 'qemu-%d.log')}`)).to.equal('');
      expect(await qemu.run('log none')).to.equal('');
      // %d is the process id
      expect(readdirSync(dir).filter((n) => /^qemu-\d+\.log$/.test(n))).to.have.length(1);
      expect((await qemu.quit()).status).to.equal(0);
      verifyTranscript(MESSAGES_KEY, record, command);
    } finally {
      qemu.kill();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
