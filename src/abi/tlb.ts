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
