/**
 * The page-table walker (src/target/riscv/mmu.ts) on page tables built here in a RAM buffer, against
 * the privileged spec 1.12, section 4.3.2 ("Virtual Address Translation Process") and 4.4/4.5/4.6
 * (Sv39/Sv48/Sv57): leaves at every level, permissions R/W/X/U with SUM and MXR, the reserved PTE
 * encodings, misaligned superpages, non-canonical addresses, and the cause per access type (table 3.6:
 * 12 instruction, 13 load, 15 store/AMO page fault; 1/5/7 access faults). A and D are set by the walker
 * itself, as QEMU 7.2 does (the spec allows either that or a fault); the expected addresses and PTE
 * values below are worked out by hand from the VPN/offset split of each virtual address.
 */
import { expect } from 'chai';
import { type PageTableMemory, type WalkRequest, type WalkResult, walkPageTable } from '../../src/target/riscv/mmu.js';
import { Access, Priv } from '../../src/target/riscv/csr.js';

const V = 1n, R = 2n, W = 4n, X = 8n, U = 16n, G = 32n, A = 64n, D = 128n;

/** satp MODE values (privileged spec table 4.4). */
const SV39 = 8n, SV48 = 9n, SV57 = 10n;

/** Causes, privileged spec table 3.6. */
const INSN_ACCESS = 1, LOAD_ACCESS = 5, STORE_ACCESS = 7, INSN_PAGE = 12, LOAD_PAGE = 13, STORE_PAGE = 15;

const RAM_BASE = 0x8000_0000;
const RAM_SIZE = 0x10_0000; // page tables only: 256 pages

/** Guest RAM holding page tables; tables are handed out page by page from RAM_BASE. */
class PageTables implements PageTableMemory {
  readonly ram64 = new BigInt64Array(new SharedArrayBuffer(RAM_SIZE));
  private nextTable = RAM_BASE;

  ramOffset(pa: number): number {
    return pa >= RAM_BASE && pa < RAM_BASE + RAM_SIZE ? pa - RAM_BASE : -1;
  }

  /** A zeroed 4 KiB table; returns its physical address. */
  table(): number {
    const pa = this.nextTable;
    this.nextTable += 0x1000;
    return pa;
  }

  read(tablePa: number, index: number): bigint {
    return BigInt.asUintN(64, this.ram64[(tablePa - RAM_BASE) / 8 + index] ?? 0n);
  }

  write(tablePa: number, index: number, pte: bigint): void {
    this.ram64[(tablePa - RAM_BASE) / 8 + index] = BigInt.asIntN(64, pte);
  }
}

/** A PTE: PPN in bits 53:10, flags in bits 7:0. */
function pte(pa: number | bigint, flags: bigint): bigint {
  return ((BigInt(pa) >> 12n) << 10n) | flags;
}

function satp(mode: bigint, rootPa: number, asid = 0n): bigint {
  return BigInt.asIntN(64, (mode << 60n) | (asid << 44n) | BigInt(rootPa >>> 12));
}

/**
 * One chain of tables for `levels` levels: table[i] is the table walked at level levels-1-i.
 * `leafLevel` 0 maps a 4 KiB page, 1 a 2 MiB megapage, 2 a 1 GiB gigapage...
 */
function chain(pt: PageTables, levels: number, va: bigint, leafLevel: number, leaf: bigint): { root: number; leafTable: number; leafIndex: number } {
  const root = pt.table();
  let table = root;
  for (let level = levels - 1; level > leafLevel; level--) {
    const next = pt.table();
    pt.write(table, vpn(va, level), pte(next, V));
    table = next;
  }
  pt.write(table, vpn(va, leafLevel), leaf);
  return { root, leafTable: table, leafIndex: vpn(va, leafLevel) };
}

function vpn(va: bigint, level: number): number {
  return Number((va >> BigInt(12 + 9 * level)) & 0x1ffn);
}

function walk(pt: PageTables, req: Partial<WalkRequest> & { vaddr: bigint; satp: bigint }): WalkResult {
  return walkPageTable(pt, { access: Access.Read, priv: Priv.S, sum: false, mxr: false, ...req });
}

