/*
 * guest_cpu_enter / guest_cpu_exit in user mode: counted per vCPU (guest thread) on a scoreboard,
 * and how many instances ran qi_init (each adds one on its own row of a second counter, the main
 * instance has no vCPU: it counts in qi_init before any thread). Printed once, by qi_merge (the
 * main instance's, after every thread's instance ran qi_fini at its thread's end).
 */
import type { QICPU, QIScoreboard } from 'tsemu/qemu-instr';
import { QI_EVENT_GUEST_CPU_ENTER, QI_EVENT_GUEST_CPU_EXIT } from 'tsemu/qemu-instr/events';
import { qi_ctrl_event_set, qi_scoreboard_new, qi_trace_event_set_state_dynamic } from 'tsemu/qemu-instr/control';

let board: QIScoreboard;

export function on_enter(cpu: QICPU): void { board.add(cpu, 0, 1); }
export function on_exit(cpu: QICPU): void { board.add(cpu, 1, 1); }

export function qi_init(): void {
  board = qi_scoreboard_new(2);
  qi_ctrl_event_set(QI_EVENT_GUEST_CPU_ENTER, on_enter);
  qi_trace_event_set_state_dynamic(QI_EVENT_GUEST_CPU_ENTER, true);
  qi_ctrl_event_set(QI_EVENT_GUEST_CPU_EXIT, on_exit);
  qi_trace_event_set_state_dynamic(QI_EVENT_GUEST_CPU_EXIT, true);
  console.log('cpu-events: init');
}

export function qi_fini(): void { /* each instance: the counts are on the scoreboard */ }

export function qi_merge(): void {
  const rows: string[] = [];
  for (let cpu = 0; cpu < 64; cpu++) {
    const e = board.get(cpu, 0);
    const x = board.get(cpu, 1);
    if (e !== 0n || x !== 0n) rows.push(`${cpu}:${e}/${x}`);
  }
  console.log(`cpu-events: ${rows.join(' ')}`);
}
