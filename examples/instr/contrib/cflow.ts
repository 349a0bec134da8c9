/*
 * cflow — QEMU's contrib/plugins/cflow.c: where control flow leaves a straight line. When a
 * block starts anywhere but right after the block that ran before it on the same vCPU, the
 * previous block's last instruction is a branch point with an edge to this block; each point
 * counts its branches and each destination. Printed hottest first (or by number of
 * destinations), ties by address:
 *
 *   collected 9 control flow nodes in the hash table
 *     addr: 0x80000028 (branch)
 *       branches 4095
 *         to 0x80000010 (4095)
 *
 *   -instr file=examples/instr/contrib/cflow.ts[,arg=sort=hottest|exceptions][,arg=topn=10]
 *
 * Block sizes come from the block table (common.ts). Differences from QEMU: the "collected" count
 * is the number of branch points that branched (QEMU counts every instruction it translated); an
 * exit in the middle of a block (a fault) shows as a branch from the block's last instruction
 * (telling it apart needs a callback per instruction), so there are no "early exits" lines; no
 * symbol or disassembly (the API has no instruction handle yet); destinations listed by address.
 */
import type { QICPU, QIInstanceResult, QITCGv_cpu } from 'tsemu/qemu-instr';
import {
  QI_EVENT_GUEST_BBL_BEFORE_EXEC, QI_EVENT_GUEST_BBL_BEFORE_TRANS, QI_EVENT_GUEST_INST_BEFORE_TRANS, qi_event_guest_bbl_before_trans_gen_exec,
} from 'tsemu/qemu-instr/events';
import { qi_ctrl_event_set, qi_trace_event_set_state_dynamic } from 'tsemu/qemu-instr/control';
import { BlockTable, hex, intArg, parseArgs } from './common.js';

/** Branch point -> destination -> count. */
type Edges = Map<bigint, Map<bigint, number>>;

let table: BlockTable;
let sort = 'hottest';
let topn = 10;
const edges: Edges = new Map();
/** Per vCPU: the last instruction of the block that ran last, and the address right after that block. */
const last = new Map<number, { end: bigint; after: bigint }>();

function onBlockExec(cpu: QICPU, pc: bigint): void {
  const prev = last.get(cpu.index);
  if (prev && prev.after !== pc) {
    let dests = edges.get(prev.end);
    if (!dests) edges.set(prev.end, (dests = new Map()));
    dests.set(pc, (dests.get(pc) ?? 0) + 1);
  }
  const b = table.get(pc);
  if (b) last.set(cpu.index, { end: pc + BigInt(b.lastOffset), after: pc + BigInt(b.bytes) });
  else last.delete(cpu.index);
}

export function qi_init(_argc: number, argv: readonly string[]): void {
  const args = parseArgs('cflow', argv, ['sort', 'topn']);
  sort = args.get('sort') ?? 'hottest';
  if (sort !== 'hottest' && sort !== 'exceptions') throw new Error(`cflow: failed to parse: ${sort}`);
  topn = intArg('cflow', args, 'topn', 10);
  table = new BlockTable();
  qi_ctrl_event_set(QI_EVENT_GUEST_BBL_BEFORE_TRANS, (cpu: QICPU, tcg: QITCGv_cpu, pc: bigint) => {
    table.startBlock(pc);
    qi_event_guest_bbl_before_trans_gen_exec(cpu, tcg, pc);
  });
  qi_ctrl_event_set(QI_EVENT_GUEST_INST_BEFORE_TRANS, (_cpu: QICPU, _tcg: QITCGv_cpu, vaddr: bigint, size: number) => table.addInsn(vaddr, size));
  qi_ctrl_event_set(QI_EVENT_GUEST_BBL_BEFORE_EXEC, onBlockExec);
  for (const ev of [QI_EVENT_GUEST_BBL_BEFORE_TRANS, QI_EVENT_GUEST_INST_BEFORE_TRANS, QI_EVENT_GUEST_BBL_BEFORE_EXEC]) qi_trace_event_set_state_dynamic(ev, true);
}

export const qi_fini = (): Edges => edges;

export function qi_merge(results: readonly QIInstanceResult<Edges>[]): void {
  const all: Edges = new Map();
  for (const { value } of results) {
    for (const [from, dests] of value) {
      let d = all.get(from);
      if (!d) all.set(from, (d = new Map()));
      for (const [to, n] of dests) d.set(to, (d.get(to) ?? 0) + n);
    }
  }
  const total = (d: Map<bigint, number>) => [...d.values()].reduce((s, n) => s + n, 0);
  const rank = (d: Map<bigint, number>) => (sort === 'hottest' ? total(d) : d.size);
  const nodes = [...all].sort((a, b) => rank(b[1]) - rank(a[1]) || (a[0] < b[0] ? -1 : 1));
  const out = [`collected ${all.size} control flow nodes in the hash table`];
  for (const [from, dests] of nodes.slice(0, topn)) {
    out.push(`  addr: ${hex(from)} (branch)`, `    branches ${total(dests)}`);
    for (const [to, n] of [...dests].sort((a, b) => (a[0] < b[0] ? -1 : 1))) out.push(`      to ${hex(to)} (${n})`);
  }
  console.log(out.join('\n'));
}
