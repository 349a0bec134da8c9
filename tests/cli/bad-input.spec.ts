/**
 * Bad input to the real tsemu-system-riscv64 binary: every user mistake ends
 * the program with exactly one line on stderr ("tsemu-system-riscv64: ..."),
 * exit status 1, nothing on stdout and no stack trace. Where QEMU 7.2 stops
 * with a message for the same command line, tsemu's line is compared with it
 * (program name aside); where QEMU has none (it loads anything as a raw image,
 * or it has no such limit), the case says why.
 *
 * Also: a guest touching unmapped physical memory gets access faults and the
 * emulator carries on, exactly as on QEMU (tests/boot/guests/unmapped-access.S).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { QEMU_BINARY, repoRoot, runQemu, runTsemu, virtKernelArgs, type GuestRunResult } from '../support/run-guest.js';

const PROGRAM = 'tsemu-system-riscv64';
const RUN_TIMEOUT_MS = 6_000;
const EM_X86_64 = 62;
const PT_LOAD = 1;
/** Outside every region of the virt machine with the default 128 MiB of RAM (which ends at 0x88000000). */
const OUTSIDE_RAM = 0x90000000n;

/** The committed guest: a valid RV64 ELF, and the base for the damaged copies below. */
const GUEST_ELF = join(repoRoot(), 'tests', 'boot', 'guests', 'bin', 'unmapped-access.elf');

/** How tsemu's one line relates to what QEMU prints for the same command line. */
type QemuComparison =
  /** QEMU prints the same, program name aside. */
  | { kind: 'same' }
  /** QEMU says it in two lines (the OS error, then its own); tsemu's line starts with QEMU's last line and adds the OS error. */
  | { kind: 'last-line-then-reason' }
  /** QEMU has no message to compare with; `why` says what QEMU does instead. */
  | { kind: 'none'; why: string };

interface BadInputCase {
  title: string;
  args(files: Fixtures): string[];
  qemu: QemuComparison;
  /** Text tsemu's line must contain (the file, option or value at fault). */
  mentions(files: Fixtures): string;
}

interface Fixtures {
  dir: string;
  missing: string;
  text: string;
  empty: string;
  x86Elf: string;
  outsideRamElf: string;
}

const base = (kernel: string, extra: readonly string[] = []): string[] => virtKernelArgs(kernel, extra);

