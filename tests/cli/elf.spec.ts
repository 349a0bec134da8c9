/**
 * ELF parsing and the -kernel loading policy. ELFs are built with riscv64-unknown-elf-gcc;
 * headers and symbols are checked against readelf, and what lands in memory against
 * what QEMU 7.2 puts there (read back through its monitor).
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { expect } from 'chai';
import { ElfError, ImageLoadError, loadKernel, loadElf, lookupFunctionSymbol, parseElf, type ImageLoadResult } from '../../src/machine/elf.js';
import { buildElf, GCC, hasTool, makeTempDir, QEMU, readQemuMemory, runQemu, runTool } from './qemu-oracle.js';
import { SparseMemory } from './sparse-memory.js';

const RAM_BASE = 0x80000000;
const MiB = 1024 * 1024;

const KERNEL_SOURCE = `
  .section .text
  .globl _start
  .type _start, @function
_start:
  la t0, data_word
  ld a0, 0(t0)
  j helper
  .size _start, .-_start
  .type helper, @function
helper:                      # no .size: QEMU widens it to the next function
  addi a0, a0, 1
  j tail
  .type tail, @function
tail:
  j tail
  .size tail, .-tail
  .type local_fn, @function
local_fn:
  ret
  .size local_fn, .-local_fn
notype_label:
  nop
  .section .data
data_word: .dword 0x1122334455667788
  .section .bss
bss_area: .space 8192
`;

function ram(size = 128 * MiB): SparseMemory {
  return new SparseMemory([{ base: RAM_BASE, size }]);
}

function elfError(bytes: Uint8Array, name: string): ElfError {
  try {
    parseElf(bytes, name);
  } catch (err) {
    if (err instanceof ElfError) return err;
    throw err;
  }
  throw new Error('parsed without error');
}

/** A legacy U-Boot image header (big-endian) in front of `payload`. */
function uImage(payload: Uint8Array, opts: { load: number; entry: number; type: number; comp: number }): Uint8Array {
  const out = new Uint8Array(64 + payload.length);
  const v = new DataView(out.buffer);
  v.setUint32(0, 0x27051956);
  v.setUint32(12, payload.length);
  v.setUint32(16, opts.load);
  v.setUint32(20, opts.entry);
  v.setUint8(28, 5); // IH_OS_LINUX
  v.setUint8(29, 26); // IH_ARCH_RISCV
  v.setUint8(30, opts.type);
  v.setUint8(31, opts.comp);
  out.set(payload, 64);
  return out;
}

