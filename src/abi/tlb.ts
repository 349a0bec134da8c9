/**
 * The soft TLB as generated code reads it inline and the vCPU fills it (src/vcpu/context.ts):
 * per MMU mode a direct-mapped table on the virtual page number, each entry a few Int32 words.
 * The context's `tlbBase` is the first word of the current mode's entries.
 *
 *   READ_TAG   page-aligned low word of the virtual address, for loads (-1: no entry)
 *   WRITE_TAG  the same for stores (-1 until a store was allowed: dirty bit, code page)
 *   HI         high word of the virtual address
 *   RAM_OFFSET byte offset of the page in guest RAM
 *
 * An aligned access hits when its low word masked with ~0xfff | (size - 1) equals the tag (so a
 * misaligned access never hits) and its high word equals HI.
 */

/** MMU modes, each with its own entries: indexed by the effective privilege of data accesses (U 0, S 1, M 3). */
export const TLB_SETS = 4;
/** Entries per MMU mode: 8 MiB of reach. */
export const TLB_ENTRIES = 2048;
/** Int32 words per entry. */
export const TLB_ENTRY_WORDS = 4;
export const TLB_READ_TAG = 0;
export const TLB_WRITE_TAG = 1;
export const TLB_HI = 2;
export const TLB_RAM_OFFSET = 3;
/** Bytes of one vCPU's soft TLB (every set). */
export const TLB_BYTES = TLB_SETS * TLB_ENTRIES * TLB_ENTRY_WORDS * 4;

/**
 * User mode's flat guest memory (src/linux-user, `-R`): guest virtual address = offset in the
 * shared memory, so a load or store needs no TLB entry, only the page's byte in a table of one byte
 * per 4 KiB page of the 32-bit space (FLAT_TABLE_BYTES, so any low word indexes it and a page past
 * the reserved space reads 0): FLAT_READ when loads may go straight to memory, FLAT_WRITE when
 * stores may (never on a page holding translated code). The vCPU sets the bits when its slow path
 * (page walk) allowed an access, as it fills a TLB entry; the kernel clears them when mappings change.
 */
export interface FlatLayout {
  /** Bytes of guest address space, [0, limit), at the same offsets in the memory. */
  readonly limit: number;
  /** Byte offset of the page table (FLAT_TABLE_BYTES) in the memory. */
  readonly table: number;
}
export const FLAT_READ = 1;
export const FLAT_WRITE = 2;
export const FLAT_TABLE_BYTES = 1 << 20;
