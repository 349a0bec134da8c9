/**
 * Oracle tier of the discontinuity events: qemu-system-riscv64 7.2, live, takes on api.elf the
 * traps tests/transcripts/instr/api-traps/api.json holds (which api.spec.ts compares with tsemu's
 * guest_vcpu_discon interrupts and exceptions).
 */
import { expect } from 'chai';
import { QEMU_BINARY } from '../support/run-guest.js';
import { requireTool } from '../support/tools.js';
import { verifyTranscript } from '../support/transcripts.js';
import { API_TRAPS_KEY, qemuTraps } from './api-traps.js';

describe('instr: the traps QEMU takes on api.elf (oracle)', function () {
  before(function () {
    requireTool(QEMU_BINARY);
  });

  it('one ecall and one software interrupt, as the transcript holds', function () {
    this.timeout(90_000);
    const live = qemuTraps();
    expect(live.value.map((t) => t.kind)).to.deep.equal(['exception', 'interrupt']);
    verifyTranscript(API_TRAPS_KEY, live.value, live.command);
  });
});
