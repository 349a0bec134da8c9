/*
 * Test library (tests/instr/lifecycle.spec.ts): qi_fini returns a value that cannot be structured-
 * cloned (it holds a function). The other instances' values cannot reach qi_merge: one line says
 * so, naming them; qi_merge still runs, with the primary's value only.
 */
import type { QIInstanceResult } from 'tsemu/qemu-instr/types';

export function qi_init(): void {}

export function qi_fini(): { f: () => number } {
  return { f: () => 1 };
}

export function qi_merge(results: readonly QIInstanceResult[]): void {
  console.log(`uncopyable: merge got ${results.map((r) => r.instance).join(', ')}`);
}
