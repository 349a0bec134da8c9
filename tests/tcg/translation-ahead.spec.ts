/**
 * Translation ahead (src/tcg/translation-ahead.ts, translator.ts's successor
 * list): after a request the service translates where the guest can go next
 * and hands it to that vCPU's ring, never crossing a page it cannot map.
 * The guest code is assembled by tests/tcg/rv-encode.ts (checked against GNU as).
 */
import { expect } from 'chai';
import { createGuestMemoryBuffers, GuestMemory } from '../../src/memory/guest-memory.js';
import { Translator } from '../../src/tcg/translator.js';
import { TranslationAhead } from '../../src/tcg/translation-ahead.js';
import { PREFETCH_BYTES_PER_VCPU, PrefetchConsumer, PrefetchedBlock } from '../../src/tcg/prefetch-ring.js';
import { addi, beq, jal, Reg, ret } from './rv-encode.js';

const RAM = 0x80000000;
const A = RAM, B = RAM + 0x10, C = RAM + 0x14, D = RAM + 0x1010;

/** A: beq a0,a1,B; addi; ret.  B: jal ra, D (next page).  C (B's return point): ret.  D: ret. */
function guest(): GuestMemory {
  const mem = new GuestMemory(createGuestMemoryBuffers(RAM, 0x10000, 0x1000, 0x1000));
  const put = (pa: number, words: number[]): void => words.forEach((w, i) => { mem.m32[(pa - RAM + 4 * i) >> 2] = w | 0; });
  put(A, [beq(Reg.a0, Reg.a1, B - A), addi(Reg.a0, Reg.a0, 1), ret()]);
  put(B, [jal(Reg.ra, D - B)]);
  put(C, [ret()]);
  put(D, [ret()]);
  return mem;
}

function setup(): { mem: GuestMemory; translator: Translator; ahead: TranslationAhead; ring: PrefetchConsumer } {
  const mem = guest();
  const translator = new Translator(mem, undefined);
  const buffer = new SharedArrayBuffer(PREFETCH_BYTES_PER_VCPU * 2);
  const ahead = new TranslationAhead(buffer, {
    translate: (pc, pa, vcpu) => translator.translateUnlessAbandoned(pc, pa, vcpu, () => false),
    isCode: (pa) => mem.ramOffset(pa) >= 0,
    isCodePage: (pa) => mem.ramOffset(pa) >= 0 && mem.codePages[(pa - RAM) >>> 12] !== 0,
    known: (pc, pa) => translator.known(pc, pa),
  });
  return { mem, translator, ahead, ring: new PrefetchConsumer(buffer, 1) };
}

function runAhead(ahead: TranslationAhead, epoch = 0): void {
  for (let guard = 0; ahead.hasWork; guard++) {
    expect(guard, 'speculation ends').to.be.lessThan(100);
    ahead.step(epoch);
  }
}

function received(ring: PrefetchConsumer): PrefetchedBlock[] {
  const got: PrefetchedBlock[] = [];
  ring.drain((b) => got.push(b));
  return got;
}

describe('tcg/translation-ahead: translating where the guest goes next', function () {
  it('lists branch targets, jump targets on other pages and return points of calls as successors', function () {
    const { translator } = setup();
    expect(translator.translate(A, A, -1, 0).successors).to.have.members([B]);
    expect(translator.translate(B, B, -1, 0).successors).to.have.members([D, C]);
    expect(translator.translate(D, D, -1, 0).successors).to.deep.equal([]); // ret: not known before it runs
  });

  it('with paging on, follows only targets on the same page, at the same page offset physically', function () {
    const { translator, ahead, ring } = setup();
    const virt = 0x40000000; // A mapped at a different virtual address
    ahead.requested(1, virt, A, false, translator.translate(virt, A, -1, 1));
    runAhead(ahead, 7);
    const got = received(ring);
    expect(got.map((b) => [b.pc, b.pa])).to.have.deep.members([[virt + (B - A), B], [virt + (C - A), C]]);
    for (const b of got) {
      expect(b.epoch).to.equal(7);
      expect(b.source).to.equal(translator.translate(b.pc, b.pa, -1, 1).source);
    }
  });

  it('while fetch is not paged, also follows a call to the next page', function () {
    const { translator, ahead, ring } = setup();
    ahead.requested(1, A, A, true, translator.translate(A, A, -1, 1));
    runAhead(ahead);
    expect(received(ring).map((b) => b.pc)).to.have.members([B, C, D]);
  });

  it('does not send a vCPU a block it already has', function () {
    const { translator, ahead, ring } = setup();
    ahead.requested(1, B, B, true, translator.translate(B, B, -1, 1)); // the vCPU asked for B itself
    ahead.requested(1, A, A, true, translator.translate(A, A, -1, 1));
    runAhead(ahead);
    const pcs = received(ring).map((b) => b.pc);
    expect(pcs).to.not.include(B);
    expect(pcs).to.not.include(A);
    expect(new Set(pcs).size).to.equal(pcs.length);
    expect(pcs).to.include.members([C, D]);
  });

  it('sends again after a reset (new translation epoch)', function () {
    const { translator, ahead, ring } = setup();
    ahead.requested(1, A, A, false, translator.translate(A, A, -1, 1));
    runAhead(ahead, 0);
    expect(received(ring).map((b) => b.pc)).to.include(B);
    ahead.reset();
    translator.flush();
    ahead.requested(1, A, A, false, translator.translate(A, A, -1, 1));
    runAhead(ahead, 1);
    expect(received(ring).filter((b) => b.epoch === 1).map((b) => b.pc)).to.include(B);
  });
});

