/*
 * hotblocks — QEMU's contrib/plugins/hotblocks.c with all its columns: per block, how often it
 * was translated (tcount), its instructions (icount, from the block table: common.ts) and how often
 * it ran (ecount). Executions are counted in each vCPU worker's instance, translations in the
 * translator's; qi_merge sums them and prints the `limit` most executed blocks (ties by address):
 *
 *   collected 27 entries in the hash table
 *   pc, tcount, icount, ecount
 *   0x0000000080000018, 1, 6, 8192
 *
 *   -instr file=examples/instr/contrib/hotblocks.ts[,arg=limit=20][,arg=html=FILE][,arg=json=FILE]
 *
 * `html=FILE` writes the list as an HTML page with a bar per block (executions, and executed
 * instructions = icount x ecount); `json=FILE` the same as a Chrome/Perfetto trace (ui.perfetto.dev):
 * a track per block, a bar of icount x ecount. (examples/instr/hotblocks.ts is the dozen-line port without
 * icount.)
 */
import { writeFileSync } from 'node:fs';
import type { QICPU, QIInstanceResult, QITCGv_cpu } from 'tsemu/qemu-instr';
import {
  QI_EVENT_GUEST_BBL_BEFORE_EXEC, QI_EVENT_GUEST_BBL_BEFORE_TRANS, QI_EVENT_GUEST_INST_BEFORE_TRANS, qi_event_guest_bbl_before_trans_gen_exec,
} from 'tsemu/qemu-instr/events';
import { qi_ctrl_event_set, qi_trace_event_set_state_dynamic } from 'tsemu/qemu-instr/control';
import { BlockTable, chromeTrace, hex16, intArg, parseArgs } from './common.js';

interface Block { trans: number; insns: number; exec: number }
type Blocks = Map<bigint, Block>;

let table: BlockTable;
let limit = 20;
let html: string | undefined;
let json: string | undefined;
const blocks: Blocks = new Map();
const entry = (pc: bigint, all = blocks): Block => all.get(pc) ?? all.set(pc, { trans: 0, insns: 0, exec: 0 }).get(pc)!;

export function qi_init(_argc: number, argv: readonly string[]): void {
  const args = parseArgs('hotblocks', argv, ['limit', 'html', 'json']);
  limit = intArg('hotblocks', args, 'limit', 20);
  html = args.get('html');
  json = args.get('json');
  table = new BlockTable();
  qi_ctrl_event_set(QI_EVENT_GUEST_BBL_BEFORE_TRANS, (cpu: QICPU, tcg: QITCGv_cpu, pc: bigint) => {
    table.startBlock(pc);
    entry(pc).trans++;
    qi_event_guest_bbl_before_trans_gen_exec(cpu, tcg, pc);
  });
  qi_ctrl_event_set(QI_EVENT_GUEST_INST_BEFORE_TRANS, (_cpu: QICPU, _tcg: QITCGv_cpu, vaddr: bigint, size: number) => table.addInsn(vaddr, size));
  qi_ctrl_event_set(QI_EVENT_GUEST_BBL_BEFORE_EXEC, (_cpu: QICPU, pc: bigint) => {
    const e = entry(pc);
    if (e.exec++ === 0) e.insns = table.get(pc)?.insns ?? 0;
  });
  for (const ev of [QI_EVENT_GUEST_BBL_BEFORE_TRANS, QI_EVENT_GUEST_INST_BEFORE_TRANS, QI_EVENT_GUEST_BBL_BEFORE_EXEC]) qi_trace_event_set_state_dynamic(ev, true);
}

export const qi_fini = (): Blocks => blocks;

export function qi_merge(results: readonly QIInstanceResult<Blocks>[]): void {
  const all: Blocks = new Map();
  for (const { value } of results) {
    for (const [pc, b] of value) {
      const e = entry(pc, all);
      e.trans += b.trans; e.exec += b.exec; e.insns = Math.max(e.insns, b.insns);
    }
  }
  const top = [...all].sort((a, b) => b[1].exec - a[1].exec || (a[0] < b[0] ? -1 : 1)).slice(0, limit);
  console.log([`collected ${all.size} entries in the hash table`, 'pc, tcount, icount, ecount', ...top.map(([pc, b]) => `${hex16(pc)}, ${b.trans}, ${b.insns}, ${b.exec}`)].join('\n'));
  if (html) writeFileSync(html, page(top));
  if (json) {
    const rows = top.map(([pc, b]) => ({ name: hex16(pc), slices: [{ name: hex16(pc), dur: b.exec * Math.max(1, b.insns) }], args: { pc: hex16(pc), tcount: b.trans, icount: b.insns, ecount: b.exec } }));
    writeFileSync(json, chromeTrace('hotblocks', 'executed instructions (icount x ecount)', [{ name: 'hot blocks', rows }]));
  }
}

function page(rows: readonly [bigint, Block][]): string {
  const most = Math.max(1, ...rows.map(([, b]) => b.exec * Math.max(1, b.insns)));
  const body = rows.map(([pc, b]) => `<tr><td><code>${hex16(pc)}</code></td><td>${b.trans}</td><td>${b.insns}</td><td>${b.exec}</td>`
    + `<td><span style="display:inline-block;height:1em;width:${(600 * b.exec * Math.max(1, b.insns)) / most}px;background:#f0ad4e"></span></td></tr>`).join('\n');
  return `<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>hot blocks</title></head><body>\n<h1>Hot blocks</h1>\n<p>bar: executed instructions (icount x ecount)</p>\n<table>\n<tr><th>pc</th><th>tcount</th><th>icount</th><th>ecount</th><th></th></tr>\n${body}\n</table>\n</body></html>\n`;
}
