/**
 * ELF parsing and the -kernel loading policy, on the committed images of tests/cli/images
 * (kernel.S). Headers and symbols are checked against what riscv64-unknown-elf-readelf printed,
 * and what lands in memory against what QEMU 7.2 put there (read back through its monitor): both
 * kept in the committed transcripts tests/transcripts/cli/elf/* (elf.oracle.spec.ts records and
 * checks them live; elf-cases.ts is the recipe both share).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { ElfError, ImageLoadError, loadKernel, loadElf, lookupFunctionSymbol, parseElf, type ImageLoadResult } from '../../src/machine/elf.js';
import { readTranscript } from '../support/transcripts.js';
import { hex, local } from './qemu-oracle.js';
import {
  K0, K0_WORDS, K200, K32, KEYS, KFAR, loadSpan, makeDir, MiB, RAM_BASE, RAM_WORDS, rawFallbackImages, removeDir, uImage, uImages, writeImages,
  type FunctionSymbol, type KernelLoad, type MemoryDump, type ReadelfHeader,
} from './elf-cases.js';
import { SparseMemory } from './sparse-memory.js';

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

describe('machine/elf', function () {
  let dir = '';
  const k200 = K200;
  const k0 = K0;
  const kfar = KFAR;
  const k32 = K32;

  before(function () {
    dir = makeDir();
  });
  after(function () {
    removeDir(dir);
  });

  describe('parseElf', function () {
    it('reads the entry point and PT_LOAD segments as readelf does (transcript)', function () {
      const image = parseElf(readFileSync(k200), 'k200.elf');
      const header = readTranscript<ReadelfHeader>(KEYS.readelfHeader);
      expect(image.entry).to.equal(BigInt(header.entry));
      const loads = header.loads.map((l) => ({ ...l, vaddr: BigInt(l.vaddr), paddr: BigInt(l.paddr) }));
      expect(loads.length).to.be.greaterThan(1);
      expect(image.segments.map((s) => ({ fileOffset: s.fileOffset, vaddr: s.vaddr, paddr: s.paddr, fileSize: s.fileSize, memSize: s.memSize }))).to.deep.equal(loads);
    });

    it('keeps the function symbols QEMU keeps (STT_FUNC, defined), sorted, zero sizes widened (readelf transcript)', function () {
      const image = parseElf(readFileSync(k200), 'k200.elf');
      const funcs = readTranscript<FunctionSymbol[]>(KEYS.readelfSymbols);
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
    it('places segments (zero-filled bss) exactly where QEMU does (transcript)', function () {
      const q = readTranscript<MemoryDump>(KEYS.loadK200);
      const span = loadSpan(readTranscript<ReadelfHeader>(KEYS.readelfHeader));
      expect([q.addr, q.length]).to.deep.equal([span.low, span.high - span.low]);
      const mem = ram();
      const result = loadElf(parseElf(readFileSync(k200), 'k200.elf'), readFileSync(k200), mem, 'k200.elf');
      expect([result.low, result.high], 'lowest and one-past-highest loaded address').to.deep.equal([BigInt(span.low), BigInt(span.high)]);
      expect(hex(mem.read(q.addr, q.length))).to.equal(q.bytes);
    });

    it('keeps the in-RAM part of a segment that starts below RAM, like QEMU (transcript)', function () {
      const q = readTranscript<MemoryDump>(KEYS.loadK0);
      expect([q.addr, q.length]).to.deep.equal([RAM_BASE, K0_WORDS * 8]);
      const mem = ram();
      const bytes = readFileSync(k0);
      const image = parseElf(bytes, 'k0.elf');
      expect((image.segments[0]?.paddr ?? 0n) < BigInt(RAM_BASE), "header page below RAM").to.equal(true);
      loadElf(image, bytes, mem, 'k0.elf');
      expect(hex(mem.read(RAM_BASE, K0_WORDS * 8))).to.equal(q.bytes);
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
    /** What QEMU made of a kernel (transcript entry by file name). */
    function qemuKernel(key: string, name: string): KernelLoad {
      const q = readTranscript<KernelLoad[]>(key).find((e) => e.name === name);
      if (q === undefined) throw new Error(`tests/transcripts/${key}.json has no entry for ${name}: record it again (TSEMU_RECORD_TRANSCRIPTS=1)`);
      return q;
    }

    function ours(path: string): { result: ImageLoadResult; ram: string } {
      const mem = ram();
      const result = loadKernel(readFileSync(path), path, RAM_BASE, 128 * MiB, mem);
      return { result, ram: hex(mem.read(RAM_BASE, RAM_WORDS * 8)) };
    }

    it('returns the lowest load address of an ELF (not e_entry), as QEMU does (transcript)', function () {
      const { result } = ours(k200);
      expect(result.format).to.equal('elf');
      expect(result.address).to.equal(BigInt(qemuKernel(KEYS.kernelK200, 'k200.elf').entry));
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

    it('loads damaged ELFs and binaries as raw images at the kernel start address, as QEMU does (transcript)', function () {
      for (const [name, path] of Object.entries(writeImages(dir, rawFallbackImages()))) {
        const q = qemuKernel(KEYS.rawFallback, name);
        const o = ours(path);
        expect(o.result.format, name).to.equal('raw');
        expect(o.result.address, name).to.equal(BigInt(q.entry));
        expect(o.ram, name).to.equal(q.ram);
      }
    });

    it('loads uImages (plain and gzip) at their load address and returns their entry, as QEMU does (transcript)', function () {
      for (const [name, path] of Object.entries(writeImages(dir, uImages()))) {
        const q = qemuKernel(KEYS.uImages, name);
        const o = ours(path);
        expect(o.result.format, name).to.equal('uimage');
        expect(o.result.address, name).to.equal(BigInt(q.entry));
        expect(o.ram, name).to.equal(q.ram);
      }
    });

    it('falls back to raw for a uImage of the wrong type, noting QEMU’s message', function () {
      const bytes = uImage(new Uint8Array(16), { load: RAM_BASE, entry: RAM_BASE, type: 3, comp: 0 });
      const result = loadKernel(bytes, 'rd.uimg', RAM_BASE + 2 * MiB, 128 * MiB, ram());
      expect([result.format, result.address, result.notes]).to.deep.equal(['raw', BigInt(RAM_BASE + 2 * MiB), ['Wrong image type 3, expected 2']]);
    });

    it('refuses an empty file or one larger than RAM with QEMU’s message (transcript)', function () {
      const empty = join(dir, 'empty.bin');
      writeFileSync(empty, new Uint8Array(0));
      const big = new Uint8Array(16 * MiB + 1);
      expect(() => loadKernel(new Uint8Array(0), empty, RAM_BASE, 16 * MiB, ram(16 * MiB))).to.throw(ImageLoadError, `could not load kernel '${empty}'`);
      expect(() => loadKernel(big, 'big.bin', RAM_BASE, 16 * MiB, ram(16 * MiB))).to.throw(ImageLoadError, "could not load kernel 'big.bin'");
      const q = readTranscript<{ status: number | null; stderr: string }>(KEYS.emptyKernel);
      expect(local(q.stderr, dir)).to.equal(`qemu-system-riscv64: could not load kernel '${empty}'\n`);
      expect(q.status).to.equal(1);
    });

    it('refuses 32-bit RISC-V ELFs (QEMU would load them)', function () {
      expect(() => loadKernel(readFileSync(k32), 'k32.elf', RAM_BASE, 128 * MiB, ram())).to.throw(ImageLoadError, 'k32.elf: 32-bit RISC-V ELF images are not supported (QEMU would load them)');
    });
  });
});

