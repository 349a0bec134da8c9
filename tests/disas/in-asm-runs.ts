/**
 * The recipe both tiers of the disassembler tests share: the committed guests of tests/disas/guest
 * run on QEMU 7.2 with `-singlestep -d in_asm` (one instruction per TB, so each executed
 * instruction is logged once), what of the run a transcript keeps, and the checks of QEMU's own
 * log (it ran to the end, it printed every mnemonic, the fuzz guest covered its encodings).
 *
 * A transcript (tests/transcripts/disas/GUEST-in-asm.json) keeps QEMU's exit status and the
 * instruction lines of its log ("0x<pc>:  <raw bits>  <text>"). The fuzz log has about 48,000
 * lines (5 MB), so the lines are kept gzip-compressed, base64 in chunks of 100 characters:
 * `jq -r '.value.gzipBase64[]' FILE | base64 -d | zcat` prints them.
 */
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { expect } from 'chai';
import { repoRoot, virtKernelArgs } from '../support/run-guest.js';

export const GUESTS = ['coverage', 'fuzz'] as const;
export type Guest = (typeof GUESTS)[number];

export const GUEST_DIR = join(repoRoot(), 'tests', 'disas', 'guest');
export const QEMU_TIMEOUT_MS = 30_000;

export const transcriptKey = (guest: Guest): string => `disas/${guest}-in-asm`;

/** The committed ELF (tests/disas/guest/bin, rebuilt by its Makefile). */
export function guestElf(guest: Guest): string {
  return join(GUEST_DIR, 'bin', `${guest}.elf`);
}

/** QEMU's command line, logging to `log`. */
export function inAsmArgs(guest: Guest, log: string): string[] {
  return virtKernelArgs(guestElf(guest), ['-singlestep', '-d', 'in_asm', '-D', log]);
}

/** The instruction lines of an in_asm log. */
export function instructionLines(log: string): string[] {
  return log.split('\n').filter((l) => l.startsWith('0x'));
}

/** What a transcript keeps of a run. */
export type InAsmRun = {
  readonly status: number | null;
  readonly lineCount: number;
  readonly gzipBase64: readonly string[];
};

const CHUNK = 100;

export function packRun(status: number | null, lines: readonly string[]): InAsmRun {
  const b64 = gzipSync(Buffer.from(lines.join('\n'), 'utf8'), { level: 9 }).toString('base64');
  const gzipBase64: string[] = [];
  for (let i = 0; i < b64.length; i += CHUNK) gzipBase64.push(b64.slice(i, i + CHUNK));
  return { status, lineCount: lines.length, gzipBase64 };
}

export function unpackLines(run: InAsmRun): string[] {
  const text = gunzipSync(Buffer.from(run.gzipBase64.join(''), 'base64')).toString('utf8');
  const lines = text === '' ? [] : text.split('\n');
  if (lines.length !== run.lineCount) throw new Error(`transcript holds ${lines.length} lines, says ${run.lineCount}`);
  return lines;
}

/**
 * Mnemonics the coverage guest must make QEMU print: all RV64GC instructions
 * (compressed ones appear under their base mnemonic) and the pseudo-instructions.
 */
export const EXPECTED_MNEMONICS = `
  lui auipc jal jalr beq bne lb lh lw ld lbu lhu lwu sb sh sw sd addi slti sltiu xori ori andi slli srli srai
  add sub sll slt sltu xor srl sra or and addiw slliw srliw sraiw addw subw sllw srlw sraw
  fence fence.i ecall ebreak sret mret wfi sfence.vma csrrw csrrs csrrc csrrwi csrrsi csrrci
  mul mulh mulhsu mulhu div divu rem remu mulw divw divuw remw remuw
  lr.w sc.w amoswap.w amoadd.w amoxor.w amoand.w amoor.w amomin.w amomax.w amominu.w amomaxu.w
  lr.d sc.d amoswap.d amoadd.d amoxor.d amoand.d amoor.d amomin.d amomax.d amominu.d amomaxu.d
  lr.w.aq lr.w.aq.rl sc.w.rl sc.w.aq.rl amoswap.w.aq amoswap.w.rl amoswap.w.aq.rl
  flw fsw fld fsd fmv.x.s fmv.s.x fmv.x.d fmv.d.x fcvt.s.d fcvt.d.s
  fadd.s fsub.s fmul.s fdiv.s fsqrt.s fmadd.s fmsub.s fnmsub.s fnmadd.s fsgnj.s fsgnjn.s fsgnjx.s fmin.s fmax.s
  feq.s flt.s fle.s fclass.s fcvt.w.s fcvt.wu.s fcvt.l.s fcvt.lu.s fcvt.s.w fcvt.s.wu fcvt.s.l fcvt.s.lu
  fadd.d fsub.d fmul.d fdiv.d fsqrt.d fmadd.d fmsub.d fnmsub.d fnmadd.d fsgnj.d fsgnjn.d fsgnjx.d fmin.d fmax.d
  feq.d flt.d fle.d fclass.d fcvt.w.d fcvt.wu.d fcvt.l.d fcvt.lu.d fcvt.d.w fcvt.d.wu fcvt.d.l fcvt.d.lu
  nop mv not neg negw sext.w seqz snez sltz sgtz fmv.s fabs.s fneg.s fmv.d fabs.d fneg.d
  beqz bnez blez bgez bltz bgtz ble bleu bgt bgtu j ret jr
  rdcycle rdtime rdinstret rdcycleh rdtimeh rdinstreth frcsr frrm frflags fscsr fsrm fsflags fsrmi fsflagsi
  illegal
`.split(/\s+/).filter(Boolean);

export const mnemonicOf = (line: string): string => line.slice(39).split(' ')[0];

/** 16-bit encodings in fuzz.S: 3 quadrants minus c.j, c.beqz, c.bnez (2048 each) and c.jr/c.jalr/c.ebreak (64). */
export const COMPRESSED_ENCODINGS = 3 * 16384 - 3 * 2048 - 64;
/** 32-bit words in fuzz.S, section by section (plus the prologue's own instructions in the log). */
export const RANDOM_WORDS = 23 * 128 + 2 * 3 * 64 + 26 * (24 + 8) + 11 * 2 * 16 + 6 * 48 + 7 * 8 + 32;

/** The coverage guest ran to the end on QEMU (exit through the test device) and logged its thousands of instructions. */
export function expectCoverageRanToEnd(status: number | null, lines: readonly string[], what: string): void {
  expect(status, what).to.equal(0);
  expect(lines.length, what).to.be.greaterThan(4500);
}

/** QEMU printed every RV64GC mnemonic and pseudo-instruction for the coverage guest. */
export function expectEveryMnemonic(lines: readonly string[]): void {
  const seen = new Set(lines.map(mnemonicOf));
  expect(EXPECTED_MNEMONICS.filter((m) => !seen.has(m)), 'mnemonics QEMU never printed').to.deep.equal([]);
}

/** The fuzz guest ran to the end on QEMU and logged every 16-bit encoding and the random words. */
export function expectFuzzRanToEnd(status: number | null, lines: readonly string[], what: string): void {
  expect(status, what).to.equal(0);
  const compressed = new Set(lines.filter((l) => l[25] === ' ').map((l) => l.slice(21, 25)));
  expect(compressed.size, what).to.equal(COMPRESSED_ENCODINGS);
  const wide = new Set(lines.filter((l) => l[25] !== ' ').map((l) => l.slice(0, 18)));
  expect(wide.size, what).to.be.at.least(RANDOM_WORDS);
}
