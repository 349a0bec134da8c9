/**
 * Tier-up off the vCPU's thread: hot blocks go to WebAssembly through a compiler thread
 * (src/threads/wasm-compiler.ts) and keep running in the interpreter until their module comes
 * back (src/vcpu/block-cache.ts WasmCompilePort). The block cache is driven with a port whose
 * answers the test releases by hand, then with the real thread.
 */
import { expect } from 'chai';
import { createGuestMemoryBuffers, GuestMemory } from '../../src/memory/guest-memory.js';
import { VcpuContext } from '../../src/vcpu/context.js';
import { STATE_AREA_BYTES, stateViews } from '../../src/abi/state-layout.js';
import { BlockCache, CachedBlock, WASM_BATCH_WAIT, type WasmCompilePort } from '../../src/vcpu/block-cache.js';
import { compileWasmRequest, type WasmCompiled, type WasmCompileRequest } from '../../src/vcpu/wasm-tier.js';
import { startWasmCompiler } from '../../src/threads/wasm-compiler.js';

const RAM = 0x80000000;
const PC = RAM + 0x1000;
const HOT = 3;
const i = (imm: number, rs1: number, f3: number, rd: number, op: number): number =>
  ((imm & 0xfff) << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | op;
const buffers = createGuestMemoryBuffers(RAM, 0x10000, 0x1000, 0x1000, { count: 1, bytes: STATE_AREA_BYTES, arenaBytes: 0x1000 });

/** A port whose answers wait until `release()`; `fail` makes the next answer an error. */
class HeldPort implements WasmCompilePort {
  readonly requests: WasmCompileRequest[] = [];
  private answers: (WasmCompiled | { id: number; error: string })[] = [];
  ready(): boolean { return true; }
  post(req: WasmCompileRequest): void { this.requests.push(structuredClone(req)); }
  take() { return this.answers.shift(); }
  release(fail = false): void {
    for (const req of this.requests.splice(0)) this.answers.push(fail ? { id: req.id, error: 'compiler gone' } : compileWasmRequest(req));
  }
}

/** A vCPU in M-mode running `addi x5, x5, 1; jr x1` at PC, its blocks translated here. */
function vcpu(port: WasmCompilePort | undefined) {
  new Uint8Array(buffers.ram).fill(0);
  const mem = new GuestMemory(buffers);
  [i(1, 5, 0, 5, 0x13), i(0, 1, 0, 0, 0x67)].forEach((w, k) => { mem.m32[(PC - RAM) / 4 + k] = w; });
  const state = stateViews({ buffer: buffers.ram, byteOffset: buffers.stateAreasOffset });
  const ctx = new VcpuContext(state, 0, mem, { read: () => undefined, write: () => false }, { mtime: () => 0n, mtimecmp: () => -1n, ticksPerMs: 10_000 });
  ctx.resetState(PC);
  ctx.state.i64[1] = BigInt(PC);
  const cache = new BlockCache(ctx, mem, { fetch: (): never => { throw new Error('none'); }, mayTranslateHere: () => true }, [], [], HOT, false, 'wasm', port);
  cache.asyncAfterMs = 0; // every batch to the port (a real vCPU compiles its first ones itself)
  const step = (): CachedBlock => {
    const block = cache.lookup(PC) as CachedBlock;
    expect(cache.run(block)).to.equal(PC);
    return block;
  };
  return { ctx, cache, step };
}

/** Runs until the lone hot block's batch wait is over and the batch has been sent. */
const untilSent = (v: ReturnType<typeof vcpu>): CachedBlock => {
  let block = v.step();
  for (let k = 1; k < HOT + WASM_BATCH_WAIT; k++) block = v.step();
  return block;
};

describe('WebAssembly tier-up in a compiler thread', function () {
  it('interprets a hot block while its batch compiles elsewhere, then runs the module that comes back', function () {
    const port = new HeldPort();
    const v = vcpu(port);
    const block = untilSent(v);
    expect(port.requests).to.have.length(1);
    const interpreted = block.fn;
    for (let k = 0; k < 50; k++) v.step(); // still cold: nothing came back
    expect(block.fn).to.equal(interpreted);
    expect(v.cache.wasm?.blocks).to.equal(0);
    port.release();
    v.step(); // the cold path installs the module, the next run is compiled code
    expect(block.fn).to.not.equal(interpreted);
    v.step();
    expect(v.cache.wasm?.batchesElsewhere).to.equal(1);
    expect(v.ctx.state.i64[5]).to.equal(BigInt(HOT + WASM_BATCH_WAIT + 52));
  });

  it('drops a module for blocks flushed while it compiled', function () {
    const port = new HeldPort();
    const v = vcpu(port);
    const block = untilSent(v);
    const interpreted = block.fn;
    v.cache.flush();
    port.release();
    const fresh = v.step();
    expect(fresh).to.not.equal(block); // translated again after the flush
    expect(block.fn).to.equal(interpreted);
    expect(v.cache.promoted).to.equal(0);
  });

  it('compiles its first batches itself while the compiler thread has not loaded, and starts it', function () {
    let asked = 0;
    const port: WasmCompilePort = {
      ready: () => { asked++; return false; },
      post: () => { throw new Error('no batch may be posted before the thread has loaded'); },
      take: () => undefined,
    };
    const v = vcpu(port);
    const block = untilSent(v);
    expect(asked).to.equal(1);
    expect(block.encoded).to.equal(undefined); // compiled here
    expect(v.cache.wasm?.blocks).to.equal(1);
    v.step();
    expect(v.ctx.state.i64[5]).to.equal(BigInt(HOT + WASM_BATCH_WAIT + 1));
  });

  it('compiles the batch itself when the compiler thread fails', function () {
    const port = new HeldPort();
    const v = vcpu(port);
    const block = untilSent(v);
    port.release(true);
    v.step();
    expect(v.cache.wasm?.blocks).to.equal(1);
    expect(v.cache.wasm?.batchesElsewhere).to.equal(0);
    v.step();
    expect(v.ctx.state.i64[5]).to.equal(BigInt(HOT + WASM_BATCH_WAIT + 2));
    expect(block.encoded).to.equal(undefined);
  });

  it('gets modules from a real compiler thread', async function () {
    const port = startWasmCompiler();
    // until the thread has loaded, the vCPU compiles its batches itself (ready() starts it)
    const loaded = Date.now() + 30_000;
    while (!port.ready() && Date.now() < loaded) await new Promise((r) => setTimeout(r, 5));
    const v = vcpu(port);
    const block = untilSent(v);
    const interpreted = block.fn;
    const deadline = Date.now() + 30_000;
    while (block.fn === interpreted && Date.now() < deadline) {
      v.step();
      await new Promise((r) => setTimeout(r, 1));
    }
    expect(block.fn).to.not.equal(interpreted);
    expect(v.cache.wasm?.batchesElsewhere).to.equal(1);
    const before = v.ctx.state.i64[5];
    v.step();
    expect(v.ctx.state.i64[5]).to.equal(before + 1n);
  });
});
