/**
 * CSR instructions on mip, on a real vCPU context in M-mode (privileged spec 1.12, 3.1.9): reads
 * see the external-interrupt line ORed into SEIP, but csrrs/csrrc modify only the software bits.
 * An IPI handler's `csrs mip, SSIP` while the PLIC drives SEIP must not latch SEIP (the hart would
 * take supervisor external interrupts forever after the PLIC lowered the line: Linux hung in
 * plic_handle_irq, claiming 0, at -smp 4 on both OpenSBI and tsemu-sbi).
 */
import { expect } from 'chai';
import { createGuestMemoryBuffers, GuestMemory } from '../../src/memory/guest-memory.js';
import { VcpuContext } from '../../src/vcpu/context.js';
import { createStateBuffer, CsrSlot, stateViews, WORD_IRQ_LINES } from '../../src/abi/state-layout.js';
import { CsrOp } from '../../src/abi/ops.js';
import { CSR_NUMBER, MIP } from '../../src/target/riscv/csr.js';

const SEIP_LINE = 1 << 9;

function machineModeContext(): VcpuContext {
  const mem = new GuestMemory(createGuestMemoryBuffers(0x80000000, 0x10000, 0x1000, 0x1000));
  const mmio = { read: (): bigint | undefined => undefined, write: (): boolean => false };
  const ctx = new VcpuContext(stateViews(createStateBuffer()), 0, mem, mmio, { mtime: () => 0n, mtimecmp: () => -1n, ticksPerMs: 10_000 });
  ctx.resetState(0x1000);
  return ctx;
}

/** Runs `csrrOP rd=x5, mip, rs1` with x[rs1] = src; returns what x5 read. */
function csrOnMip(ctx: VcpuContext, op: CsrOp, src: bigint): bigint {
  expect(ctx.csrInstruction(op, CSR_NUMBER.mip, 5, src, true, 0)).to.equal(true);
  return ctx.state.i64[5] ?? 0n;
}

describe('target/riscv: mip read-modify-write keeps the external line out of the software bits', function () {
  it('csrs mip, SSIP while the PLIC drives SEIP: the read shows SEIP, SEIP goes away with the line', function () {
    const ctx = machineModeContext();
    Atomics.or(ctx.state.i32, WORD_IRQ_LINES, SEIP_LINE);
    expect(csrOnMip(ctx, CsrOp.Set, MIP.SSIP) & MIP.SEIP, 'the read includes the line').to.equal(MIP.SEIP);
    expect(ctx.csr(CsrSlot.mip) & MIP.SEIP, 'software SEIP').to.equal(0n);
    Atomics.and(ctx.state.i32, WORD_IRQ_LINES, ~SEIP_LINE);
    expect(ctx.readCsr(CSR_NUMBER.mip) & (MIP.SEIP | MIP.SSIP)).to.equal(MIP.SSIP);
  });

  it('csrc mip, SSIP while SEIP is driven leaves software SEIP clear too', function () {
    const ctx = machineModeContext();
    csrOnMip(ctx, CsrOp.Set, MIP.SSIP);
    Atomics.or(ctx.state.i32, WORD_IRQ_LINES, SEIP_LINE);
    csrOnMip(ctx, CsrOp.Clear, MIP.SSIP);
    Atomics.and(ctx.state.i32, WORD_IRQ_LINES, ~SEIP_LINE);
    expect(ctx.readCsr(CSR_NUMBER.mip) & (MIP.SEIP | MIP.SSIP)).to.equal(0n);
  });

  it('M-mode can still set software SEIP itself, and it reads back with the line low', function () {
    const ctx = machineModeContext();
    csrOnMip(ctx, CsrOp.Set, MIP.SEIP);
    expect(ctx.readCsr(CSR_NUMBER.mip) & MIP.SEIP).to.equal(MIP.SEIP);
    csrOnMip(ctx, CsrOp.Clear, MIP.SEIP);
    expect(ctx.readCsr(CSR_NUMBER.mip) & MIP.SEIP).to.equal(0n);
  });
});
