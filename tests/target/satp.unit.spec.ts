/**
 * satp writes on a real vCPU context, as QEMU 7.2 (write_satp): with MODE = Bare the other fields
 * keep what was written (the privileged spec leaves them UNSPECIFIED; QEMU stores them, so
 * `csrwi satp, 27` in M-mode reads back 27), and translation stays off whatever they hold; a MODE
 * tsemu does not take (Sv57, reserved ones) leaves satp unchanged. Found by the random-instruction
 * fuzzer (tests/fuzz: seed 102 step 1725, seed 106 step 826).
 */
import { expect } from 'chai';
import { createGuestMemoryBuffers, GuestMemory } from '../../src/memory/guest-memory.js';
import { VcpuContext } from '../../src/vcpu/context.js';
import { createStateBuffer, CsrSlot, stateViews } from '../../src/abi/state-layout.js';
import { CsrOp } from '../../src/abi/ops.js';
import { CSR_NUMBER, Priv } from '../../src/target/riscv/csr.js';

function context(priv: Priv): VcpuContext {
  const mem = new GuestMemory(createGuestMemoryBuffers(0x80000000, 0x10000, 0x1000, 0x1000));
  const mmio = { read: (): bigint | undefined => undefined, write: (): boolean => false };
  const ctx = new VcpuContext(stateViews(createStateBuffer()), 0, mem, mmio, { mtime: () => 0n, mtimecmp: () => -1n, ticksPerMs: 10_000 });
  ctx.resetState(0x80000000);
  // PMP entry 0 over everything, RWX, as guests' start-up code sets it: with no entry enabled
  // S/U may access nothing (QEMU 7.2's pmp_hart_has_privs)
  expect(ctx.csrInstruction(CsrOp.Write, CSR_NUMBER.pmpaddr0, 0, -1n, true, 0)).to.equal(true);
  expect(ctx.csrInstruction(CsrOp.Write, CSR_NUMBER.pmpcfg0, 0, 0x1fn, true, 0)).to.equal(true);
  ctx.priv = priv;
  return ctx;
}

function csrw(ctx: VcpuContext, op: CsrOp, value: bigint): void {
  expect(ctx.csrInstruction(op, CSR_NUMBER.satp, 0, value, true, 0)).to.equal(true);
}

describe('target/riscv: satp writes (QEMU 7.2 write_satp)', function () {
  it('M-mode csrwi satp, 27: MODE Bare, reads back 27', function () {
    const ctx = context(Priv.M);
    csrw(ctx, CsrOp.Write, 27n);
    expect(ctx.readCsr(CSR_NUMBER.satp)).to.equal(27n);
  });

  it('S-mode csrsi satp, 1 from 0: reads back 1, and loads still see physical memory', function () {
    const ctx = context(Priv.S);
    expect(ctx.storeVirt(0x80000100n, 8, 0x1122334455667788n, 0x80000000, 0, 4)).to.equal(true);
    csrw(ctx, CsrOp.Set, 1n);
    expect(ctx.readCsr(CSR_NUMBER.satp)).to.equal(1n);
    // with PPN 1 taken as a root table at 0x1000 (not RAM) this load would fault
    expect(ctx.loadVirt(0x80000100n, 8, 0x80000000, 0)).to.equal(0x1122334455667788n);
  });

  it('Sv57 (MODE 10) and a reserved MODE leave satp unchanged', function () {
    const ctx = context(Priv.M);
    const sv39 = (8n << 60n) | 0x80001n;
    csrw(ctx, CsrOp.Write, sv39);
    csrw(ctx, CsrOp.Write, (10n << 60n) | 0x80002n);
    csrw(ctx, CsrOp.Write, (3n << 60n) | 0x80003n);
    expect(BigInt.asUintN(64, ctx.readCsr(CSR_NUMBER.satp))).to.equal(sv39);
  });
});
