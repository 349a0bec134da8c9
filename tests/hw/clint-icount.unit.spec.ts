/**
 * -icount's clock in the CLINT's shared state (src/hw/clint.ts): mtime counts executed
 * instructions << shift nanoseconds at QEMU virt's 10 MHz timebase (100 ns a tick), in every
 * view of the buffer, and an idle vCPU's skip moves it to a deadline exactly.
 */
import { expect } from 'chai';
import { ClintShared } from '../../src/hw/clint.js';
import { TIMEBASE_FREQ } from '../../src/machine/virt-map.js';

describe('hw/clint: -icount virtual time', function () {
  it('mtime = (instructions << shift) / 100 ns, the same in another view of the buffer', function () {
    let instructions = 0;
    const main = ClintShared.create(TIMEBASE_FREQ, () => 123_456_789n, { shift: 4, sleep: false });
    main.useInstructionClock(() => instructions);
    const other = new ClintShared(main.buffer, () => 987_654_321n);
    other.useInstructionClock(() => instructions);
    expect(main.icount).to.deep.equal({ shift: 4, sleep: false });
    expect(main.mtime()).to.equal(0n); // create() set mtime to 0 on the virtual clock
    instructions = 1000; // 16,000 ns = 160 ticks
    expect(main.mtime()).to.equal(160n);
    expect(other.mtime()).to.equal(160n);
    instructions = 1001; // 16,016 ns: still 160 ticks
    expect(main.mtime()).to.equal(160n);
  });

  it('skipTo moves every view to the deadline; without -icount it changes nothing', function () {
    let instructions = 0;
    const main = ClintShared.create(TIMEBASE_FREQ, () => 0n, { shift: 0, sleep: false });
    main.useInstructionClock(() => instructions);
    const other = new ClintShared(main.buffer);
    other.useInstructionClock(() => instructions);
    main.skipTo(5000n);
    expect(main.mtime()).to.equal(5000n);
    expect(other.mtime()).to.equal(5000n);
    instructions = 300; // 300 ns more = 3 ticks
    expect(other.mtime()).to.equal(5003n);
    main.skipTo(10n); // in the past: nothing
    expect(main.mtime()).to.equal(5003n);

    let host = 0n;
    const plain = ClintShared.create(TIMEBASE_FREQ, () => host);
    plain.useInstructionClock(() => 1_000_000);
    expect(plain.icount).to.equal(undefined);
    host = 1000n;
    expect(plain.mtime()).to.equal(10n);
    plain.skipTo(1_000_000n);
    expect(plain.mtime()).to.equal(10n);
  });
});
