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

/**
 * One guest instruction of the block being translated (QEMU's `struct qemu_plugin_insn`). Read
 * it during the translation-level callback that got it; the values are copies, so keeping them
 * (in a map keyed by `vaddr`, say) for execution time is fine.
 */
export interface QIInsn {
  /** Guest virtual address (qemu_plugin_insn_vaddr). */
  readonly vaddr: bigint;
  /** Size in bytes: 2 (compressed) or 4 (qemu_plugin_insn_size). */
  readonly size: number;
  /** The instruction's bytes, little-endian as in memory (qemu_plugin_insn_data). */
  readonly data: Uint8Array;
  /** Guest physical address. */
  readonly paddr: bigint;
  /**
   * Host address (qemu_plugin_insn_haddr): the byte offset of the instruction in guest RAM's
   * SharedArrayBuffer, tsemu's host memory; undefined for code outside RAM (the boot ROM).
   */
  readonly haddr: number | undefined;
  /** Disassembly as QEMU's `-d in_asm` prints it after the bytes, e.g. `addi                    a0,a0,1` (qemu_plugin_insn_disas). */
  readonly disas: string;
  /** The guest ELF's function symbol containing the instruction, if known (qemu_plugin_insn_symbol). */
  readonly symbol: string | undefined;
}

/**
 * The translation block being translated (QEMU's `struct qemu_plugin_tb`): every instruction the
 * translator put into it, in order (a block may follow a jump within its page, so the addresses
 * need not be consecutive).
 */
export interface QITB {
  /** Virtual address of the first instruction (qemu_plugin_tb_vaddr). */
  readonly vaddr: bigint;
  /** Number of instructions (qemu_plugin_tb_n_insns). */
  readonly n_insns: number;
  /** Size in bytes: the sum of the instructions' sizes. */
  readonly size: number;
  /** The instructions (qemu_plugin_tb_get_insn(tb, i) is `insns[i]`). */
  readonly insns: readonly QIInsn[];
}

/** Where a completed memory access went (qi_vcpu_mem_info). */
export interface QIMemInfo {
  /** Guest physical address; undefined when the page is no longer mapped. */
  readonly paddr: bigint | undefined;
  /** True for guest RAM, false for a device (MMIO) or ROM (QEMU's qemu_plugin_hwaddr_is_io is `!ram`). */
  readonly ram: boolean;
}

