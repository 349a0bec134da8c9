/**
 * The table the `fpuOp` helper runs FP instructions from (src/target/riscv/fpu/op-table.ts),
 * against the description of each operation the vector tests use (vector-file.ts, written
 * independently): one entry per FP_OPS name in FP_OPS order, the operand fields its function
 * takes, the register file it writes; and fpuOp on a vCPU context computes what the function
 * computes on the same fields.
 */
import { expect } from 'chai';
import { FP_OPS } from '../../src/abi/ops.js';
import { createStateBuffer, CsrSlot, SLOT_F, SLOT_FFLAGS, SLOT_X, stateViews, type VcpuStateViews } from '../../src/abi/state-layout.js';
import { FP_OP_TABLE, FpOperands } from '../../src/target/riscv/fpu/op-table.js';
import { Cause, MSTATUS } from '../../src/target/riscv/csr.js';
import { createGuestMemoryBuffers, GuestMemory } from '../../src/memory/guest-memory.js';
import { VcpuContext } from '../../src/vcpu/context.js';
import { OPS, type OpShape } from './vector-file.js';

/** The vector file's name of an FP_OPS entry: fcvt_s_w is fcvt.s.w. */
function shapeOf(name: string): OpShape {
  const shape = OPS[name.replace(/_/g, '.')];
  if (shape === undefined) throw new Error(`no description of ${name} in vector-file.ts`);
  return shape;
}

/** The operand fields after rd that a described operation takes. */
function expectedOperands(shape: OpShape): FpOperands {
  switch (`${shape.sources.length}${shape.rounding ? 'rm' : ''}`) {
    case '1': return FpOperands.Rs1;
    case '1rm': return FpOperands.Rs1Rm;
    case '2': return FpOperands.Rs1Rs2;
    case '2rm': return FpOperands.Rs1Rs2Rm;
    case '3rm': return FpOperands.Rs1Rs2Rs3Rm;
    default: throw new Error(`no operand layout for ${shape.sources.length} sources`);
  }
}

const FS_INITIAL = 1n << 13n;
const MTVEC = 0x8000_0400;

function context(): VcpuContext {
  const mem = new GuestMemory(createGuestMemoryBuffers(0x8000_0000, 0x10000, 0x1000, 0x1000));
  const ctx = new VcpuContext(stateViews(createStateBuffer()), 0, mem, { read: () => undefined, write: () => false }, { mtime: () => 0n, mtimecmp: () => -1n, ticksPerMs: 10_000 });
  ctx.resetState(0x8000_1000);
  ctx.setCsr(CsrSlot.mtvec, BigInt(MTVEC));
  return ctx;
}

/** Registers 1..3 of both files hold distinct values: a NaN-boxed single, doubles, integers. */
function fillRegisters(s: VcpuStateViews): void {
  s.i64[SLOT_F + 1] = BigInt.asIntN(64, 0xffff_ffff_4040_0000n); // 3.0f, NaN-boxed
  s.f64[SLOT_F + 2] = -2.5;
  s.f64[SLOT_F + 3] = 1e-3;
  s.i64[SLOT_X + 1] = -7n;
  s.i64[SLOT_X + 2] = 0x1234_5678_9abcn;
  s.i64[SLOT_X + 3] = 3n;
}

describe('fpu: the op table of the fpuOp helper', function () {
  it('has one entry per FP_OPS name, in FP_OPS order (translated code passes the index)', function () {
    expect(FP_OP_TABLE.map((op) => op.name)).to.deep.equal([...FP_OPS]);
  });

  it('takes the operand fields, and writes the register file, that each operation is described with', function () {
    for (const op of FP_OP_TABLE) {
      const shape = shapeOf(op.name);
      expect(op.operands, op.name).to.equal(expectedOperands(shape));
      expect(op.writesFreg, op.name).to.equal(shape.dest === 'f');
      // the function's own parameters: state, rd, the sources, rm
      expect(op.fn.length, `${op.name} parameters`).to.equal(2 + shape.sources.length + (shape.rounding ? 1 : 0));
    }
  });

  it('fpuOp on a vCPU context computes what the function computes on the same fields, and dirties FS only for f results', function () {
    FP_OP_TABLE.forEach((op, index) => {
      const shape = shapeOf(op.name);
      const ctx = context();
      ctx.setCsr(CsrSlot.mstatus, ctx.csr(CsrSlot.mstatus) | FS_INITIAL);
      fillRegisters(ctx.state);
      const reference = stateViews(createStateBuffer());
      reference.i64.set(ctx.state.i64);
      ctx.fpuOp(index, 4, 1, 2, 3, 0, 0x53, 0x8000_1000, 0);
      shape.call(reference, 4, [1, 2, 3], 0);
      expect(ctx.endBlock, op.name).to.equal(false);
      expect(Array.from(ctx.state.i64.subarray(SLOT_X, SLOT_F + 32)), `${op.name} registers`).to.deep.equal(Array.from(reference.i64.subarray(SLOT_X, SLOT_F + 32)));
      expect(ctx.state.i32[2 * SLOT_FFLAGS], `${op.name} fflags`).to.equal(reference.i32[2 * SLOT_FFLAGS]);
      expect(ctx.csr(CsrSlot.mstatus) & MSTATUS.FS, `${op.name} mstatus.FS`).to.equal(op.writesFreg ? MSTATUS.FS : FS_INITIAL);
    });
  });

  it('fpuOp with a reserved rounding mode raises illegal-instruction with the instruction bits and changes no register', function () {
    FP_OP_TABLE.forEach((op, index) => {
      if (!shapeOf(op.name).rounding) return;
      const ctx = context();
      ctx.setCsr(CsrSlot.mstatus, ctx.csr(CsrSlot.mstatus) | FS_INITIAL);
      fillRegisters(ctx.state);
      const before = Array.from(ctx.state.i64.subarray(SLOT_X, SLOT_F + 32));
      ctx.fpuOp(index, 4, 1, 2, 3, 5, 0x1234_5053, 0x8000_1000, 0);
      expect(ctx.endBlock, op.name).to.equal(true);
      expect(ctx.resumePc, op.name).to.equal(MTVEC);
      expect(ctx.csr(CsrSlot.mcause), op.name).to.equal(BigInt(Cause.IllegalInsn));
      expect(ctx.csr(CsrSlot.mtval), op.name).to.equal(0x1234_5053n);
      expect(Array.from(ctx.state.i64.subarray(SLOT_X, SLOT_F + 32)), op.name).to.deep.equal(before);
    });
  });
});
