/*
 * Hot blocks: how often each translated block runs, summed over vCPUs; the
 * top N (argument, default 10) are printed at exit.
 *
 *   tsemu-system-riscv64 ... -instr file=examples/instr/hot-blocks.ts,arg=20
 *
 * The translator-service instance numbers each new block and makes its code
 * add 1 to that block's counter inline; block addresses go to a second
 * scoreboard so the main-thread instance can print them in qi_fini.
 */
import type { QICPU, QIScoreboard, QITCGv_cpu } from 'tsemu/qemu-instr';
import { QI_EVENT_GUEST_BBL_BEFORE_TRANS } from 'tsemu/qemu-instr/events';
import { qi_ctrl_event_set, qi_gen_scoreboard_add, qi_scoreboard_new, qi_trace_event_set_state_dynamic } from 'tsemu/qemu-instr/control';

const MAX_BLOCKS = 4096;
let counts: QIScoreboard; /* per vCPU: one counter per block number */
let addresses: QIScoreboard; /* row 0: block number -> guest address (+1, 0 = unused) */
const numbers = new Map<bigint, number>(); /* only the translator instance fills it */
let top = 10;

export function block_trans(cpu: QICPU, tcg_cpu: QITCGv_cpu, vaddr: bigint): void {
  void cpu;
  let n = numbers.get(vaddr);
  if (n === undefined) {
    if (numbers.size >= MAX_BLOCKS) return;
    n = numbers.size;
    numbers.set(vaddr, n);
    addresses.add(0, n, vaddr + 1n);
  }
  qi_gen_scoreboard_add(tcg_cpu, counts, n, 1);
}

export function qi_init(argc: number, argv: readonly string[]): void {
  if (argc > 0) top = Number(argv[0]);
  counts = qi_scoreboard_new(MAX_BLOCKS);
  addresses = qi_scoreboard_new(MAX_BLOCKS);
  qi_ctrl_event_set(QI_EVENT_GUEST_BBL_BEFORE_TRANS, block_trans);
  qi_trace_event_set_state_dynamic(QI_EVENT_GUEST_BBL_BEFORE_TRANS, true);
}

export function qi_fini(): void {
  const rows: { pc: bigint; count: bigint }[] = [];
  for (let n = 0; n < MAX_BLOCKS; n++) {
    const pc1 = addresses.get(0, n);
    if (pc1 === 0n) continue;
    rows.push({ pc: pc1 - 1n, count: counts.sum(n) });
  }
  rows.sort((a, b) => (b.count > a.count ? 1 : b.count < a.count ? -1 : 0));
  console.log(`hot-blocks: ${rows.length} blocks, top ${Math.min(top, rows.length)}:`);
  for (const r of rows.slice(0, top)) console.log(`  0x${BigInt.asUintN(64, r.pc).toString(16).padStart(16, '0')}  ${r.count}`);
}