describe('machine/elf', function () {
  let dir = '';
  let k200 = '';
  let k0 = '';
  let kfar = '';
  let k32 = '';

  before(function () {
    if (!hasTool(GCC)) throw new Error('missing test prerequisite (.ci/run installs it): ' + '!hasTool(GCC)');
    this.timeout(120_000);
    dir = makeTempDir('elf');
    k200 = buildElf(dir, 'k200', KERNEL_SOURCE, ['-Wl,-Ttext=0x80200000']);
    k0 = buildElf(dir, 'k0', KERNEL_SOURCE, ['-Wl,-Ttext=0x80000000']);
    kfar = buildElf(dir, 'kfar', KERNEL_SOURCE, ['-Wl,-Ttext=0x10000000', '-Wl,-Tdata=0x10010000']);
    k32 = buildElf(dir, 'k32', KERNEL_SOURCE.replace('ld a0', 'lw a0'), ['-march=rv32imac', '-mabi=ilp32', '-Wl,-Ttext=0x80200000']);
  });
  after(function () {
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });

  describe('parseElf', function () {
    it('reads the entry point and PT_LOAD segments as readelf does', function () {
      const image = parseElf(readFileSync(k200), 'k200.elf');
      const header = runTool('riscv64-unknown-elf-readelf', ['-hlW', k200]);
      expect(image.entry).to.equal(BigInt(/Entry point address:\s+(0x[0-9a-f]+)/.exec(header)?.[1] ?? 'x'));
      const loads = [...header.matchAll(/^\s*LOAD\s+(0x[0-9a-f]+) (0x[0-9a-f]+) (0x[0-9a-f]+) (0x[0-9a-f]+) (0x[0-9a-f]+)/gm)].map((m) => ({
        fileOffset: Number(m[1]), vaddr: BigInt(m[2] ?? ''), paddr: BigInt(m[3] ?? ''), fileSize: Number(m[4]), memSize: Number(m[5]),
      }));
      expect(loads.length).to.be.greaterThan(1);
      expect(image.segments.map((s) => ({ fileOffset: s.fileOffset, vaddr: s.vaddr, paddr: s.paddr, fileSize: s.fileSize, memSize: s.memSize }))).to.deep.equal(loads);
    });

    it('keeps the function symbols QEMU keeps (STT_FUNC, defined), sorted, zero sizes widened', function () {
      const image = parseElf(readFileSync(k200), 'k200.elf');
      const table = runTool('riscv64-unknown-elf-readelf', ['-sW', k200]);
      const funcs = [...table.matchAll(/^\s*\d+:\s+([0-9a-f]+)\s+(\d+)\s+FUNC\s+\w+\s+\w+\s+(\d+)\s+(\S+)$/gm)]
        .map((m) => ({ name: m[4] ?? '', address: Number(BigInt(`0x${m[1] ?? ''}`)), size: Number(m[2]) }))
        .sort((a, b) => a.address - b.address);
      const widened = funcs.map((f, i) => ({ ...f, size: f.size === 0 && funcs[i + 1] !== undefined ? (funcs[i + 1]?.address ?? 0) - f.address : f.size }));
      expect(funcs.map((f) => f.name)).to.deep.equal(['_start', 'helper', 'tail', 'local_fn']);
      expect(funcs.find((f) => f.name === 'helper')?.size).to.equal(0);
      expect(image.functions).to.deep.equal(widened);
      const helper = widened[1];
      if (helper === undefined) throw new Error('no helper');
      expect(lookupFunctionSymbol(image.functions, helper.address + helper.size - 1)).to.equal('helper'); // only inside thanks to widening
      expect(lookupFunctionSymbol(image.functions, helper.address - 1)).to.equal('_start');
      expect(lookupFunctionSymbol(image.functions, 0x1000)).to.equal('');
    });

    it('rejects non-ELF, wrong class/endianness/machine and truncated files with one-line messages', function () {
      const good = readFileSync(k200);
      const patched = (offset: number, value: number): Uint8Array => {
        const copy = new Uint8Array(good);
        copy[offset] = value;
        return copy;
      };
      const cases: [Uint8Array, string, string][] = [
        [new TextEncoder().encode('#!/bin/sh\necho hi\n'), 'not-elf', 'x: not an ELF file'],
        [readFileSync(k32), 'wrong-class', 'x: not a 64-bit ELF file (ELF class 1)'],
        [patched(5, 2), 'wrong-endian', 'x: not a little-endian ELF file'],
        [patched(18, 62), 'wrong-machine', 'x is not a RISC-V ELF (e_machine 62)'],
        [good.subarray(0, 40), 'truncated', 'x: truncated ELF file (ELF header extends past the end of the file)'],
      ];
      for (const [bytes, kind, message] of cases) {
        const err = elfError(bytes, 'x');
        expect([err.kind, err.message]).to.deep.equal([kind, message]);
        expect(err.message).to.not.contain('\n');
      }
      const cut = elfError(good.subarray(0, 0x1004), 'x');
      expect(cut.kind).to.equal('truncated');
      expect(cut.message).to.match(/^x: truncated ELF file \(data of segment \d+ at 0x[0-9a-f]+ extends past the end of the file\)$/);
    });
  });

  describe('loading', function () {
    it('places segments (zero-filled bss) exactly where QEMU does', function () {
      if (!hasTool(QEMU)) throw new Error('missing test prerequisite (.ci/run installs it): ' + '!hasTool(QEMU)');
      const mem = ram();
      const result = loadElf(parseElf(readFileSync(k200), 'k200.elf'), readFileSync(k200), mem, 'k200.elf');
      const base = Number(result.low);
      const words = Number(result.high - result.low) / 8;
      const qemu = readQemuMemory(['-M', 'virt', '-bios', 'none', '-kernel', k200], base, words);
      const ours = Array.from({ length: words }, (_, i) => mem.readU64(base + i * 8));
      expect(ours).to.deep.equal(qemu);
    });

    it('keeps the in-RAM part of a segment that starts below RAM, like QEMU', function () {
      if (!hasTool(QEMU)) throw new Error('missing test prerequisite (.ci/run installs it): ' + '!hasTool(QEMU)');
      const mem = ram();
      const bytes = readFileSync(k0);
      const image = parseElf(bytes, 'k0.elf');
      expect((image.segments[0]?.paddr ?? 0n) < BigInt(RAM_BASE), "header page below RAM").to.equal(true);
      loadElf(image, bytes, mem, 'k0.elf');
      const qemu = readQemuMemory(['-M', 'virt', '-bios', 'none', '-kernel', k0], RAM_BASE, 16);
      expect(Array.from({ length: 16 }, (_, i) => mem.readU64(RAM_BASE + i * 8))).to.deep.equal(qemu);
    });

    it('refuses a segment entirely outside guest memory, naming its address', function () {
      const bytes = readFileSync(kfar);
      const image = parseElf(bytes, 'kfar.elf');
      const first = image.segments[0];
      if (first === undefined) throw new Error('no segment');
      expect(() => loadElf(image, bytes, ram(), 'kfar.elf')).to.throw(ElfError, `kfar.elf: ELF segment ${first.index} at 0x${first.paddr.toString(16)} (size 0x${first.memSize.toString(16)}) is outside guest memory`);
      expect(() => loadKernel(bytes, 'kfar.elf', RAM_BASE, 128 * MiB, ram())).to.throw(ImageLoadError, `kfar.elf: ELF segment ${first.index} at 0x${first.paddr.toString(16)} `);
    });
  });

  describe('loadKernel (QEMU 7.2 riscv_load_kernel)', function () {
    /** What QEMU reports as kernel_entry (fw_dynamic next_addr at 0x1038) and the first RAM words it loaded. */
    function qemuKernel(path: string): { entry: bigint; ram: bigint[] } {
      const rom = readQemuMemory(['-M', 'virt', '-bios', 'none', '-kernel', path], 0x1038, 1);
      return { entry: rom[0] ?? -1n, ram: readQemuMemory(['-M', 'virt', '-bios', 'none', '-kernel', path], RAM_BASE, 8) };
    }

    function ours(path: string): { result: ImageLoadResult; ram: bigint[] } {
      const mem = ram();
      const result = loadKernel(readFileSync(path), path, RAM_BASE, 128 * MiB, mem);
      return { result, ram: Array.from({ length: 8 }, (_, i) => mem.readU64(RAM_BASE + i * 8)) };
    }

    it('returns the lowest load address of an ELF (not e_entry), as QEMU does', function () {
      if (!hasTool(QEMU)) throw new Error('missing test prerequisite (.ci/run installs it): ' + '!hasTool(QEMU)');
      const { result } = ours(k200);
      expect(result.format).to.equal('elf');
      expect(result.address).to.equal(qemuKernel(k200).entry);
      expect(result.elfEntry).to.equal(parseElf(readFileSync(k200), 'k').entry);
    });

    it('refuses an ELF for another architecture (the issue asks for an error; QEMU would run it as raw bytes)', function () {
      const good = readFileSync(k200);
      const path = join(dir, 'x86-refused.elf');
      writeFileSync(path, Uint8Array.from(good, (b, i) => (i === 18 ? 62 : b)));
      expect(() => ours(path)).to.throw(/is not a RISC-V ELF \(e_machine 62\)/);
    });

    it('refuses a text file as a kernel (it would run as garbage instructions)', function () {
      const path = join(dir, 'readme.txt');
      writeFileSync(path, 'This is not a kernel.\nJust some text.\n'.repeat(20));
      expect(() => ours(path)).to.throw(/not a kernel image/);
    });

    it('loads damaged ELFs and binaries as raw images at the kernel start address, as QEMU does', function () {
      if (!hasTool(QEMU)) throw new Error('missing test prerequisite (.ci/run installs it): ' + '!hasTool(QEMU)');
      this.timeout(60_000);
      const good = readFileSync(k200);
      const variants: Record<string, Uint8Array> = {
        'truncated.elf': good.subarray(0, 3000),
        'be.elf': Uint8Array.from(good, (b, i) => (i === 5 ? 2 : b)),
        'plain.bin': new Uint8Array(4096).map((_, i) => (i * 7) & 0xff),
      };
      for (const [name, bytes] of Object.entries(variants)) {
        const path = join(dir, name);
        writeFileSync(path, bytes);
        const q = qemuKernel(path);
        const o = ours(path);
        expect(o.result.format, name).to.equal('raw');
        expect(o.result.address, name).to.equal(q.entry);
        expect(o.ram, name).to.deep.equal(q.ram);
      }
    });

    it('loads uImages (plain and gzip) at their load address and returns their entry, as QEMU does', function () {
      if (!hasTool(QEMU)) throw new Error('missing test prerequisite (.ci/run installs it): ' + '!hasTool(QEMU)');
      const payload = new Uint8Array(64).map((_, i) => i + 1);
      const images: Record<string, Uint8Array> = {
        'plain.uimg': uImage(payload, { load: RAM_BASE, entry: RAM_BASE + 0x10, type: 2, comp: 0 }),
        'gz.uimg': uImage(gzipSync(payload), { load: RAM_BASE, entry: RAM_BASE + 0x20, type: 2, comp: 1 }),
      };
      for (const [name, bytes] of Object.entries(images)) {
        const path = join(dir, name);
        writeFileSync(path, bytes);
        const q = qemuKernel(path);
        const o = ours(path);
        expect(o.result.format, name).to.equal('uimage');
        expect(o.result.address, name).to.equal(q.entry);
        expect(o.ram, name).to.deep.equal(q.ram);
      }
    });

    it('falls back to raw for a uImage of the wrong type, noting QEMU’s message', function () {
      const bytes = uImage(new Uint8Array(16), { load: RAM_BASE, entry: RAM_BASE, type: 3, comp: 0 });
      const result = loadKernel(bytes, 'rd.uimg', RAM_BASE + 2 * MiB, 128 * MiB, ram());
      expect([result.format, result.address, result.notes]).to.deep.equal(['raw', BigInt(RAM_BASE + 2 * MiB), ['Wrong image type 3, expected 2']]);
    });

    it('refuses an empty file or one larger than RAM with QEMU’s message', function () {
      if (!hasTool(QEMU)) throw new Error('missing test prerequisite (.ci/run installs it): ' + '!hasTool(QEMU)');
      const empty = join(dir, 'empty.bin');
      writeFileSync(empty, new Uint8Array(0));
      const big = new Uint8Array(16 * MiB + 1);
      expect(() => loadKernel(new Uint8Array(0), empty, RAM_BASE, 16 * MiB, ram(16 * MiB))).to.throw(ImageLoadError, `could not load kernel '${empty}'`);
      expect(() => loadKernel(big, 'big.bin', RAM_BASE, 16 * MiB, ram(16 * MiB))).to.throw(ImageLoadError, "could not load kernel 'big.bin'");
      expect(runQemu(['-M', 'virt', '-bios', 'none', '-display', 'none', '-kernel', empty]).stderr).to.equal(`qemu-system-riscv64: could not load kernel '${empty}'\n`);
    });

    it('refuses 32-bit RISC-V ELFs (QEMU would load them)', function () {
      expect(() => loadKernel(readFileSync(k32), 'k32.elf', RAM_BASE, 128 * MiB, ram())).to.throw(ImageLoadError, 'k32.elf: 32-bit RISC-V ELF images are not supported (QEMU would load them)');
    });
  });
});

