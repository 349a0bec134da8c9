/**
 * The virt machine's reset-vector ROM, byte for byte as QEMU 7.2's
 * riscv_setup_rom_reset_vec() and riscv_rom_copy_firmware_info() (hw/riscv/boot.c)
 * build it for RV64:
 *
 *   0x00  auipc t0, 0            t0 = ROM base
 *   0x04  addi  a2, t0, 40       a2 = &fw_dynamic_info (OpenSBI's fw_dynamic reads it)
 *   0x08  csrr  a0, mhartid      a0 = hart id
 *   0x0c  ld    a1, 32(t0)       a1 = FDT address
 *   0x10  ld    t0, 24(t0)       t0 = start address
 *   0x14  jr    t0
 *   0x18  .dword start_addr
 *   0x20  .dword fdt_addr
 *   0x28  struct fw_dynamic_info { magic, version, next_addr, next_mode, options, boot_hart } (6 x u64)
 *
 * Every hart runs it; the rest of the 0xf000-byte MROM stays zero.
 */

/** Bytes of instructions plus the two address dwords ("mrom.reset" in QEMU). */
export const RESET_VECTOR_SIZE = 40;
/** sizeof(struct fw_dynamic_info) on RV64 ("mrom.finfo" in QEMU). */
export const FW_DYNAMIC_INFO_SIZE = 48;
export const BOOT_ROM_SIZE = RESET_VECTOR_SIZE + FW_DYNAMIC_INFO_SIZE;

/** OpenSBI's fw_dynamic_info magic ("OSBI" little-endian) and the version QEMU 7.2 writes. */
export const FW_DYNAMIC_INFO_MAGIC = 0x4942534fn;
export const FW_DYNAMIC_INFO_VERSION = 2n;
/** fw_dynamic_info.next_mode: QEMU always asks for S-mode. */
export const FW_DYNAMIC_INFO_NEXT_MODE_S = 1n;

const RESET_CODE_RV64 = [
  0x00000297, // auipc t0, %pcrel_hi(fw_dyn)
  0x02828613, // addi  a2, t0, %pcrel_lo(1b)
  0xf1402573, // csrr  a0, mhartid
  0x0202b583, // ld    a1, 32(t0)
  0x0182b283, // ld    t0, 24(t0)
  0x00028067, // jr    t0
] as const;

export interface BootRomParams {
  /** Where the harts jump after the ROM: the DRAM base on virt (with or without firmware). */
  readonly startAddr: number | bigint;
  /** The device tree, passed in a1. */
  readonly fdtAddr: number | bigint;
  /** fw_dynamic_info.next_addr: QEMU's kernel_entry (0 without -kernel). */
  readonly kernelEntry: number | bigint;
}

/** Returns the 88 ROM bytes to place at the MROM base (0x1000). */
export function buildResetVectorRom(params: BootRomParams): Uint8Array {
  const rom = new Uint8Array(BOOT_ROM_SIZE);
  const view = new DataView(rom.buffer);
  RESET_CODE_RV64.forEach((insn, i) => view.setUint32(i * 4, insn, true));
  const u64 = (v: number | bigint): bigint => BigInt.asUintN(64, BigInt(v));
  view.setBigUint64(24, u64(params.startAddr), true);
  view.setBigUint64(32, u64(params.fdtAddr), true);
  const info = [FW_DYNAMIC_INFO_MAGIC, FW_DYNAMIC_INFO_VERSION, u64(params.kernelEntry), FW_DYNAMIC_INFO_NEXT_MODE_S, 0n /* options */, 0n /* boot_hart */];
  info.forEach((v, i) => view.setBigUint64(RESET_VECTOR_SIZE + i * 8, v, true));
  return rom;
}
