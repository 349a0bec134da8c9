/**
 * The run loop does not chain past a block that asked for service (RunLoop.step): the next
 * block's lookup may take an instruction fetch fault, which must not come before an interrupt the
 * block has just made pending and enabled. The random-instruction fuzzer (tests/fuzz) found it:
 * an `mret` into a page that faults on fetch, with the timer pending, took the fetch fault on
 * tsemu; QEMU 7.2 takes the timer interrupt, at the mret's target.
 */
import { expect } from 'chai';
import { createGuestMemoryBuffers, GuestMemory } from '../../src/memory/guest-memory.js';
import { VcpuContext } from '../../src/vcpu/context.js';
import { RunLoop } from '../../src/vcpu/run-loop.js';
import type { BlockCache, CachedBlock } from '../../src/vcpu/block-cache.js';
import { createStateBuffer, CsrSlot, stateViews } from '../../src/abi/state-layout.js';
import { MIP, MSTATUS } from '../../src/target/riscv/csr.js';

const START = 0x8000_0000;
const TARGET = 0x8000_2000;
const MTVEC = 0x8000_1000;

/** A cache of one block that enables MTIE/MIE with MTIP pending and asks for service, as an mret would. */
function fakeCache(ctx: VcpuContext, calls: string[]): BlockCache {
  const block = { pc: START } as unknown as CachedBlock;
  const cache = {
    lookup(pc: number): CachedBlock | undefined {
      calls.push(`lookup ${pc.toString(16)}`);
      return pc === START ? block : undefined;
    },
    next(_from: CachedBlock, pc: number): CachedBlock | undefined {
      calls.push(`next ${pc.toString(16)}`);
      return undefined;
    },
    run(): number {
      calls.push('run');
      ctx.setCsr(CsrSlot.mie, MIP.MTIP);
      ctx.setCsr(CsrSlot.mstatus, ctx.csr(CsrSlot.mstatus) | MSTATUS.MIE);
      ctx.requestService();
      return TARGET;
    },
    flush(): void {},
    flushJump(): void {},
  };
  return cache as unknown as BlockCache;
}

describe('vcpu/run-loop: no chaining past a block that asked for service', function () {
  it('the interrupt the block enabled is taken before the next block is looked up', function () {
    const mem = new GuestMemory(createGuestMemoryBuffers(0x80000000, 0x10000, 0x1000, 0x1000));
    const mmio = { read: (): bigint | undefined => undefined, write: (): boolean => false };
    // mtimecmp 0: the timer interrupt is pending all along, enabled only by the block
    const ctx = new VcpuContext(stateViews(createStateBuffer()), 0, mem, mmio, { mtime: () => 100n, mtimecmp: () => 0n, ticksPerMs: 10_000 });
    ctx.resetState(START);
    ctx.setCsr(CsrSlot.mtvec, BigInt(MTVEC));
    const calls: string[] = [];
    const host = { handleControl: (): boolean => true, paused: (): boolean => false, yieldRequested: (): boolean => false, debugStop: (): void => undefined };
    new RunLoop(ctx, fakeCache(ctx, calls), host).step(4);
    expect(calls.slice(0, 3)).to.deep.equal(['lookup 80000000', 'run', `lookup ${MTVEC.toString(16)}`]);
    expect(BigInt.asUintN(64, ctx.csr(CsrSlot.mcause))).to.equal((1n << 63n) | 7n);
    expect(ctx.csr(CsrSlot.mepc)).to.equal(BigInt(TARGET));
  });
});
