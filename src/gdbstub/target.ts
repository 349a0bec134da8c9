/** What the gdbstub needs of the machine (src/machine/gdb-target.ts implements it). */
/** Why a vCPU stopped; the watch kinds are gdb's stop reply words for a watchpoint's type. */
export type DebugStopKind = 'breakpoint' | 'step' | 'watch' | 'rwatch' | 'awatch';

/** A gdb watchpoint (Z2 write, Z3 read, Z4 access). */
export interface GdbWatchpoint {
  addr: bigint;
  len: number;
  type: 2 | 3 | 4;
}

export interface GdbTarget {
  /** Present vCPU indexes, ascending (hot-added ones included). */
  cpus(): number[];
  /** The vCPU waits in WFI. */
  isHalted(cpu: number): boolean;
  /** Register `n` in QEMU's numbering (x0-x31, pc, f0-f31, priv, 66 + CSR number) as little-endian bytes. */
  readRegister(cpu: number, n: number): Uint8Array | undefined;
  writeRegister(cpu: number, n: number, bytes: Uint8Array): boolean;
  /** Guest virtual memory through the vCPU's MMU state; undefined when a byte is unreadable. */
  readMemory(cpu: number, addr: bigint, len: number): Promise<Uint8Array | undefined>;
  writeMemory(cpu: number, addr: bigint, bytes: Uint8Array): Promise<boolean>;
  /** Every vCPU stopped (resolves once they all are); `debug`: for a breakpoint or a step. */
  stopAll(debug: boolean): Promise<void>;
  /** Some vCPUs go on, the others stay stopped; `step` ones run one instruction. */
  resume(run: readonly number[], step: readonly number[]): Promise<void>;
  /** The breakpoint table and whether blocks hold one instruction (single-step). */
  setDebug(breakpoints: readonly number[], oneInsnPerBlock: boolean): void;
  /** The watchpoint table of every vCPU, newest first (QEMU's order: the first match is reported). */
  setWatchpoints(list: readonly GdbWatchpoint[]): void;
  /** `addr`: for a watchpoint stop, the watchpoint's address. */
  onDebugStop(listener: (cpu: number, kind: DebugStopKind, addr?: bigint) => void): void;
  /** One HMP line (qRcmd), its output with CR LF line ends. */
  monitorCommand(line: string, cpu: number): Promise<string>;
  /** `k`: the emulator ends. */
  kill(): void;
}
