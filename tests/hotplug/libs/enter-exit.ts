/*
 * Test library for the CPU hot-plug tests (tests/hotplug/hotplug.spec.ts):
 * reports every guest_cpu_enter / guest_cpu_exit it receives and counts them
 * per vCPU on a scoreboard that all its instances share.
 *
 *   -instr file=tests/hotplug/libs/enter-exit.ts,arg=<tag>,arg=<maxcpus>[,arg=trace][,arg=slow=MS]
 *   instr-load -i <tag> tests/hotplug/libs/enter-exit.ts <tag> <maxcpus> [trace] [slow=MS]
 *
 * Lines (stderr, `<tag>: ...`):
 *   init                         from the primary instance's qi_init (worker
 *                                instances run qi_init muted)
 *   enter N / exit N             from the callbacks, in the worker of vCPU N
 *   fini cpu N enters E exits X  from the primary instance's qi_fini, one per
 *                                vCPU slot whose counters are not both 0
 *   fini total enters E exits X
 * With `trace`, the callbacks also call the event's default tracing routine
 * (as the instrumentation document's example does), so -trace/-D output keeps
 * showing the events while the library is loaded.
 *
 * With `slow=MS`, the instances in worker threads (translator service, vCPU
 * workers) write `<tag>: worker init` to stderr and then sleep MS
 * milliseconds in qi_init (and sleep MS in qi_fini). Worker instances' console
 * output is discarded in qi_init, so that line is written to the file
 * descriptor directly: it marks a window of at least MS milliseconds in which
 * the machine is loading the library in its workers, and the tests hot-plug a
 * vCPU inside that window.
 */
import type { QICPU, QIScoreboard } from 'tsemu/qemu-instr';
import {
  QI_EVENT_GUEST_CPU_ENTER, QI_EVENT_GUEST_CPU_EXIT, qi_event_guest_cpu_enter_trace, qi_event_guest_cpu_exit_trace,
} from 'tsemu/qemu-instr/events';
import { qi_ctrl_event_set, qi_scoreboard_new, qi_trace_event_set_state_dynamic } from 'tsemu/qemu-instr/control';
import { isMainThread } from 'node:worker_threads';
import { writeSync } from 'node:fs';

const ENTERS = 0;
const EXITS = 1;
let tag = 'enter-exit';
let maxCpus = 1;
let traceToo = false;
let workerDelayMs = 0;
let board: QIScoreboard;

/** Sleep (without spinning) in a worker thread's instance; the primary instance never waits. */
function workerDelay(marker: string | undefined): void {
  if (isMainThread || workerDelayMs <= 0) return;
  if (marker !== undefined) writeSync(2, `${tag}: ${marker}\n`);
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, workerDelayMs);
}

export function on_enter(cpu: QICPU): void {
  console.error(`${tag}: enter ${cpu.index}`);
  board.add(cpu, ENTERS, 1);
  if (traceToo) qi_event_guest_cpu_enter_trace(cpu);
}

export function on_exit(cpu: QICPU): void {
  console.error(`${tag}: exit ${cpu.index}`);
  board.add(cpu, EXITS, 1);
  if (traceToo) qi_event_guest_cpu_exit_trace(cpu);
}

export function qi_init(argc: number, argv: readonly string[]): number {
  if (argc < 2) {
    console.error('enter-exit: usage: arg=<tag>,arg=<maxcpus>[,arg=trace][,arg=slow=MS]');
    return 1;
  }
  tag = argv[0];
  maxCpus = Number(argv[1]);
  for (const option of argv.slice(2)) {
    if (option === 'trace') traceToo = true;
    else if (option.startsWith('slow=')) workerDelayMs = Number(option.slice('slow='.length));
    else {
      console.error(`enter-exit: unknown option '${option}'`);
      return 1;
    }
  }
  board = qi_scoreboard_new(2);
  qi_ctrl_event_set(QI_EVENT_GUEST_CPU_ENTER, on_enter);
  qi_ctrl_event_set(QI_EVENT_GUEST_CPU_EXIT, on_exit);
  qi_trace_event_set_state_dynamic(QI_EVENT_GUEST_CPU_ENTER, true);
  qi_trace_event_set_state_dynamic(QI_EVENT_GUEST_CPU_EXIT, true);
  console.error(`${tag}: init`);
  workerDelay('worker init');
  return 0;
}

/* Leaves the events' trace state alone: -trace asked for them, and other tests' expectations follow it. */
export function qi_fini(): void {
  workerDelay(undefined);
  for (let cpu = 0; cpu < maxCpus; cpu++) {
    const enters = board.get(cpu, ENTERS);
    const exits = board.get(cpu, EXITS);
    if (enters !== 0n || exits !== 0n) console.error(`${tag}: fini cpu ${cpu} enters ${enters} exits ${exits}`);
  }
  console.error(`${tag}: fini total enters ${board.sum(ENTERS)} exits ${board.sum(EXITS)}`);
}
