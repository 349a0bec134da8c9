/**
 * Debian's OpenSBI (fw_jump) + U-Boot (qemu-riscv64_smode) on the virt machine,
 * driven at the `=> ` prompt like a person would. Each scenario runs the same
 * script on qemu-system-riscv64 (the oracle) and on tsemu with the same command
 * line, concurrently; every command's output must be identical once the
 * legitimately differing values listed in uboot-output.ts are masked. Absolute
 * checks back the comparison where the truth is known independently (the
 * U-Boot binary's bytes and version string, the -m size, what mw wrote).
 *
 * Oracle tier (npm run test:oracle) as a whole: it needs QEMU and Debian's
 * firmware packages (opensbi, u-boot-qemu) beside tsemu, and fails naming the
 * first one missing.
 */
import { existsSync, readFileSync } from 'node:fs';
import { expect } from 'chai';
import { GuestSession } from '../support/guest-session.js';
import { join } from 'node:path';
import { QEMU_BINARY, repoRoot } from '../support/run-guest.js';
import { missingPrerequisite, requireTool } from '../support/tools.js';
import { section, UbootConsole, type UbootTranscript } from './uboot-console.js';
import { consoleLines, crc32, elfBytesAt, fdtAddress, maskDifferences, parseBdinfo, parseEnv, parseMd } from './uboot-output.js';

const OPENSBI = '/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.elf';
const UBOOT = '/usr/lib/u-boot/qemu-riscv64_smode/uboot.elf';
const MiB = 1024 * 1024;

function ubootArgs(extra: readonly string[] = []): string[] {
  return ['-M', 'virt', '-nographic', '-bios', OPENSBI, '-kernel', UBOOT, ...extra];
}

/** Fails naming the first missing prerequisite: QEMU, then the firmware files. */
function requirePrerequisites(): void {
  requireTool(QEMU_BINARY);
  for (const f of [OPENSBI, UBOOT]) if (!existsSync(f)) throw missingPrerequisite(f);
}

interface Pair {
  qemu: UbootTranscript;
  tsemu: UbootTranscript;
}

/** Runs `script` on QEMU and tsemu at once with the same command line (or tsemu's own). */
async function runBoth(args: readonly string[], script: (c: UbootConsole) => Promise<void>, tsemuArgs = args): Promise<Pair> {
  const [qemu, tsemu] = await Promise.all([
    UbootConsole.run(GuestSession.startQemu(args), script),
    UbootConsole.run(GuestSession.startTsemu(tsemuArgs), script),
  ]);
  return { qemu, tsemu };
}

/** tsemu's bundled firmware, which QEMU can load as -bios too. */
const TSEMU_SBI = join(repoRoot(), 'firmware/bin/tsemu-sbi.elf');

function fdtOf(t: UbootTranscript): bigint | undefined {
  return fdtAddress([...t.sections.values()].join(''));
}

/** tsemu's output for a step equals QEMU's, legitimate differences masked. */
function expectSameAsQemu(pair: Pair, label: string): void {
  const theirs = maskDifferences(section(pair.qemu, label), fdtOf(pair.qemu));
  const ours = maskDifferences(section(pair.tsemu, label), fdtOf(pair.tsemu));
  expect(ours, `"${label}" on tsemu vs QEMU`).to.equal(theirs);
}

/** bdinfo's 0x%016llx style. */
function hex(v: bigint): string {
  return `0x${v.toString(16).padStart(16, '0')}`;
}

/** Both emulators quit on Ctrl-a x with status 0, nothing on stderr, after the mux's goodbye line. */
function expectCleanQuit(pair: Pair): void {
  expect(pair.tsemu.error, 'tsemu session').to.equal(undefined);
  expect(pair.qemu.result.status, 'QEMU status').to.equal(0);
  expect(pair.tsemu.result.status, 'tsemu status').to.equal(0);
  expect(pair.tsemu.result.stderr).to.equal(pair.qemu.result.stderr);
  expect(pair.qemu.afterQuit).to.contain('QEMU: Terminated');
  expect(pair.tsemu.afterQuit).to.contain('tsemu: Terminated');
}

