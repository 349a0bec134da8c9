/**
 * The contract every benchmark section implements. `run.ts` runs a list of
 * sections (see `sections.ts`) and prints their rows side by side; a new
 * benchmark (SMP scaling, tracing overhead, ...) is one more `BenchSection`.
 */
import type { EmulatorCommand } from './emulators.js';

/** What a section gets to work with. */
export interface BenchContext {
  /** Absolute path of the repository root (for guest images, bin/, ...). */
  readonly repoRoot: string;
  /** How many times each measurement is repeated; sections report the median. */
  readonly repeats: number;
  readonly tsemu: EmulatorCommand;
  /** null when qemu-system-riscv64 is not installed (or disabled with --no-qemu). */
  readonly qemu: EmulatorCommand | null;
  /** Progress note for the user; goes to stderr so stdout stays table + JSON. */
  progress(message: string): void;
}

/** A performance goal a row is checked against. */
export interface Target {
  /** Human description, e.g. ">= 0.10 (aim 0.25)". */
  readonly text: string;
  /** null when it cannot be judged (a figure is missing). */
  readonly met: boolean | null;
}

/** One figure, measured on both emulators when that makes sense. */
export interface BenchRow {
  /** Stable machine-readable key, unique within its section, e.g. "int.mips". */
  readonly id: string;
  readonly label: string;
  /** Unit of the tsemu and qemu columns, e.g. "MIPS", "s", "MiB". */
  readonly unit: string;
  /** Median figures; null prints as "n/a". */
  readonly tsemu: number | null;
  readonly qemu: number | null;
  /** Usually tsemu / qemu; the section decides (null when meaningless). */
  readonly ratio: number | null;
  /** Digits after the decimal point for the tsemu/qemu columns. */
  readonly decimals: number;
  readonly target?: Target;
  /** Every repetition's figure, for the JSON output. */
  readonly samples?: { readonly tsemu: readonly number[]; readonly qemu: readonly number[] };
}

export interface SectionResult {
  readonly rows: readonly BenchRow[];
  /** Problems worth shouting about (checksum mismatch, failed runs, ...). */
  readonly warnings: readonly string[];
}

export interface BenchSection {
  /** Short key used by `--only` and in the JSON output. */
  readonly id: string;
  readonly title: string;
  run(ctx: BenchContext): Promise<SectionResult>;
}
