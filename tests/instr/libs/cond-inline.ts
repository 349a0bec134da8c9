/*
 * Conditional callbacks and inline stores (tests/instr/api.spec.ts) on guests/api.S.
 * Arguments: the addresses of `probe` and `memops`, and N.
 *
 * Counter 0 of a scoreboard counts the instructions executed in RAM (an inline add before each),
 * and every instruction gets three conditional callbacks: counter 0 EQ N (the N-th instruction),
 * LT 3 (the first two), GE 1,000,000 (never, in this guest). probe's first instruction stores
 * 2^40 + 1 into counter 1 (inline); memops' first has a callback on counter 1 EQ 2^40 + 1.
 *
 * Lines (stdout): `cond: exec <vaddr> count=<counter 0>`, and from qi_fini `cond: flag=<counter 1> count=<counter 0>`.
 */
import type { QICPU, QIScoreboard, QITCGv_cpu } from 'tsemu/qemu-instr';
import { QI_EVENT_GUEST_INST_BEFORE_EXEC, QI_EVENT_GUEST_INST_BEFORE_TRANS, qi_event_guest_inst_before_trans_gen_exec } from 'tsemu/qemu-instr/events';
import {
  qi_ctrl_event_set, qi_gen_exec_cond, qi_gen_scoreboard_add, qi_gen_scoreboard_store, qi_scoreboard_new, qi_trace_event_set_state_dynamic,
} from 'tsemu/qemu-instr/control';

const RAM = 0x80000000n;
const FLAG = 2n ** 40n + 1n;
let probe = 0n;
let memops = 0n;
let n = 0;
let board: QIScoreboard;

export function inst_trans(cpu: QICPU, tcg_cpu: QITCGv_cpu, vaddr: bigint, size: number): void {
  if (vaddr < RAM) return;
  const exec = (): void => qi_event_guest_inst_before_trans_gen_exec(cpu, tcg_cpu, vaddr, size);
  qi_gen_scoreboard_add(tcg_cpu, board, 0, 1);
  qi_gen_exec_cond(tcg_cpu, board, 0, 'EQ', n, exec);
  qi_gen_exec_cond(tcg_cpu, board, 0, 'LT', 3, exec);
  qi_gen_exec_cond(tcg_cpu, board, 0, 'GE', 1_000_000n, exec);
  if (vaddr === probe) qi_gen_scoreboard_store(tcg_cpu, board, 1, FLAG);
  if (vaddr === memops) qi_gen_exec_cond(tcg_cpu, board, 1, 'EQ', FLAG, exec);
}

export function inst_exec(cpu: QICPU, vaddr: bigint): void {
  console.log(`cond: exec 0x${vaddr.toString(16)} count=${board.get(cpu, 0)}`);
}

export function qi_init(argc: number, argv: readonly string[]): number {
  if (argc !== 3) {
    console.error('cond-inline: usage: arg=<probe>,arg=<memops>,arg=<N>');
    return 1;
  }
  [probe, memops] = argv.slice(0, 2).map((a) => BigInt(a));
  n = Number(argv[2]);
  board = qi_scoreboard_new(2);
  qi_ctrl_event_set(QI_EVENT_GUEST_INST_BEFORE_TRANS, inst_trans);
  qi_ctrl_event_set(QI_EVENT_GUEST_INST_BEFORE_EXEC, inst_exec);
  qi_trace_event_set_state_dynamic(QI_EVENT_GUEST_INST_BEFORE_TRANS, true);
  qi_trace_event_set_state_dynamic(QI_EVENT_GUEST_INST_BEFORE_EXEC, true);
  return 0;
}

export function qi_fini(): void {
  console.log(`cond: flag=${board.get(0, 1)} count=${board.get(0, 0)}`);
}
