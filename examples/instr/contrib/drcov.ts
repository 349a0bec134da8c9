/*
 * drcov — QEMU's contrib/plugins/drcov.c: a coverage file in DynamoRIO's drcov format, version 2,
 * as Lighthouse (IDA, Binary Ninja) and bncov read it:
 *
 *   DRCOV VERSION: 2
 *   DRCOV FLAVOR: drcov-64
 *   Module Table: version 2, count 1
 *   Columns: id, base, end, entry, path
 *   0, 0x0, 0xffffffffffffffff, 0x0, <path>
 *   BB Table: <n> bbs
 *   <n> binary records: uint32 start, uint16 size, uint16 module id (little-endian)
 *
 * one record per translation of a block that then executed (in translation order, as QEMU), with
 * the block's size in bytes (from the block table, common.ts). System mode has no module: one
 * module covers the whole address space (base 0), named by `path=` (QEMU prints the binary's path,
 * null in system mode), so `start` is the block's guest virtual address (its low 32 bits).
 *
 *   -instr file=examples/instr/contrib/drcov.ts,arg=filename=/tmp/cov.drcov[,arg=path=guest.elf]
 */
import { writeFileSync } from 'node:fs';
import type { QICPU, QIInstanceResult, QITCGv_cpu } from 'tsemu/qemu-instr';
import {
  QI_EVENT_GUEST_BBL_BEFORE_EXEC, QI_EVENT_GUEST_BBL_BEFORE_TRANS, QI_EVENT_GUEST_INST_BEFORE_TRANS, qi_event_guest_bbl_before_trans_gen_exec,
} from 'tsemu/qemu-instr/events';
import { qi_ctrl_event_set, qi_trace_event_set_state_dynamic } from 'tsemu/qemu-instr/control';
import { parseArgs } from './common.js';

interface Result { translated: [bigint, number][]; executed: bigint[] }

let filename = 'file.drcov.trace';
let path = 'tsemu';
/* translator: every translation (start, bytes so far); vCPUs: every block start that ran */
const translated: [bigint, number][] = [];
const executed = new Set<bigint>();

export function qi_init(_argc: number, argv: readonly string[]): void {
  const args = parseArgs('drcov', argv, ['filename', 'path']);
  filename = args.get('filename') ?? filename;
  path = args.get('path') ?? path;
  qi_ctrl_event_set(QI_EVENT_GUEST_BBL_BEFORE_TRANS, (cpu: QICPU, tcg: QITCGv_cpu, pc: bigint) => {
    translated.push([pc, 0]);
    qi_event_guest_bbl_before_trans_gen_exec(cpu, tcg, pc);
  });
  qi_ctrl_event_set(QI_EVENT_GUEST_INST_BEFORE_TRANS, (_cpu: QICPU, _tcg: QITCGv_cpu, vaddr: bigint, size: number) => {
    const last = translated[translated.length - 1];
    if (last) last[1] = Number(vaddr - last[0]) + size;
  });
  qi_ctrl_event_set(QI_EVENT_GUEST_BBL_BEFORE_EXEC, (_cpu: QICPU, pc: bigint) => { executed.add(pc); });
  for (const ev of [QI_EVENT_GUEST_BBL_BEFORE_TRANS, QI_EVENT_GUEST_INST_BEFORE_TRANS, QI_EVENT_GUEST_BBL_BEFORE_EXEC]) qi_trace_event_set_state_dynamic(ev, true);
}

export const qi_fini = (): Result => ({ translated, executed: [...executed] });

export function qi_merge(results: readonly QIInstanceResult<Result>[]): void {
  const ran = new Set(results.flatMap((r) => r.value.executed));
  const blocks = results.flatMap((r) => r.value.translated).filter(([pc]) => ran.has(pc));
  const header = 'DRCOV VERSION: 2\nDRCOV FLAVOR: drcov-64\nModule Table: version 2, count 1\nColumns: id, base, end, entry, path\n'
    + `0, 0x0, 0xffffffffffffffff, 0x0, ${path}\nBB Table: ${blocks.length} bbs\n`;
  const records = Buffer.alloc(8 * blocks.length);
  blocks.forEach(([pc, size], i) => {
    records.writeUInt32LE(Number(BigInt.asUintN(32, pc)), 8 * i);
    records.writeUInt16LE(Math.min(size, 0xffff), 8 * i + 4);
    records.writeUInt16LE(0, 8 * i + 6);
  });
  writeFileSync(filename, Buffer.concat([Buffer.from(header, 'latin1'), records]));
  console.log(`drcov: ${blocks.length} blocks (${ran.size} addresses) written to ${filename}`);
}
