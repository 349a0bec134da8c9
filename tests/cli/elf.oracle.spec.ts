/**
 * Oracle tier of the ELF/kernel-loading tests: riscv64-unknown-elf-readelf on the committed
 * k200.elf, and QEMU 7.2 loading the images of elf-cases.ts (memory read back with the monitor's
 * pmemsave), recorded into and checked against tests/transcripts/cli/elf/*, which elf.spec.ts
 * holds tsemu to. Keeps the checks the old test made on the tools' side (more than one PT_LOAD,
 * QEMU's status and message for an empty kernel).
 */
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { expect } from 'chai';
import { requireTool } from '../support/tools.js';
import { verifyTranscript } from '../support/transcripts.js';
import {
  K0, K0_WORDS, K200, KERNEL_ENTRY_ADDR, kernelArgs, KEYS, loadSpan, makeDir, parseReadelfFunctions, parseReadelfHeader, RAM_BASE, RAM_WORDS,
  rawFallbackImages, removeDir, uImages, writeImages, type KernelLoad, type MemoryDump,
} from './elf-cases.js';
import { hex, portable, QEMU, READELF, readQemuBytes, readQemuMemory, runQemu, runTool } from './qemu-oracle.js';

const PMEMSAVE = ['-S', '-display', 'none', '-nodefaults', '-monitor', 'stdio'];

describe('machine/elf: readelf and QEMU 7.2 live (oracle)', function () {
  let dir = '';

  before(function () {
    dir = makeDir();
  });
  after(function () {
    removeDir(dir);
  });

  /** QEMU's kernel_entry (fw_dynamic next_addr in its ROM) and the first RAM words it loaded. */
  function qemuKernel(name: string, path: string): KernelLoad {
    const [entry] = readQemuMemory(kernelArgs(path), KERNEL_ENTRY_ADDR, 1);
    if (entry === undefined) throw new Error('no kernel entry read');
    return { name, entry: `0x${entry.toString(16)}`, ram: hex(readQemuBytes(kernelArgs(path), RAM_BASE, RAM_WORDS * 8)) };
  }

  it('readelf: the entry point and PT_LOAD segments of k200.elf', function () {
    requireTool(READELF);
    const header = parseReadelfHeader(runTool(READELF, ['-hlW', K200]));
    expect(header.loads.length).to.be.greaterThan(1);
    verifyTranscript(KEYS.readelfHeader, header, [READELF, '-hlW', K200], READELF);
  });

  it('readelf: the function symbols of k200.elf', function () {
    requireTool(READELF);
    const funcs = parseReadelfFunctions(runTool(READELF, ['-sW', K200]));
    expect(funcs.map((f) => f.name)).to.deep.equal(['_start', 'helper', 'tail', 'local_fn']);
    verifyTranscript(KEYS.readelfSymbols, funcs, [READELF, '-sW', K200], READELF);
  });

  it('QEMU: the memory k200.elf occupies once loaded (its PT_LOAD span, per readelf)', function () {
    requireTool(QEMU, READELF);
    const { low, high } = loadSpan(parseReadelfHeader(runTool(READELF, ['-hlW', K200])));
    const live: MemoryDump = { addr: low, length: high - low, bytes: hex(readQemuBytes(kernelArgs(K200), low, high - low)) };
    verifyTranscript(KEYS.loadK200, live, [QEMU, ...PMEMSAVE, ...kernelArgs(K200), `< pmemsave 0x${low.toString(16)} ${high - low} FILE`]);
  });

  it('QEMU: the start of RAM after loading k0.elf (a segment starting below RAM)', function () {
    requireTool(QEMU);
    const live: MemoryDump = { addr: RAM_BASE, length: K0_WORDS * 8, bytes: hex(readQemuBytes(kernelArgs(K0), RAM_BASE, K0_WORDS * 8)) };
    verifyTranscript(KEYS.loadK0, live, [QEMU, ...PMEMSAVE, ...kernelArgs(K0), `< pmemsave 0x${RAM_BASE.toString(16)} ${K0_WORDS * 8} FILE`]);
  });

  const entryCommand = (path: string): string[] => [QEMU, ...PMEMSAVE, ...kernelArgs(path), `< pmemsave 0x${KERNEL_ENTRY_ADDR.toString(16)} 8 FILE; pmemsave 0x${RAM_BASE.toString(16)} ${RAM_WORDS * 8} FILE`];

  it('QEMU: the kernel entry it computes for k200.elf', function () {
    requireTool(QEMU);
    verifyTranscript(KEYS.kernelK200, [qemuKernel('k200.elf', K200)], entryCommand(K200));
  });

  it('QEMU: damaged ELFs and a binary loaded as raw images', function () {
    this.timeout(60_000);
    requireTool(QEMU);
    const live = Object.entries(writeImages(dir, rawFallbackImages())).map(([name, path]) => qemuKernel(name, path));
    verifyTranscript(KEYS.rawFallback, live, entryCommand('$DIR/NAME (each entry)'));
  });

  it('QEMU: uImages (plain and gzip) loaded at their load address', function () {
    requireTool(QEMU);
    const live = Object.entries(writeImages(dir, uImages())).map(([name, path]) => qemuKernel(name, path));
    verifyTranscript(KEYS.uImages, live, entryCommand('$DIR/NAME (each entry)'));
  });

  it('QEMU: an empty kernel file is refused', function () {
    requireTool(QEMU);
    const empty = join(dir, 'empty.bin');
    writeFileSync(empty, new Uint8Array(0));
    const args = ['-M', 'virt', '-bios', 'none', '-display', 'none', '-kernel', empty];
    const r = runQemu(args);
    expect(r.stderr).to.equal(`qemu-system-riscv64: could not load kernel '${empty}'\n`);
    expect(r.status).to.equal(1);
    verifyTranscript(KEYS.emptyKernel, { status: r.status, stderr: portable(r.stderr, dir) }, [QEMU, ...args]);
  });
});
