/**
 * The error of a boot problem the user caused (bad file, bad option value).
 * On its own so that code every thread loads (tracing) can throw it without
 * loading the boot-layout code (ELF loader, ROM) into the workers.
 */

/** A one-line boot problem; `message` is ready to print after "tsemu-system-riscv64: ". */
export class BootError extends Error {
  override readonly name = 'BootError';
}
