/**
 * The recipe both tiers of the bad-input tests share (bad-input.spec.ts runs the real tsemu binary
 * and compares with the committed QEMU transcripts tests/transcripts/cli/bad-input/*,
 * bad-input.oracle.spec.ts runs QEMU 7.2 live): the bad command lines and files, how tsemu's
 * one line relates to what QEMU prints, and what of QEMU's run each transcript keeps (paths as
 * $DIR for the fixture directory and $ROOT for the repository).
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, virtKernelArgs, type GuestRunResult } from '../support/run-guest.js';
import { portable, portableArgs } from './qemu-oracle.js';
import { makeTempDir } from '../support/tools.js';

export const PROGRAM = 'tsemu-system-riscv64';
export const RUN_TIMEOUT_MS = 6_000;
const EM_X86_64 = 62;
const PT_LOAD = 1;
/** Outside every region of the virt machine with the default 128 MiB of RAM (which ends at 0x88000000). */
const OUTSIDE_RAM = 0x90000000n;

/** The committed guest: a valid RV64 ELF, and the base for the damaged copies below. */
export const GUEST_ELF = join(repoRoot(), 'tests', 'boot', 'guests', 'bin', 'unmapped-access.elf');

/** How tsemu's one line relates to what QEMU prints for the same command line. */
export type QemuComparison =
  /** QEMU prints the same, program name aside. */
  | { kind: 'same' }
  /** QEMU says it in two lines (the OS error, then its own); tsemu's line starts with QEMU's last line and adds the OS error. */
  | { kind: 'last-line-then-reason' }
  /** QEMU has no message to compare with; `why` says what QEMU does instead. */
  | { kind: 'none'; why: string };

export interface BadInputCase {
  title: string;
  args(files: Fixtures): string[];
  qemu: QemuComparison;
  /** Text tsemu's line must contain (the file, option or value at fault). */
  mentions(files: Fixtures): string;
}

export interface Fixtures {
  dir: string;
  missing: string;
  text: string;
  empty: string;
  x86Elf: string;
  outsideRamElf: string;
  /** A valid DTB cut to 100 bytes: the header holds, the structure block reads as zeros. */
  dtbTruncated: string;
  /** The same cut to 20 bytes (inside the header). */
  dtbHeaderOnly: string;
  /** A valid DTB whose /chosen node is renamed /chosex. */
  dtbNoChosen: string;
}

export const base = (kernel: string, extra: readonly string[] = []): string[] => virtKernelArgs(kernel, extra);

