/**
 * Translation ahead of need, the service side (see prefetch-ring.ts): after
 * answering a request, the service walks the likely successors of what it
 * just translated, breadth first and a few levels deep, and pushes each new
 * translation to the asking vCPU's ring, stopping as soon as a real request
 * rings the doorbell. It then follows the vCPU: each block the vCPU takes
 * from its ring is reported back (prefetch-ring.ts noteTaken), and that
 * block's successors go to the front of the queue.
 *
 * Speculation must stay invisible: it is off whenever something observes
 * translations (translation-level trace events or instrumentation callbacks,
 * `-d in_asm/op/out_asm`), so those see exactly the blocks the guest runs,
 * in order, as with QEMU. It is also off while every core has a vCPU to run
 * (translator-worker.ts): then it would only take time from them.
 */
import type { Translation } from './translator.js';
import { PrefetchProducer } from './prefetch-ring.js';

// TSEMU_AHEAD_DEPTH / TSEMU_AHEAD_QUEUE: for measuring other settings (npm run bench); the
// defaults were the best measured for the U-Boot boot (deeper or wider was no faster).
/** How far from the requested block speculation goes. */
const MAX_DEPTH = Number(process.env.TSEMU_AHEAD_DEPTH ?? 6);
/** Candidates kept; the newest request's come first, the oldest are dropped. */
const MAX_QUEUE = Number(process.env.TSEMU_AHEAD_QUEUE ?? 64);
/** Forget what was sent to a vCPU beyond this many blocks (it only costs a possible duplicate). */
const MAX_SENT = 1 << 15;

interface Candidate {
  vcpu: number;
  pc: number;
  pa: number;
  depth: number;
  /** The vCPU fetched without paging: a pc on another page is its own physical address. */
  bare: boolean;
}

export interface AheadTranslator {
  /** Undefined when it gave up for a real request (translator.ts translateUnlessAbandoned). */
  translate(pc: number, pa: number, vcpuIndex: number): Translation | undefined;
  /** Is there guest code (RAM or ROM) at physical address `pa`? */
  isCode(pa: number): boolean;
  /** Does the RAM page of `pa` hold translated code already (ROM: always)? */
  isCodePage(pa: number): boolean;
  /** The current translation of (pc, pa), if one is cached. */
  known(pc: number, pa: number): Translation | undefined;
}

export class TranslationAhead {
  private queue: Candidate[] = [];
  private readonly sent: Set<string>[] = [];
  private readonly producers: PrefetchProducer[] = [];
  private readonly takenSeq: number[] = [];
  private readonly bare: boolean[] = [];
  /** Translations pushed to the vCPUs' rings (TSEMU_STATS). */
  pushed = 0;

  constructor(private readonly buffer: SharedArrayBuffer, private readonly translator: AheadTranslator) {}

  /** A vCPU was answered with `code` for (pc, pa): remember it has it, queue its successors. */
  requested(vcpu: number, pc: number, pa: number, bare: boolean, code: Translation): void {
    this.sentTo(vcpu).add(keyOf(pc, pa, code.gen));
    this.bare[vcpu] = bare;
    this.producer(vcpu); // from now on poll() watches this vCPU's progress
    this.enqueueSuccessors({ vcpu, pc, pa, depth: 0, bare }, code, true);
  }

  /**
   * Follow the vCPUs: a vCPU that took a block from its ring is there now, so
   * that block's successors go first, with a fresh depth budget.
   */
  poll(): void {
    this.producers.forEach((producer, vcpu) => {
      const taken = producer.takenSince(this.takenSeq[vcpu] ?? 0);
      if (!taken) return;
      this.takenSeq[vcpu] = taken.seq;
      const code = this.translator.known(taken.pc, taken.pa);
      if (code) this.enqueueSuccessors({ vcpu, pc: taken.pc, pa: taken.pa, depth: 0, bare: this.bare[vcpu] ?? false }, code, true);
    });
  }

  get hasWork(): boolean {
    return this.queue.length > 0;
  }

  /** Everything sent so far may be stale (new translation epoch): start over. */
  reset(): void {
    this.queue = [];
    for (const s of this.sent) s?.clear();
  }

  /** Translate one queued candidate and push it; `epoch` tags the record. */
  step(epoch: number): void {
    const c = this.queue.shift();
    if (!c) return;
    const wasCodePage = this.translator.isCodePage(c.pa);
    const code = this.translator.translate(c.pc, c.pa, c.vcpu);
    if (!code) {
      this.queue.unshift(c); // interrupted: still a good guess for later
      return;
    }
    const sent = this.sentTo(c.vcpu);
    const key = keyOf(c.pc, c.pa, code.gen);
    if (!sent.has(key)) {
      const ahead = { fetched: code.fetched, madeCodePage: !wasCodePage };
      if (!this.producer(c.vcpu).push({ ...code, pc: c.pc, pa: c.pa, pa2: -1, epoch, ahead })) return;
      if (sent.size >= MAX_SENT) sent.clear();
      sent.add(key);
      this.pushed++;
    }
    if (c.depth < MAX_DEPTH) this.enqueueSuccessors(c, code, false);
  }

  /**
   * Breadth first below one request; a new request's successors go before
   * everything older. A successor on the same page has the same page offset
   * physically; one on another page is only known when fetch is not paged.
   */
  private enqueueSuccessors(from: Candidate, code: Translation, first: boolean): void {
    const next: Candidate[] = [];
    for (const pc of code.successors) {
      const samePage = Math.floor(pc / 4096) === Math.floor(from.pc / 4096);
      const pa = samePage ? from.pa + (pc - from.pc) : from.bare ? pc : -1;
      if (pa >= 0 && (samePage || this.translator.isCode(pa))) next.push({ ...from, pc, pa, depth: from.depth + 1 });
    }
    if (first) this.queue.unshift(...next);
    else this.queue.push(...next);
    if (this.queue.length > MAX_QUEUE) this.queue.length = MAX_QUEUE;
  }

  private sentTo(vcpu: number): Set<string> {
    return (this.sent[vcpu] ??= new Set());
  }

  private producer(vcpu: number): PrefetchProducer {
    return (this.producers[vcpu] ??= new PrefetchProducer(this.buffer, vcpu));
  }
}

function keyOf(pc: number, pa: number, gen: number): string {
  return `${pa}:${pc}:${gen}`;
}
