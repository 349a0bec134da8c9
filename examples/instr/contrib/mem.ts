/*
 * mem — QEMU's tests/plugin/mem.c: counts of guest memory accesses, loads and stores apart,
 * per vCPU, with inline adds (whether an access is a store is known at translation time from the
 * info byte, so no callback runs when the guest executes). Output:
 *
 *   cpu 0 loads: 1002 stores: 1001
 *   mem accesses: 2003
 *   loads: 1002
 *   stores: 1001
 *
 *   tsemu-system-riscv64 ... -instr file=examples/instr/contrib/mem.ts
 *
 * Counted as QEMU counts: one access per load/store instruction, an AMO or LR/SC counts once (as
 * a store when it writes), accesses by devices (DMA) are not counted.
 */
import type { QICPU, QIScoreboard, QITCGv, QITCGv_cpu } from 'tsemu/qemu-instr';
import { QI_EVENT_GUEST_MEM_BEFORE_TRANS } from 'tsemu/qemu-instr/events';
import { qi_ctrl_event_set, qi_gen_scoreboard_add, qi_scoreboard_new, qi_trace_event_set_state_dynamic } from 'tsemu/qemu-instr/control';
import { parseArgs } from './common.js';

const LOADS = 0;
const STORES = 1;
let counts: QIScoreboard;

export function qi_init(_argc: number, argv: readonly string[]): void {
  parseArgs('mem', argv, []);
  counts = qi_scoreboard_new(2);
  qi_ctrl_event_set(QI_EVENT_GUEST_MEM_BEFORE_TRANS, (_cpu: QICPU, tcg_cpu: QITCGv_cpu, _vaddr: QITCGv, info: number) =>
    qi_gen_scoreboard_add(tcg_cpu, counts, info & 16 ? STORES : LOADS, 1));
  qi_trace_event_set_state_dynamic(QI_EVENT_GUEST_MEM_BEFORE_TRANS, true);
}

export function qi_fini(): void {
  const lines: string[] = [];
  for (let cpu = 0; cpu < 256; cpu++) {
    let loads: bigint; let stores: bigint;
    try { loads = counts.get(cpu, LOADS); stores = counts.get(cpu, STORES); } catch { break; }
    if (loads + stores !== 0n) lines.push(`cpu ${cpu} loads: ${loads} stores: ${stores}`);
  }
  const loads = counts.sum(LOADS);
  const stores = counts.sum(STORES);
  lines.push(`mem accesses: ${loads + stores}`, `loads: ${loads}`, `stores: ${stores}`);
  console.log(lines.join('\n'));
}
