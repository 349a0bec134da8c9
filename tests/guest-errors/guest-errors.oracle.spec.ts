/**
 * Oracle tier of the guest-error log tests: QEMU 7.2 runs each recipe of guest-errors-runs.ts live
 * and must print exactly what the committed transcript (tests/transcripts/guest-errors/NAME.json)
 * holds, which guest-errors.spec.ts holds tsemu to. The guest must pass on QEMU.
 */
import { expect } from 'chai';
import { QEMU_BINARY, runQemu } from '../support/run-guest.js';
import { requireTool } from '../support/tools.js';
import { verifyTranscript } from '../support/transcripts.js';
import { describeRun, RECIPES, runRecipe, transcriptKey } from './guest-errors-runs.js';

const QEMU_TIMEOUT_MS = 15_000;

describe('guest error logs: QEMU 7.2 live (oracle)', function () {
  this.timeout(QEMU_TIMEOUT_MS + 10_000);
  before(function () {
    requireTool(QEMU_BINARY);
  });

  for (const recipe of RECIPES) {
    it(`${recipe.what}: the guest passes and QEMU prints what the transcript holds`, async function () {
      const q = await runRecipe(runQemu, recipe, QEMU_TIMEOUT_MS);
      expect(q.result.timedOut, describeRun(q)).to.equal(false);
      expect(q.outcome.stdout, describeRun(q)).to.match(new RegExp(`^PASS ${recipe.guest ?? 'guest_errors'} `, 'm'));
      expect(q.outcome.status, describeRun(q)).to.equal(0);
      verifyTranscript(transcriptKey(recipe), q.outcome, [QEMU_BINARY, ...q.command]);
    });
  }
});
