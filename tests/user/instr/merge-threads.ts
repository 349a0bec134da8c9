/*
 * qi_fini -> qi_merge in user mode: every instance counts the system calls it saw in a plain
 * variable (so only its own thread's), and also on a scoreboard shared by all; qi_fini returns the
 * variable, and the main instance's qi_merge prints how many results it got, from which instances,
 * and their sum beside the scoreboard's total. Every thread's instance finishes when its thread ends.
 */
import type { QICPU, QIInstanceResult, QIScoreboard } from 'tsemu/qemu-instr';
import { QI_EVENT_GUEST_USER_SYSCALL } from 'tsemu/qemu-instr/events';
import { qi_ctrl_event_set, qi_scoreboard_new, qi_trace_event_set_state_dynamic } from 'tsemu/qemu-instr/control';

let board: QIScoreboard;
let mine = 0;

export function on_syscall(cpu: QICPU): void {
  mine++;
  board.add(cpu, 0, 1);
}

export function qi_init(): void {
  board = qi_scoreboard_new(1);
  qi_ctrl_event_set(QI_EVENT_GUEST_USER_SYSCALL, on_syscall);
  qi_trace_event_set_state_dynamic(QI_EVENT_GUEST_USER_SYSCALL, true);
}

export const qi_fini = (): number => mine;

export function qi_merge(results: readonly QIInstanceResult<number>[]): void {
  let sum = 0;
  for (const r of results) sum += r.value;
  let onBoard = 0n;
  for (let cpu = 0; cpu < 256; cpu++) onBoard += board.get(cpu, 0);
  console.log(`merge: ${results.length} results: ${results.map((r) => `${r.instance}=${r.value}`).join(' ')}`);
  console.log(`merge: sum ${sum}, scoreboard ${onBoard}`);
}
