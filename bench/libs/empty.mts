/*
 * An instrumentation library that loads and enables nothing: what merely
 * having a library loaded costs (bench section instr-overhead, row "empty").
 */
export function qi_init(): void {
  /* nothing to set up: no callback, no event enabled */
}

export function qi_fini(): void {
  /* nothing to report */
}
