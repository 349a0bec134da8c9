/**
 * The exact BigInt path on its own against the QEMU vectors: the fast paths
 * fall back to it, and the random differential test (fast-vs-exact) uses it
 * as the oracle, so it must match QEMU everywhere by itself.
 */
import { expect } from 'chai';
import { describeMismatch, matches, newState, run } from './harness.js';
import { REFERENCE } from './reference-ops.js';
import { loadVectors, OPS } from './vector-file.js';

const vectors = loadVectors();

describe('fpu: exact (BigInt) reference matches QEMU vectors', function () {
  for (const [op, call] of Object.entries(REFERENCE)) {
    it(op, function () {
      const shape = OPS[op]!;
      const s = newState();
      const failures: string[] = [];
      for (const vector of vectors.get(op) ?? []) {
        for (let rm = 0; rm < 5; rm++) {
          const got = run(s, shape, vector, rm, false, false, call);
          if (!matches(vector, rm, got)) failures.push(describeMismatch(vector, rm, 'reference', got));
        }
      }
      expect(failures.length, failures.slice(0, 12).join('\n  ')).to.equal(0);
    });
  }
});
