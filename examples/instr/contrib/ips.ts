/*
 * ips — QEMU's contrib/plugins/ips.c: throttle each vCPU to at most N guest instructions per
 * second of host time (a slower, steadier guest: timing-sensitive software, demos).
 *
 *   -instr file=examples/instr/contrib/ips.ts,arg=ips=1000000
 *
 * Instructions are counted inline per vCPU (a scoreboard add per instruction); at the start of
 * each block the vCPU's worker compares the count with the time since the vCPU's first block and,
 * once it is ahead by more than a time slice (10 ms of instructions, QEMU's default), sleeps until
 * it is not. Printed at exit, per vCPU: instructions, host seconds, the rate reached and the time
 * slept.
 */
import type { QICPU, QIInstanceResult, QIScoreboard, QITCGv_cpu } from 'tsemu/qemu-instr';
import {
  QI_EVENT_GUEST_BBL_BEFORE_EXEC, QI_EVENT_GUEST_BBL_BEFORE_TRANS, QI_EVENT_GUEST_INST_BEFORE_TRANS, qi_event_guest_bbl_before_trans_gen_exec,
} from 'tsemu/qemu-instr/events';
import { qi_ctrl_event_set, qi_gen_scoreboard_add, qi_scoreboard_new, qi_trace_event_set_state_dynamic } from 'tsemu/qemu-instr/control';
import { intArg, parseArgs } from './common.js';

interface Vcpu { start: number; last: number; slept: number; insns: number }
type Result = [number, Vcpu][];

let insns: QIScoreboard;
let ips = 1_000_000;
/** Instructions a vCPU may run ahead of its budget before it sleeps (10 ms worth). */
let slice = 10_000;
const vcpus = new Map<number, Vcpu>();
const nap = new Int32Array(new SharedArrayBuffer(4));

function onBlock(cpu: QICPU): void {
  const now = performance.now();
  let v = vcpus.get(cpu.index);
  if (!v) vcpus.set(cpu.index, (v = { start: now, last: now, slept: 0, insns: 0 }));
  const done = Number(insns.get(cpu, 0));
  v.insns = done;
  v.last = now;
  const due = v.start + (1000 * done) / ips; /* when these instructions may have run, at N per second */
  if (due - now > (1000 * slice) / ips) {
    /* a timed wait may end early (a wall-clock step moves some hosts' timeouts): wait out the rest */
    let woke = now;
    do {
      Atomics.wait(nap, 0, 0, due - woke);
      woke = performance.now();
    } while (woke < due);
    v.slept += woke - now;
    v.last = woke;
  }
}

export function qi_init(_argc: number, argv: readonly string[]): void {
  const args = parseArgs('ips', argv, ['ips']);
  ips = intArg('ips', args, 'ips', ips);
  if (ips < 1) throw new Error('ips: ips must be positive');
  slice = Math.max(1, Math.floor(ips / 100));
  insns = qi_scoreboard_new(1);
  qi_ctrl_event_set(QI_EVENT_GUEST_INST_BEFORE_TRANS, (_cpu: QICPU, tcg: QITCGv_cpu) => qi_gen_scoreboard_add(tcg, insns, 0, 1));
  qi_ctrl_event_set(QI_EVENT_GUEST_BBL_BEFORE_TRANS, (cpu: QICPU, tcg: QITCGv_cpu, pc: bigint) => qi_event_guest_bbl_before_trans_gen_exec(cpu, tcg, pc));
  qi_ctrl_event_set(QI_EVENT_GUEST_BBL_BEFORE_EXEC, onBlock);
  for (const ev of [QI_EVENT_GUEST_INST_BEFORE_TRANS, QI_EVENT_GUEST_BBL_BEFORE_TRANS, QI_EVENT_GUEST_BBL_BEFORE_EXEC]) qi_trace_event_set_state_dynamic(ev, true);
}

export function qi_fini(): Result {
  for (const [cpu, v] of vcpus) v.insns = Number(insns.get(cpu, 0));
  return [...vcpus];
}

export function qi_merge(results: readonly QIInstanceResult<Result>[]): void {
  const lines: string[] = [];
  for (const [cpu, v] of results.flatMap((r) => r.value).sort((a, b) => a[0] - b[0])) {
    const secs = (v.last - v.start) / 1000;
    const rate = secs > 0 ? Math.round(v.insns / secs) : 0;
    lines.push(`ips: cpu ${cpu}: ${v.insns} instructions in ${secs.toFixed(3)} s (${rate} per second, limit ${ips}), slept ${(v.slept / 1000).toFixed(3)} s`);
  }
  console.log(lines.join('\n'));
}
