/**
 * The -d in_asm disassembler against QEMU 7.2, the oracle.
 *
 * 1. A table of lines copied verbatim from a QEMU 7.2 `-d in_asm` log (runs
 *    without QEMU).
 * 2. A live comparison: tests/disas/guest/coverage.S (every RV64GC instruction
 *    form, the pseudo-instructions, hints, illegal encodings and a read of
 *    every CSR number) runs on qemu-system-riscv64 with `-singlestep -d in_asm`;
 *    every logged line is rebuilt from its pc and raw bits by decode() +
 *    disassemble() + formatInAsmLine() and must be byte-identical.
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decode } from '../../src/target/riscv/decode.js';
import { disassemble, formatInAsmLine } from '../../src/target/riscv/disas.js';
import { repoRoot, runQemu, virtKernelArgs, type GuestRunResult } from '../support/run-guest.js';

/** `0x<pc>:  <raw bits><text>` as QEMU prints an instruction. */
const INSN_LINE = /^0x([0-9a-f]{16}):  ([0-9a-f]{4}(?: {14})|[0-9a-f]{8}(?: {10}))/;

/** Our rendering of the instruction a QEMU log line shows (same pc, same raw bits). */
function rebuild(qemuLine: string): string {
  const m = INSN_LINE.exec(qemuLine);
  if (!m) throw new Error(`not an instruction line: ${qemuLine}`);
  const pc = BigInt('0x' + m[1]);
  const rawHex = m[2].trim();
  const raw = parseInt(rawHex, 16);
  const length = rawHex.length === 4 ? 2 : 4;
  const d = decode(raw & 0xffff, raw >>> 16);
  return formatInAsmLine(pc, raw, length, disassemble(d, pc, raw, length));
}

/** Lines copied from QEMU 7.2 logs (-M virt -bios none, -d in_asm), trailing spaces included. */
const QEMU_LINES = [
  '0x0000000080000000:  00004297          auipc                   t0,16384                # 0x80004000',
  '0x0000000080000154:  80000517          auipc                   a0,-2147483648          # 0x154',
  '0x0000000000001008:  f1402573          csrrs                   a0,mhartid,zero',
  '0x00000000800000b8:  00000013          nop                     ',
  '0x0000000080000204:  00b54263          bgt                     a1,a0,4                 # 0x80000208',
  '0x0000000080000228:  00057263          bleu                    zero,a0,4               # 0x8000022c',
  '0x0000000080000268:  000300e7          jalr                    ra,t1,0',
  '0x0000000080000298:  00008067          ret                     ',
  '0x0000000080000308:  0840000f          fence                   i,o',
  '0x0000000080000388:  1406252f          lr.w.aq                 a0,(a2)',
  '0x00000000800003f0:  0eb6352f          amoswap.d.aq.rl         a0,a1,(a2)',
  '0x0000000080000418:  00c5f553          fadd.s                  dyn,fa0,fa1,fa2',
  '0x000000008000044c:  20b58553          fmv.s                   a0,a1',
  '0x0000000080000510:  d2058553          fcvt.d.w                rne,fa0,a1',
  '0x000000008000052c:  e0058553          fmv.x.s                 a0,fa1',
  '0x000000008000053c:  02c5d553          fadd.d                  inv,fa0,fa1,fa2',
  '0x000000008000055c:  340fd573          csrrwi                  a0,mscratch,31',
  '0x0000000080000584:  0020d073          fsrmi                   zero,1',
  '0x00000000800005a8:  c8102573          rdtimeh                 a0',
  '0x00000000800011dc:  30a02573          csrrs                   a0,0x30a,zero',
  '0x0000000080001570:  3ef02573          csrrs                   a0,pmpaddr63,zero',
  '0x000000008000001e:  0001              nop                     ',
  '0x0000000080000018:  0505              addi                    a0,a0,1',
  '0x000000008000001c:  862a              mv                      a2,a0',
  '0x00000000800045d6:  7501              lui                     a0,-131072',
  '0x000000008000463a:  3ffe              fld                     ft11,504(sp)',
  '0x0000000080004654:  bffd              j                       -2                      # 0x80004652',
  '0x0000000080004678:  0501              illegal                 ',
  '0x0000000080004684:  2001              sext.w                  zero,zero',
];

