/**
 * Shared-memory request/response channel between vCPU workers and the
 * translator service, used while something observes translation (otherwise
 * the vCPUs translate by themselves; the doorbell also carries that
 * permission, see publishTranslateHere). A request is synchronous: the vCPU
 * writes it into its own slot, rings the doorbell and sleeps on the slot's
 * state word until the service has written the JavaScript source back.
 * Nothing here goes through the event loop, so a busy main thread never
 * delays a translation.
 */
import type { BlockCode, IrWire, WasmBlockCode } from '../abi/block-code.js';

export const MAX_VCPUS = 16;
/**
 * Busy-waiting before sleeping (milliseconds). Measured on 2 cores: spinning
 * costs more than the futex wake-ups it saves (a spinning thread takes the
 * core the other side needs), so both default to 0.
 */
const SPIN_MS = Number(process.env.TSEMU_SPIN_MS ?? 0);
const CLIENT_SPIN_MS = Number(process.env.TSEMU_CLIENT_SPIN_MS ?? 0);

/** Busy-wait until `done()` or `ms` pass; true if done. */
function spinUntil(done: () => boolean, ms: number): boolean {
  if (ms <= 0) return done();
  const end = performance.now() + ms;
  for (let i = 0; ; i++) {
    if (done()) return true;
    if ((i & 63) === 63 && performance.now() > end) return false;
  }
}
const HEADER_BYTES = 64;
const SOURCE_BYTES = 512 * 1024;
const SLOT_BYTES = HEADER_BYTES + SOURCE_BYTES;

const enum SlotState { Idle = 0, Request = 1, Done = 2, Failed = 3 }
/**
 * Doorbell word 1: the code epoch (GuestMemory.epoch) for which the service
 * found that nothing observes translation, so vCPUs may translate by
 * themselves (src/vcpu/block-cache.ts); -1 while something does.
 */
const W_HERE_EPOCH = 1;
/**
 * Doorbell word 2: 1 once the machine has started the service. While nothing observes translation
 * it is started only when first needed (src/machine/vcpu-threads.ts): a vCPU that must ask it
 * before then tells the machine (TranslatorClient's `wanted`) and waits in its slot meanwhile.
 */
const W_SERVICE_STARTED = 2;
// Int32 header words
const W_STATE = 0, W_LEN = 1, W_PAGE = 2, W_GEN = 3, W_COUNT = 4, W_PRIV = 5, W_KIND = 6;
/** What a request asks for: a translation, or only the one already made (see TranslatorClient.refetch). */
const enum RequestKind { Translate = 0, Refetch = 1 }
/**
 * A reply's form: -1, text (JavaScript source, then the WebAssembly form if any, or the error);
 * otherwise the reply is IR (BlockCode.ir) and this many of its numbers come first in the data,
 * as doubles, then its string table as JSON (W_LEN bytes).
 */
const W_NUMBERS = 14;
const TEXT_REPLY = -1;
// Float64 header slots (byte offset 32)
const D_PC = 4, D_PA = 5, D_PA2 = 6;

export interface TranslatorChannelBuffers {
  doorbell: SharedArrayBuffer;
  slots: SharedArrayBuffer;
}

export function createTranslatorChannel(): TranslatorChannelBuffers {
  const doorbell = new SharedArrayBuffer(12);
  new Int32Array(doorbell)[W_HERE_EPOCH] = -1;
  return {
    doorbell,
    slots: new SharedArrayBuffer(SLOT_BYTES * MAX_VCPUS),
  };
}

class Slot {
  readonly i32: Int32Array;
  readonly f64: Float64Array;
  readonly bytes: Uint8Array;
  /** The same data as doubles (an IR reply's numbers). */
  readonly data64: Float64Array;
  constructor(buffers: TranslatorChannelBuffers, index: number) {
    const base = index * SLOT_BYTES;
    this.i32 = new Int32Array(buffers.slots, base, HEADER_BYTES / 4);
    this.f64 = new Float64Array(buffers.slots, base, HEADER_BYTES / 8);
    this.bytes = new Uint8Array(buffers.slots, base + HEADER_BYTES, SOURCE_BYTES);
    this.data64 = new Float64Array(buffers.slots, base + HEADER_BYTES, SOURCE_BYTES / 8);
  }
}

/**
 * Tell the vCPUs whether they may translate by themselves: `epoch` is the
 * code epoch read *before* checking that nothing observes translation, or
 * -1 when something does. A change after the check moves the epoch on and so
 * revokes the permission at once. The service keeps this up to date; the
 * machine sets it first when the command line leaves nothing to observe, so
 * the vCPUs need not wait for the service to start.
 */
