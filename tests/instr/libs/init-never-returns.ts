/* Test library: qi_init announces itself, then never returns (the watchdog must end the call). */
export function qi_init(): void {
  console.log('init-never-returns: looping');
  for (;;) {
    // spin: no await, no I/O, nothing an event loop could interrupt
  }
}

export function qi_fini(): void {}