export const CASES: readonly BadInputCase[] = [
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
    title: '-m above what tsemu’s page tables index (300G)',
    args: () => base(GUEST_ELF, ['-m', '300G']),
    qemu: { kind: 'none', why: 'QEMU 7.2 allocates it, or fails as below when the host cannot' },
    mentions: () => "cannot set up guest memory 'riscv_virt_board.ram'",
  },
  {
    title: '-m far too large (1000T)',
    args: () => base(GUEST_ELF, ['-m', '1000T']),
    // no host maps 1000 TiB: QEMU's allocation fails wherever it runs
    qemu: { kind: 'same' },
    mentions: () => "cannot set up guest memory 'riscv_virt_board.ram': Cannot allocate memory",
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
    title: 'two PCI devices at one addr=',
    args: () => base(GUEST_ELF, ['-device', 'virtio-rng-pci,addr=1,id=r1', '-device', 'virtio-rng-pci,addr=1']),
    qemu: { kind: 'same' },
    mentions: () => 'slot 1 function 0',
  },
  {
    title: 'a PCI device on the host bridge slot',
    args: () => base(GUEST_ELF, ['-device', 'virtio-rng-pci,addr=0']),
    qemu: { kind: 'same' },
    mentions: () => 'gpex-root',
  },
  {
    title: 'a PCI bus that does not exist',
    args: () => base(GUEST_ELF, ['-device', 'virtio-rng-pci,bus=pcie.1']),
    qemu: { kind: 'same' },
    mentions: () => 'pcie.1',
  },
  {
    title: 'virtio-blk-pci with an unknown drive',
    args: () => base(GUEST_ELF, ['-device', 'virtio-blk-pci,drive=nope']),
    qemu: { kind: 'same' },
    mentions: () => 'nope',
  },
  {
    title: 'a PCI addr= past slot 31',
    args: () => base(GUEST_ELF, ['-device', 'virtio-rng-pci,addr=0x20']),
    qemu: { kind: 'same' },
    mentions: () => '0x20',
  },
  {
    title: 'a pflash image of the wrong size',
    args: (f) => base(GUEST_ELF, ['-drive', `if=pflash,format=raw,file=${f.text}`]),
    qemu: { kind: 'same' },
    mentions: () => '33554432',
  },
  {
    title: 'a third pflash unit',
    args: (f) => base(GUEST_ELF, ['-drive', `if=pflash,format=raw,file=${f.text},unit=2`]),
    qemu: { kind: 'same' },
    mentions: () => 'unit=2',
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
    title: 'a directory as the -D log file',
    args: (f) => base(GUEST_ELF, ['-d', 'int', '-D', f.dir]),
    qemu: { kind: 'same' },
    mentions: (f) => `${f.dir}: Is a directory`,
  },
  {
    title: 'a -D log file in a missing directory',
    args: (f) => base(GUEST_ELF, ['-D', join(f.missing, 'log.txt')]),
    qemu: { kind: 'same' },
    mentions: () => 'No such file or directory',
  },
  {
    title: 'an option tsemu does not implement (-object)',
    args: () => base(GUEST_ELF, ['-object', 'rng-random,id=r0,filename=/dev/urandom']),
    qemu: { kind: 'none', why: 'QEMU 7.2 supports it' },
    mentions: () => '-object',
  },
  {
    title: '-netdev socket without listen=, connect=, mcast= or udp=',
    args: () => base(GUEST_ELF, ['-netdev', 'socket,id=n0']),
    qemu: { kind: 'same' },
    mentions: () => 'exactly one of',
  },
  {
    title: '-netdev socket with both listen= and connect=',
    args: () => base(GUEST_ELF, ['-netdev', 'socket,id=n0,listen=127.0.0.1:45998,connect=127.0.0.1:2']),
    qemu: { kind: 'same' },
    mentions: () => 'exactly one of',
  },
  {
    title: 'an unknown -netdev type',
    args: () => base(GUEST_ELF, ['-netdev', 'bogus,id=n0']),
    qemu: { kind: 'same' },
    mentions: () => 'bogus',
  },
  {
    title: 'an unknown -netdev user parameter',
    args: () => base(GUEST_ELF, ['-netdev', 'user,id=n0,foo=1']),
    qemu: { kind: 'same' },
    mentions: () => 'foo',
  },
  {
    title: 'a -netdev without id=',
    args: () => base(GUEST_ELF, ['-netdev', 'socket,listen=:1']),
    qemu: { kind: 'same' },
    mentions: () => 'id',
  },
  {
    title: 'two -netdev with one id',
    args: () => base(GUEST_ELF, ['-netdev', 'user,id=n0', '-netdev', 'user,id=n0']),
    qemu: { kind: 'same' },
    mentions: () => 'n0',
  },
  {
    title: 'virtio-net-pci with an unknown netdev',
    args: () => base(GUEST_ELF, ['-device', 'virtio-net-pci,netdev=zz']),
    qemu: { kind: 'same' },
    mentions: () => 'zz',
  },
  {
    title: 'virtio-net-pci with a malformed mac=',
    args: () => base(GUEST_ELF, ['-netdev', 'user,id=n0', '-device', 'virtio-net-pci,netdev=n0,mac=52:54:00:12:34']),
    qemu: { kind: 'same' },
    mentions: () => 'mac',
  },
  {
    title: 'an unknown virtio-net-pci property',
    args: () => base(GUEST_ELF, ['-netdev', 'user,id=n0', '-device', 'virtio-net-pci,netdev=n0,foo=1']),
    qemu: { kind: 'same' },
    mentions: () => 'foo',
  },
  {
    title: 'two NICs on one netdev',
    args: () => base(GUEST_ELF, ['-netdev', 'user,id=n0', '-device', 'virtio-net-pci,netdev=n0', '-device', 'virtio-net-pci,netdev=n0']),
    qemu: { kind: 'same' },
    mentions: () => 'in use',
  },
  {
    title: 'an unknown -cpu property',
    args: () => base(GUEST_ELF, ['-cpu', 'rv64,foo=true']),
    qemu: { kind: 'same' },
    mentions: () => 'foo',
  },
  {
    title: 'a -cpu property value that is not a boolean',
    args: () => base(GUEST_ELF, ['-cpu', 'rv64,zbb=maybe']),
    qemu: { kind: 'same' },
    mentions: () => 'zbb',
  },
  {
    title: 'a -cpu property without a value',
    args: () => base(GUEST_ELF, ['-cpu', 'rv64,zba']),
    qemu: { kind: 'same' },
    mentions: () => 'zba',
  },
  {
    title: '-cpu rv64 without Zicsr',
    args: () => base(GUEST_ELF, ['-cpu', 'rv64,Zicsr=false']),
    qemu: { kind: 'same' },
    mentions: () => 'Zicsr',
  },
  {
    title: '-cpu rv64 with the H extension',
    args: () => base(GUEST_ELF, ['-cpu', 'rv64,h=true']),
    qemu: { kind: 'none', why: 'QEMU 7.2 implements H (its rv64 has it by default); tsemu does not' },
    mentions: () => 'h=true',
  },
  {
    title: 'a device tsemu does not implement (virtio-rng-device)',
    args: () => base(GUEST_ELF, ['-device', 'virtio-rng-device']),
    qemu: { kind: 'none', why: 'QEMU 7.2 supports it' },
    mentions: () => 'virtio-rng-device',
  },
  {
    title: 'virtio-net-device with an unknown netdev',
    args: () => base(GUEST_ELF, ['-device', 'virtio-net-device,netdev=zz']),
    qemu: { kind: 'same' },
    mentions: () => 'zz',
  },
  {
    title: 'virtio-net-device on a virtio-mmio bus that does not exist',
    args: () => base(GUEST_ELF, ['-netdev', 'user,id=n0', '-device', 'virtio-net-device,netdev=n0,bus=virtio-mmio-bus.9']),
    qemu: { kind: 'same' },
    mentions: () => 'virtio-mmio-bus.9',
  },
  {
    title: 'a missing -dtb file',
    args: (f) => base(GUEST_ELF, ['-dtb', f.missing]),
    qemu: { kind: 'last-line-then-reason' },
    mentions: (f) => f.missing,
  },
  {
    title: 'a directory as -dtb',
    args: (f) => base(GUEST_ELF, ['-dtb', f.dir]),
    qemu: { kind: 'last-line-then-reason' },
    mentions: (f) => f.dir,
  },
  {
    title: 'a text file as -dtb (not a device tree)',
    args: (f) => base(GUEST_ELF, ['-dtb', f.text]),
    qemu: { kind: 'last-line-then-reason' },
    mentions: () => 'FDT_ERR_BADMAGIC',
  },
  {
    title: 'an empty -dtb file',
    args: (f) => base(GUEST_ELF, ['-dtb', f.empty]),
    qemu: { kind: 'last-line-then-reason' },
    mentions: () => 'FDT_ERR_BADMAGIC',
  },
  {
    title: 'a -dtb file cut short in its header',
    args: (f) => base(GUEST_ELF, ['-dtb', f.dtbHeaderOnly]),
    qemu: { kind: 'last-line-then-reason' },
    mentions: () => 'load_device_tree',
  },
  {
    title: 'a -dtb file cut short in its structure block',
    args: (f) => base(GUEST_ELF, ['-dtb', f.dtbTruncated]),
    qemu: { kind: 'same' },
    mentions: () => 'FDT_ERR_BADSTRUCTURE',
  },
  {
    title: 'a -dtb tree without /chosen',
    args: (f) => base(GUEST_ELF, ['-dtb', f.dtbNoChosen]),
    qemu: { kind: 'same' },
    mentions: () => '/chosen',
  },
  {
    title: 'a -dtb of blob version 3',
    args: () => base(GUEST_ELF, ['-dtb', join(DTB_DIR, 'virt-smp2-v3.dtb')]),
    qemu: { kind: 'last-line-then-reason' },
    mentions: () => 'FDT_ERR_BADVERSION',
  },
  {
    title: 'a virtconsole with no virtio-serial bus',
    args: () => base(GUEST_ELF, ['-chardev', 'null,id=c0', '-device', 'virtconsole,chardev=c0']),
    qemu: { kind: 'same' },
    mentions: () => "virtio-serial-bus",
  },
  {
    title: 'a virtconsole on an unknown chardev',
    args: () => base(GUEST_ELF, ['-device', 'virtio-serial-pci', '-device', 'virtconsole,chardev=zz']),
    qemu: { kind: 'same' },
    mentions: () => "zz",
  },
  {
    title: 'two ports on one chardev',
    args: () => base(GUEST_ELF, ['-chardev', 'null,id=c0', '-device', 'virtio-serial-pci', '-device', 'virtconsole,chardev=c0', '-device', 'virtserialport,chardev=c0']),
    qemu: { kind: 'same' },
    mentions: () => "in use",
  },
  {
    title: 'a virtserialport at nr=0',
    args: () => base(GUEST_ELF, ['-device', 'virtio-serial-pci', '-device', 'virtserialport,nr=0']),
    qemu: { kind: 'same' },
    mentions: () => "Port number 0",
  },
  {
    title: 'two virtserialports with one name',
    args: () => base(GUEST_ELF, ['-device', 'virtio-serial-pci', '-device', 'virtserialport,name=a', '-device', 'virtserialport,name=a']),
    qemu: { kind: 'same' },
    mentions: () => "by name a",
  },
  {
    title: 'a virtserialport beyond max_ports',
    args: () => base(GUEST_ELF, ['-device', 'virtio-serial-pci', '-device', 'virtserialport,nr=31']),
    qemu: { kind: 'same' },
    mentions: () => "max. allowed: 30",
  },
  {
    title: 'two virtserialports at one nr',
    args: () => base(GUEST_ELF, ['-device', 'virtio-serial-pci', '-device', 'virtserialport,nr=3', '-device', 'virtserialport,nr=3']),
    qemu: { kind: 'same' },
    mentions: () => "at id 3",
  },
  {
    title: 'a virtserialport on an unknown bus',
    args: () => base(GUEST_ELF, ['-device', 'virtio-serial-pci,id=vs', '-device', 'virtserialport,bus=virtio-serial-bus.0']),
    qemu: { kind: 'same' },
    mentions: () => "virtio-serial-bus.0",
  },
  {
    title: 'an unknown -chardev backend',
    args: () => base(GUEST_ELF, ['-chardev', 'bogus,id=x']),
    qemu: { kind: 'same' },
    mentions: () => "bogus",
  },
  {
    title: 'a -chardev without id=',
    args: () => base(GUEST_ELF, ['-chardev', 'null']),
    qemu: { kind: 'same' },
    mentions: () => "id",
  },
  {
    title: 'two -chardev with one id',
    args: () => base(GUEST_ELF, ['-chardev', 'null,id=a', '-chardev', 'null,id=a']),
    qemu: { kind: 'same' },
    mentions: () => "'a'",
  },
  {
    title: 'a -chardev file without path=',
    args: () => base(GUEST_ELF, ['-chardev', 'file,id=a']),
    qemu: { kind: 'same' },
    mentions: () => "filename",
  },
  {
    title: 'an unknown -chardev parameter',
    args: () => base(GUEST_ELF, ['-chardev', 'null,id=a,foo=1']),
    qemu: { kind: 'same' },
    mentions: () => "foo",
  },
  {
    title: 'a -chardev pipe whose files do not exist',
    args: (f) => base(GUEST_ELF, ['-chardev', `pipe,id=p,path=${join(f.missing, 'fifo')}`]),
    qemu: { kind: 'same' },
    mentions: () => "No such file or directory",
  },
  {
    title: 'a -chardev socket client refused',
    args: () => base(GUEST_ELF, ['-chardev', 'socket,id=a,host=127.0.0.1,port=1']),
    qemu: { kind: 'same' },
    mentions: () => "Connection refused",
  },
];

