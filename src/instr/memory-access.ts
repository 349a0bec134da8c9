/**
 * Guest memory for the instrumentation API, from any thread: RAM and ROM are
 * shared, and every hart's MMU state (privilege, satp, mstatus) is in shared
 * memory, so virtual addresses are translated with the same page walker the
 * vCPUs use. Like a hardware walk, a look-up sets the A bit of the PTE it uses
 * (it walks as a read with SUM and MXR, so it may see every readable page).
 */
import type { GuestMemory } from '../memory/guest-memory.js';
import { CsrSlot, RunState, SLOT_CSR, SLOT_PRIV, VcpuStateViews, WORD_RUN_STATE } from '../abi/state-layout.js';
import { Access, MSTATUS, MPP_SHIFT, Priv } from '../target/riscv/csr.js';
import { satpIsBare, walkPageTable } from '../target/riscv/mmu.js';
import { featureBit } from '../target/riscv/isa.js';
import type { InstrMemory } from './runtime.js';

export function guestMemoryForInstr(mem: GuestMemory, harts: () => readonly (VcpuStateViews | undefined)[], present: (cpu: number) => boolean): InstrMemory {
  const svpbmt = (mem.cpuFeatures & featureBit('svpbmt')) !== 0;
  const readOnlyWalkMemory = {
    ramOffset: (pa: number) => mem.ramOffset(pa),
    ram64: mem.m64,
    word64: (pa: number) => mem.word64(pa),
  };
  return {
    state: (cpu) => harts()[cpu],
    isRam: (paddr) => paddr < 2n ** 53n && mem.ramOffset(Number(paddr)) >= 0,
    vcpuExists: (cpu) => Number.isInteger(cpu) && cpu >= 0 && cpu < harts().length && harts()[cpu] !== undefined && present(cpu),
    virtToPhys(cpu, vaddr) {
      const s = harts()[cpu];
      if (!s) return undefined;
      const i64 = s.i64;
      const satp = i64[SLOT_CSR + CsrSlot.satp];
      const mstatus = i64[SLOT_CSR + CsrSlot.mstatus];
      let priv = s.i32[2 * SLOT_PRIV] as Priv;
      if (priv === Priv.M && (mstatus & MSTATUS.MPRV) !== 0n) priv = Number((mstatus & MSTATUS.MPP) >> MPP_SHIFT) as Priv;
      if (priv === Priv.M || satpIsBare(satp)) return BigInt.asUintN(64, vaddr);
      const r = walkPageTable(readOnlyWalkMemory, {
        vaddr: BigInt.asIntN(64, vaddr), access: Access.Read, priv: Priv.S, satp, sum: true, mxr: true, svpbmt,
      });
      return r.pagePa < 0 ? undefined : BigInt(r.pagePa) + BigInt.asUintN(12, vaddr);
    },
    readPhys(paddr, size) {
      const pa = Number(paddr);
      if (mem.isRam(pa)) return mem.readRamBytes(pa, size);
      if (mem.isRom(pa) && pa + size <= mem.romBase + mem.romSize) return mem.rom.slice(pa - mem.romBase, pa - mem.romBase + size);
      return undefined;
    },
    writePhys(paddr, bytes) {
      const pa = Number(paddr);
      if (!mem.writeRamBytes(pa, bytes)) return false;
      if (bytes.length > 0) mem.codeWritten(mem.ramIndex(pa), bytes.length);
      return true;
    },
  };
}

export function hartPresent(s: VcpuStateViews | undefined): boolean {
  return s !== undefined && Atomics.load(s.i32, WORD_RUN_STATE) !== RunState.Exited;
}
