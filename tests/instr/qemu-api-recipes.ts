/**
 * The newer API's examples and handles against QEMU 7.2's plugin API: one recipe per comparison,
 * shared by qemu-api.spec.ts (tsemu against the committed QEMU transcripts) and
 * qemu-api.oracle.spec.ts (live QEMU with tests/instr/qemu-plugins/*.c built by gcc; records the
 * transcripts in tests/transcripts/instr/qemu-api/).
 *
 * - execlog: examples/instr/execlog.ts vs qemu-plugins/execlog.c (QEMU 7.2's contrib execlog
 *   behaviour; Debian ships no contrib plugins) on guests/count.elf, line for line;
 * - howvec: examples/instr/howvec.ts vs qemu-plugins/howvec.c on guests/tools.elf;
 * - handles-*: libs/handles-dump.ts (qi_tb_current and the instruction handles: vaddr, size,
 *   bytes, disassembly, symbol) vs qemu-plugins/handles.c (qemu_plugin_tb_* / qemu_plugin_insn_*),
 *   on tools.elf (assembly), tests/guest's rv64c.elf (compressed instructions) and fp_misc.elf (C:
 *   ELF function symbols);
 * - nth-*: examples/instr/nth-insn.ts's conditional callback (qi_gen_exec_cond EQ N on an inline
 *   count) vs qemu-plugins/nth.c, which counts in an ordinary callback: QEMU 7.2 has no
 *   conditional callbacks (QEMU 9), so the comparison is against that independent count.
 */
import { join } from 'node:path';
import { REPO, INSTR_GUESTS, INSTR_LIBS, linesOf } from './helpers.js';

const TOOLS = join(INSTR_GUESTS, 'tools.elf');
const GUEST_BIN = join(REPO, 'tests/guest/bin');
const EXAMPLES = join(REPO, 'examples/instr');

export interface ApiRecipe {
  /** Transcript key: instr/qemu-api/NAME. */
  readonly name: string;
  readonly guest: string;
  /** qemu-plugins/PLUGIN.c and its key=value options. */
  readonly plugin: string;
  readonly pluginArgs: readonly string[];
  /** The tsemu library and its arg= values. */
  readonly lib: string;
  readonly libArgs: readonly string[];
  /** Where the library prints (the plugin prints to QEMU's -D log). */
  readonly stream: 'stdout' | 'stderr';
}

const nth = (n: number): ApiRecipe => ({
  name: `nth-${n}`, guest: TOOLS, plugin: 'nth', pluginArgs: [`n=${n}`], lib: join(EXAMPLES, 'nth-insn.ts'), libArgs: [String(n)], stream: 'stdout',
});
const handles = (name: string, guest: string): ApiRecipe => ({
  name: `handles-${name}`, guest, plugin: 'handles', pluginArgs: [], lib: join(INSTR_LIBS, 'handles-dump.ts'), libArgs: [], stream: 'stdout',
});

export const API_RECIPES: readonly ApiRecipe[] = [
  { name: 'execlog', guest: join(INSTR_GUESTS, 'count.elf'), plugin: 'execlog', pluginArgs: [], lib: join(EXAMPLES, 'execlog.ts'), libArgs: [], stream: 'stderr' },
  { name: 'howvec', guest: TOOLS, plugin: 'howvec', pluginArgs: [], lib: join(EXAMPLES, 'howvec.ts'), libArgs: [], stream: 'stdout' },
  handles('tools', TOOLS),
  handles('rv64c', join(GUEST_BIN, 'rv64c.elf')),
  handles('fp-misc', join(GUEST_BIN, 'fp_misc.elf')),
  nth(12), nth(1000), nth(40000), nth(57790),
];

export function apiTranscriptKey(r: ApiRecipe): string {
  return `instr/qemu-api/${r.name}`;
}

/** The lines a recipe compares: handles.c / handles-dump.ts lines, nth's line without the registers (QEMU 7.2 cannot read them). */
export function apiLines(r: ApiRecipe, text: string): string[] {
  const lines = linesOf(text);
  if (r.plugin === 'nth') return lines.filter((l) => l.startsWith('nth-insn: ')).map((l) => l.replace(/ \(.*\)$/, ''));
  if (r.plugin === 'handles') return lines.filter((l) => /^(tb|insn) /.test(l));
  return lines;
}