/** The device-tree fuzzer's committed blobs (tests/fuzz/dtb). */
const DTB_DIR = join(repoRoot(), 'tests', 'fuzz', 'dtb', 'bin');

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

export const KEYS = {
  messages: 'cli/bad-input/messages',
  unmappedAccess: 'cli/bad-input/unmapped-access',
} as const;

/** Writes the bad files into a fresh temporary directory. */
export function makeFixtures(): Fixtures {
  const dir = makeTempDir('bad-input');
  const guest = readFileSync(GUEST_ELF);
  const files: Fixtures = {
    dir,
    missing: join(dir, 'missing.elf'),
    text: join(dir, 'notes.txt'),
    empty: join(dir, 'empty.bin'),
    x86Elf: join(dir, 'x86.elf'),
    outsideRamElf: join(dir, 'outside-ram.elf'),
    dtbTruncated: join(dir, 'truncated.dtb'),
    dtbHeaderOnly: join(dir, 'header-only.dtb'),
    dtbNoChosen: join(dir, 'no-chosen.dtb'),
  };
  const dtb = readFileSync(join(DTB_DIR, 'virt-smp2.dtb'));
  writeFileSync(files.dtbTruncated, dtb.subarray(0, 100));
  writeFileSync(files.dtbHeaderOnly, dtb.subarray(0, 20));
  const at = dtb.indexOf('chosen\0');
  if (at < 0) throw new Error('virt-smp2.dtb has no chosen node');
  writeFileSync(files.dtbNoChosen, Buffer.concat([dtb.subarray(0, at), Buffer.from('chosex'), dtb.subarray(at + 6)]));
  writeFileSync(files.text, 'This is a text file, not a kernel.\n');
  writeFileSync(files.empty, new Uint8Array(0));
  writeFileSync(files.x86Elf, withMachine(guest, EM_X86_64));
  writeFileSync(files.outsideRamElf, withFirstSegmentAt(guest, OUTSIDE_RAM));
  return files;
}

export function removeFixtures(files: Fixtures | undefined): void {
  if (files !== undefined) rmSync(files.dir, { recursive: true, force: true });
}

/** What QEMU printed for a case (by title) with the same command line. */
export type QemuMessage = { readonly title: string; readonly args: readonly string[]; readonly status: number | null; readonly stderr: string };

export function qemuMessage(c: BadInputCase, files: Fixtures, r: GuestRunResult): QemuMessage {
  return { title: c.title, args: portableArgs(c.args(files), files.dir), status: r.status, stderr: portable(r.stderr, files.dir) };
}

/** The guest that touches unmapped memory, and what of QEMU's run is kept: console output and exit status. */
export const unmappedAccessArgs = (): string[] => virtKernelArgs(GUEST_ELF);
export type ConsoleOutcome = { readonly stdout: string; readonly status: number | null };

export function describeRun(r: GuestRunResult): string {
  return `status=${String(r.status)} signal=${String(r.signal)} timedOut=${String(r.timedOut)}\n--- stdout ---\n${r.stdout}\n--- stderr ---\n${r.stderr}`;
}

