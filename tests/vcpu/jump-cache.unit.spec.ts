/**
 * The direct-mapped caches of src/vcpu/jump-cache.ts: virtual pc -> block (QEMU's tb_jmp_cache)
 * and virtual page -> physical page (the fetch path), keyed by address and privilege, emptied by
 * moving an epoch on.
 */
import { expect } from 'chai';
import { JumpCache, PageCache } from '../../src/vcpu/jump-cache.js';

/** A Linux kernel pc: above 2^63 as the unsigned double the vCPU holds it as. */
const KERNEL_PC = 0xffff_ffff_8000_1000;

describe('vcpu/jump-cache: direct-mapped address caches', () => {
  it('finds what was set, for that address and privilege only', () => {
    const cache = new JumpCache<{ id: number }>(256);
    const block = { id: 1 };
    cache.set(0x8000_0010, 3, block);
    expect(cache.get(0x8000_0010, 3)).to.equal(block);
    expect(cache.get(0x8000_0010, 1), 'same pc, S-mode').to.equal(undefined);
    expect(cache.get(0x8000_0012, 3), 'the next pc').to.equal(undefined);
  });

  it('tells addresses apart beyond 2^32 (a kernel pc and the user pc with the same low 32 bits)', () => {
    const cache = new JumpCache<{ id: number }>(256);
    const kernel = { id: 1 };
    cache.set(KERNEL_PC, 1, kernel);
    expect(cache.get(KERNEL_PC, 1)).to.equal(kernel);
    expect(cache.get(KERNEL_PC % 2 ** 32, 1), 'same low word, another address').to.equal(undefined);
  });

  it('keeps the latest of two addresses that share a slot', () => {
    const cache = new JumpCache<{ id: number }>(256);
    // slots index by pc / 2 mixed with pc >> 13: pcs 2 * 256 apart in the same 8 KiB collide
    const a = { id: 1 }, b = { id: 2 };
    cache.set(0x8000_0000, 3, a);
    cache.set(0x8000_0200, 3, b);
    expect(cache.get(0x8000_0200, 3)).to.equal(b);
    expect(cache.get(0x8000_0000, 3), 'evicted').to.equal(undefined);
  });

  it('clear forgets every entry; entries set afterwards are found again', () => {
    const cache = new JumpCache<{ id: number }>(1024);
    const blocks = Array.from({ length: 100 }, (_, i) => ({ id: i }));
    blocks.forEach((b, i) => cache.set(0x8000_0000 + 4 * i, 1, b));
    cache.clear();
    expect(blocks.filter((_, i) => cache.get(0x8000_0000 + 4 * i, 1) !== undefined)).to.deep.equal([]);
    cache.set(0x8000_0004, 1, blocks[1]);
    expect(cache.get(0x8000_0004, 1)).to.equal(blocks[1]);
  });

  it('the page cache maps a virtual page number and privilege to a physical page, -1 when absent', () => {
    const pages = new PageCache(256);
    const vpage = Math.floor(KERNEL_PC / 4096);
    expect(pages.get(vpage, 1)).to.equal(-1);
    pages.set(vpage, 1, 0x8020_0000);
    expect(pages.get(vpage, 1)).to.equal(0x8020_0000);
    expect(pages.get(vpage, 0), 'U-mode').to.equal(-1);
    pages.set(vpage + 1, 1, 0); // physical page 0 is an answer, not a miss
    expect(pages.get(vpage + 1, 1)).to.equal(0);
    pages.clear();
    expect(pages.get(vpage, 1)).to.equal(-1);
  });
});
