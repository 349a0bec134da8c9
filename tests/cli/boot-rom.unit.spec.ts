/**
 * The reset-vector ROM: its code as riscv64-unknown-elf-objdump disassembled it, its data laid out
 * as OpenSBI's struct fw_dynamic_info, and the whole thing compared with QEMU 7.2's MROM. The
 * tools' answers are the committed transcripts tests/transcripts/cli/boot-rom/*
 * (boot-rom.oracle.spec.ts records and checks them live; boot-rom-cases.ts is the recipe).
 */
import { expect } from 'chai';
import { BOOT_ROM_SIZE, buildResetVectorRom } from '../../src/machine/boot-rom.js';
import { readTranscript } from '../support/transcripts.js';
import { CODE_BYTES, EXPECTED_INSNS, KEYS, MROM_BYTES, MROM_PARAMS, ourRom, PARAMS, type Disassembly, type Mrom } from './boot-rom-cases.js';
import { hex } from './qemu-oracle.js';

describe('machine/boot-rom', function () {
  it('is the reset vector of QEMU’s riscv_setup_rom_reset_vec (disassembled by objdump, transcript)', function () {
    const d = readTranscript<Disassembly>(KEYS.objdump);
    // objdump disassembled exactly the code tsemu builds now...
    expect(hex(buildResetVectorRom(PARAMS).subarray(0, CODE_BYTES)), 'ROM code (record the transcript again if it changed on purpose)').to.equal(d.code);
    // ...and read QEMU's instructions in it.
    expect(d.insns).to.deep.equal(EXPECTED_INSNS);
  });

  it('holds start/FDT addresses and fw_dynamic_info {magic, version 2, next_addr, next_mode S, options 0, boot_hart 0}', function () {
    const rom = buildResetVectorRom(PARAMS);
    expect(rom.length).to.equal(BOOT_ROM_SIZE);
    const v = new DataView(rom.buffer);
    const dwords = Array.from({ length: (rom.length - 24) / 8 }, (_, i) => v.getBigUint64(24 + i * 8, true));
    // addi a2,t0,40 points at offset 0x28, where OpenSBI's fw_dynamic_info starts.
    expect(dwords).to.deep.equal([0x80000000n, 0x87e00000n, 0x4942534fn, 2n, 0x80200000n, 1n, 0n, 0n]);
    // 64-bit values are stored whole (QEMU stores the high halves too).
    const high = buildResetVectorRom({ startAddr: 0x1_2000_0000n, fdtAddr: 0x1_3000_0000n, kernelEntry: -2n });
    const hv = new DataView(high.buffer);
    expect([hv.getBigUint64(24, true), hv.getBigUint64(32, true), hv.getBigUint64(56, true)]).to.deep.equal([0x1_2000_0000n, 0x1_3000_0000n, 0xffff_ffff_ffff_fffen]);
  });

  it('matches the MROM QEMU builds (read back with pmemsave), zeros after it included (transcript)', function () {
    const q = readTranscript<Mrom>(KEYS.mrom);
    expect(hex(ourRom(MROM_PARAMS, MROM_BYTES))).to.equal(q.rom);
  });
});
