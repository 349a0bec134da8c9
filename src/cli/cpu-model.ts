/**
 * `-cpu rv64[,PROP=VALUE...]`: QEMU 7.2's rv64 model and the properties of its CPU object, with
 * QEMU's messages for what QEMU rejects. tsemu models the extensions in CPU_EXTENSION_PROPS and
 * the base RV64IMAFDC with S and U; it has no H extension (QEMU's default has it: `h=true` is an
 * error here, `h=false` is what tsemu is anyway). Other properties QEMU has are accepted with
 * their default value only.
 */
import { optionError } from './option-error.js';

/** The extensions tsemu models, by the name src/target/riscv/isa.ts gives them. */
export type CpuExtensionName =
  | 'zicsr' | 'zifencei' | 'zihintpause' | 'zfh' | 'zfhmin' | 'zba' | 'zbb' | 'zbc' | 'zbs' | 'sstc' | 'svinval' | 'svpbmt';

export type CpuExtensionFlags = Readonly<Record<CpuExtensionName, boolean>>;

export interface CpuModel {
  readonly model: 'rv64';
  readonly extensions: CpuExtensionFlags;
}

/** QEMU's property name of each modelled extension, and its default in QEMU 7.2's rv64. */
const CPU_EXTENSION_PROPS: Readonly<Record<string, readonly [CpuExtensionName, boolean]>> = {
  Zicsr: ['zicsr', true], Zifencei: ['zifencei', true], Zihintpause: ['zihintpause', true],
  Zfh: ['zfh', false], Zfhmin: ['zfhmin', false],
  zba: ['zba', true], zbb: ['zbb', true], zbc: ['zbc', true], zbs: ['zbs', true],
  sstc: ['sstc', true], svinval: ['svinval', false], svpbmt: ['svpbmt', false],
};

/** Modelled extensions whose non-default value tsemu does not implement yet: what to say instead. */
const NOT_SWITCHABLE: Partial<Record<CpuExtensionName, string>> = {
  sstc: 'switching off Sstc (stimecmp)',
};

/**
 * QEMU 7.2's other boolean properties of rv64-riscv-cpu (`-device rv64-riscv-cpu,help`) and their
 * defaults: accepted when they keep the default.
 */
const OTHER_BOOL_PROPS: Readonly<Record<string, boolean>> = {
  Zve32f: false, Zve64f: false, a: true, c: true, d: true, debug: true, e: false, f: true, g: false, h: true,
  i: true, m: true, mmu: true, pmp: true, rvv_ma_all_1s: false, rvv_ta_all_1s: false, s: true,
  'short-isa-string': false, sscofpmf: false, u: true, v: false, 'x-epmp': false, 'x-j': false,
  'x-smaia': false, 'x-ssaia': false, xventanacondops: false, svnapot: false, zbkb: false, zbkc: false,
  zbkx: false, zdinx: false, zfinx: false, zhinx: false, zhinxmin: false, zk: false, zkn: false,
  zknd: false, zkne: false, zknh: false, zkr: false, zks: false, zksed: false, zksh: false, zkt: false,
  zmmul: false, 'start-powered-off': false,
};

/** QEMU 7.2's non-boolean properties: tsemu takes none of them. */
const OTHER_VALUE_PROPS: ReadonlySet<string> = new Set([
  'elen', 'marchid', 'mimpid', 'mvendorid', 'pmu-num', 'priv_spec', 'resetvec', 'vext_spec', 'vlen',
]);

/** What tsemu says instead of QEMU's default for a property it takes with its default only. */
const TSEMU_DEFAULT: Readonly<Record<string, boolean>> = { h: false };

export const DEFAULT_CPU_MODEL: CpuModel = { model: 'rv64', extensions: defaultExtensions() };

function defaultExtensions(): CpuExtensionFlags {
  const ext = {} as Record<CpuExtensionName, boolean>;
  for (const [name, def] of Object.values(CPU_EXTENSION_PROPS)) ext[name] = def;
  return ext;
}

/** QEMU's qapi_bool_parse: on/yes/true/y and off/no/false/n. */
function parseBool(value: string): boolean | undefined {
  if (['on', 'yes', 'true', 'y'].includes(value)) return true;
  if (['off', 'no', 'false', 'n'].includes(value)) return false;
  return undefined;
}

/** The CPU model and its extensions for `-cpu ARG` (undefined: QEMU's default rv64). */
export function parseCpuModel(arg: string | undefined): CpuModel {
  if (arg === undefined) return DEFAULT_CPU_MODEL;
  const [model = '', ...props] = arg.split(',');
  if (model !== 'rv64') throw optionError(undefined, `unable to find CPU model '${model}'`);
  const ext = { ...DEFAULT_CPU_MODEL.extensions } as Record<CpuExtensionName, boolean>;
  for (const prop of props) {
    if (prop === '') continue;
    const eq = prop.indexOf('=');
    if (eq < 0) throw optionError(undefined, `Expected key=value format, found ${prop}.`);
    applyProperty(ext, prop.slice(0, eq), prop.slice(eq + 1));
  }
  checkCombination(ext, arg);
  return { model: 'rv64', extensions: ext };
}

function applyProperty(ext: Record<CpuExtensionName, boolean>, key: string, value: string): void {
  const global = `can't apply global rv64-riscv-cpu.${key}=${value}`;
  const known = CPU_EXTENSION_PROPS[key] !== undefined || OTHER_BOOL_PROPS[key] !== undefined;
  if (!known && !OTHER_VALUE_PROPS.has(key)) throw optionError(undefined, `${global}: Property 'rv64-riscv-cpu.${key}' not found`);
  if (OTHER_VALUE_PROPS.has(key)) throw optionError(`-cpu rv64,${key}=${value}`, `CPU property '${key}' is not supported by tsemu`);
  const on = parseBool(value);
  if (on === undefined) throw optionError(undefined, `${global}: Parameter '${key}' expects 'on' or 'off'`);
  const modelled = CPU_EXTENSION_PROPS[key];
  if (modelled !== undefined) {
    ext[modelled[0]] = on;
    return;
  }
  if (key === 'h' && on) throw optionError(`-cpu rv64,${key}=${value}`, 'tsemu does not implement the H (hypervisor) extension');
  const keeps = TSEMU_DEFAULT[key] ?? OTHER_BOOL_PROPS[key];
  if (on !== keeps) throw optionError(`-cpu rv64,${key}=${value}`, `CPU property '${key}' can only be ${keeps ? 'on' : 'off'} in tsemu`);
}

/** After every property: QEMU's own consistency errors, then what tsemu cannot switch. */
function checkCombination(ext: CpuExtensionFlags, arg: string): void {
  if (!ext.zicsr) throw optionError(undefined, 'F extension requires Zicsr');
  for (const [name, what] of Object.entries(NOT_SWITCHABLE) as [CpuExtensionName, string][]) {
    if (ext[name] !== DEFAULT_CPU_MODEL.extensions[name]) throw optionError(`-cpu ${arg}`, `tsemu does not implement ${what}`);
  }
}
