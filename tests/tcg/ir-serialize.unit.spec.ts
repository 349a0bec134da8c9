/**
 * The IR as the translator service sends it to a vCPU (src/tcg/ir-serialize.ts): every kind of
 * op, every kind of event argument and the optional fields come back as they were, with temps
 * shared between ops as in the original (the interpreter and the backends compare them by
 * identity).
 */
import { expect } from 'chai';
import { TcgBuilder } from '../../src/tcg/builder.js';
import { decodeIr, encodeIr } from '../../src/tcg/ir-serialize.js';
import type { IrBlock } from '../../src/tcg/ir.js';

const PC = 0xffff_ffff_8000_1000; // a kernel address: above 2^53, as a Number
const BIG = (1n << 63n) - 12345n;

function everyOp(): IrBlock {
  const b = new TcgBuilder(PC);
  b.insnStart(PC, 4);
  const x5 = b.reg(5);
  const sum = b.binary('add', x5, b.reg(6));
  b.setReg(7, b.binary('clmulr', sum, b.materialize(b.const64(BIG))));
  b.setReg(8, b.cpop(sum));
  b.setReg(9, b.setcond('ltu', x5, b.const64(-1n)));
  b.insnStart(PC + 4, 2);
  const loaded = b.qemuLd(x5, -8, { size: 4, signed: true });
  b.qemuSt(loaded, b.reg(2), 16, { size: 8, signed: false });
  b.call('amo', [x5, b.reg(6)], [0, 8, 7], { mayExit: true });
  const csr = b.call('csrAccess', [x5], [1, 0x300, 10, 1, 0x30029073, 4], { result: true, mayExit: true });
  if (csr !== undefined) b.setReg(10, csr);
  b.call('fenceI', [], [0x100f, 4], { mayExit: true, pure: false });
  b.callEvent(3, [{ temp: x5 }, { literal: 7 }, { literal: BIG }, { literal: 'a string, "quoted"' }, { literal: -0.5 }]);
  b.callEvent(4, [{ literal: PC }], { board: 1, slot: 2, counters: 3, cond: 'ge', value: 9 });
  b.scoreboardAdd(0, 1, 4, 3);
  b.scoreboardStore(1, 0, 2, -1);
  b.exitIf('ne', x5, b.reg(0), PC + 64);
  b.insnStart(PC + 6, 4);
  b.exitIndirect(b.reg(1));
  b.exit(PC + 10);
  return b.finish();
}

describe('tcg/ir-serialize: a block from the translator service to a vCPU', function () {
  it('comes back as it was: every op kind, event literals of every type, counter conditions, scoreboard stores', function () {
    const ir = everyOp();
    const kinds = new Set(ir.ops.map((op) => op.opc));
    for (const opc of ['insn_start', 'mov', 'add', 'clmulr', 'cpop', 'setcond', 'qemu_ld', 'qemu_st', 'call', 'call_event', 'scoreboard_add', 'exit_if', 'exit_indirect', 'exit']) {
      expect(kinds, opc).to.include(opc);
    }
    const back = decodeIr(encodeIr(ir));
    expect(back).to.deep.equal(ir);
    expect(encodeIr(back)).to.deep.equal(encodeIr(ir));
  });

  it('keeps temps shared: an op\'s argument is the very temp of the table (and of the op that wrote it)', function () {
    const back = decodeIr(encodeIr(everyOp()));
    for (const op of back.ops) {
      for (const a of op.args) expect(back.temps[a.id]).to.equal(a);
      if ('dst' in op && op.dst !== undefined) expect(back.temps[op.dst.id]).to.equal(op.dst);
    }
  });

  it('a block larger than the writer\'s first buffer (thousands of numbers) comes back whole', function () {
    const b = new TcgBuilder(PC);
    for (let i = 0; i < 800; i++) {
      b.insnStart(PC + 4 * i, 4);
      b.setReg(1 + (i % 30), b.binary('add', b.reg(1 + ((i + 1) % 30)), b.materialize(b.const64(BigInt(i) << 40n))));
    }
    b.exit(PC + 3200);
    const ir = b.finish();
    const wire = encodeIr(ir);
    expect(wire.numbers.length).to.be.greaterThan(8192);
    expect(decodeIr(wire)).to.deep.equal(ir);
  });
});
