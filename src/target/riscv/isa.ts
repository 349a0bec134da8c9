/**
 * The optional extensions of the CPU (QEMU 7.2's `-cpu rv64` properties that tsemu models) and
 * what follows from them: the bit set the decoder checks (`featureBits`) and the device tree's
 * `riscv,isa` string (`isaString`, QEMU's riscv_isa_string).
 *
 * The base is fixed: RV64IMAFDC with S and U, as QEMU's rv64 without H (tsemu does not model the
 * hypervisor extension, which QEMU 7.2 enables by default).
 */

/** Multi-letter extensions in the order QEMU 7.2 writes them (isa_edata_arr). */
export const OPTIONAL_EXTENSIONS = [
  'zicsr', 'zifencei', 'zihintpause', 'zfh', 'zfhmin', 'zba', 'zbb', 'zbc', 'zbs', 'sstc', 'svinval', 'svpbmt',
] as const;

export type OptionalExtension = (typeof OPTIONAL_EXTENSIONS)[number];

/** Which optional extensions are on. */
export type CpuExtensions = Readonly<Record<OptionalExtension, boolean>>;

/** QEMU 7.2's rv64 defaults (target/riscv/cpu.c riscv_cpu_extensions). */
export const DEFAULT_EXTENSIONS: CpuExtensions = {
  zicsr: true, zifencei: true, zihintpause: true, zfh: false, zfhmin: false,
  zba: true, zbb: true, zbc: true, zbs: true, sstc: true, svinval: false, svpbmt: false,
};

/** Decoder feature bit of each extension: bit i is OPTIONAL_EXTENSIONS[i]. */
export function featureBit(ext: OptionalExtension): number {
  return 1 << OPTIONAL_EXTENSIONS.indexOf(ext);
}

/** Every extension on: what translators assume when nobody configured a CPU (linux-user, unit tests). */
export const ALL_FEATURES = (1 << OPTIONAL_EXTENSIONS.length) - 1;

export function featureBits(ext: CpuExtensions): number {
  let bits = 0;
  for (const name of OPTIONAL_EXTENSIONS) if (ext[name]) bits |= featureBit(name);
  // Zfh includes Zfhmin's instructions (QEMU 7.2's REQUIRE_ZFH_OR_ZFHMIN) without naming it in riscv,isa
  if (ext.zfh) bits |= featureBit('zfhmin');
  return bits;
}

/** The `riscv,isa` string QEMU 7.2 writes for these extensions (h omitted: see the file comment). */
export function isaString(ext: CpuExtensions): string {
  return ['rv64imafdc', ...OPTIONAL_EXTENSIONS.filter((name) => ext[name])].join('_');
}