describe('boot/uboot: OpenSBI + U-Boot at the => prompt, compared with QEMU (oracle)', function () {
  before(function () {
    requirePrerequisites();
  });

  describe('default -m (128 MiB), autoboot interrupted by a key press', function () {
    const WRITE_BYTES = 'mw.b 0x82000000 0xa5 0x40';
    const READ_BYTES = 'md.b 0x82000000 0x40';
    const CRC = 'crc32 0x82000000 0x40';
    const WRITE_QUADS = 'mw.q 0x82000100 0x0123456789abcdef 2';
    const READ_QUADS_AS_BYTES = 'md.b 0x82000100 0x10';
    const WRITE_LONGS = 'mw.l 0x82000200 0xdeadbeef 4';
    const READ_LONGS = 'md.l 0x82000200 4';
    const READ_LONGS_AS_HALVES = 'md.w 0x82000200 8';
    const MEMORY_STEPS = [WRITE_BYTES, READ_BYTES, CRC, WRITE_QUADS, READ_QUADS_AS_BYTES, WRITE_LONGS, READ_LONGS, READ_LONGS_AS_HALVES];
    let pair: Pair;

    before(async function () {
      this.timeout(90_000);
      pair = await runBoth(ubootArgs(), async (c) => {
        await c.boot('boot', true);
        for (const cmd of ['version', 'bdinfo', 'md 0x80200000 0x20', 'printenv', ...MEMORY_STEPS]) await c.command(cmd);
      });
      expect(pair.qemu.error, 'QEMU session (the reference)').to.equal(undefined);
    });

    it('boots to the prompt printing what QEMU prints, DRAM 128 MiB', function () {
      expectSameAsQemu(pair, 'boot');
      expect(consoleLines(section(pair.tsemu, 'boot'))).to.include('DRAM:  128 MiB');
    });

    it('version: the build banner compiled into uboot.elf', function () {
      expectSameAsQemu(pair, 'version');
      const lines = consoleLines(section(pair.tsemu, 'version'));
      expect(lines[0]).to.equal('version');
      expect(lines[1]).to.match(/^U-Boot \d{4}\.\d{2}\S* \(.+\)$/);
      expect(readFileSync(UBOOT).includes(Buffer.from(lines[1], 'latin1')), 'banner string in uboot.elf').to.equal(true);
      expect(consoleLines(section(pair.tsemu, 'boot')), 'same banner at boot').to.include(lines[1]);
    });

    it('bdinfo: one DRAM bank of 128 MiB at 0x80000000', function () {
      expectSameAsQemu(pair, 'bdinfo');
      const info = parseBdinfo(section(pair.tsemu, 'bdinfo'));
      expect(info.get('-> start')).to.equal(hex(0x80000000n));
      expect(info.get('-> size')).to.equal(hex(BigInt(128 * MiB)));
      expect(consoleLines(section(pair.tsemu, 'bdinfo'))).to.include(' memory[0]\t[0x80000000-0x87ffffff], 0x08000000 bytes flags: 0');
    });

    it('places the relocated device tree so that it ends where QEMU’s does, and reports it consistently', function () {
      const report = (t: UbootTranscript): { blob: bigint; size: bigint; stackReservation: bigint; env: Map<string, string> } => {
        const text = section(t, 'bdinfo');
        const info = parseBdinfo(text);
        const blob = BigInt(info.get('fdt_blob') ?? 'missing');
        expect(info.get('new_fdt')).to.equal(info.get('fdt_blob'));
        expect(fdtOf(t), 'Working FDT').to.equal(blob);
        // The last lmb reservation runs from just below U-Boot's stack (under the FDT) to the end of RAM.
        const reserved = [...text.matchAll(/ reserved\[\d+\]\t\[0x([0-9a-f]+)-0x87ffffff\]/g)].map((m) => BigInt(`0x${m[1]}`));
        const stackReservation = reserved[reserved.length - 1] ?? 0n;
        return { blob, size: BigInt(info.get('fdt_size') ?? 'missing'), stackReservation, env: parseEnv(section(t, 'printenv')) };
      };
      const q = report(pair.qemu);
      const t = report(pair.tsemu);
      expect(hex(t.blob + t.size), 'end of the FDT').to.equal(hex(q.blob + q.size));
      expect(t.blob - t.stackReservation, 'stack reservation below the FDT').to.equal(q.blob - q.stackReservation);
      for (const name of ['fdtcontroladdr', 'fdt_addr', 'fdtaddr']) expect(t.env.get(name), name).to.equal(t.blob.toString(16));
    });

    it('md 0x80200000 0x20: the first 128 bytes of U-Boot’s image, as loaded from uboot.elf', function () {
      expectSameAsQemu(pair, 'md 0x80200000 0x20');
      const dump = parseMd(section(pair.tsemu, 'md 0x80200000 0x20'));
      expect(dump.start).to.equal(0x80200000n);
      expect(Buffer.from(dump.bytes).toString('hex')).to.equal(Buffer.from(elfBytesAt(UBOOT, 0x80200000n, 0x80)).toString('hex'));
    });

    it('printenv: the same environment as QEMU', function () {
      expectSameAsQemu(pair, 'printenv');
    });

    it('mw/md/crc32 round trips: what mw wrote reads back in every width, little-endian', function () {
      for (const step of MEMORY_STEPS) expectSameAsQemu(pair, step);
      const bytes = parseMd(section(pair.tsemu, READ_BYTES));
      expect(bytes.start).to.equal(0x82000000n);
      expect([...bytes.bytes]).to.deep.equal(new Array<number>(0x40).fill(0xa5));
      const crc = crc32(new Uint8Array(0x40).fill(0xa5)).toString(16).padStart(8, '0');
      expect(consoleLines(section(pair.tsemu, CRC))).to.include(`crc32 for 82000000 ... 8200003f ==> ${crc}`);
      const quads = parseMd(section(pair.tsemu, READ_QUADS_AS_BYTES));
      expect(Buffer.from(quads.bytes).toString('hex')).to.equal('efcdab8967452301'.repeat(2));
      const longs = parseMd(section(pair.tsemu, READ_LONGS));
      expect(longs.unit).to.equal(4);
      expect(Buffer.from(longs.bytes).toString('hex')).to.equal('efbeadde'.repeat(4));
      const halves = parseMd(section(pair.tsemu, READ_LONGS_AS_HALVES));
      expect(halves.unit).to.equal(2);
      expect(consoleLines(section(pair.tsemu, READ_LONGS_AS_HALVES))[1]).to.match(/^82000200: (beef dead ){4} /);
    });

    it('quits on Ctrl-a x with status 0, like QEMU', function () {
      expectCleanQuit(pair);
    });

    it('prints the Ctrl-a x goodbye with QEMU’s exact bytes (only the program name differs)', function () {
      // QEMU's char-mux writes "QEMU: Terminated\n\r" (sic: LF before CR).
      expect(JSON.stringify(pair.tsemu.afterQuit)).to.equal(JSON.stringify(pair.qemu.afterQuit.replace('QEMU:', 'tsemu:')));
    });
  });

  describe('-smp 4: OpenSBI brings up four harts, U-Boot works as at -smp 1', function () {
    let pair: Pair;

    before(async function () {
      this.timeout(90_000);
      pair = await runBoth(ubootArgs(['-smp', '4']), async (c) => {
        await c.boot('boot', true);
        for (const cmd of ['version', 'bdinfo', 'md 0x80200000 0x20']) await c.command(cmd);
      });
      expect(pair.qemu.error, 'QEMU session (the reference)').to.equal(undefined);
    });

    it('OpenSBI reports 4 harts on both emulators', function () {
      for (const t of [pair.qemu, pair.tsemu]) {
        expect(consoleLines(section(t, 'boot')).some((l) => /^Platform HART Count\s*: 4$/.test(l)), t === pair.qemu ? 'QEMU' : 'tsemu').to.equal(true);
      }
    });

    it('U-Boot answers version, bdinfo and md exactly as on QEMU', function () {
      expect(pair.tsemu.error).to.equal(undefined);
      for (const cmd of ['version', 'bdinfo', 'md 0x80200000 0x20']) expectSameAsQemu(pair, cmd);
    });

    it('quits on Ctrl-a x with status 0, like QEMU', function () {
      expectCleanQuit(pair);
    });
  });

  describe('-m 256M, autoboot left to run (and fail: no boot device)', function () {
    // Above the first 128 MiB, below U-Boot (relocated to the top of RAM) and its load addresses.
    const WRITE_HIGH = 'mw.l 0x8a000000 0xcafef00d 8';
    const READ_HIGH = 'md.l 0x8a000000 8';
    let pair: Pair;

    before(async function () {
      this.timeout(90_000);
      pair = await runBoth(ubootArgs(['-m', '256M']), async (c) => {
        await c.boot('boot', false);
        for (const cmd of ['bdinfo', WRITE_HIGH, READ_HIGH]) await c.command(cmd);
      });
      expect(pair.qemu.error, 'QEMU session (the reference)').to.equal(undefined);
    });

    it('tries the boot targets like QEMU, then gives the prompt; DRAM 256 MiB', function () {
      expectSameAsQemu(pair, 'boot');
      const boot = consoleLines(section(pair.tsemu, 'boot'));
      expect(boot).to.include('DRAM:  256 MiB');
      expect(boot).to.include('scanning bus for devices...');
    });

    it('bdinfo: one DRAM bank of 256 MiB', function () {
      expectSameAsQemu(pair, 'bdinfo');
      const info = parseBdinfo(section(pair.tsemu, 'bdinfo'));
      expect(info.get('-> start')).to.equal(hex(0x80000000n));
      expect(info.get('-> size')).to.equal(hex(BigInt(256 * MiB)));
    });

    it('RAM above 128 MiB holds what mw wrote', function () {
      expectSameAsQemu(pair, WRITE_HIGH);
      expectSameAsQemu(pair, READ_HIGH);
      const dump = parseMd(section(pair.tsemu, READ_HIGH));
      expect(dump.start).to.equal(0x8a000000n);
      expect(Buffer.from(dump.bytes).toString('hex')).to.equal('0df0feca'.repeat(8));
    });

    it('quits on Ctrl-a x with status 0, like QEMU', function () {
      expectCleanQuit(pair);
    });
  });

  describe('a load from unmapped physical address 0, then the reset U-Boot asks for', function () {
    const FAULTING_READ = 'md 0x0 4';
    const REBOOT = 'reboot';
    let pair: Pair;

    before(async function () {
      this.timeout(90_000);
      pair = await runBoth(ubootArgs(), async (c) => {
        await c.boot('boot', true);
        // U-Boot reports the unhandled exception, then resets through SBI SRST (OpenSBI → sifive_test 0x7777).
        await c.command(FAULTING_READ, 'resetting ...\r\n');
        await c.boot(REBOOT, true);
        await c.command('version');
      });
      expect(pair.qemu.error, 'QEMU session (the reference)').to.equal(undefined);
    });

    it('U-Boot gets a load access fault and reports it exactly as on QEMU', function () {
      const text = section(pair.tsemu, FAULTING_READ);
      expect(consoleLines(text).slice(0, 2)).to.deep.equal([FAULTING_READ, 'Unhandled exception: Load access fault']);
      expectSameAsQemu(pair, FAULTING_READ);
    });

    it('the reset boots OpenSBI and U-Boot again, to a working prompt, as on QEMU', function () {
      expectSameAsQemu(pair, REBOOT);
      expectSameAsQemu(pair, 'version');
    });

    it('quits on Ctrl-a x with status 0, like QEMU', function () {
      expectCleanQuit(pair);
    });
  });

  for (const smp of [1, 4]) {
    describe(`U-Boot on the bundled firmware at -smp ${smp} (tsemu -bios default, QEMU -bios firmware/bin/tsemu-sbi.elf)`, function () {
      let pair: Pair;
      before(async function () {
        this.timeout(90_000);
        const base = ['-M', 'virt', '-nographic', '-smp', String(smp), '-kernel', UBOOT];
        pair = await runBoth([...base, '-bios', TSEMU_SBI], async (c) => {
          await c.boot('boot', true);
          for (const cmd of ['version', 'bdinfo']) await c.command(cmd);
        }, base);
        expect(pair.qemu.error, 'QEMU session (the reference)').to.equal(undefined);
      });

      it("boots through tsemu-sbi's banner to the prompt, printing what QEMU prints", function () {
        expectSameAsQemu(pair, 'boot');
        const lines = consoleLines(section(pair.tsemu, 'boot'));
        expect(lines).to.include(`tsemu-sbi v1.0 (SBI v2.0): ${smp} hart${smp === 1 ? '' : 's'}, next stage 0x0000000080200000 in S-mode`);
        expect(lines).to.include('DRAM:  128 MiB');
      });

      it('version and bdinfo as on QEMU; the firmware reserved its region below U-Boot', function () {
        expectSameAsQemu(pair, 'version');
        // U-Boot's relocated image sits below its copy of the device tree, page aligned; tsemu's tree
        // lacks QEMU's pmu, fw-cfg, flash and pci nodes, so that region may start one page apart. It
        // ends at the top of RAM on both (kept in the comparison).
        const bdinfo = (t: UbootTranscript): string => maskDifferences(section(t, 'bdinfo'), fdtOf(t))
          .replace(/^( reserved\[1\]\t\[)0x[0-9a-f]+(-0x87ffffff\], )0x[0-9a-f]+( bytes.*)$/m, '$1<relocation>$2<size>$3');
        expect(bdinfo(pair.tsemu)).to.equal(bdinfo(pair.qemu));
        // the firmware's /reserved-memory node: U-Boot keeps 0x80000000-0x8007ffff (flags 4: no-map)
        expect(consoleLines(section(pair.tsemu, 'bdinfo'))).to.include(' reserved[0]\t[0x80000000-0x8007ffff], 0x00080000 bytes flags: 4');
      });

      it('quits cleanly on both', function () {
        expectCleanQuit(pair);
      });
    });
  }
});
