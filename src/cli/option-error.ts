/** The name this program reports itself as, where QEMU says "qemu-system-riscv64". */
export const PROGRAM_NAME = 'tsemu-system-riscv64';

/**
 * A command-line problem. `message` is exactly what to print on stderr (it already
 * starts with the program name); the caller prints it and exits with status 1.
 * A handful of QEMU messages carry a hint on a second line; those keep it.
 */
export class OptionError extends Error {
  override readonly name = 'OptionError';
}

/** Builds `tsemu-system-riscv64: <where>: <what>` the way QEMU's error_report() does with a location. */
export function optionError(where: string | undefined, what: string): OptionError {
  return new OptionError(where === undefined ? `${PROGRAM_NAME}: ${what}` : `${PROGRAM_NAME}: ${where}: ${what}`);
}

/** Same shape as an error, for warn_report(): `tsemu-system-riscv64: <where>: warning: <what>`. */
export function optionWarning(where: string | undefined, what: string): string {
  return where === undefined ? `${PROGRAM_NAME}: warning: ${what}` : `${PROGRAM_NAME}: ${where}: warning: ${what}`;
}
