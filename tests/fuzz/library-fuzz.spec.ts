/**
 * CI-size run of the misbehaving-library fuzzer (library-fuzz.ts): libraries that throw, return
 * wrong types, call the control API from the wrong level, allocate without bound or never return,
 * in qi_init, qi_fini, a translation-level, an execution-level and a guest_cpu_enter callback.
 * Each run ends (by itself or on SIGTERM) with no stack trace and one line per failure naming
 * the library and the function. Needs no QEMU.
 */
import { expect } from 'chai';
import { runLibrarySeed } from './library-fuzz.js';

describe('fuzz: misbehaving instrumentation libraries', function () {
  this.timeout(900_000);

  it('12 libraries: one line naming library and function, no stack trace, no wedged process', async function () {
    const runs = await Promise.all([runLibrarySeed(501, 6), runLibrarySeed(502, 6)]);
    const problems = runs.flatMap((r) => r.problems);
    expect(problems, problems.join('\n\n')).to.deep.equal([]);
  });
});
