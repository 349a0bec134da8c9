/**
 * `-smp` topology, following QEMU 7.2's machine_parse_smp_config()
 * (hw/core/machine-smp.c) for a machine without dies or clusters, then
 * tsemu's own limits. QEMU does this arithmetic in C `unsigned`, so it is
 * mirrored here in uint32 arithmetic (a `-smp -1` reports "-1" like QEMU).
 */
import type { OptParam } from './qemu-opts.js';
import { optionError, optionWarning } from './option-error.js';

export interface SmpTopology {
  /** vCPUs present at boot. */
  readonly cpus: number;
  /** Upper bound including CPUs that may be hot-plugged later. */
  readonly maxCpus: number;
  readonly sockets: number;
  readonly cores: number;
  readonly threads: number;
}

/** tsemu limits: harts started at boot, and the total a machine may ever have. */
export const MAX_BOOT_CPUS = 8;
export const MAX_CPUS = 16;

const SMP_KEYS = ['cpus', 'maxcpus', 'sockets', 'dies', 'clusters', 'cores', 'threads'] as const;
type SmpKey = (typeof SMP_KEYS)[number];
type SmpConfig = Partial<Record<SmpKey, number>>;

function isSmpKey(key: string): key is SmpKey {
  return (SMP_KEYS as readonly string[]).includes(key);
}

/** QAPI integer visitor: optional sign then decimal digits (QEMU also takes 0x-hex). */
function parseSmpInteger(key: string, value: string): number {
  const text = value.trim();
  if (!/^[+-]?(0[xX][0-9a-fA-F]+|[0-9]+)$/.test(text)) throw optionError(undefined, `Parameter 'smp.${key}' expects integer`);
  const negative = text.startsWith('-');
  const magnitude = BigInt(text.replace(/^[+-]/, ''));
  // QEMU stores the int64 into an `unsigned`: keep the low 32 bits.
  return Number(BigInt.asUintN(32, negative ? -magnitude : magnitude));
}

/** Collects the keys of all -smp options (later ones override earlier ones, as keyval_merge does). */
export function collectSmpConfig(params: readonly OptParam[]): SmpConfig {
  const config: SmpConfig = {};
  for (const { key, value } of params) {
    if (!isSmpKey(key)) throw optionError(undefined, `Parameter 'smp.${key}' is unexpected`);
    config[key] = parseSmpInteger(key, value);
  }
  return config;
}

const u32 = (n: number): number => n >>> 0;
const mul = (a: number, b: number): number => u32(Math.imul(a, b));
const div = (a: number, b: number): number => (b === 0 ? 0 : Math.floor(u32(a) / u32(b)));
/** printf("%d") of an unsigned value, as QEMU's messages do. */
const asSigned = (n: number): number => n | 0;

function hierarchy(sockets: number, cores: number, threads: number): string {
  return `sockets (${sockets}) * cores (${cores}) * threads (${threads})`;
}

/**
 * Computes the topology from the merged -smp keys; `warnings` receives QEMU's
 * deprecation warning for zero values. Throws OptionError with QEMU's messages.
 */
export function resolveSmp(config: SmpConfig, warnings: string[]): SmpTopology {
  const given = (k: SmpKey): number => config[k] ?? 0;
  if (SMP_KEYS.some((k) => config[k] === 0)) {
    warnings.push(optionWarning(undefined, 'Deprecated CPU topology (considered invalid): CPU topology parameters must be greater than zero'));
  }
  if (given('dies') > 1) throw optionError(undefined, "dies not supported by this machine's CPU topology");
  if (given('clusters') > 1) throw optionError(undefined, "clusters not supported by this machine's CPU topology");

  let cpus = given('cpus');
  let maxCpus = given('maxcpus');
  let sockets = given('sockets');
  let cores = given('cores');
  let threads = given('threads');
  if (cpus === 0 && maxCpus === 0) {
    sockets = sockets || 1;
    cores = cores || 1;
    threads = threads || 1;
  } else {
    maxCpus = maxCpus || cpus;
    // QEMU >= 6.2 prefers cores over sockets when filling in omitted values.
    if (cores === 0) {
      sockets = sockets || 1;
      threads = threads || 1;
      cores = div(maxCpus, mul(sockets, threads));
    } else if (sockets === 0) {
      threads = threads || 1;
      sockets = div(maxCpus, mul(cores, threads));
    }
    if (threads === 0) threads = div(maxCpus, mul(sockets, cores));
  }
  const product = mul(mul(sockets, cores), threads);
  maxCpus = maxCpus || product;
  cpus = cpus || maxCpus;

  if (product !== maxCpus) {
    throw optionError(undefined, `Invalid CPU topology: product of the hierarchy must match maxcpus: ${hierarchy(sockets, cores, threads)} != maxcpus (${maxCpus})`);
  }
  if (maxCpus < cpus) {
    throw optionError(
      undefined,
      `Invalid CPU topology: maxcpus must be equal to or greater than smp: ${hierarchy(sockets, cores, threads)} == maxcpus (${maxCpus}) < smp_cpus (${cpus})`,
    );
  }
  if (maxCpus > MAX_CPUS) {
    throw optionError(undefined, `Invalid SMP CPUs ${asSigned(maxCpus)}. The max CPUs supported by machine 'virt' is ${MAX_CPUS}`);
  }
  if (cpus > MAX_BOOT_CPUS) {
    throw optionError(undefined, `Invalid SMP CPUs ${asSigned(cpus)}. The max CPUs supported at boot by machine 'virt' is ${MAX_BOOT_CPUS}`);
  }
  return { cpus, maxCpus, sockets, cores, threads };
}
