/**
 * The WebAssembly tier on the real binary, beyond the guest suites (which run with it by default
 * and forced, tests/diff and tests/smp):
 *  - when translation is observed: with `-d in_asm,out_asm` every block is translated by the
 *    translator service, and with TSEMU_TIER=wasm the service compiles each block to WebAssembly
 *    too, sends the module to the vCPU, which runs it, and `-d out_asm` prints its text. The
 *    guest (tests/guest/rv64i.elf, whose blocks have no events or scoreboards, so the wasm
 *    backend covers all of them) must still print what QEMU printed (the guest-diff transcript);
 *  - `-d exec,cpu,int` logs registers at every block boundary and every trap: with every block in
 *    WebAssembly they must read exactly as with every block in JavaScript (both tiers run a
 *    self-looping block up to 256 iterations per call, so they share block boundaries).
 */
import { expect } from 'chai';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { guestCommandLine, loadGuestManifest } from '../support/guest-manifest.js';
import { runTsemu } from '../support/run-guest.js';
import { makeTempDir } from '../support/tools.js';
import { readTranscript } from '../support/transcripts.js';
import { transcriptKey, type GuestOutcome } from '../diff/guest-runs.js';

describe('tcg/wasm: the WebAssembly tier on the real binary', function () {
  this.timeout(60_000);

  it('logs the same -d exec,cpu,int as the JavaScript tier (rv64m: traps, multiply and divide)', async function () {
    const entry = loadGuestManifest().find((e) => e.name === 'rv64m');
    if (entry === undefined) throw new Error('rv64m is missing from tests/guest/manifest.json');
    const dir = makeTempDir('wasm-exec-log');
    try {
      const logs: string[] = [];
      for (const tier of ['js', 'wasm']) {
        const logFile = join(dir, `${tier}.txt`);
        const r = await runTsemu([...guestCommandLine(entry), '-d', 'exec,cpu,int', '-D', logFile], { env: { TSEMU_TIER: tier } });
        expect(r.status, r.stderr).to.equal(entry.expectedExit);
        logs.push(readFileSync(logFile, 'utf8'));
      }
      expect(logs[0].split('\n').length).to.be.greaterThan(10_000);
      expect(logs[1]).to.equal(logs[0]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('runs rv64i as QEMU does, every block compiled by the service to WebAssembly and logged as such', async function () {
    const entry = loadGuestManifest().find((e) => e.name === 'rv64i');
    if (entry === undefined) throw new Error('rv64i is missing from tests/guest/manifest.json');
    const qemu = readTranscript<GuestOutcome>(transcriptKey(entry));
    const dir = makeTempDir('wasm-out-asm');
    try {
      const logFile = join(dir, 'log.txt');
      const r = await runTsemu([...guestCommandLine(entry), '-d', 'in_asm,out_asm', '-D', logFile], { env: { TSEMU_TIER: 'wasm', TSEMU_STATS: '1' } });
      expect(r.stdout, r.stderr).to.equal(qemu.stdout);
      expect(r.status, r.stderr).to.equal(qemu.status);
      const log = readFileSync(logFile, 'utf8');
      const blocks = log.split('\n').filter((l) => l.startsWith('IN:')).length;
      const wasm = log.split('\n').filter((l) => l.startsWith('OUT: [wasm, size=')).length;
      expect(blocks).to.be.greaterThan(100);
      expect(wasm).to.equal(blocks); // one WebAssembly function per translated block, no JavaScript
      expect(log).to.contain('(func $b0 (export "b0") (result f64) ;; guest pc 0x80000000');
      expect(log).not.to.contain('OUT: [size=');
      // and the vCPU ran them: each fetched block instantiated as a module of its own (TSEMU_STATS)
      const stats = /\[stats\] hart 0: .* (\d+) translations requested.* (\d+) to wasm in (\d+) modules/.exec(r.stderr);
      expect(stats, r.stderr).to.not.equal(null);
      const [requested, toWasm, modules] = (stats as RegExpExecArray).slice(1).map(Number);
      expect(toWasm).to.equal(requested);
      expect(modules).to.equal(requested);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
