/**
 * Public types of the instrumentation API (the analogue of the document's
 * qemu-instr/*.h headers). Everything here is stable API.
 */

/**
 * A virtual CPU. In a translation-level callback it is the vCPU whose request
 * caused the translation; in an execution-level or vCPU event it is the vCPU
 * that executes the code or that the event is about. `index` is QEMU's
 * cpu_index (equal to the hart id on `virt`), printed as `cpu=0x<index>` by
 * the trace backends.
 */
export interface QICPU {
  readonly index: number;
}

/**
 * A guest value that is only known when the translated code runs (QEMU's
 * TCGv): the address of a memory access, for instance. It is only valid
 * during the translation callback that received it; pass it on to a
 * `qi_event_*_gen_exec` call to receive its run-time value (a bigint) in the
 * execution-level callback.
 */
export interface QITCGv {
  readonly __brand: 'QITCGv';
}

/**
 * "The vCPU that will execute this code", as a translation-time value (QEMU's
 * TCGv_env / QITCGv_cpu). Valid only during the translation callback.
 */
export interface QITCGv_cpu {
  readonly __brand: 'QITCGv_cpu';
}

/** An event identifier, as returned by `QI_EVENT_*` and the lookup functions. */
export interface QIEvent {
  readonly id: number;
  readonly name: string;
}

/**
 * A per-vCPU scoreboard: `counters` 64-bit counters for every possible vCPU,
 * in shared memory, so every instance of a library (one per vCPU worker, one
 * in the translator service, one on the main thread) updates and reads the
 * same numbers. Scoreboards are matched by creation order: the n-th one an
 * instance creates (in `qi_init` or at any time later) is the n-th of every
 * instance.
 */
export interface QIScoreboard {
  /** Number of counters per vCPU. */
  readonly counters: number;
  /** Add `n` to counter `counter` of vCPU `cpu` (no atomics: each vCPU updates its own row). */
  add(cpu: QICPU | number, counter: number, n: number | bigint): void;
  /** Current value of one counter of one vCPU. */
  get(cpu: QICPU | number, counter: number): bigint;
  /** Sum of a counter over every vCPU. */
  sum(counter: number): bigint;
  /** Reset every counter to 0. */
  clear(): void;
}

/** The signature of `qi_init`: `argv` are the `arg=` values in command-line order. */
export type QIInitFn = (argc: number, argv: readonly string[]) => number | void;
/**
 * The signature of `qi_fini`. It runs in every instance of the library (primary last); what it
 * returns is copied (structured clone: numbers, bigints, strings, arrays, plain objects, Maps,
 * Sets, typed arrays) to the primary instance, which receives every instance's value in
 * `qi_merge`.
 */
export type QIFiniFn = () => unknown;

/** One instance's `qi_fini` value, as `qi_merge` receives it. */
export interface QIInstanceResult<T = unknown> {
  /** The instance: `main` (the primary), `translator`, `vcpu 2`, or `vcpus 0-3` (one worker for several vCPUs). */
  readonly instance: string;
  /** Which thread it lived in: translation-level callbacks ran in `translator`, execution-level ones in `vcpu`. */
  readonly role: 'main' | 'translator' | 'vcpu';
  /** The vCPUs whose execution-level events that instance received (empty for `main` and `translator`). */
  readonly vcpus: readonly number[];
  /** What its `qi_fini` returned. */
  readonly value: T;
}

/**
 * The signature of the optional `qi_merge` export: runs once, in the primary instance, after
 * every instance's `qi_fini`, with their values (the primary's first): the place to combine
 * per-instance module state (maps keyed by address, histograms) and print one summary.
 */
export type QIMergeFn<T = unknown> = (results: readonly QIInstanceResult<T>[]) => void;
