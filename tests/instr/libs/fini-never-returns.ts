/* Test library: qi_fini never returns (the unload, and the emulator's exit, must go on without it). */
export function qi_init(): void {}

export function qi_fini(): void {
  console.log('fini-never-returns: looping');
  for (;;) {
    // spin
  }
}
