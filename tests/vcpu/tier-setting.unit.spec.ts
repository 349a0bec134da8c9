/**
 * Where WebAssembly batches are compiled (src/threads/tier-setting.ts): in a compiler thread only
 * when the host has a core to spare beside the machine's vCPU threads, never under -icount, and as
 * TSEMU_ASYNC_COMPILE says when it is set.
 */
import { expect } from 'chai';
import { availableParallelism } from 'node:os';
import { asyncWasmCompile } from '../../src/threads/tier-setting.js';

describe('vcpu: WebAssembly batches compiled in a thread of their own, or in the vCPU', function () {
  const saved = process.env.TSEMU_ASYNC_COMPILE;
  afterEach(function () {
    if (saved === undefined) delete process.env.TSEMU_ASYNC_COMPILE;
    else process.env.TSEMU_ASYNC_COMPILE = saved;
  });

  it('a compiler thread while a core is spare; none when the vCPU threads take every core', function () {
    delete process.env.TSEMU_ASYNC_COMPILE;
    const cores = availableParallelism();
    expect(asyncWasmCompile('wasm', 2000, false, cores - 1)).to.equal(cores > 1);
    expect(asyncWasmCompile('wasm', 2000, false, cores)).to.equal(false);
    expect(asyncWasmCompile('wasm', 2000, false, cores + 2)).to.equal(false);
  });

  it('never under -icount, nor for blocks compiled at once or another tier', function () {
    process.env.TSEMU_ASYNC_COMPILE = '1';
    expect(asyncWasmCompile('wasm', 2000, true, 1)).to.equal(false);
    expect(asyncWasmCompile('wasm', 0, false, 1)).to.equal(false);
    expect(asyncWasmCompile('js', 2000, false, 1)).to.equal(false);
  });

  it('TSEMU_ASYNC_COMPILE=0 or 1 decides whatever the cores', function () {
    process.env.TSEMU_ASYNC_COMPILE = '1';
    expect(asyncWasmCompile('wasm', 2000, false, 64)).to.equal(true);
    process.env.TSEMU_ASYNC_COMPILE = '0';
    expect(asyncWasmCompile('wasm', 2000, false, 1)).to.equal(false);
  });
});
