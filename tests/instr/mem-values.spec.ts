/**
 * guest_mem_after's values where a store ends its block (a device; a page holding translated
 * code) and for FP loads and stores (fld/fsd/flw/fsw, c.fld/c.fsd), on every tier (the
 * interpreter, JavaScript, WebAssembly: TSEMU_TIER forces one and compiles every block at once).
 * QEMU 7.2 has no memory-value API (qemu_plugin_mem_get_value came in QEMU 9), so the expectation
 * is the guest's own: guests/memvals.S lists every value it stores and loads. The events are read
 * as the log backend traces them (`-trace guest_mem_after_*`: the translation level's default
 * generates the execution level).
 */
import { join } from 'node:path';
import { expect } from 'chai';
import { runTsemu, virtKernelArgs, type GuestRunResult } from '../support/run-guest.js';
import { elfSymbols, symbol } from '../support/elf-symbols.js';
import { FINISHER_ADDR, INSTR_GUESTS, describeRun, hex, memInfo, runPooled, traceRecords } from './helpers.js';

const ELF = join(INSTR_GUESTS, 'memvals.elf');
const TIERS: readonly (readonly [string, Record<string, string>])[] = [
  ['default tiers', {}], ['interpreter', { TSEMU_TIER: 'interp' }], ['JavaScript', { TSEMU_TIER: 'js' }], ['WebAssembly', { TSEMU_TIER: 'wasm' }],
];

/** memvals.S's accesses in order: `vaddr info value`, as the trace prints them. */
function expectedAccesses(): string[] {
  const sym = elfSymbols(ELF);
  const [patched, fpsrc, fpdst] = ['patched', 'fpsrc', 'fpdst'].map((s) => symbol(sym, s));
  const st = (size: 1 | 2 | 4 | 8) => memInfo(size, { signExtend: false, store: true });
  const ld = (size: 1 | 2 | 4 | 8, signExtend = false) => memInfo(size, { signExtend, store: false });
  const rows: [bigint, number, bigint][] = [
    [0x10000007n, st(1), 0x5an], [0x10000007n, ld(1), 0x5an], // UART scratch register: a device store ends its block
    [0x2004000n, st(8), 0x0123456789abcdefn], [0x2004000n, ld(8), 0x0123456789abcdefn], // CLINT mtimecmp
    [patched, st(4), 0x02a00513n], [patched, ld(4, true), 0x02a00513n], // over translated code, then read back (lw)
    [fpsrc, ld(8), 0x400921fb54442d18n], [fpdst, st(8), 0x400921fb54442d18n], // fld, fsd
    [fpsrc + 8n, ld(4), 0x3fc00000n], [fpdst + 8n, st(4), 0x3fc00000n], // flw, fsw (the single, not its NaN-boxing)
    [fpsrc + 8n, ld(8), 0x123456783fc00000n], [fpdst + 16n, st(8), 0x123456783fc00000n], // c.fld, c.fsd
    [FINISHER_ADDR, st(4), 0x5555n], // the finisher: the store that ends the run is reported before the machine stops
  ];
  return rows.map(([vaddr, info, value]) => `${hex(vaddr)} info=${info} value=0x${value.toString(16).padStart(16, '0')}`);
}

describe('instr: guest_mem_after values of device stores, stores to code and FP accesses, on every tier', function () {
  let runs: GuestRunResult[] = [];

  before(async function () {
    this.timeout(200_000);
    runs = await runPooled(TIERS.map(([, env]) => () => runTsemu(virtKernelArgs(ELF, ['-trace', 'guest_mem_after_*']), { env, timeoutMs: 60_000 })));
  });

  TIERS.forEach(([name], i) => {
    it(`${name}: each access's value is the one memvals.S stores or loads, the store that ends its block included`, function () {
      const run = runs[i];
      expect(run.status, describeRun(run)).to.equal(0);
      const got = traceRecords(run.stderr, 'guest_mem_after_exec')
        .filter((r) => BigInt(r.fields.vaddr) >= FINISHER_ADDR) // not the reset vector's loads (ROM at 0x1000)
        .map((r) => `${hex(BigInt(r.fields.vaddr))} info=${r.fields.info} value=${r.fields.value}`);
      expect(got).to.deep.equal(expectedAccesses());
    });
  });
});
