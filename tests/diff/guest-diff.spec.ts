/**
 * Differential test: every guest in tests/guest/manifest.json runs on QEMU (the
 * reference) and on tsemu with the same command line. QEMU must produce no FAIL
 * line and the manifest's exit status; tsemu must match QEMU's console output
 * and exit status exactly. tsemu runs twice: as it runs by default (blocks
 * interpreted until hot, src/vcpu/block-cache.ts), and with every block
 * compiled to JavaScript after its first, interpreted, run (TSEMU_HOT=1), so
 * both ways of running a block see every guest.
 */
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createDiskImage,
  guestCommandLine,
  loadGuestManifest,
  type GuestManifestEntry,
} from '../support/guest-manifest.js';
import { runQemu, runTsemu, type GuestRunResult } from '../support/run-guest.js';

const QEMU_TIMEOUT_MS = 15_000;
const TSEMU_TIMEOUT_MS = 60_000;

type Runner = typeof runQemu;

/** Runs an entry with a fresh disk image (if it needs one) in a private temp dir. */
async function runEntry(run: Runner, entry: GuestManifestEntry, timeoutMs: number, env?: Record<string, string>): Promise<GuestRunResult> {
  const dir = mkdtempSync(join(tmpdir(), `guest-${entry.name}-`));
  try {
    let diskPath: string | undefined;
    if (entry.disk) {
      diskPath = join(dir, 'disk.img');
      createDiskImage(entry.disk, diskPath);
    }
    return await run(guestCommandLine(entry, diskPath), { timeoutMs: entry.timeoutMs ?? timeoutMs, env });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function describeRun(r: GuestRunResult): string {
  return `status=${r.status} signal=${r.signal} timedOut=${r.timedOut}\n--- stdout ---\n${r.stdout}\n--- stderr ---\n${r.stderr}`;
}

describe('guest differential tests (QEMU vs tsemu)', function () {
  this.timeout(TSEMU_TIMEOUT_MS + QEMU_TIMEOUT_MS + 10_000);

  for (const entry of loadGuestManifest()) {
    describe(entry.name, function () {
      let qemu: GuestRunResult | undefined;

      before(async function () {
        qemu = await runEntry(runQemu, entry, QEMU_TIMEOUT_MS);
      });

      it('passes on QEMU with the expected exit status', function () {
        if (!qemu) throw new Error('QEMU run missing');
        expect(qemu.timedOut, describeRun(qemu)).to.equal(false);
        expect(qemu.stdout, describeRun(qemu)).not.to.match(/FAIL/);
        expect(qemu.stdout, describeRun(qemu)).to.match(/PASS/);
        expect(qemu.status, describeRun(qemu)).to.equal(entry.expectedExit);
      });

      for (const [how, env] of [['', undefined], [' with every block compiled after one run', { TSEMU_HOT: '1' }]] as const) {
        it(`produces the same console output and exit status on tsemu${how}`, async function () {
          if (!qemu) throw new Error('QEMU run missing');
          const tsemu = await runEntry(runTsemu, entry, TSEMU_TIMEOUT_MS, env);
          expect(tsemu.timedOut, describeRun(tsemu)).to.equal(false);
          expect(tsemu.stdout, describeRun(tsemu)).to.equal(qemu.stdout);
          expect(tsemu.status, describeRun(tsemu)).to.equal(qemu.status);
        });
      }
    });
  }
});
