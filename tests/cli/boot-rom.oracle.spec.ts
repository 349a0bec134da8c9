/**
 * Oracle tier of the reset-vector ROM tests: riscv64-unknown-elf-objdump disassembles the code
 * tsemu builds (it must be QEMU's six instructions), and QEMU 7.2's MROM is read back with
 * pmemsave; both recorded into and checked against tests/transcripts/cli/boot-rom/*.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { buildResetVectorRom } from '../../src/machine/boot-rom.js';
import { makeTempDir, requireTool } from '../support/tools.js';
import { verifyTranscript } from '../support/transcripts.js';
import { CODE_BYTES, EXPECTED_INSNS, KEYS, MROM_ARGS, MROM_BYTES, OBJDUMP_ARGS, parseObjdump, PARAMS, type Disassembly, type Mrom } from './boot-rom-cases.js';
import { hex, OBJDUMP, QEMU, readQemuBytes, runTool } from './qemu-oracle.js';

describe('machine/boot-rom: objdump and QEMU 7.2 live (oracle)', function () {
  it('objdump reads QEMU’s reset-vector instructions in tsemu’s ROM', function () {
    requireTool(OBJDUMP);
    const dir = makeTempDir('rom');
    try {
      const file = join(dir, 'rom.bin');
      const rom = buildResetVectorRom(PARAMS);
      writeFileSync(file, rom);
      const insns = parseObjdump(runTool(OBJDUMP, [...OBJDUMP_ARGS, file]));
      expect(insns).to.deep.equal(EXPECTED_INSNS);
      const live: Disassembly = { code: hex(rom.subarray(0, CODE_BYTES)), insns };
      verifyTranscript(KEYS.objdump, live, [OBJDUMP, ...OBJDUMP_ARGS, '$TMP/rom.bin (tsemu’s ROM for start 0x80000000, FDT 0x87e00000, kernel 0x80200000)'], OBJDUMP);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('QEMU’s MROM (0x200 bytes at 0x1000, pmemsave)', function () {
    requireTool(QEMU);
    const live: Mrom = { rom: hex(readQemuBytes(MROM_ARGS, 0x1000, MROM_BYTES)) };
    verifyTranscript(KEYS.mrom, live, [QEMU, '-S', '-display', 'none', '-nodefaults', '-monitor', 'stdio', ...MROM_ARGS, `< pmemsave 0x1000 ${MROM_BYTES} FILE`]);
  });
});