/** The fault for each access type: [read, write, exec]. */
function causes(pt: PageTables, vaddr: bigint, s: bigint, priv: Priv = Priv.S): number[] {
  return [Access.Read, Access.Write, Access.Exec].map((access) => {
    const r = walk(pt, { vaddr, satp: s, access, priv });
    expect(r.pagePa, 'faults').to.equal(-1);
    return r.cause;
  });
}

const PAGE_FAULTS = [LOAD_PAGE, STORE_PAGE, INSN_PAGE];

describe('target/riscv: MMU page-table walk (Sv39, Sv48, Sv57)', function () {
  describe('Sv39 leaves at each level', function () {
    it('maps a 4 KiB page through three levels', function () {
      const pt = new PageTables();
      // 0x12345678: VPN[2] = 0, VPN[1] = 0x91, VPN[0] = 0x145, offset 0x678
      const va = 0x1234_5678n;
      expect([vpn(va, 2), vpn(va, 1), vpn(va, 0)]).to.deep.equal([0, 0x91, 0x145]);
      const { root } = chain(pt, 3, va, 0, pte(0x8765_4000, V | R | W | X | A | D));
      const r = walk(pt, { vaddr: va, satp: satp(SV39, root) });
      expect(r).to.deep.equal({ pagePa: 0x8765_4000, cause: 0, readable: true, writable: true, executable: true });
    });

    it('maps a 2 MiB megapage at level 1: the low 21 bits of the address pass through', function () {
      const pt = new PageTables();
      // 0x40301234: VPN[2] = 1, VPN[1] = 1, offset in the megapage 0x101234
      const va = 0x4030_1234n;
      const { root } = chain(pt, 3, va, 1, pte(0x8060_0000, V | R | A));
      const r = walk(pt, { vaddr: va, satp: satp(SV39, root) });
      expect(r.pagePa).to.equal(0x8060_0000 + 0x10_1000);
    });

    it('maps a 1 GiB gigapage at level 2, in the upper half of the address space', function () {
      const pt = new PageTables();
      // 0xffffffc012345678 is canonical (bits 63..38 all 1): VPN[2] = 0x100, offset 0x12345678
      const va = BigInt.asIntN(64, 0xffff_ffc0_1234_5678n);
      expect(vpn(va, 2)).to.equal(0x100);
      const { root } = chain(pt, 3, va, 2, pte(0xc000_0000, V | R | X | A));
      const r = walk(pt, { vaddr: va, satp: satp(SV39, root, 0x1234n), access: Access.Exec });
      expect(r).to.deep.equal({ pagePa: 0xd234_5000, cause: 0, readable: true, writable: false, executable: true });
    });

    it('refuses a megapage or gigapage whose PPN is not aligned to its size', function () {
      const pt = new PageTables();
      const mega = chain(pt, 3, 0x4030_1234n, 1, pte(0x8060_1000, V | R | W | X | A | D)); // PPN[0] = 1
      expect(causes(pt, 0x4030_1234n, satp(SV39, mega.root))).to.deep.equal(PAGE_FAULTS);
      const giga = chain(pt, 3, 0x4030_1234n, 2, pte(0x8020_0000, V | R | W | X | A | D)); // PPN[1] = 1
      expect(causes(pt, 0x4030_1234n, satp(SV39, giga.root))).to.deep.equal(PAGE_FAULTS);
    });

    it('refuses a virtual address whose bits 63..39 do not all equal bit 38', function () {
      const pt = new PageTables();
      const { root } = chain(pt, 3, 0n, 2, pte(0, V | R | W | X | A | D));
      expect(causes(pt, 0x80_0000_0000n, satp(SV39, root)), 'bit 39 set alone').to.deep.equal(PAGE_FAULTS);
      expect(causes(pt, 0x40_0000_0000n, satp(SV39, root)), 'bit 38 set alone').to.deep.equal(PAGE_FAULTS);
      expect(causes(pt, BigInt.asIntN(64, 0xffff_ffbf_ffff_f000n), satp(SV39, root)), 'bit 38 clear in the upper half').to.deep.equal(PAGE_FAULTS);
    });
  });

  describe('invalid and reserved PTEs', function () {
    const va = 0x1234_5678n;
    for (const level of [2, 1, 0]) {
      it(`faults on a PTE with V = 0 at level ${level}, with the cause of the access`, function () {
        const pt = new PageTables();
        const { root, leafTable, leafIndex } = chain(pt, 3, va, 0, pte(0x8765_4000, V | R | W | X | A | D));
        // clear V of the PTE met at `level` (the walk starts at level 2)
        let table = root;
        for (let l = 2; l > level; l--) table = Number((pt.read(table, vpn(va, l)) >> 10n) << 12n);
        if (level === 0) expect([table, vpn(va, 0)]).to.deep.equal([leafTable, leafIndex]);
        pt.write(table, vpn(va, level), pt.read(table, vpn(va, level)) & ~V);
        expect(causes(pt, va, satp(SV39, root))).to.deep.equal(PAGE_FAULTS);
        expect(causes(pt, va, satp(SV39, root), Priv.U)).to.deep.equal(PAGE_FAULTS);
      });
    }

    it('faults on W without R (reserved), at a leaf and at a superpage', function () {
      const pt = new PageTables();
      expect(causes(pt, va, satp(SV39, chain(pt, 3, va, 0, pte(0x8765_4000, V | W | A | D)).root))).to.deep.equal(PAGE_FAULTS);
      expect(causes(pt, va, satp(SV39, chain(pt, 3, va, 1, pte(0x8060_0000, V | W | X | A | D)).root))).to.deep.equal(PAGE_FAULTS);
    });

    it('faults on a pointer PTE with A, D or U set (reserved in non-leaf PTEs), not on one with G', function () {
      for (const bit of [A, D, U]) {
        const pt = new PageTables();
        const { root } = chain(pt, 3, va, 0, pte(0x8765_4000, V | R | W | X | A | D));
        pt.write(root, 0, pt.read(root, 0) | bit);
        expect(causes(pt, va, satp(SV39, root)), `bit ${bit}`).to.deep.equal(PAGE_FAULTS);
      }
      const pt = new PageTables();
      const { root } = chain(pt, 3, va, 0, pte(0x8765_4000, V | R | W | X | A | D));
      pt.write(root, 0, pt.read(root, 0) | G);
      expect(walk(pt, { vaddr: va, satp: satp(SV39, root) }).pagePa).to.equal(0x8765_4000);
    });

    it('faults on PTE bits 63..54 set (reserved, and Svpbmt/Svnapot, which this hart lacks)', function () {
      for (const bit of [54n, 61n, 62n, 63n]) {
        const pt = new PageTables();
        const { root } = chain(pt, 3, va, 0, pte(0x8765_4000, V | R | W | X | A | D) | (1n << bit));
        expect(causes(pt, va, satp(SV39, root)), `bit ${bit}`).to.deep.equal(PAGE_FAULTS);
      }
    });

    it('faults when level 0 holds a pointer (no leaf found)', function () {
      const pt = new PageTables();
      const { root } = chain(pt, 3, va, 0, pte(pt.table(), V));
      expect(causes(pt, va, satp(SV39, root))).to.deep.equal(PAGE_FAULTS);
    });

    it('raises an access fault of the access type when a PTE is outside RAM', function () {
      const pt = new PageTables();
      const root = pt.table();
      pt.write(root, 0, pte(0x1000_0000, V)); // next table in MMIO space, no RAM there
      expect(causes(pt, va, satp(SV39, root))).to.deep.equal([LOAD_ACCESS, STORE_ACCESS, INSN_ACCESS]);
      expect(causes(pt, va, satp(SV39, 0x4000_0000))).to.deep.equal([LOAD_ACCESS, STORE_ACCESS, INSN_ACCESS]);
    });
  });

  describe('permissions', function () {
    const va = 0x1234_5678n;
    function page(flags: bigint): { pt: PageTables; s: bigint } {
      const pt = new PageTables();
      return { pt, s: satp(SV39, chain(pt, 3, va, 0, pte(0x8765_4000, flags | A | D)).root) };
    }
    function allowed(pt: PageTables, s: bigint, access: Access, priv: Priv, sum = false, mxr = false): boolean | number {
      const r = walk(pt, { vaddr: va, satp: s, access, priv, sum, mxr });
      return r.pagePa === -1 ? r.cause : true;
    }

    it('a read-only page: reads only; a store is a store page fault, a fetch an instruction page fault', function () {
      const { pt, s } = page(V | R);
      expect([Access.Read, Access.Write, Access.Exec].map((a) => allowed(pt, s, a, Priv.S))).to.deep.equal([true, STORE_PAGE, INSN_PAGE]);
      expect(walk(pt, { vaddr: va, satp: s })).to.include({ readable: true, writable: false, executable: false });
    });

    it('an execute-only page: fetches; a load needs MXR', function () {
      const { pt, s } = page(V | X);
      expect(allowed(pt, s, Access.Exec, Priv.S)).to.equal(true);
      expect(allowed(pt, s, Access.Read, Priv.S)).to.equal(LOAD_PAGE);
      expect(allowed(pt, s, Access.Read, Priv.S, false, true)).to.equal(true);
      expect(allowed(pt, s, Access.Write, Priv.S, false, true)).to.equal(STORE_PAGE);
      expect(walk(pt, { vaddr: va, satp: s, mxr: true })).to.include({ readable: true, writable: false, executable: true });
      expect(walk(pt, { vaddr: va, satp: s, access: Access.Exec })).to.include({ readable: false, executable: true });
    });

    it('a user page: U-mode may use it; S-mode loads and stores need SUM; S-mode never executes it', function () {
      const { pt, s } = page(V | R | W | X | U);
      const all = (priv: Priv, sum: boolean): (boolean | number)[] => [Access.Read, Access.Write, Access.Exec].map((a) => allowed(pt, s, a, priv, sum));
      expect(all(Priv.U, false)).to.deep.equal([true, true, true]);
      expect(all(Priv.S, false)).to.deep.equal(PAGE_FAULTS);
      expect(all(Priv.S, true)).to.deep.equal([true, true, INSN_PAGE]);
    });

    it('a supervisor page: U-mode faults on every access, SUM or not', function () {
      const { pt, s } = page(V | R | W | X);
      expect([Access.Read, Access.Write, Access.Exec].map((a) => allowed(pt, s, a, Priv.U, true))).to.deep.equal(PAGE_FAULTS);
      expect([Access.Read, Access.Write, Access.Exec].map((a) => allowed(pt, s, a, Priv.S))).to.deep.equal([true, true, true]);
    });

    it('MXR makes an execute-only user page readable from U-mode too, not writable', function () {
      const { pt, s } = page(V | X | U);
      expect(allowed(pt, s, Access.Read, Priv.U)).to.equal(LOAD_PAGE);
      expect(allowed(pt, s, Access.Read, Priv.U, false, true)).to.equal(true);
      expect(allowed(pt, s, Access.Write, Priv.U, false, true)).to.equal(STORE_PAGE);
    });
  });

  describe('accessed and dirty bits (set by the walker, as QEMU 7.2 does)', function () {
    const va = 0x1234_5678n;
    const LEAF = pte(0x8765_4000, V | R | W);

    it('a load or a fetch sets A only; the page is not writable until D is set', function () {
      for (const access of [Access.Read, Access.Exec]) {
        const pt = new PageTables();
        const { root, leafTable, leafIndex } = chain(pt, 3, va, 0, LEAF | X);
        const r = walk(pt, { vaddr: va, satp: satp(SV39, root), access });
        expect(r).to.include({ pagePa: 0x8765_4000, writable: false });
        expect(pt.read(leafTable, leafIndex)).to.equal(LEAF | X | A);
      }
    });

    it('a store sets A and D and leaves the page writable', function () {
      const pt = new PageTables();
      const { root, leafTable, leafIndex } = chain(pt, 3, va, 0, LEAF);
      const r = walk(pt, { vaddr: va, satp: satp(SV39, root), access: Access.Write });
      expect(r).to.include({ pagePa: 0x8765_4000, writable: true });
      expect(pt.read(leafTable, leafIndex)).to.equal(LEAF | A | D);
    });

    it('leaves pointer PTEs alone, and the leaf of a superpage gets the bits', function () {
      const pt = new PageTables();
      const { root, leafTable, leafIndex } = chain(pt, 3, 0x4030_1234n, 1, pte(0x8060_0000, V | R | W));
      const pointer = pt.read(root, 1);
      walk(pt, { vaddr: 0x4030_1234n, satp: satp(SV39, root), access: Access.Write });
      expect(pt.read(root, 1)).to.equal(pointer);
      expect(pt.read(leafTable, leafIndex)).to.equal(pte(0x8060_0000, V | R | W | A | D));
    });

    it('sets nothing on a walk that faults', function () {
      const pt = new PageTables();
      const { root, leafTable, leafIndex } = chain(pt, 3, va, 0, pte(0x8765_4000, V | R));
      expect(walk(pt, { vaddr: va, satp: satp(SV39, root), access: Access.Write }).cause).to.equal(STORE_PAGE);
      expect(pt.read(leafTable, leafIndex)).to.equal(pte(0x8765_4000, V | R));
    });
  });

  describe('Sv48 and Sv57', function () {
    it('Sv48 walks four levels: an address with bit 39 set, refused by Sv39, maps', function () {
      const pt = new PageTables();
      // 0x0000_0080_1234_5678: VPN[3] = 1, VPN[2] = 0, VPN[1] = 0x91, VPN[0] = 0x145
      const va = 0x80_1234_5678n;
      expect([vpn(va, 3), vpn(va, 2), vpn(va, 1), vpn(va, 0)]).to.deep.equal([1, 0, 0x91, 0x145]);
      const { root } = chain(pt, 4, va, 0, pte(0x8765_4000, V | R | A));
      expect(walk(pt, { vaddr: va, satp: satp(SV48, root) }).pagePa).to.equal(0x8765_4000);
      expect(walk(pt, { vaddr: va, satp: satp(SV39, root) }).cause).to.equal(LOAD_PAGE);
    });

    it('Sv48 maps a 512 GiB terapage at level 3 and refuses addresses not sign-extended from bit 47', function () {
      const pt = new PageTables();
      // 0xffff_8000_0000_1000: bits 63..47 all 1, VPN[3] = 0x100, offset 0x1000 in the terapage
      const va = BigInt.asIntN(64, 0xffff_8000_0000_1000n);
      const { root } = chain(pt, 4, va, 3, pte(0x80_0000_0000n, V | R | W | A | D));
      expect(walk(pt, { vaddr: va, satp: satp(SV48, root) }).pagePa).to.equal(0x80_0000_1000);
      expect(causes(pt, 0x8000_0000_0000n, satp(SV48, root)), 'bit 47 set alone').to.deep.equal(PAGE_FAULTS);
    });

    it('a leaf whose PPN reaches into the PTE\'s high word maps above 4 GiB, all 44 PPN bits kept', function () {
      const pt = new PageTables();
      // PPN 0xfff_ffff_ffff (PTE bits 53:10 all set): PA 0xff_ffff_ffff_f000, the top of Sv39's 56-bit space
      const va = 0x1234_5678n;
      const { root } = chain(pt, 3, va, 0, pte(0xff_ffff_ffff_f000n, V | R | A));
      expect(walk(pt, { vaddr: va, satp: satp(SV39, root) }).pagePa).to.equal(0xff_ffff_ffff_f000);
    });

    it('Sv48 refuses a terapage whose PPN has a bit set above bit 22 of the PPN (in the PTE\'s high word) but below its size', function () {
      const pt = new PageTables();
      const va = BigInt.asIntN(64, 0xffff_8000_0000_1000n);
      // the terapage spans 2^27 pages: PPN bit 25 set (PA bit 37) is misaligned
      const { root } = chain(pt, 4, va, 3, pte(0x80_0000_0000n | (1n << 37n), V | R | W | A | D));
      expect(causes(pt, va, satp(SV48, root))).to.deep.equal(PAGE_FAULTS);
    });

    it('Sv57 walks five levels and refuses addresses not sign-extended from bit 56', function () {
      const pt = new PageTables();
      // 0x0080_0000_0000_2000: VPN[4] = 0x80, VPN[3..1] = 0, VPN[0] = 2
      const va = 0x80_0000_0000_2000n;
      expect([4, 3, 2, 1, 0].map((l) => vpn(va, l))).to.deep.equal([0x80, 0, 0, 0, 2]);
      const { root } = chain(pt, 5, va, 0, pte(0x8765_4000, V | X | A));
      expect(walk(pt, { vaddr: va, satp: satp(SV57, root), access: Access.Exec }).pagePa).to.equal(0x8765_4000);
      expect(walk(pt, { vaddr: va, satp: satp(SV48, root), access: Access.Exec }).cause, 'not canonical in Sv48').to.equal(INSN_PAGE);
      expect(causes(pt, 0x100_0000_0000_0000n, satp(SV57, root)), 'bit 56 set alone').to.deep.equal(PAGE_FAULTS);
    });
  });
});