const CASES: readonly BadInputCase[] = [
  {
    title: 'a missing -kernel file',
    args: (f) => base(f.missing),
    qemu: { kind: 'last-line-then-reason' },
    mentions: (f) => f.missing,
  },
  {
    title: 'a directory as -kernel',
    args: (f) => base(f.dir),
    qemu: { kind: 'same' },
    mentions: (f) => f.dir,
  },
  {
    title: 'an empty -kernel file',
    args: (f) => base(f.empty),
    qemu: { kind: 'same' },
    mentions: (f) => f.empty,
  },
  {
    title: 'a text file as -kernel (not ELF)',
    args: (f) => base(f.text),
    qemu: { kind: 'none', why: 'QEMU 7.2 loads any non-ELF, non-uImage file as a raw image at 0x80000000 and runs it' },
    mentions: (f) => f.text,
  },
  {
    title: 'an x86-64 ELF as -kernel (wrong architecture)',
    args: (f) => base(f.x86Elf),
    qemu: { kind: 'none', why: 'QEMU 7.2 loads an ELF for another machine as a raw image and runs it' },
    mentions: (f) => f.x86Elf,
  },
  {
    title: 'an ELF segment outside RAM',
    args: (f) => base(f.outsideRamElf),
    qemu: { kind: 'none', why: 'QEMU 7.2 silently drops ROM data with no memory behind it and starts the guest' },
    mentions: () => `0x${OUTSIDE_RAM.toString(16)}`,
  },
  {
    title: '-m too small to boot (1M)',
    args: () => base(GUEST_ELF, ['-m', '1M']),
    qemu: { kind: 'none', why: 'QEMU 7.2 prints a multi-line "Some ROM regions are overlapping" report' },
    mentions: () => '-m 1M',
  },
  {
    title: '-m below tsemu’s minimum (8M)',
    args: () => base(GUEST_ELF, ['-m', '8M']),
    qemu: { kind: 'none', why: 'QEMU 7.2 boots with 8 MiB' },
    mentions: () => '8M',
  },
  {
    title: '-m above tsemu’s maximum (9G)',
    args: () => base(GUEST_ELF, ['-m', '9G']),
    qemu: { kind: 'none', why: 'QEMU 7.2 allocates it (or fails with a host-dependent allocation error)' },
    mentions: () => '9G',
  },
  {
    title: '-m far too large (1000T)',
    args: () => base(GUEST_ELF, ['-m', '1000T']),
    qemu: { kind: 'none', why: 'QEMU 7.2 reports a host-dependent "cannot set up guest memory ... Cannot allocate memory"' },
    mentions: () => '1000T',
  },
  {
    title: 'a missing -drive file (if=virtio)',
    args: (f) => base(GUEST_ELF, ['-drive', `file=${f.missing},if=virtio,format=raw`]),
    qemu: { kind: 'same' },
    mentions: (f) => f.missing,
  },
  {
    title: 'a missing -drive file (if=none + virtio-blk-device)',
    args: (f) => base(GUEST_ELF, ['-drive', `file=${f.missing},if=none,id=d0`, '-device', 'virtio-blk-device,drive=d0']),
    qemu: { kind: 'same' },
    mentions: (f) => f.missing,
  },
  {
    title: 'a missing -bios file',
    args: (f) => ['-M', 'virt', '-nographic', '-bios', f.missing, '-kernel', GUEST_ELF],
    qemu: { kind: 'same' },
    mentions: (f) => f.missing,
  },
  {
    title: 'an unknown option',
    args: () => base(GUEST_ELF, ['-foo']),
    qemu: { kind: 'same' },
    mentions: () => '-foo',
  },
  {
    title: 'an option missing its argument',
    args: () => [...base(GUEST_ELF), '-m'],
    qemu: { kind: 'same' },
    mentions: () => '-m',
  },
  {
    title: 'an unsupported accelerator',
    args: () => base(GUEST_ELF, ['-accel', 'kvm']),
    qemu: { kind: 'same' },
    mentions: () => 'kvm',
  },
  {
    title: 'an option tsemu does not implement (-netdev)',
    args: () => base(GUEST_ELF, ['-netdev', 'user,id=n0']),
    qemu: { kind: 'none', why: 'QEMU 7.2 supports it (and only warns that the netdev has no peer)' },
    mentions: () => '-netdev',
  },
  {
    title: 'a device tsemu does not implement (virtio-net-device)',
    args: () => base(GUEST_ELF, ['-device', 'virtio-net-device']),
    qemu: { kind: 'none', why: 'QEMU 7.2 supports it' },
    mentions: () => 'virtio-net-device',
  },
];

/** A copy of `bytes` with e_machine replaced (ELF64 little-endian header). */
function withMachine(bytes: Buffer, machine: number): Buffer {
  const copy = Buffer.from(bytes);
  copy.writeUInt16LE(machine, 18);
  return copy;
}

/** A copy whose first PT_LOAD segment (and entry point) is moved to `addr`. */
function withFirstSegmentAt(bytes: Buffer, addr: bigint): Buffer {
  const copy = Buffer.from(bytes);
  const phoff = Number(copy.readBigUInt64LE(0x20));
  const phentsize = copy.readUInt16LE(0x36);
  for (let i = 0; i < copy.readUInt16LE(0x38); i++) {
    const ph = phoff + i * phentsize;
    if (copy.readUInt32LE(ph) !== PT_LOAD) continue;
    copy.writeBigUInt64LE(addr, ph + 0x10); // p_vaddr
    copy.writeBigUInt64LE(addr, ph + 0x18); // p_paddr
    copy.writeBigUInt64LE(addr, 0x18); // e_entry
    return copy;
  }
  throw new Error('no PT_LOAD segment');
}

function qemuRuns(): boolean {
  return spawnSync(QEMU_BINARY, ['--version'], { timeout: 10_000 }).status === 0;
}

function describeRun(r: GuestRunResult): string {
  return `status=${String(r.status)} signal=${String(r.signal)} timedOut=${String(r.timedOut)}\n--- stdout ---\n${r.stdout}\n--- stderr ---\n${r.stderr}`;
}

/** The contract for every bad input: one "tsemu-system-riscv64: ..." line on stderr, status 1, no trace. */
function expectOneLineFailure(r: GuestRunResult): string {
  const why = describeRun(r);
  expect(r.timedOut, `hung\n${why}`).to.equal(false);
  expect(r.status, why).to.equal(1);
  expect(r.stderr.split('\n').filter((l) => /^\s+at /.test(l)), `stack trace\n${why}`).to.deep.equal([]);
  expect(r.stderr.endsWith('\n'), why).to.equal(true);
  const lines = r.stderr.slice(0, -1).split('\n');
  expect(lines, `one line on stderr\n${why}`).to.have.length(1);
  expect(lines[0]).to.match(new RegExp(`^${PROGRAM}: \\S`));
  expect(r.stdout, 'stdout').to.equal('');
  return lines[0];
}