/**
 * Mnemonics the coverage guest must make QEMU print: all RV64GC instructions
 * (compressed ones appear under their base mnemonic) and the pseudo-instructions.
 */
const EXPECTED_MNEMONICS = `
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

const GUEST_DIR = join(repoRoot(), 'tests', 'disas', 'guest');
const CROSS_GCC = process.env.RISCV_GCC ?? 'riscv64-unknown-elf-gcc';
const QEMU_TIMEOUT_MS = 30_000;
/** Flags shared with tests/disas/guest/Makefile. */
const GUEST_CFLAGS = [
  '-march=rv64imafdc_zicsr_zifencei', '-mabi=lp64d', '-mcmodel=medany', '-nostdlib', '-nostartfiles', '-static',
  '-Wl,-Ttext=0x80000000', '-Wl,--build-id=none', '-Wl,--no-warn-rwx-segments', '-Wl,--strip-all',
];

/**
 * Builds tests/disas/guest/<name>.S into `dir` when the cross compiler is
 * installed, else falls back to the committed tests/disas/guest/bin/<name>.elf.
 */
function guestElf(name: string, dir: string): string {
  const elf = join(dir, `${name}.elf`);
  const r = spawnSync(CROSS_GCC, [...GUEST_CFLAGS, '-o', elf, join(GUEST_DIR, `${name}.S`)], { encoding: 'utf8' });
  if (r.error) return join(GUEST_DIR, 'bin', `${name}.elf`);
  if (r.status !== 0) throw new Error(`building ${name}.S failed:\n${r.stderr}`);
  return elf;
}

interface GuestLog {
  run: GuestRunResult;
  /** The instruction lines of QEMU's in_asm log. */
  lines: string[];
}

/** Runs a guest on QEMU with one instruction per TB, so each executed instruction is logged once. */
async function qemuInAsm(name: string, dir: string): Promise<GuestLog> {
  const log = join(dir, `${name}.in_asm.txt`);
  const args = virtKernelArgs(guestElf(name, dir), ['-singlestep', '-d', 'in_asm', '-D', log]);
  const run = await runQemu(args, { timeoutMs: QEMU_TIMEOUT_MS });
  const lines = existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter((l) => l.startsWith('0x')) : [];
  return { run, lines };
}

interface Mismatch {
  qemu: string;
  ours: string;
}

function mismatches(lines: readonly string[]): Mismatch[] {
  return lines.map((qemu) => ({ qemu, ours: rebuild(qemu) })).filter((m) => m.ours !== m.qemu);
}

function describeMismatches(found: readonly Mismatch[], total: number): string {
  const shown = found.slice(0, 20).map((m) => `qemu: ${m.qemu}\nours: ${m.ours}`).join('\n');
  return `${found.length} of ${total} lines differ:\n${shown}`;
}

const mnemonicOf = (line: string): string => line.slice(39).split(' ')[0];

/**
 * A known gap: QEMU 7.2 names an encoding from an extension tsemu does not
 * implement (Q, V, Zb*, Zk*, RV128); the decoder rejects it and we print
 * "illegal". Anything else is a real mismatch.
 */
function isOutsideRv64gc(m: Mismatch): boolean {
  const raw = parseInt(m.qemu.slice(21, 39), 16);
  const rv64gc = new Set(EXPECTED_MNEMONICS);
  return decode(raw & 0xffff, raw >>> 16) === undefined && mnemonicOf(m.ours) === 'illegal' &&
    !rv64gc.has(mnemonicOf(m.qemu).replace(/(\.aq)?(\.rl)?$/, ''));
}

describe('RISC-V disassembler (-d in_asm)', function () {
  describe('lines recorded from QEMU 7.2', function () {
    for (const line of QEMU_LINES) {
      it(line.slice(39).trim(), function () {
        expect(rebuild(line)).to.equal(line);
      });
    }

    it('treats a negative pc number and a 64-bit bigint pc alike', function () {
      const d = decode(0x0297, 0x0000); // auipc t0,0
      const asNumber = formatInAsmLine(-0x80000000, 0x297, 4, disassemble(d, -0x80000000, 0x297, 4));
      const asBigint = formatInAsmLine(0xffffffff80000000n, 0x297, 4, disassemble(d, 0xffffffff80000000n, 0x297, 4));
      expect(asNumber).to.equal(asBigint);
      expect(asNumber).to.match(/^0xffffffff80000000: .*# 0xffffffff80000000$/);
    });
  });

  describe('against live QEMU 7.2 in_asm logs', function () {
    this.timeout(2 * QEMU_TIMEOUT_MS + 30_000);
    let tmp = '';
    // Set by the before hook; the tests do not run if it skips.
    let coverage!: GuestLog;
    let fuzz!: GuestLog;

    before(async function () {
      tmp = mkdtempSync(join(tmpdir(), 'disas-'));
      coverage = await qemuInAsm('coverage', tmp);
      if (coverage.run.status === null && !coverage.run.timedOut) {
        throw new Error(`QEMU did not start (.ci/run installs it): ${coverage.run.stderr.trim()}`);
      }
      fuzz = await qemuInAsm('fuzz', tmp);
    });

    after(function () {
      if (tmp) rmSync(tmp, { recursive: true, force: true });
    });

    describe('coverage guest: every RV64GC instruction form, pseudo-instruction, hint and CSR', function () {
      it('runs to the end on QEMU (exit through the test device)', function () {
        expect(coverage.run.timedOut, coverage.run.stderr).to.equal(false);
        expect(coverage.run.status, coverage.run.stderr).to.equal(0);
        expect(coverage.lines.length).to.be.greaterThan(4500);
      });

      it('makes QEMU print every RV64GC mnemonic and pseudo-instruction', function () {
        const seen = new Set(coverage.lines.map(mnemonicOf));
        expect(EXPECTED_MNEMONICS.filter((m) => !seen.has(m))).to.deep.equal([]);
      });

      it('is reproduced exactly, line by line', function () {
        const found = mismatches(coverage.lines);
        expect(found.length, describeMismatches(found, coverage.lines.length)).to.equal(0);
      });
    });

    describe('fuzz guest: all 16-bit encodings, random 32-bit words', function () {
      /** 16-bit encodings in fuzz.S: 3 quadrants minus c.j, c.beqz, c.bnez (2048 each) and c.jr/c.jalr/c.ebreak (64). */
      const COMPRESSED_ENCODINGS = 3 * 16384 - 3 * 2048 - 64;
      /** 32-bit words in fuzz.S, section by section (plus the prologue's own instructions in the log). */
      const RANDOM_WORDS = 23 * 128 + 2 * 3 * 64 + 26 * (24 + 8) + 11 * 2 * 16 + 6 * 48 + 7 * 8 + 32;

      it('runs to the end on QEMU (exit through the test device)', function () {
        expect(fuzz.run.timedOut, fuzz.run.stderr).to.equal(false);
        expect(fuzz.run.status, fuzz.run.stderr).to.equal(0);
        const compressed = new Set(fuzz.lines.filter((l) => l[25] === ' ').map((l) => l.slice(21, 25)));
        expect(compressed.size).to.equal(COMPRESSED_ENCODINGS);
        const wide = new Set(fuzz.lines.filter((l) => l[25] !== ' ').map((l) => l.slice(0, 18)));
        expect(wide.size).to.be.at.least(RANDOM_WORDS);
      });

      it('is reproduced exactly, except encodings from extensions outside RV64GC', function () {
        const found = mismatches(fuzz.lines).filter((m) => !isOutsideRv64gc(m));
        expect(found.length, describeMismatches(found, fuzz.lines.length)).to.equal(0);
      });
    });
  });
});
