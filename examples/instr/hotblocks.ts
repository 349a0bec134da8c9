/*
 * QEMU's contrib/plugins/hotblocks.c, ported: how often each block is translated and executed,
 * kept in an ordinary Map in each instance (translations counted in the translator service's,
 * executions in each vCPU worker's), returned by qi_fini and summed by qi_merge in the primary.
 * The 20 most executed blocks are printed (QEMU's columns but icount, which needs a block handle).
 *
 *   tsemu-system-riscv64 ... -instr file=examples/instr/hotblocks.ts
 */
import { QI_EVENT_GUEST_BBL_BEFORE_EXEC as EXEC, QI_EVENT_GUEST_BBL_BEFORE_TRANS as TRANS, qi_ctrl_event_set,
  qi_event_guest_bbl_before_trans_gen_exec, qi_trace_event_set_state_dynamic, type QIInstanceResult } from 'tsemu/qemu-instr';

type Counts = Map<bigint, { trans: number; exec: number }>;
const blocks: Counts = new Map();
const entry = (pc: bigint, all = blocks) => all.get(pc) ?? all.set(pc, { trans: 0, exec: 0 }).get(pc)!;

export function qi_init(): void {
  qi_ctrl_event_set(TRANS, (cpu, tcg_cpu, pc) => { entry(pc).trans++; qi_event_guest_bbl_before_trans_gen_exec(cpu, tcg_cpu, pc); });
  qi_ctrl_event_set(EXEC, (_cpu, pc) => { entry(pc).exec++; });
  for (const ev of [TRANS, EXEC]) qi_trace_event_set_state_dynamic(ev, true);
}

export const qi_fini = (): Counts => blocks;

export function qi_merge(results: readonly QIInstanceResult<Counts>[]): void {
  const all: Counts = new Map();
  for (const { value } of results) for (const [pc, c] of value) { const e = entry(pc, all); e.trans += c.trans; e.exec += c.exec; }
  console.log(`collected ${all.size} entries in the hash table\npc, tcount, ecount`);
  for (const [pc, c] of [...all].sort((a, b) => b[1].exec - a[1].exec).slice(0, 20)) console.log(`0x${pc.toString(16).padStart(16, '0')}, ${c.trans}, ${c.exec}`);
}