describe('cli/bad-input: the real binary on bad command lines and files', function () {
  let files: Fixtures;
  let haveQemu = false;

  before(function () {
    const dir = mkdtempSync(join(tmpdir(), 'tsemu-bad-input-'));
    const guest = readFileSync(GUEST_ELF);
    files = {
      dir,
      missing: join(dir, 'missing.elf'),
      text: join(dir, 'notes.txt'),
      empty: join(dir, 'empty.bin'),
      x86Elf: join(dir, 'x86.elf'),
      outsideRamElf: join(dir, 'outside-ram.elf'),
    };
    writeFileSync(files.text, 'This is a text file, not a kernel.\n');
    writeFileSync(files.empty, new Uint8Array(0));
    writeFileSync(files.x86Elf, withMachine(guest, EM_X86_64));
    writeFileSync(files.outsideRamElf, withFirstSegmentAt(guest, OUTSIDE_RAM));
    haveQemu = qemuRuns();
  });

  after(function () {
    rmSync(files.dir, { recursive: true, force: true });
  });

  for (const c of CASES) {
    const qemuNote = c.qemu.kind === 'none' ? ` (QEMU: none — ${c.qemu.why})` : ` (QEMU: ${c.qemu.kind === 'same' ? 'same message' : 'same message, one line'})`;
    it(`${c.title}: one line, status 1${qemuNote}`, async function () {
      this.timeout(2 * RUN_TIMEOUT_MS + 5_000);
      const args = c.args(files);
      const line = expectOneLineFailure(await runTsemu(args, { timeoutMs: RUN_TIMEOUT_MS }));
      expect(line, 'names what is wrong').to.contain(c.mentions(files));
      if (c.qemu.kind === 'none' || !haveQemu) return;
      const qemu = await runQemu(args, { timeoutMs: RUN_TIMEOUT_MS });
      expect(qemu.status, `QEMU\n${describeRun(qemu)}`).to.equal(1);
      const qemuLines = qemu.stderr.replace(/\n$/, '').split('\n').map((l) => l.split(QEMU_BINARY).join(PROGRAM));
      if (c.qemu.kind === 'same') {
        expect(line).to.equal(qemuLines.join('\n'));
      } else {
        const last = qemuLines[qemuLines.length - 1];
        expect(qemuLines, 'QEMU’s two lines').to.have.length(2);
        expect(line.startsWith(last), `"${line}" starts with QEMU’s "${last}"`).to.equal(true);
      }
    });
  }

  it('the x86-64 ELF case also holds for the host’s /bin/true (a foreign-architecture ELF on this x86-64 host)', async function () {
    this.timeout(RUN_TIMEOUT_MS + 5_000);
    const host = readFileSync('/bin/true');
    expect(host.readUInt32BE(0), '/bin/true is an ELF').to.equal(0x7f454c46);
    expect(host.readUInt16LE(18), '/bin/true is not RISC-V').to.not.equal(243);
    const line = expectOneLineFailure(await runTsemu(base('/bin/true'), { timeoutMs: RUN_TIMEOUT_MS }));
    expect(line).to.contain('/bin/true');
  });

  it('a guest access to unmapped physical memory traps in the guest (access fault) and the emulator carries on, as on QEMU', async function () {
    this.timeout(2 * RUN_TIMEOUT_MS + 5_000);
    const args = virtKernelArgs(GUEST_ELF);
    const ours = await runTsemu(args, { timeoutMs: RUN_TIMEOUT_MS });
    // The guest checks mcause and mtval itself and exits through sifive_test: status 0 = every probe trapped as expected.
    expect(ours.status, describeRun(ours)).to.equal(0);
    expect(ours.stderr).to.equal('');
    expect(ours.stdout.split('\n')).to.deep.equal([
      'load 0x0: mcause=0x5 mtval=0x0',
      'store 0x0: mcause=0x7 mtval=0x0',
      'load 0x88000000: mcause=0x5 mtval=0x88000000',
      'store 0x10000800: mcause=0x7 mtval=0x10000800',
      'fetch 0x0: mcause=0x1 mtval=0x0',
      'done',
      '',
    ]);
    if (!haveQemu) return;
    const qemu = await runQemu(args, { timeoutMs: RUN_TIMEOUT_MS });
    expect({ stdout: ours.stdout, status: ours.status }).to.deep.equal({ stdout: qemu.stdout, status: qemu.status });
  });
});
