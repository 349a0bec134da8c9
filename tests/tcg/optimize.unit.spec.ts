/**
 * The IR optimizations, at the level of the op list: constant folding and identities as the builder
 * (src/tcg/builder.ts) emits ops, then dead-code removal and dead guest-register stores
 * (src/tcg/optimize.ts). Each block is built here op by op; the expected op lists and folded values
 * are worked out by hand (RISC-V M semantics for division by zero and overflow, unprivileged spec
 * 7.2). Besides what must go, the lists pin what must stay: stores, loads (they may fault), calls
 * that are not pure, events, exits, and the last write of each register (the run loop and the next
 * block read registers from the vCPU state).
 */
import { expect } from 'chai';
import { TcgBuilder } from '../../src/tcg/builder.js';
import { optimize, removeDeadCode, removeDeadGlobalStores } from '../../src/tcg/optimize.js';
import type { IrBlock, Op, Temp } from '../../src/tcg/ir.js';

const D8 = { size: 8, signed: false } as const;

/**
 * The op list as text: guest registers `xN`, constants `#value`, temporaries `tN` numbered in the
 * order the list defines them (so the text does not depend on how the builder numbers temps).
 */
function listing(block: IrBlock): string[] {
  const names = new Map<Temp, string>();
  const name = (t: Temp): string => {
    if (t.kind === 'global') return `x${t.index}`;
    if (t.kind === 'const') return `#${t.value.toString()}`;
    let n = names.get(t);
    if (n === undefined) {
      n = `t${names.size}`;
      names.set(t, n);
    }
    return n;
  };
  return block.ops.map((op: Op) => {
    const args = op.args.map(name).join(', ');
    const out = 'dst' in op ? op.dst : undefined;
    const dst = out === undefined ? '' : `${name(out)} = `;
    return text(op, dst, args).trimEnd();
  });
}

function text(op: Op, dst: string, args: string): string {
  switch (op.opc) {
    case 'insn_start': return `insn_start 0x${op.pc.toString(16)}`;
    case 'call': return `${dst}call ${op.helper}(${args})`;
    case 'qemu_ld': case 'qemu_st': return `${dst}${op.opc} ${args} +${op.offset}`;
    case 'exit': return `exit 0x${op.target.toString(16)}`;
    case 'exit_if': return `exit_if ${op.cond} ${args} 0x${op.target.toString(16)}`;
    case 'setcond': return `${dst}setcond ${op.cond} ${args}`;
    default: return `${dst}${op.opc} ${args}`;
  }
}

/** The value a temp holds if the builder folded it to a constant. */
function constant(t: Temp): bigint {
  expect(t.kind, 'folded to a constant').to.equal('const');
  if (typeof t.value !== 'bigint') throw new Error(`an i64 constant holds a bigint, not ${typeof t.value}`);
  return t.value;
}

