/**
 * CI-size run of the monitor fuzzer (monitor-fuzz.ts) against a running tsemu: random bytes,
 * grammar-based QMP and HMP commands with wrong types, huge lines and connection floods. After
 * every round both monitors still answer (query-status, info status), RSS stays within
 * RSS_BOUND_MIB of the post-start-up figure, and stderr holds no stack trace. Needs no QEMU.
 */
import { expect } from 'chai';
import { RSS_BOUND_MIB, runMonitorSeed } from './monitor-fuzz.js';

describe('fuzz: HMP and QMP input against a running tsemu', function () {
  this.timeout(600_000);

  it(`2 seeds x 15 rounds: both monitors answer after every round, RSS within ${RSS_BOUND_MIB} MiB of start-up, no stack trace`, async function () {
    const runs = [];
    for (const seed of [401, 402]) runs.push(await runMonitorSeed(seed, 15));
    const problems = runs.flatMap((r) => r.problems);
    expect(problems, problems.join('\n\n')).to.deep.equal([]);
    expect(runs.map((r) => r.rounds)).to.deep.equal([15, 15]);
  });
});
