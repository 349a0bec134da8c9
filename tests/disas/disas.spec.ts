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

/** Builds coverage.S into `dir`; returns the ELF path, or undefined if the cross compiler is missing. */
function buildCoverageGuest(dir: string): string | undefined {
  const elf = join(dir, 'coverage.elf');
  const r = spawnSync(CROSS_GCC, [
    '-march=rv64imafdc_zicsr_zifencei', '-mabi=lp64d', '-mcmodel=medany', '-nostdlib', '-nostartfiles', '-static',
    '-Wl,-Ttext=0x80000000', '-Wl,--build-id=none', '-Wl,--no-warn-rwx-segments',
    '-o', elf, join(GUEST_DIR, 'coverage.S'),
  ], { encoding: 'utf8' });
  if (r.error) return undefined; // not installed: use the committed ELF
  if (r.status !== 0) throw new Error(`building coverage.S failed:\n${r.stderr}`);
  return elf;
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

  describe('every instruction of the coverage guest, against a live QEMU 7.2 log', function () {
    this.timeout(QEMU_TIMEOUT_MS + 30_000);
    let tmp = '';
    let run: GuestRunResult | undefined;
    let lines: string[] = [];

    before(async function () {
      tmp = mkdtempSync(join(tmpdir(), 'disas-'));
      const elf = buildCoverageGuest(tmp) ?? join(GUEST_DIR, 'coverage.elf');
      const log = join(tmp, 'in_asm.txt');
      run = await runQemu(virtKernelArgs(elf, ['-singlestep', '-d', 'in_asm', '-D', log]), { timeoutMs: QEMU_TIMEOUT_MS });
      if (run.status === null && !run.timedOut) {
        console.log(`      (skipped: QEMU did not start: ${run.stderr.trim()})`);
        this.skip();
      }
      lines = existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter((l) => l.startsWith('0x')) : [];
    });

    after(function () {
      if (tmp) rmSync(tmp, { recursive: true, force: true });
    });

    it('QEMU runs the whole guest (it exits through the test device)', function () {
      expect(run?.timedOut, run?.stderr).to.equal(false);
      expect(run?.status, run?.stderr).to.equal(0);
      expect(lines.length).to.be.greaterThan(4500);
    });

    it('the log shows every RV64GC mnemonic and pseudo-instruction', function () {
      const seen = new Set(lines.map((l) => l.slice(39).split(' ')[0]));
      expect(EXPECTED_MNEMONICS.filter((m) => !seen.has(m))).to.deep.equal([]);
    });

    it('every logged line is reproduced exactly', function () {
      const mismatches = lines
        .map((qemu) => ({ qemu, ours: rebuild(qemu) }))
        .filter((m) => m.ours !== m.qemu);
      const report = mismatches.slice(0, 20).map((m) => `qemu: ${m.qemu}\nours: ${m.ours}`).join('\n');
      expect(mismatches.length, `${mismatches.length} of ${lines.length} lines differ:\n${report}`).to.equal(0);
    });
  });
});
