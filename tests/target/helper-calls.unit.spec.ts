/**
 * The helper calls the RISC-V translator emits (src/target/riscv/translate.ts) against the helpers
 * the vCPU context implements (src/abi/helpers.ts, src/vcpu/context.ts): every instruction of the
 * decoder's table is translated, and each `call` op must pass exactly as many arguments as its
 * helper takes (values, constants, then pc and instruction index when it may end the block). The
 * helper names themselves are checked by the compiler.
 */
import { expect } from 'chai';
import { INSN32 } from '../../src/target/riscv/insn32.js';
import { decode32 } from '../../src/target/riscv/decode.js';
import { translateInsn } from '../../src/target/riscv/translate.js';
import { TcgBuilder } from '../../src/tcg/builder.js';
import type { CallOp } from '../../src/tcg/ir.js';
import { VcpuContext } from '../../src/vcpu/context.js';
import { FP_OPS } from '../../src/abi/ops.js';

const PC = 0x8000_0000;

/** An encoding of `pattern` with every free bit set to `free` (0 or 1). */
function encode(pattern: string, free: '0' | '1'): number {
  return parseInt(pattern.replace(/ /g, '').replace(/-/g, free), 2) | 0;
}

/** The helper calls of one translated instruction (undefined: it does not decode). */
function calls(insn: number): CallOp[] {
  const b = new TcgBuilder(PC);
  b.insnStart(PC, 4);
  translateInsn({ b, pc: PC, hooks: {}, features: -1 }, decode32(insn), insn, 4);
  return b.finish().ops.filter((op): op is CallOp => op.opc === 'call');
}

function passed(op: CallOp): number {
  return op.args.length + op.consts.length + (op.mayExit ? 2 : 0);
}

describe('target/riscv: helper calls of translated code match the helpers of the vCPU context', function () {
  it('passes every helper exactly its parameters, for every instruction of the decoder table', function () {
    const helpersSeen = new Set<string>();
    for (const [name, pattern] of INSN32) {
      const encodings = [encode(pattern, '0'), encode(pattern, '1')].filter((insn) => decode32(insn)?.name === name);
      expect(encodings, `${name}: no encoding of its pattern decodes as ${name}`).to.not.be.empty;
      for (const insn of encodings) {
        for (const op of calls(insn)) {
          helpersSeen.add(op.helper);
          expect(passed(op), `${name} -> ${op.helper}`).to.equal(VcpuContext.prototype[op.helper].length);
        }
      }
    }
    // the helpers that instructions reach (raiseMisalignedFetch cannot be: RVC makes every offset even)
    expect([...helpersSeen].sort()).to.deep.equal(
      ['amo', 'csrAccess', 'ebreak', 'ecall', 'fenceI', 'fld', 'flh', 'flw', 'fpuOp', 'fsd', 'fsh', 'fsw', 'mret', 'sfenceVma', 'sret', 'wfi'],
    );
  });

  it('translates pause (fence w,0) to the pause hint, and other fences to nothing', function () {
    const pause = calls(0x0100000f);
    expect(pause.map((op) => op.helper)).to.deep.equal(['pause']);
    expect(pause[0].mayExit).to.equal(false);
    expect(passed(pause[0])).to.equal(VcpuContext.prototype.pause.length);
    for (const fence of [0x0ff0000f, 0x0330000f, 0x0000000f, 0x8330000f]) expect(calls(fence), `0x${fence.toString(16)}`).to.deep.equal([]);
  });

  it('passes an unknown encoding to raiseIllegal with its bits', function () {
    const [op] = calls(0);
    expect(op.helper).to.equal('raiseIllegal');
    expect(op.consts).to.deep.equal([0]);
    expect(passed(op)).to.equal(VcpuContext.prototype.raiseIllegal.length);
  });

  it('names each FP operation by its index in FP_OPS', function () {
    for (const [name, pattern] of INSN32) {
      const index = FP_OPS.findIndex((op) => op === name);
      if (index < 0) continue;
      const [op] = calls(encode(pattern, '0'));
      expect([op.helper, op.consts[0]], name).to.deep.equal(['fpuOp', index]);
    }
  });
});