export function publishTranslateHere(buffers: TranslatorChannelBuffers, epoch: number): void {
  Atomics.store(new Int32Array(buffers.doorbell), W_HERE_EPOCH, epoch);
}

/** The machine has started the service (see W_SERVICE_STARTED). */
export function markTranslatorStarted(buffers: TranslatorChannelBuffers): void {
  Atomics.store(new Int32Array(buffers.doorbell), W_SERVICE_STARTED, 1);
}

/**
 * Wake the translator service after posting it a control message (it reads its port only when
 * woken: an idle service then sleeps until something happens, instead of polling its port).
 */
export function ringTranslator(buffers: TranslatorChannelBuffers): void {
  const doorbell = new Int32Array(buffers.doorbell);
  Atomics.add(doorbell, 0, 1);
  Atomics.notify(doorbell, 0);
}

/** vCPU side. */
export class TranslatorClient {
  private readonly slot: Slot;
  private readonly doorbell: Int32Array;
  private readonly decoder = new TextDecoder('latin1');

  /** The service is known to be started, or `wanted` was called (once is enough: the machine starts it once). */
  private serviceStartedOrAsked = false;

  /** `wanted`: the service has not been started yet and this vCPU needs it (the machine starts it). */
  constructor(buffers: TranslatorChannelBuffers, readonly vcpuIndex: number, private readonly wanted: () => void = () => undefined) {
    this.slot = new Slot(buffers, vcpuIndex);
    this.doorbell = new Int32Array(buffers.doorbell);
  }

  /** Requests made and time spent waiting for them (TSEMU_STATS). */
  requests = 0;
  waitMs = 0;

  mayTranslateHere(epoch: number): boolean {
    return Atomics.load(this.doorbell, W_HERE_EPOCH) === epoch;
  }

  /** The service's translation of the block at `pc` (physical `pa`, and `pa2` for an instruction that straddles pages). */
  fetch(pc: number, pa: number, pa2: number, priv: number): BlockCode {
    const t0 = performance.now();
    this.requests++;
    try {
      return this.request(pc, pa, pa2, priv, RequestKind.Translate);
    } finally {
      this.waitMs += performance.now() - t0;
    }
  }

  /**
   * The translation the service made earlier for a block it sent as IR, without translating it
   * again (no translation-time event fires twice); undefined when the service no longer has it
   * current (a flush or a code change since: the block is about to be dropped here too).
   */
  refetch(pc: number, pa: number, pa2: number, priv: number): BlockCode | undefined {
    const t0 = performance.now();
    this.requests++;
    try {
      return this.request(pc, pa, pa2, priv, RequestKind.Refetch);
    } catch {
      return undefined;
    } finally {
      this.waitMs += performance.now() - t0;
    }
  }

  private request(pc: number, pa: number, pa2: number, priv: number, kind: RequestKind): BlockCode {
    if (!this.serviceStartedOrAsked) {
      this.serviceStartedOrAsked = true;
      if (Atomics.load(this.doorbell, W_SERVICE_STARTED) === 0) this.wanted();
    }
    const { i32, f64 } = this.slot;
    i32[W_PRIV] = priv;
    i32[W_KIND] = kind;
    f64[D_PC] = pc;
    f64[D_PA] = pa;
    f64[D_PA2] = pa2;
    Atomics.store(i32, W_STATE, SlotState.Request);
    Atomics.add(this.doorbell, 0, 1);
    Atomics.notify(this.doorbell, 0);
    // a translation takes tens of microseconds: spin that long before paying for a futex sleep
    spinUntil(() => Atomics.load(i32, W_STATE) !== SlotState.Request, CLIENT_SPIN_MS);
    while (Atomics.load(i32, W_STATE) === SlotState.Request) Atomics.wait(i32, W_STATE, SlotState.Request, 1000);
    const state = Atomics.load(i32, W_STATE);
    const len = i32[W_LEN];
    const count = i32[W_NUMBERS];
    if (count !== TEXT_REPLY && state !== SlotState.Failed) {
      const numbers = this.slot.data64.slice(0, count);
      const strings = JSON.parse(this.decoder.decode(this.slot.bytes.slice(count * 8, count * 8 + len))) as string[];
      Atomics.store(i32, W_STATE, SlotState.Idle);
      return { source: '', ir: { numbers, strings }, page: i32[W_PAGE], gen: i32[W_GEN], insnCount: i32[W_COUNT] };
    }
    // copy out of shared memory before decoding (TextDecoder refuses shared views)
    const text = this.decoder.decode(this.slot.bytes.slice(0, len));
    Atomics.store(i32, W_STATE, SlotState.Idle);
    if (state === SlotState.Failed) throw new Error(`translator service: ${text}`);
    // the JS source, then (after a NUL, which generated JS never holds) the WebAssembly form, if any
    const nul = text.indexOf('\0');
    const source = nul < 0 ? text : text.slice(0, nul);
    const code: BlockCode = { source, page: i32[W_PAGE], gen: i32[W_GEN], insnCount: i32[W_COUNT] };
    if (nul >= 0) code.wasm = JSON.parse(text.slice(nul + 1)) as WasmBlockCode;
    return code;
  }
}

