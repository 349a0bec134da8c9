/*
 * A memory-access tracer: one line per guest load or store, written when the
 * access executes, by the vCPU that performs it.
 *
 *   tsemu-system-riscv64 ... -instr file=examples/instr/mem-trace.ts,arg=/tmp/mem.log[,arg=stores]
 *
 * Line format: `cpu=<n> <load|store> size=<bytes> vaddr=0x<hex>`. The first
 * argument is the output file (default: stderr); `stores` as the second
 * argument keeps only stores. Each vCPU's instance appends to the file with
 * whole-line writes, so lines of different vCPUs interleave but never mix.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import type { QICPU, QITCGv, QITCGv_cpu } from 'tsemu/qemu-instr';
import {
  QI_EVENT_GUEST_MEM_BEFORE_EXEC, QI_EVENT_GUEST_MEM_BEFORE_TRANS, qi_event_guest_mem_before_trans_gen_exec,
} from 'tsemu/qemu-instr/events';
import { qi_ctrl_event_set, qi_trace_event_set_state_dynamic } from 'tsemu/qemu-instr/control';

let fd = 2;
let storesOnly = false;
let pending = '';

export function mem_trans(cpu: QICPU, tcg_cpu: QITCGv_cpu, vaddr: QITCGv, info: number): void {
  if (storesOnly && (info & 16) === 0) return; /* loads get no execution-time code at all */
  qi_event_guest_mem_before_trans_gen_exec(cpu, tcg_cpu, vaddr, info);
}

export function mem_exec(cpu: QICPU, vaddr: bigint, info: number): void {
  const kind = info & 16 ? 'store' : 'load';
  pending += `cpu=${cpu.index} ${kind} size=${1 << (info & 3)} vaddr=0x${vaddr.toString(16)}\n`;
  if (pending.length > 65536) flush();
}

function flush(): void {
  if (pending.length > 0) writeSync(fd, pending);
  pending = '';
}

export function qi_init(argc: number, argv: readonly string[]): void {
  if (argc > 0) fd = openSync(argv[0], 'a');
  storesOnly = argv[1] === 'stores';
  qi_ctrl_event_set(QI_EVENT_GUEST_MEM_BEFORE_TRANS, mem_trans);
  qi_trace_event_set_state_dynamic(QI_EVENT_GUEST_MEM_BEFORE_TRANS, true);
  qi_ctrl_event_set(QI_EVENT_GUEST_MEM_BEFORE_EXEC, mem_exec);
  qi_trace_event_set_state_dynamic(QI_EVENT_GUEST_MEM_BEFORE_EXEC, true);
}

export function qi_fini(): void {
  flush();
  if (fd > 2) closeSync(fd);
}
