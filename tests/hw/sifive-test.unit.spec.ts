/*
 * Exit statuses measured by running qemu-system-riscv64 7.2 -M virt -bios none
 * with a guest that stores the value below to 0x100000 and checking $?:
 *   sw 0x5555 -> 0, sw 0x53333 -> 5, sw 0x1013333 -> 1, sw 0x3333 -> 0,
 *   sw 0x7777 -> reset (keeps running), sw 0x1234 -> ignored (keeps running),
 *   sh 0x5555 -> 0, sd/sb 0x5555 -> ignored (access fault in QEMU).
 */
import { expect } from 'chai';
import type { AccessSize, MachineControl } from '../../src/hw/device.js';
import { SifiveTest } from '../../src/hw/sifive-test.js';
import { VIRT } from '../../src/machine/virt-map.js';

class FakeMachine implements MachineControl {
  events: string[] = [];
  shutdown(exitStatus: number): void {
    this.events.push(`exit ${exitStatus}`);
  }
  reset(): void {
    this.events.push('reset');
  }
}

function store(value: number, size: AccessSize = 4, offset = 0): string[] {
  const machine = new FakeMachine();
  new SifiveTest(machine, VIRT.test).write(offset, size, BigInt(value));
  return machine.events;
}

describe('hw/sifive-test', () => {
  it('passes with exit status 0', () => {
    expect(store(0x5555)).to.deep.equal(['exit 0']);
    expect(store(0x5555, 2)).to.deep.equal(['exit 0']);
  });

  it('fails with the code in the high half, truncated to 8 bits like a process exit', () => {
    expect(store(0x53333)).to.deep.equal(['exit 5']);
    expect(store(0x1013333)).to.deep.equal(['exit 1']);
    expect(store(0x3333)).to.deep.equal(['exit 0']);
  });

  it('resets on 0x7777', () => {
    expect(store(0x7777)).to.deep.equal(['reset']);
  });

  it('ignores other values, other offsets and byte or doubleword stores', () => {
    expect(store(0x1234)).to.deep.equal([]);
    expect(store(0x5555, 4, 4)).to.deep.equal([]);
    expect(store(0x5555, 1)).to.deep.equal([]);
    expect(store(0x5555, 8)).to.deep.equal([]);
  });

  it('reads as zero', () => {
    expect(new SifiveTest(new FakeMachine(), VIRT.test).read(0, 4)).to.equal(0n);
  });
});
