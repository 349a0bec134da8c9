/**
 * The newer API's examples and handles on the same guests as QEMU 7.2's plugin API, against the
 * committed outputs of the reference plugins (tests/transcripts/instr/qemu-api/,
 * qemu-api-recipes.ts; qemu-api.oracle.spec.ts re-measures them live). Equal, but for:
 *
 * - execlog: QEMU 7.2 gives the reset-vector ROM's loads the ROM's RAM-block offset (0x8001018,
 *   0x8001020) and calls the ROM "RAM" (it is not I/O); tsemu's qi_vcpu_mem_info gives the
 *   physical address and `ram: false`, printed `io`; QEMU exits inside the finisher's store,
 *   before its memory callback, tsemu reports the store before the machine stops;
 * - handles: every instruction QEMU translated has the same line in tsemu (vaddr, size, bytes,
 *   qemu_plugin_insn_disas's text, qemu_plugin_insn_symbol), but those after a `wfi` (QEMU's block
 *   goes on past it, tsemu's ends there); tsemu translates more (its blocks go on past a
 *   conditional branch within the page), so its blocks and extra instructions are not QEMU's;
 * - nth: QEMU 7.2 has no conditional callbacks (QEMU 9) and no register reads, so nth-insn.ts's
 *   `qi_gen_exec_cond(EQ N)` is held to an independent count (a plain callback per instruction
 *   in QEMU) and its line is compared without the registers.
 */
import { expect } from 'chai';
import { runTsemu, virtKernelArgs, type GuestRunResult } from '../support/run-guest.js';
import { readTranscript } from '../support/transcripts.js';
import { describeRun, runPooled } from './helpers.js';
import { API_RECIPES, apiLines, apiTranscriptKey, type ApiRecipe } from './qemu-api-recipes.js';

/**
 * QEMU's execlog lines as tsemu gives them: the reset ROM's loads at their physical address, not
 * RAM; the finisher's store (QEMU exits inside it, before its memory callback) with its access.
 */
function execlogExpected(qemu: readonly string[]): string[] {
  const lines = qemu.map((l) => l.replace(/, (load|store), 0x08001(\w{3}), RAM$/, ', $1, 0x00001$2, io'));
  return [...lines.slice(0, -1), `${lines[lines.length - 1]}, store, 0x00100000, io`];
}

/** QEMU's instruction lines but the one right after a wfi (never executed: QEMU's block runs past the wfi). */
function afterWfiDropped(qemu: readonly string[]): string[] {
  const insns = qemu.filter((l) => l.startsWith('insn '));
  const field = (l: string, k: number) => l.split(' ')[k];
  const isWfi = (l: string) => /^insn \S+ size \d+ bytes \w+ "\w+\s+wfi\b/.test(l);
  return insns.filter((l, i) => i === 0 || !isWfi(insns[i - 1])
    || BigInt(field(insns[i - 1], 1)) + BigInt(field(insns[i - 1], 3)) !== BigInt(field(l, 1)));
}

describe('instr: execlog, howvec, the handles and conditional callbacks against QEMU 7.2 (transcripts)', function () {
  const runs = new Map<string, GuestRunResult>();

  before(async function () {
    this.timeout(300_000);
    const results = await runPooled(API_RECIPES.map((r) => () => {
      const lib = [`file=${r.lib}`, ...r.libArgs.map((a) => `arg=${a}`)].join(',');
      return runTsemu(virtKernelArgs(r.guest, ['-instr', lib]), { timeoutMs: 120_000 });
    }));
    API_RECIPES.forEach((r, i) => runs.set(r.name, results[i]));
  });

  const check = (r: ApiRecipe): { lines: string[]; qemu: string[] } => {
    const run = runs.get(r.name)!;
    expect(run.status, describeRun(run)).to.equal(0);
    if (r.stream === 'stdout') expect(run.stderr, describeRun(run)).to.equal('');
    return { lines: apiLines(r, r.stream === 'stdout' ? run.stdout : run.stderr), qemu: readTranscript<string[]>(apiTranscriptKey(r)) };
  };

  for (const r of API_RECIPES.filter((x) => x.plugin === 'nth')) {
    it(`${r.name}: nth-insn.ts's conditional callback names the instruction QEMU counts as the ${r.libArgs[0]}-th (independent count: QEMU 7.2 has no conditional callbacks)`, function () {
      const { lines, qemu } = check(r);
      expect(qemu).to.have.length(1);
      expect(lines).to.deep.equal(qemu);
    });
  }

  it('execlog: examples/instr/execlog.ts prints QEMU\'s execlog lines for count.elf, but the reset ROM\'s two loads and the finisher\'s store', function () {
    const r = API_RECIPES.find((x) => x.name === 'execlog')!;
    const { lines, qemu } = check(r);
    expect(qemu).to.have.length(4015);
    expect(lines).to.deep.equal(execlogExpected(qemu));
  });

  it('howvec: examples/instr/howvec.ts gives the reference plugin\'s classes and counts on tools.elf', function () {
    const r = API_RECIPES.find((x) => x.name === 'howvec')!;
    const { lines, qemu } = check(r);
    expect(lines).to.deep.equal(qemu);
  });

  for (const r of API_RECIPES.filter((x) => x.plugin === 'handles')) {
    it(`${r.name}: every instruction QEMU's handles give has tsemu's vaddr, size, bytes, disassembly and symbol`, function () {
      const { lines, qemu } = check(r);
      const ours = new Set(lines.filter((l) => l.startsWith('insn ')));
      const theirs = afterWfiDropped(qemu);
      expect(theirs.length).to.be.greaterThan(50);
      expect(theirs.filter((l) => !ours.has(l))).to.deep.equal([]);
      if (r.name === 'handles-fp-misc') expect(theirs.filter((l) => / kprintf$/.test(l)).length, 'C guest: function symbols').to.be.greaterThan(0);
      // tsemu's blocks start where code is entered, as QEMU's: each of QEMU's block starts is an instruction tsemu translated
      const insnAt = new Set([...ours].map((l) => l.split(' ')[1]));
      expect(qemu.filter((l) => l.startsWith('tb ')).map((l) => l.split(' ')[1]).filter((a) => !insnAt.has(a))).to.deep.equal([]);
    });
  }
});
