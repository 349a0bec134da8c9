/**
 * Physical memory protection as QEMU 7.2 enforces it (target/riscv/pmp.c without ePMP, which QEMU
 * 7.2's rv64 leaves off: no mseccfg). The hart re-decodes its 16 entries into address ranges on
 * every pmpcfg/pmpaddr write (`update`); the vCPU asks `allows` on each access that misses its soft
 * TLB and `pageUniform` before caching a page in it.
 *
 * Ranges are computed in 64-bit unsigned arithmetic, as QEMU's target_ulong sa/ea (pmpaddr keeps
 * all 64 bits written, so an all-ones NAPOT entry covers every address), and kept as doubles:
 * beyond 2^53 they are not exact, and only accesses above 2^53, where nothing is mapped, can be
 * judged against a rounded bound.
 */
import { Access, PMP_ENTRIES, Priv } from './csr.js';

export const PMP_R = 1, PMP_W = 2, PMP_X = 4, PMP_LOCK = 0x80;
const A_OFF = 0, A_TOR = 1, A_NA4 = 2, A_NAPOT = 3;
const PAGE = 4096;

/** The permission bit an access needs (QEMU's `1 << access_type`: load R, store W, fetch X). */
export function pmpNeed(access: Access): number {
  return access === Access.Read ? PMP_R : access === Access.Write ? PMP_W : PMP_X;
}

/** What the decoder reads of the hart's PMP CSRs. */
export interface PmpRegisters {
  /** The configuration byte of entry i. */
  cfg(i: number): number;
  /** pmpaddr<i> as stored, unsigned (QEMU 7.2 keeps all 64 bits written; bits 55:2 of addresses). */
  addr(i: number): bigint;
}

export class PmpTable {
  private readonly cfg = new Uint8Array(PMP_ENTRIES);
  private readonly sa = new Float64Array(PMP_ENTRIES);
  private readonly ea = new Float64Array(PMP_ENTRIES);
  /** Entries with A != OFF (QEMU's num_rules): with none, M may do anything and S/U nothing. */
  private rules = 0;

  /** Re-decode every entry (QEMU's pmp_update_rule_addr / pmp_update_rule_nums). */
  update(regs: PmpRegisters): void {
    this.rules = 0;
    for (let i = 0; i < PMP_ENTRIES; i++) {
      const cfg = regs.cfg(i);
      this.cfg[i] = cfg;
      const [sa, ea] = decodeRange((cfg >> 3) & 3, regs.addr(i), i > 0 ? regs.addr(i - 1) : 0n);
      this.sa[i] = Number(sa);
      this.ea[i] = Number(ea);
      if (((cfg >> 3) & 3) !== A_OFF) this.rules++;
    }
  }

  /**
   * QEMU's pmp_hart_has_privs: entries in index order; an access only partly inside an entry fails
   * (whatever the mode), the first entry holding all of it decides (M-mode ignores an unlocked
   * entry's bits), and with no match M succeeds while S/U fail.
   */
  allows(pa: number, size: number, need: number, mode: Priv, onPartial?: () => void): boolean {
    if (this.rules === 0) return mode === Priv.M;
    const last = pa + size - 1;
    for (let i = 0; i < PMP_ENTRIES; i++) {
      const s = pa >= this.sa[i] && pa <= this.ea[i];
      const e = last >= this.sa[i] && last <= this.ea[i];
      if (s !== e) {
        onPartial?.(); // QEMU logs "pmp violation - access is partially inside" (-d guest_errors)
        return false;
      }
      const cfg = this.cfg[i];
      if (!s || ((cfg >> 3) & 3) === A_OFF) continue;
      if (mode === Priv.M && (cfg & PMP_LOCK) === 0) return true;
      return (cfg & need) === need;
    }
    return mode === Priv.M;
  }

  /**
   * May the 4 KiB page holding `pa` sit in the soft TLB: does every access in it get the same
   * answer? Not when the first enabled entry that touches the page covers only part of it (QEMU
   * then makes the TLB entry smaller than a page, so every access is checked again).
   */
  pageUniform(pa: number): boolean {
    if (this.rules === 0) return true;
    const lo = Math.floor(pa / PAGE) * PAGE;
    const hi = lo + PAGE - 1;
    for (let i = 0; i < PMP_ENTRIES; i++) {
      if (((this.cfg[i] >> 3) & 3) === A_OFF) continue;
      const sa = this.sa[i], ea = this.ea[i];
      if (sa <= lo && ea >= hi) return true;
      if ((sa >= lo && sa <= hi) || (ea >= lo && ea <= hi)) return false;
    }
    return true;
  }
}

const MASK64 = (1n << 64n) - 1n;

/** [start, end] of an entry, inclusive, in 64-bit unsigned arithmetic as QEMU computes it. */
function decodeRange(a: number, addr: bigint, prevAddr: bigint): [bigint, bigint] {
  const u = (v: bigint): bigint => v & MASK64;
  switch (a) {
    case A_TOR: {
      const sa = u(prevAddr << 2n);
      const ea = u((addr << 2n) - 1n);
      return sa > ea ? [0n, 0n] : [sa, ea];
    }
    case A_NA4: {
      const sa = u(addr << 2n);
      return [sa, u(sa + 3n)];
    }
    case A_NAPOT: {
      const x = u((addr << 2n) | 3n);
      return [x & u(x + 1n), u(x | (x + 1n))];
    }
    default:
      return [0n, MASK64]; // OFF: QEMU's sa 0, ea -1 (never "partially inside", never matched)
  }
}