describe('tcg/translation-ahead: code changed behind the page generation', function () {
  it('GuestMemory.holdsCode compares the decoded bits with RAM', function () {
    const { translator, mem } = setup();
    const code = translator.translate(A, A, -1, 0);
    expect(mem.holdsCode(A, code.fetched)).to.equal(true);
    mem.m32[(A + 4 - RAM) >> 2] = addi(Reg.a0, Reg.a0, 2) | 0;
    expect(mem.holdsCode(A, code.fetched)).to.equal(false);
  });

  it('the translator retranslates a cached block whose bits changed without a generation bump', function () {
    const { translator, mem } = setup();
    const before = translator.translate(A, A, -1, 0);
    // a store through a TLB fast path that predates the page becoming code: no codeWritten, same generation
    mem.m32[(A + 4 - RAM) >> 2] = addi(Reg.a0, Reg.a0, 2) | 0;
    const after = translator.translate(A, A, -1, 0);
    expect(after.gen).to.equal(before.gen);
    expect(after.source).to.not.equal(before.source);
    expect(after.source).to.include('2n');
    expect(translator.translate(A, A, -1, 0)).to.equal(after); // and cached again
  });
});

describe('tcg/translation-ahead: giving way to real requests', function () {
  it('abandons a speculative translation when asked, and keeps the candidate for later', function () {
    const { translator, mem } = setup();
    expect(translator.translateUnlessAbandoned(A, A, 0, () => true)).to.equal(undefined);
    expect(translator.cachedBlocks).to.equal(0);
    let asked = 0;
    const done = translator.translateUnlessAbandoned(A, A, 0, () => ++asked > 1); // gives up after the first instruction
    expect(done).to.equal(undefined);
    const buffer = new SharedArrayBuffer(PREFETCH_BYTES_PER_VCPU);
    let busy = true;
    const ahead = new TranslationAhead(buffer, {
      translate: (pc, pa, vcpu) => translator.translateUnlessAbandoned(pc, pa, vcpu, () => busy),
      isCode: () => true,
      isCodePage: (pa) => mem.codePages[(pa - RAM) >>> 12] !== 0,
      known: (pc, pa) => translator.known(pc, pa),
    });
    ahead.requested(0, A, A, true, translator.translate(A, A, -1, 0));
    ahead.step(0);
    expect(ahead.hasWork).to.equal(true);
    busy = false;
    runAhead(ahead);
    expect(received(new PrefetchConsumer(buffer, 0)).map((b) => b.pc)).to.include(B);
  });
});

describe('tcg/translation-ahead: following the vCPU', function () {
  it('goes on from the block a vCPU took from its ring', function () {
    const { translator, ahead, ring } = setup();
    // the vCPU asked for D (a leaf: nothing to translate after it), then took A from its ring
    ahead.requested(1, D, D, true, translator.translate(D, D, -1, 1));
    runAhead(ahead);
    expect(received(ring)).to.deep.equal([]);
    translator.translate(A, A, -1, 1); // A is known to the service (translated earlier)
    ring.noteTaken(A, A);
    ahead.poll();
    expect(ahead.hasWork).to.equal(true);
    runAhead(ahead);
    expect(received(ring).map((b) => b.pc)).to.include.members([B, C]);
  });

  it('ignores a vCPU that took nothing new', function () {
    const { translator, ahead, ring } = setup();
    ahead.requested(1, D, D, true, translator.translate(D, D, -1, 1));
    runAhead(ahead);
    ring.noteTaken(A, A); // A unknown to the service: no guess
    ahead.poll();
    expect(ahead.hasWork).to.equal(false);
    ahead.poll();
    expect(ahead.hasWork).to.equal(false);
  });
});
