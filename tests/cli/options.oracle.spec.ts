/**
 * Oracle tier of the command-line tests: QEMU 7.2 live, with the recipe of options-cases.ts.
 * Each test keeps the QEMU-side checks options.spec.ts made when it ran QEMU itself (exit
 * statuses, a memory node in the dumped device tree) and checks the committed transcript
 * (tests/transcripts/cli/options/*) against what QEMU prints now. Device trees are read with
 * tests/support/dtb-reader.ts (no dtc).
 */
import { join } from 'node:path';
import { expect } from 'chai';
import { allNodes, findNode, readDtb, regPairs } from '../support/dtb-reader.js';
import { requireTool } from '../support/tools.js';
import { verifyTranscript } from '../support/transcripts.js';
import { portable, portableArgs, QEMU, runQemu } from './qemu-oracle.js';
import {
  BASE, dumpDtbArgs, errorCases, KEYS, LOG_ITEM_ARGS, makeFixtures, MEM_SIZES, removeFixtures, serialMonitorCombos, serialMonitorQemuArgs,
  SMP_ARGS, warningCases, type DtbFacts, type Fixtures, type HelpListings, type LogItems, type QemuExit, type Warnings,
} from './options-cases.js';

describe('cli/options: QEMU 7.2 live (oracle)', function () {
  let f!: Fixtures;

  before(function () {
    requireTool(QEMU);
    f = makeFixtures();
  });
  after(function () {
    removeFixtures(f);
  });

  /** Memory and CPU count QEMU ends up with, read from the device tree it dumps, and its warnings. */
  function qemuDtb(args: readonly string[]): { facts: DtbFacts; warnings: string } {
    const dtb = join(f.dir, 'q.dtb');
    const r = runQemu(dumpDtbArgs(dtb, args));
    expect(r.status, r.stderr).to.equal(0);
    const root = readDtb(dtb);
    const memory = findNode(root, '/memory@80000000');
    if (memory === undefined) throw new Error('no memory node');
    const [bank] = regPairs(memory, 2, 2);
    if (bank === undefined || bank.address !== 0x80000000n) throw new Error('no memory bank at 0x80000000');
    const cpus = allNodes(root).filter((n) => /^cpu@[0-9a-f]+$/.test(n.name)).length;
    const warnings = r.stderr.split('\n').filter((l) => !/info: dtb dumped/.test(l)).join('\n').trim();
    return { facts: { args: portableArgs(args, f.dir), ram: `0x${bank.size.toString(16)}`, cpus }, warnings: portable(warnings, f.dir) };
  }

  it('errors: QEMU stops with status 1 for each bad command line', function () {
    this.timeout(120_000);
    const live: QemuExit[] = errorCases(f).map((c) => {
      const args = [...BASE, ...c];
      const q = runQemu(args);
      expect(q.status, `QEMU exit status for ${c.join(' ')}\n${q.stderr}`).to.equal(1);
      return { args: portableArgs(args, f.dir), status: q.status, stderr: portable(q.stderr, f.dir) };
    });
    verifyTranscript(KEYS.errors, live, [QEMU, 'ARGS (each entry: BASE and the bad options)']);
  });

  it('-m sizes from the dumped device tree', function () {
    this.timeout(120_000);
    const live = MEM_SIZES.map((m) => qemuDtb(['-m', m]).facts);
    verifyTranscript(KEYS.memSizes, live, [QEMU, ...dumpDtbArgs('$DIR/q.dtb', ['-m', 'M (each entry)'])]);
  });

  it('-smp CPU counts from the dumped device tree', function () {
    this.timeout(120_000);
    const live = SMP_ARGS.map((s) => qemuDtb(['-smp', ...s]).facts);
    verifyTranscript(KEYS.smpCounts, live, [QEMU, ...dumpDtbArgs('$DIR/q.dtb', ['-smp', 'S (each entry)'])]);
  });

  it('serial/monitor combinations accepted or refused', function () {
    this.timeout(60_000);
    const live: QemuExit[] = serialMonitorCombos(f).map((c) => {
      const q = runQemu(serialMonitorQemuArgs(f, c));
      return { args: portableArgs(c, f.dir), status: q.status, stderr: portable(q.stderr, f.dir) };
    });
    verifyTranscript(KEYS.serialMonitor, live, [QEMU, ...serialMonitorQemuArgs({ ...f, dir: '$DIR' }, ['ARGS (each entry)'])]);
  });

  it('warnings', function () {
    this.timeout(60_000);
    const live: Warnings[] = warningCases(f).map((args) => ({ args: portableArgs(args, f.dir), warnings: qemuDtb(args).warnings }));
    verifyTranscript(KEYS.warnings, live, [QEMU, ...dumpDtbArgs('$DIR/q.dtb', ['ARGS (each entry)'])]);
  });

  it('help listings: accelerators, machines, CPUs, displays', function () {
    const machines = runQemu(['-M', 'help']).stdout.split('\n');
    const live: HelpListings = {
      accel: runQemu(['-accel', 'help']).stdout,
      machinesHeader: machines[0] ?? '',
      virtLine: machines.find((l) => l.startsWith('virt ')) ?? '',
      cpus: runQemu(['-cpu', 'help']).stdout.split('\n'),
      displaysHeader: runQemu(['-display', 'help']).stdout.split('\n')[0] ?? '',
    };
    expect(live.virtLine).to.match(/^virt /);
    verifyTranscript(KEYS.help, live, [QEMU, '-accel|-M|-cpu|-display', 'help']);
  });

  it('-d help and bad -d items', function () {
    const live: LogItems = {
      list: runQemu(['-d', 'help']).stdout.split('\n'),
      cases: LOG_ITEM_ARGS.map((d) => {
        const q = runQemu([...BASE, '-d', d]);
        return { d, status: q.status, firstLine: q.stdout.split('\n')[0] ?? '' };
      }),
    };
    verifyTranscript(KEYS.logItems, live, [QEMU, ...BASE, '-d', 'D (each case; and -d help alone)']);
  });
});
