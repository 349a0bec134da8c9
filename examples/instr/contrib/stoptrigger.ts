/*
 * stoptrigger — QEMU's contrib/plugins/stoptrigger.c: end the emulation after N instructions or
 * when the guest reaches an address, with an exit status of your choice.
 *
 *   -instr file=examples/instr/contrib/stoptrigger.ts,arg=icount=N[:STATUS]
 *   -instr file=examples/instr/contrib/stoptrigger.ts,arg=addr=0x80000010[:STATUS][,arg=addr=...]
 *
 * icount=N: after N instructions of one vCPU (counted per vCPU, as QEMU's per-vCPU scoreboard),
 * before the next one runs, print `icount reached at 0x<its address>, exiting` and exit with
 * STATUS (default 0). addr=A: before the instruction at A runs, print `0x<A> reached, exiting`
 * and exit with its STATUS (default 0). Both may be given; the first trigger met wins.
 *
 * The vCPU that meets a trigger prints the line and calls qi_exit(STATUS) — QEMU's exit(): that
 * vCPU runs no further block, the machine shuts down as on a guest poweroff (every library's qi_fini
 * runs, as QEMU's atexit callbacks do) and the process exits with STATUS. A shared scoreboard
 * keeps a second trigger (another vCPU, the rest of the block) from printing again.
 * Instruction counting uses a callback per instruction (only for icount=; addr= instruments just
 * the instructions at the given addresses).
 */
import type { QICPU, QIScoreboard, QITCGv_cpu } from 'tsemu/qemu-instr';
import { QI_EVENT_GUEST_INST_BEFORE_EXEC, QI_EVENT_GUEST_INST_BEFORE_TRANS, qi_event_guest_inst_before_trans_gen_exec } from 'tsemu/qemu-instr/events';
import { qi_ctrl_event_set, qi_exit, qi_scoreboard_new, qi_trace_event_set_state_dynamic } from 'tsemu/qemu-instr/control';
import { hex } from './common.js';

/** Row 0 of the board: [0] = 1 once a trigger fired (in any instance). */
let board: QIScoreboard;
let icount = 0n;
let icountStatus = 0;
const addrs = new Map<bigint, number>();
const counts = new Map<number, bigint>();

function number(text: string, what: string): bigint {
  if (!/^(0x[0-9a-fA-F]+|\d+)$/.test(text)) throw new Error(`stoptrigger: ${what} parsing failed: '${text}' must be a positive integer`);
  return BigInt(text);
}

function parse(argv: readonly string[]): void {
  for (const arg of argv) {
    const [key, value = ''] = arg.split(/=(.*)/s, 2);
    const [first, status] = value.split(':', 2);
    const code = status === undefined ? 0 : Number(number(status, key));
    if (key === 'icount') {
      icount = number(first, 'icount');
      if (icount < 1n) throw new Error(`stoptrigger: icount parsing failed: '${first}' must be a positive integer`);
      icountStatus = code;
    } else if (key === 'addr') {
      addrs.set(number(first, 'addr'), code);
    } else {
      throw new Error(`stoptrigger: option parsing failed: ${arg}`);
    }
  }
  if (icount === 0n && addrs.size === 0) throw new Error(`stoptrigger: 'icount' or 'addr' argument missing`);
}

/* a vCPU met a trigger: say so (once) and end the emulation with its status */
function stop(message: string, status: number): void {
  if (board.get(0, 0) !== 0n) return;
  board.add(0, 0, 1);
  console.log(message);
  qi_exit(status);
}

function onInsn(cpu: QICPU, vaddr: bigint): void {
  const at = addrs.get(vaddr);
  if (at !== undefined) return stop(`${hex(vaddr)} reached, exiting`, at);
  if (icount === 0n) return;
  const n = (counts.get(cpu.index) ?? 0n) + 1n;
  counts.set(cpu.index, n);
  if (n === icount + 1n) stop(`icount reached at ${hex(vaddr)}, exiting`, icountStatus);
}

export function qi_init(_argc: number, argv: readonly string[]): void {
  parse(argv);
  board = qi_scoreboard_new(1);
  qi_ctrl_event_set(QI_EVENT_GUEST_INST_BEFORE_TRANS, (cpu: QICPU, tcg: QITCGv_cpu, vaddr: bigint, size: number) => {
    if (icount > 0n || addrs.has(vaddr)) qi_event_guest_inst_before_trans_gen_exec(cpu, tcg, vaddr, size);
  });
  qi_ctrl_event_set(QI_EVENT_GUEST_INST_BEFORE_EXEC, onInsn);
  qi_trace_event_set_state_dynamic(QI_EVENT_GUEST_INST_BEFORE_TRANS, true);
  qi_trace_event_set_state_dynamic(QI_EVENT_GUEST_INST_BEFORE_EXEC, true);
}

export function qi_fini(): void {
  /* the trigger's line was printed when it fired */
}
