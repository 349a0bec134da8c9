/**
 * Oracle tier of the contrib-equivalent tools: QEMU 7.2, live, with each reference plugin
 * (tests/instr/qemu-plugins/*.c, built here with gcc) on guests/tools.elf, gives what
 * tests/transcripts/instr/contrib-tools/*.json hold (contrib-tools.spec.ts holds tsemu's tools to
 * those). Record them again with
 * `npm run build && TSEMU_RECORD_TRANSCRIPTS=1 npx mocha dist/tests/instr/contrib-tools.oracle.spec.js`.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { QEMU_BINARY, virtKernelArgs } from '../support/run-guest.js';
import { makeTempDir, requireTool } from '../support/tools.js';
import { verifyTranscript, type Json } from '../support/transcripts.js';
import { RECIPES, TOOLS_ELF, buildPlugin, recipeValue, transcriptKey, withOut } from './contrib-recipes.js';

describe('instr: the contrib tools\' QEMU references (oracle)', function () {
  let dir = '';
  const plugins = new Map<string, string>();

  before(function () {
    this.timeout(120_000);
    requireTool(QEMU_BINARY, 'gcc');
    dir = makeTempDir('contrib-oracle');
    for (const tool of new Set(RECIPES.map((r) => r.tool))) plugins.set(tool, buildPlugin(tool, dir));
  });

  after(function () {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  for (const recipe of RECIPES) {
    it(`${recipe.name}: QEMU 7.2 with qemu-plugins/${recipe.tool}.c gives the transcript`, function () {
      this.timeout(90_000);
      const out = join(dir, `${recipe.name}.out`);
      const log = join(dir, `${recipe.name}.log`);
      const plugin = [plugins.get(recipe.tool) ?? '', ...withOut(recipe.options, out)].join(',');
      const args = virtKernelArgs(TOOLS_ELF, ['-plugin', plugin, '-d', 'plugin', '-D', log]);
      const r = spawnSync(QEMU_BINARY, args, { encoding: 'utf8', timeout: 60_000 });
      if (recipe.kind !== 'stop') expect(r.status, r.stderr).to.equal(0);
      const value = recipeValue(recipe, readFileSync(log, 'latin1'), out, r.status) as unknown as Json;
      verifyTranscript(transcriptKey(recipe), value, [QEMU_BINARY, ...args.map((a) => a.replaceAll(dir, '$TMP'))]);
    });
  }
});
