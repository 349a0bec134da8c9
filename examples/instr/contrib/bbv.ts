/*
 * bbv — QEMU's contrib/plugins/bbv.c (QEMU 9): SimPoint basic-block vectors. Every executed block
 * adds its instruction count to its own counter and to the vCPU's total; when the total reaches
 * `interval` at a block's start, one line is written for the vCPU,
 *
 *   T:<block index>:<instructions> :<block index>:<instructions> ...
 *
 * with every block that ran in the interval (index: the order in which blocks were first
 * translated, from 0), and the total drops by `interval`. One file per vCPU, OUTFILE.<vcpu>.bb.
 *
 *   -instr file=examples/instr/contrib/bbv.ts,arg=outfile=/tmp/app,arg=interval=100000000
 *
 * The block's instruction count comes from the block table (common.ts), built from the
 * translation-time events. The vCPU workers keep their vectors until qi_merge, which writes the
 * files (block indexes are the translator's); a line lists its blocks by index (QEMU: hash order).
 */
import { writeFileSync } from 'node:fs';
import type { QICPU, QIInstanceResult, QITCGv_cpu } from 'tsemu/qemu-instr';
import {
  QI_EVENT_GUEST_BBL_BEFORE_EXEC, QI_EVENT_GUEST_BBL_BEFORE_TRANS, QI_EVENT_GUEST_INST_BEFORE_TRANS, qi_event_guest_bbl_before_trans_gen_exec,
} from 'tsemu/qemu-instr/events';
import { qi_ctrl_event_set, qi_trace_event_set_state_dynamic } from 'tsemu/qemu-instr/control';
import { BlockTable, intArg, parseArgs } from './common.js';

interface Vcpu { total: number; blocks: Map<bigint, number>; lines: [bigint, number][][] }
interface Result { order: bigint[]; vcpus: [number, [bigint, number][][]][]; dropped: number }

let table: BlockTable;
let interval = 100_000_000;
let outfile = '';
const order: bigint[] = [];
const seen = new Set<bigint>();
const vcpus = new Map<number, Vcpu>();

function onBlockTrans(cpu: QICPU, tcg: QITCGv_cpu, pc: bigint): void {
  table.startBlock(pc);
  if (!seen.has(pc)) { seen.add(pc); order.push(pc); }
  qi_event_guest_bbl_before_trans_gen_exec(cpu, tcg, pc);
}

function onBlockExec(cpu: QICPU, pc: bigint): void {
  let v = vcpus.get(cpu.index);
  if (!v) vcpus.set(cpu.index, (v = { total: 0, blocks: new Map(), lines: [] }));
  const n = table.get(pc)?.insns ?? 0;
  v.total += n;
  v.blocks.set(pc, (v.blocks.get(pc) ?? 0) + n);
  if (v.total >= interval) {
    v.total -= interval;
    v.lines.push([...v.blocks]);
    v.blocks.clear();
  }
}

export function qi_init(_argc: number, argv: readonly string[]): void {
  const args = parseArgs('bbv', argv, ['interval', 'outfile']);
  interval = intArg('bbv', args, 'interval', interval);
  if (interval < 1) throw new Error('bbv: interval must be positive');
  outfile = args.get('outfile') ?? '';
  if (!outfile) throw new Error('bbv: outfile unspecified');
  table = new BlockTable();
  qi_ctrl_event_set(QI_EVENT_GUEST_BBL_BEFORE_TRANS, onBlockTrans);
  qi_ctrl_event_set(QI_EVENT_GUEST_INST_BEFORE_TRANS, (_cpu: QICPU, _tcg: QITCGv_cpu, vaddr: bigint, size: number) => table.addInsn(vaddr, size));
  qi_ctrl_event_set(QI_EVENT_GUEST_BBL_BEFORE_EXEC, onBlockExec);
  for (const ev of [QI_EVENT_GUEST_BBL_BEFORE_TRANS, QI_EVENT_GUEST_INST_BEFORE_TRANS, QI_EVENT_GUEST_BBL_BEFORE_EXEC]) qi_trace_event_set_state_dynamic(ev, true);
}

export function qi_fini(): Result {
  return { order, vcpus: [...vcpus].map(([cpu, v]) => [cpu, v.lines]), dropped: table.dropped };
}

export function qi_merge(results: readonly QIInstanceResult<Result>[]): void {
  const index = new Map<bigint, number>();
  for (const r of results) for (const pc of r.value.order) if (!index.has(pc)) index.set(pc, index.size);
  const files: string[] = [];
  for (const r of results) {
    for (const [cpu, lines] of r.value.vcpus) {
      const text = lines.map((l) => `T${l.map(([pc, n]) => [index.get(pc) ?? -1, n]).sort((a, b) => a[0] - b[0]).map(([i, n]) => `:${i}:${n} `).join('')}\n`).join('');
      writeFileSync(`${outfile}.${cpu}.bb`, text);
      files.push(`${outfile}.${cpu}.bb (${lines.length} intervals)`);
    }
  }
  const dropped = results.reduce((s, r) => s + r.value.dropped, 0);
  console.log(`bbv: ${index.size} blocks, interval ${interval}: ${files.join(', ')}${dropped ? `; ${dropped} blocks not counted (block table full)` : ''}`);
}
