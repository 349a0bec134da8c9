/* Test library: says it has loaded, and does nothing else. */
export function qi_init(): void {
  console.log('announce: loaded');
}

export function qi_fini(): void {}
