/**
 * Oracle tier of the newer API's comparisons with QEMU 7.2 (qemu-api-recipes.ts): each reference
 * plugin (tests/instr/qemu-plugins/{execlog,howvec,handles,nth}.c, built here with gcc) on live
 * QEMU gives what tests/transcripts/instr/qemu-api/*.json hold; qemu-api.spec.ts holds tsemu's
 * libraries to those. Record them again with
 * `npm run build && TSEMU_RECORD_TRANSCRIPTS=1 npx mocha dist/tests/instr/qemu-api.oracle.spec.js`.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { QEMU_BINARY, virtKernelArgs } from '../support/run-guest.js';
import { makeTempDir, requireTool } from '../support/tools.js';
import { verifyTranscript } from '../support/transcripts.js';
import { buildPlugin } from './contrib-recipes.js';
import { API_RECIPES, apiLines, apiTranscriptKey } from './qemu-api-recipes.js';

describe('instr: the newer API\'s QEMU 7.2 references (oracle)', function () {
  let dir = '';
  const plugins = new Map<string, string>();

  before(function () {
    this.timeout(120_000);
    requireTool(QEMU_BINARY, 'gcc');
    dir = makeTempDir('qemu-api-oracle');
    for (const p of new Set(API_RECIPES.map((r) => r.plugin))) plugins.set(p, buildPlugin(p, dir));
  });

  after(function () {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  for (const recipe of API_RECIPES) {
    it(`${recipe.name}: QEMU 7.2 with qemu-plugins/${recipe.plugin}.c gives the transcript`, function () {
      this.timeout(90_000);
      const log = join(dir, `${recipe.name}.log`);
      const args = virtKernelArgs(recipe.guest, ['-plugin', [plugins.get(recipe.plugin) ?? '', ...recipe.pluginArgs].join(','), '-d', 'plugin', '-D', log]);
      const r = spawnSync(QEMU_BINARY, args, { encoding: 'utf8', timeout: 60_000 });
      expect(r.status, r.stderr).to.equal(0);
      verifyTranscript(apiTranscriptKey(recipe), apiLines(recipe, readFileSync(log, 'latin1')), [QEMU_BINARY, ...args.map((a) => a.replaceAll(dir, '$TMP'))]);
    });
  }
});
