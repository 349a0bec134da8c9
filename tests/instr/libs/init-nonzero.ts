/* Test library: qi_init returns non-zero (QEMU's "initialization returned non-zero"). */
export function qi_init(): number {
  return 3;
}

export function qi_fini(): void {}
