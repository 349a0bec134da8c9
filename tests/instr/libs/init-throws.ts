/* Test library: qi_init throws (the load must fail cleanly: one line, exit status 1). */
export function qi_init(): void {
  throw new Error('init-throws: refusing to start');
}

export function qi_fini(): void {}
