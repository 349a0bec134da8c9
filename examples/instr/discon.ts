/*
 * Control-flow discontinuities (QEMU 9's vcpu_discon_cb) and idle time: how many interrupts,
 * exceptions and trap returns each vCPU took, by cause, and how often it went idle (WFI). The
 * counts are kept per instance (each vCPU's events arrive in its own worker) and summed in qi_merge.
 *
 *   tsemu-system-riscv64 ... -instr file=examples/instr/discon.ts
 */
import { QI_DISCON, QI_EVENT_GUEST_VCPU_DISCON as DISCON, QI_EVENT_GUEST_VCPU_IDLE as IDLE, qi_ctrl_event_set,
  qi_trace_event_set_state_dynamic, type QIInstanceResult } from 'tsemu/qemu-instr';

type Counts = Map<string, number>;
const counts: Counts = new Map();
const bump = (key: string, n = 1, all = counts): void => { all.set(key, (all.get(key) ?? 0) + n); };
const KIND: Record<number, string> = { [QI_DISCON.INTERRUPT]: 'interrupt', [QI_DISCON.EXCEPTION]: 'exception', [QI_DISCON.TRAP_RETURN]: 'return' };

export function qi_init(): void {
  qi_ctrl_event_set(DISCON, (cpu, type, _from, _to, cause) => bump(`cpu ${cpu.index} ${KIND[type] ?? type}${type === QI_DISCON.TRAP_RETURN ? '' : ` cause ${cause}`}`));
  qi_ctrl_event_set(IDLE, (cpu) => bump(`cpu ${cpu.index} idle`));
  for (const ev of [DISCON, IDLE]) qi_trace_event_set_state_dynamic(ev, true);
}

export const qi_fini = (): Counts => counts;

export function qi_merge(results: readonly QIInstanceResult<Counts>[]): void {
  const all: Counts = new Map();
  for (const { value } of results) for (const [k, n] of value) bump(k, n, all);
  for (const [k, n] of [...all].sort()) console.log(`discon: ${k}: ${n}`);
}
