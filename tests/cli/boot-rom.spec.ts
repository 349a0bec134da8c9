/**
 * The reset-vector ROM: its code disassembled with the GNU toolchain, its data laid out
 * as OpenSBI's struct fw_dynamic_info, and the whole thing compared with QEMU 7.2's MROM.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { BOOT_ROM_SIZE, buildResetVectorRom } from '../../src/machine/boot-rom.js';
import { hasTool, makeTempDir, OBJDUMP, QEMU, readQemuBytes, runTool } from './qemu-oracle.js';

const PARAMS = { startAddr: 0x80000000, fdtAddr: 0x87e00000, kernelEntry: 0x80200000n };

describe('machine/boot-rom', function () {
  it('is the reset vector of QEMU’s riscv_setup_rom_reset_vec (disassembled by objdump)', function () {
    if (!hasTool(OBJDUMP)) throw new Error('missing test prerequisite (.ci/run installs it): ' + '!hasTool(OBJDUMP)');
    const dir = makeTempDir('rom');
    try {
      const file = join(dir, 'rom.bin');
      writeFileSync(file, buildResetVectorRom(PARAMS));
      const text = runTool(OBJDUMP, ['-b', 'binary', '-m', 'riscv:rv64', '-D', '--adjust-vma=0x1000', '--stop-address=0x1018', file]);
      const insns = [...text.matchAll(/^\s+([0-9a-f]+):\s+[0-9a-f]{8}\s+(\S+)\s+(\S+)/gm)].map((m) => `${m[1] ?? ''} ${m[2] ?? ''} ${m[3] ?? ''}`);
      // QEMU's comments: auipc t0,%pcrel_hi(fw_dyn); addi a2,t0,%pcrel_lo(1b); csrr a0,mhartid; ld a1,32(t0); ld t0,24(t0); jr t0
      expect(insns).to.deep.equal(['1000 auipc t0,0x0', '1004 add a2,t0,40', '1008 csrr a0,mhartid', '100c ld a1,32(t0)', '1010 ld t0,24(t0)', '1014 jr t0']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
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

  it('matches the MROM QEMU builds (read back with pmemsave), zeros after it included', function () {
    if (!hasTool(QEMU)) throw new Error('missing test prerequisite (.ci/run installs it): ' + '!hasTool(QEMU)');
    const qemu = readQemuBytes(['-M', 'virt', '-bios', 'none'], 0x1000, 0x200);
    const ours = new Uint8Array(0x200);
    ours.set(buildResetVectorRom({ startAddr: 0x80000000, fdtAddr: 0x87e00000, kernelEntry: 0 }));
    expect(Array.from(ours)).to.deep.equal(Array.from(qemu));
  });
});