export interface TranslationRequest {
  vcpuIndex: number;
  pc: number;
  pa: number;
  pa2: number;
  /** Privilege of the requesting vCPU (for -d in_asm's "Priv:" line). */
  priv: number;
  /** Only the translation already made is wanted (see TranslatorClient.refetch): throw if there is none. */
  refetch: boolean;
}

/** Service side. */
export class TranslatorServer {
  private readonly slots: Slot[];
  private readonly doorbell: Int32Array;
  private readonly encoder = new TextEncoder();

  constructor(buffers: TranslatorChannelBuffers) {
    this.slots = Array.from({ length: MAX_VCPUS }, (_, i) => new Slot(buffers, i));
    this.doorbell = new Int32Array(buffers.doorbell);
  }

  /**
   * Sleep until some vCPU rings (or `timeoutMs` passes). Requests come in
   * bursts (a guest entering new code), so first spin briefly: a request
   * arriving within the burst is served without a futex wake-up.
   */
  waitForRequests(timeoutMs: number, seen: number): void {
    if (spinUntil(() => Atomics.load(this.doorbell, 0) !== seen, SPIN_MS)) return;
    Atomics.wait(this.doorbell, 0, seen, timeoutMs);
  }

  /** See publishTranslateHere. */
  publishTranslateHere(epoch: number): void {
    Atomics.store(this.doorbell, W_HERE_EPOCH, epoch);
  }

  get doorbellValue(): number {
    return Atomics.load(this.doorbell, 0);
  }

  /** Serve every pending request with `translate`; returns how many were served. */
  serve(translate: (req: TranslationRequest) => BlockCode): number {
    let served = 0;
    for (let i = 0; i < this.slots.length; i++) {
      const slot = this.slots[i];
      if (Atomics.load(slot.i32, W_STATE) !== SlotState.Request) continue;
      const req: TranslationRequest = {
        vcpuIndex: i, pc: slot.f64[D_PC], pa: slot.f64[D_PA], pa2: slot.f64[D_PA2], priv: slot.i32[W_PRIV], refetch: slot.i32[W_KIND] === RequestKind.Refetch,
      };
      let state = SlotState.Done;
      try {
        const code = translate(req);
        if (code.ir !== undefined) this.writeIr(slot, code.ir);
        else this.writeText(slot, code.wasm === undefined ? code.source : `${code.source}\0${JSON.stringify(code.wasm)}`);
        slot.i32[W_PAGE] = code.page;
        slot.i32[W_GEN] = code.gen;
        slot.i32[W_COUNT] = code.insnCount;
      } catch (e) {
        this.writeText(slot, e instanceof Error ? e.message : String(e));
        state = SlotState.Failed;
      }
      Atomics.store(slot.i32, W_STATE, state);
      Atomics.notify(slot.i32, W_STATE);
      served++;
    }
    return served;
  }

  private writeText(slot: Slot, text: string): void {
    const r = this.encoder.encodeInto(text, slot.bytes);
    if (r.read < text.length) throw new Error(`generated block too large (${text.length} bytes)`);
    slot.i32[W_LEN] = r.written;
    slot.i32[W_NUMBERS] = TEXT_REPLY;
  }

  private writeIr(slot: Slot, ir: IrWire): void {
    const count = ir.numbers.length;
    const strings = JSON.stringify(ir.strings);
    const room = SOURCE_BYTES - count * 8;
    const r = room > 0 ? this.encoder.encodeInto(strings, slot.bytes.subarray(count * 8)) : { read: 0, written: 0 };
    if (room <= 0 || r.read < strings.length) throw new Error(`translated block too large (${count} numbers, ${strings.length} bytes of strings)`);
    slot.data64.set(ir.numbers);
    slot.i32[W_LEN] = r.written;
    slot.i32[W_NUMBERS] = count;
  }
}