describe('tcg/optimize: IR before and after the optimizer', function () {
  describe('constant folding while building', function () {
    const b = new TcgBuilder(0x1000);
    const c = (v: bigint): Temp => b.const64(v);
    const MIN = -(1n << 63n), MAX = (1n << 63n) - 1n;

    it('folds arithmetic on constants with 64-bit wrap-around', function () {
      expect(constant(b.add(c(MAX), c(1n)))).to.equal(MIN);
      expect(constant(b.sub(c(MIN), c(1n)))).to.equal(MAX);
      expect(constant(b.binary('mul', c(0x1_0000_0000n), c(0x1_0000_0000n)))).to.equal(0n);
      expect(constant(b.binary('mulsh', c(-1n), c(-1n)))).to.equal(0n); // (-1)*(-1) = 1: high half 0
      expect(constant(b.binary('muluh', c(-1n), c(-1n)))).to.equal(-2n); // (2^64-1)^2 >> 64 = 2^64-2
      expect(constant(b.binary('mulsuh', c(-1n), c(-1n)))).to.equal(-1n); // -1 * (2^64-1) >> 64 = -1
    });

    it('folds division the RISC-V way: by zero gives all ones (div) or the dividend (rem), overflow wraps', function () {
      expect(constant(b.binary('div', c(7n), c(0n)))).to.equal(-1n);
      expect(constant(b.binary('divu', c(7n), c(0n)))).to.equal(-1n);
      expect(constant(b.binary('rem', c(7n), c(0n)))).to.equal(7n);
      expect(constant(b.binary('remu', c(-7n), c(0n)))).to.equal(-7n);
      expect(constant(b.binary('div', c(MIN), c(-1n)))).to.equal(MIN);
      expect(constant(b.binary('rem', c(MIN), c(-1n)))).to.equal(0n);
      expect(constant(b.binary('div', c(-7n), c(2n)))).to.equal(-3n); // rounds toward zero
      expect(constant(b.binary('rem', c(-7n), c(2n)))).to.equal(-1n); // sign of the dividend
      expect(constant(b.binary('divu', c(-1n), c(2n)))).to.equal(MAX);
    });

    it('folds shifts by the low 6 bits of the amount, logical and arithmetic', function () {
      expect(constant(b.shl(c(1n), c(65n)))).to.equal(2n);
      expect(constant(b.shl(c(1n), c(63n)))).to.equal(MIN);
      expect(constant(b.shr(c(MIN), c(63n)))).to.equal(1n);
      expect(constant(b.sar(c(MIN), c(63n)))).to.equal(-1n);
    });

    it('folds comparisons (signed and unsigned) and 32-bit extensions', function () {
      expect(constant(b.setcond('lt', c(-1n), c(1n)))).to.equal(1n);
      expect(constant(b.setcond('ltu', c(-1n), c(1n)))).to.equal(0n);
      expect(constant(b.setcond('geu', c(-1n), c(1n)))).to.equal(1n);
      expect(constant(b.ext32s(c(0x8000_0000n)))).to.equal(-0x8000_0000n);
      expect(constant(b.ext32u(c(-1n)))).to.equal(0xffff_ffffn);
    });

    it('emits no op for them: li x1, 5 is one store of #5', function () {
      const blk = new TcgBuilder(0x1000);
      blk.insnStart(0x1000, 4);
      blk.setReg(1, blk.addi(blk.reg(0), 5)); // addi x1, x0, 5
      blk.exit(0x1004);
      expect(listing(blk.finish())).to.deep.equal(['insn_start 0x1000', 'x1 = mov #5', 'exit 0x1004']);
    });

    it('drops writes to x0 and, after dead-code removal, what only fed them', function () {
      const blk = new TcgBuilder(0x1000);
      blk.insnStart(0x1000, 4);
      blk.setReg(0, blk.addi(blk.reg(1), 1)); // addi x0, x1, 1
      blk.exit(0x1004);
      const block = blk.finish();
      expect(listing(block)).to.deep.equal(['insn_start 0x1000', 't0 = add x1, #1', 'exit 0x1004']);
      optimize(block);
      expect(listing(block)).to.deep.equal(['insn_start 0x1000', 'exit 0x1004']);
    });
  });

  describe('identities', function () {
    it('x + 0, x | 0, x ^ 0, x - 0, x << 0 are a copy of x; x & 0 and x * 0 are #0', function () {
      const b = new TcgBuilder(0);
      const zero = b.const64(0n);
      for (const opc of ['add', 'or', 'xor', 'sub', 'shl', 'shr', 'sar'] as const) {
        const r = b.binary(opc, b.reg(6), zero);
        expect(r.kind, opc).to.equal('temp');
      }
      expect(constant(b.and(b.reg(6), zero))).to.equal(0n);
      expect(constant(b.binary('mul', zero, b.reg(6)))).to.equal(0n);
      expect(listing(b.finish())).to.deep.equal(Array.from({ length: 7 }, (_, i) => `t${i} = mov x6`));
    });

    it('keeps the copy of a register that is overwritten before the copy is used (mv x5, x6; addi x6, x6, 1)', function () {
      const b = new TcgBuilder(0);
      b.insnStart(0, 4);
      b.setReg(5, b.addi(b.reg(6), 0)); // mv x5, x6
      b.insnStart(4, 4);
      b.setReg(6, b.addi(b.reg(6), 1));
      b.insnStart(8, 4);
      b.setReg(7, b.add(b.reg(5), b.reg(6)));
      b.exit(12);
      const block = b.finish();
      optimize(block);
      expect(listing(block)).to.deep.equal([
        'insn_start 0x0', 't0 = mov x6', 'x5 = mov t0',
        'insn_start 0x4', 't1 = add x6, #1', 'x6 = mov t1',
        'insn_start 0x8', 't2 = add x5, x6', 'x7 = mov t2',
        'exit 0xc',
      ]);
    });
  });

  describe('dead code', function () {
    it('drops a chain of pure ops whose result nobody reads, in one pass', function () {
      const b = new TcgBuilder(0);
      b.insnStart(0, 4);
      const t0 = b.add(b.reg(1), b.reg(2));
      const t1 = b.xor(t0, b.reg(3));
      b.setcond('lt', t1, b.reg(4)); // unused
      b.ext32s(b.reg(5)); // unused
      b.setReg(6, b.sub(b.reg(1), b.reg(2)));
      b.exit(4);
      const block = b.finish();
      removeDeadCode(block);
      expect(listing(block)).to.deep.equal(['insn_start 0x0', 't0 = sub x1, x2', 'x6 = mov t0', 'exit 0x4']);
      expect([t0.uses, t1.uses]).to.deep.equal([0, 0]);
      for (const r of [1, 2]) expect(b.reg(r).uses, `x${r} is read by the sub only`).to.equal(1);
    });

    it('keeps loads (they may fault), stores, calls that are not pure, events, counters and exits; drops an unused pure call', function () {
      const b = new TcgBuilder(0);
      b.insnStart(0, 4);
      b.qemuLd(b.reg(10), 0, D8); // result unused: still a possible page fault
      b.qemuSt(b.reg(11), b.reg(10), 8, D8);
      b.call('csrAccess', [b.reg(12)], [1, 0x300, 0, 1, 0, 4], { result: true, mayExit: true }); // result unused
      b.call('fenceI', [], [0, 4], {});
      b.call('raiseIllegal', [b.reg(13)], [], { result: true, pure: true }); // unused and pure (as the builder is told): goes
      b.callEvent(7, [{ temp: b.reg(14) }, { literal: 'x' }]);
      b.scoreboardAdd(0, 1, 4, 1);
      b.exitIf('eq', b.reg(15), b.const64(0n), 0x40);
      b.exitIndirect(b.reg(16));
      const block = b.finish();
      optimize(block);
      expect(listing(block)).to.deep.equal([
        'insn_start 0x0',
        't0 = qemu_ld x10 +0',
        'qemu_st x11, x10 +8',
        't1 = call csrAccess(x12)',
        'call fenceI()',
        'call_event x14',
        'scoreboard_add',
        'exit_if eq x15, #0 0x40',
        'exit_indirect x16',
      ]);
    });
  });

  describe('dead stores to guest registers', function () {
    it('keeps only the second of two writes with nothing in between that reads the register', function () {
      const b = new TcgBuilder(0);
      b.insnStart(0, 4);
      b.setReg(5, b.add(b.reg(1), b.reg(2))); // dead: x5 is written again below
      b.insnStart(4, 4);
      b.setReg(6, b.addi(b.reg(3), 4));
      b.insnStart(8, 4);
      b.setReg(5, b.addi(b.reg(0), 9));
      b.exit(12);
      const block = b.finish();
      optimize(block);
      // the first write and, with it, the add that only fed it are gone
      expect(listing(block)).to.deep.equal([
        'insn_start 0x0',
        'insn_start 0x4', 't0 = add x3, #4', 'x6 = mov t0',
        'insn_start 0x8', 'x5 = mov #9',
        'exit 0xc',
      ]);
    });

    it('keeps the last write of every register, even at the end of a block nobody reads in it', function () {
      const b = new TcgBuilder(0);
      b.insnStart(0, 4);
      b.setReg(1, b.const64(1n));
      b.setReg(31, b.const64(31n));
      b.exit(4);
      const block = b.finish();
      optimize(block);
      expect(listing(block)).to.deep.equal(['insn_start 0x0', 'x1 = mov #1', 'x31 = mov #31', 'exit 0x4']);
    });

    it('drops a dead write of x31 too (the top bit of the register set)', function () {
      const b = new TcgBuilder(0);
      b.setReg(31, b.const64(1n));
      b.setReg(31, b.const64(2n));
      const block = b.finish();
      removeDeadGlobalStores(block);
      expect(listing(block)).to.deep.equal(['x31 = mov #2']);
    });

    it('keeps the first write when the register is read in between', function () {
      const b = new TcgBuilder(0);
      b.setReg(5, b.const64(1n));
      b.setReg(5, b.addi(b.reg(5), 1)); // reads x5
      const block = b.finish();
      optimize(block);
      expect(listing(block)).to.deep.equal(['x5 = mov #1', 't0 = add x5, #1', 'x5 = mov t0']);
    });

    const observers: ReadonlyArray<readonly [string, (b: TcgBuilder) => void, string]> = [
      ['a load (may fault: the handler sees the registers)', (b) => { b.setReg(7, b.qemuLd(b.reg(10), 0, D8)); }, 't0 = qemu_ld x10 +0'],
      ['a store', (b) => b.qemuSt(b.reg(11), b.reg(10), 0, D8), 'qemu_st x11, x10 +0'],
      ['a helper call', (b) => { b.call('fenceI', [], [0, 4], {}); }, 'call fenceI()'],
      ['an event', (b) => b.callEvent(3, []), 'call_event'],
      ['a conditional exit', (b) => b.exitIf('ne', b.reg(10), b.const64(0n), 0x80), 'exit_if ne x10, #0 0x80'],
    ];
    for (const [what, between, text] of observers) {
      it(`keeps the first write when ${what.split(' (')[0]} comes in between`, function () {
        const b = new TcgBuilder(0);
        b.setReg(5, b.const64(1n));
        between(b);
        b.setReg(5, b.const64(2n));
        const block = b.finish();
        optimize(block);
        const ops = listing(block);
        expect(ops[0], what).to.equal('x5 = mov #1');
        expect(ops).to.include(text);
        expect(ops[ops.length - 1]).to.equal('x5 = mov #2');
      });
    }

    it('lets the value of a dropped write live on when something else reads it', function () {
      const b = new TcgBuilder(0);
      const t = b.add(b.reg(1), b.reg(2));
      b.setReg(5, t); // dead
      b.setReg(6, t);
      b.setReg(5, b.const64(0n));
      const block = b.finish();
      optimize(block);
      expect(listing(block)).to.deep.equal(['t0 = add x1, x2', 'x6 = mov t0', 'x5 = mov #0']);
      expect(t.uses).to.equal(1);
    });
  });
});
