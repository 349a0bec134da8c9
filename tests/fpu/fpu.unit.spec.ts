/**
 * Every F/D instruction against vectors produced by QEMU's softfloat
 * (tests/fpu/vectors: gen.c run under qemu-riscv64). Each vector is checked
 * with the static rounding mode and again with rm=DYN and frm set, for each
 * rounding mode, and with rd aliasing the first source on some vectors.
 */
import { expect } from 'chai';
import { describeMismatch, matches, newState, run } from './harness.js';
import { loadVectors, OPS, WITHOUT_VECTORS } from './vector-file.js';

const vectors = loadVectors();
const MAX_REPORTED = 12;

describe('fpu: RISC-V F/D instructions match QEMU vectors', function () {
  let checked = 0;
  let passed = 0;

  after(function () {
    console.log(`      fpu vectors: ${passed}/${checked} (op x rounding mode) checks passed, each also run with DYN`);
  });

  it('covers every mnemonic', function () {
    expect([...vectors.keys()].sort()).to.deep.equal(Object.keys(OPS).filter((op) => !WITHOUT_VECTORS.has(op)).sort());
  });

  for (const [op, list] of vectors) {
    it(`${op} (${list.length} operand tuples)`, function () {
      const shape = OPS[op]!;
      const s = newState();
      const failures: string[] = [];
      const modes = shape.rounding ? [0, 1, 2, 3, 4] : [0];
      list.forEach((vector, index) => {
        const alias = index % 3 === 2;
        for (const rm of modes) {
          checked++;
          const direct = run(s, shape, vector, rm, false, alias);
          const ok = matches(vector, rm, direct);
          if (!ok) failures.push(describeMismatch(vector, rm, 'static rm', direct));
          if (shape.rounding) {
            const dynamic = run(s, shape, vector, rm, true, alias);
            if (!matches(vector, rm, dynamic)) failures.push(describeMismatch(vector, rm, 'DYN', dynamic));
            else if (ok) passed++;
          } else if (ok) passed++;
        }
      });
      expect(failures.length, `${failures.length} mismatches:\n  ${failures.slice(0, MAX_REPORTED).join('\n  ')}`).to.equal(0);
    });
  }
});
