/*
 * Test library for the handle, register, value and event API (tests/instr/api.spec.ts) on
 * guests/api.S. Arguments: the addresses of `probe`, `memops` and `data`.
 *
 * Lines (stdout), each `api: <what> ...`:
 *   tb <vaddr> n=<count> size=<bytes>            the block handle of probe's and memops' blocks,
 *   insn <vaddr> <size> <bytes> pa=<paddr> ha=<haddr|-> sym=<symbol|-> |<disas>   then each instruction;
 *   cur <vaddr>                                  qi_insn_current() in guest_inst_before_trans at probe;
 *   reg <name>=<value> ...                       registers read at probe's first instruction (exec level);
 *   mem <vaddr> info=<info> value=<value> pa=<paddr|-> ram=<bool>   guest_mem_after_exec in memops
 *                                                (chosen by qi_insn_current().symbol);
 *   discon type=<t> from=<pc> to=<pc> cause=<c>; idle; resume; flush blocks=<n>.
 */
import type { QICPU, QITCGv, QITCGv_cpu, QITB } from 'tsemu/qemu-instr';
import {
  QI_EVENT_GUEST_BBL_BEFORE_TRANS, QI_EVENT_GUEST_INST_BEFORE_EXEC, QI_EVENT_GUEST_INST_BEFORE_TRANS,
  QI_EVENT_GUEST_MEM_AFTER_EXEC, QI_EVENT_GUEST_MEM_AFTER_TRANS, QI_EVENT_GUEST_TB_FLUSH, QI_EVENT_GUEST_VCPU_DISCON,
  QI_EVENT_GUEST_VCPU_IDLE, QI_EVENT_GUEST_VCPU_RESUME, qi_event_guest_inst_before_trans_gen_exec,
  qi_event_guest_mem_after_trans_gen_exec,
} from 'tsemu/qemu-instr/events';
import {
  qi_ctrl_event_set, qi_insn_current, qi_tb_current, qi_tb_get_insn, qi_tb_n_insns, qi_trace_event_set_state_dynamic,
  qi_vcpu_mem_info, qi_vcpu_read_register,
} from 'tsemu/qemu-instr/control';

let probe = 0n;
let memops = 0n;
let data = 0n;

const hex = (v: bigint): string => `0x${v.toString(16)}`;
const bytes = (b: Uint8Array): string => [...b].map((x) => x.toString(16).padStart(2, '0')).join('');

function printBlock(tb: QITB): void {
  console.log(`api: tb ${hex(tb.vaddr)} n=${qi_tb_n_insns(tb)} size=${tb.size}`);
  for (let i = 0; i < tb.n_insns; i++) {
    const insn = qi_tb_get_insn(tb, i);
    console.log(`api: insn ${hex(insn.vaddr)} ${insn.size} ${bytes(insn.data)} pa=${hex(insn.paddr)} ha=${insn.haddr ?? '-'} sym=${insn.symbol ?? '-'} |${insn.disas}`);
  }
}

export function bbl_trans(_cpu: QICPU, _tcg_cpu: QITCGv_cpu, vaddr: bigint): void {
  if (vaddr === probe || vaddr === memops) printBlock(qi_tb_current());
}

export function inst_trans(cpu: QICPU, tcg_cpu: QITCGv_cpu, vaddr: bigint, size: number): void {
  if (vaddr !== probe) return;
  console.log(`api: cur ${hex(qi_insn_current().vaddr)}`);
  qi_event_guest_inst_before_trans_gen_exec(cpu, tcg_cpu, vaddr, size);
}

const REGS = ['s2', 'x19', 'mscratch', 'f5', 'ft5', 'fflags', 'pc', 'priv', 'mhartid', 'zero'];

export function inst_exec(cpu: QICPU, vaddr: bigint): void {
  if (vaddr !== probe) return;
  console.log(`api: reg ${REGS.map((r) => `${r}=${hex(qi_vcpu_read_register(cpu, r))}`).join(' ')}`);
}

export function mem_after_trans(cpu: QICPU, tcg_cpu: QITCGv_cpu, vaddr: QITCGv, info: number, value: QITCGv): void {
  // memops' accesses, by symbol: a device store ends the block, so the last two run in a block of their own
  if (qi_insn_current().symbol === 'memops') qi_event_guest_mem_after_trans_gen_exec(cpu, tcg_cpu, vaddr, info, value);
}

export function mem_after_exec(cpu: QICPU, vaddr: bigint, info: number, value: bigint): void {
  const where = qi_vcpu_mem_info(cpu, vaddr);
  console.log(`api: mem ${hex(vaddr)} info=${info} value=${hex(value)} pa=${where.paddr === undefined ? '-' : hex(where.paddr)} ram=${where.ram}`);
}

export function discon(_cpu: QICPU, type: number, from: bigint, to: bigint, cause: bigint): void {
  console.log(`api: discon type=${type} from=${hex(from)} to=${hex(to)} cause=${cause}`);
}

export function idle(): void { console.log('api: idle'); }
export function resume(): void { console.log('api: resume'); }
export function flush(blocks: number): void { console.log(`api: flush blocks=${blocks}`); }

export function qi_init(argc: number, argv: readonly string[]): number {
  if (argc !== 3) {
    console.error('api-probe: usage: arg=<probe>,arg=<memops>,arg=<data>');
    return 1;
  }
  [probe, memops, data] = argv.map((a) => BigInt(a));
  void data;
  qi_ctrl_event_set(QI_EVENT_GUEST_BBL_BEFORE_TRANS, bbl_trans);
  qi_ctrl_event_set(QI_EVENT_GUEST_INST_BEFORE_TRANS, inst_trans);
  qi_ctrl_event_set(QI_EVENT_GUEST_INST_BEFORE_EXEC, inst_exec);
  qi_ctrl_event_set(QI_EVENT_GUEST_MEM_AFTER_TRANS, mem_after_trans);
  qi_ctrl_event_set(QI_EVENT_GUEST_MEM_AFTER_EXEC, mem_after_exec);
  qi_ctrl_event_set(QI_EVENT_GUEST_VCPU_DISCON, discon);
  qi_ctrl_event_set(QI_EVENT_GUEST_VCPU_IDLE, idle);
  qi_ctrl_event_set(QI_EVENT_GUEST_VCPU_RESUME, resume);
  qi_ctrl_event_set(QI_EVENT_GUEST_TB_FLUSH, flush);
  for (const ev of [QI_EVENT_GUEST_BBL_BEFORE_TRANS, QI_EVENT_GUEST_INST_BEFORE_TRANS, QI_EVENT_GUEST_INST_BEFORE_EXEC,
    QI_EVENT_GUEST_MEM_AFTER_TRANS, QI_EVENT_GUEST_MEM_AFTER_EXEC, QI_EVENT_GUEST_VCPU_DISCON, QI_EVENT_GUEST_VCPU_IDLE,
    QI_EVENT_GUEST_VCPU_RESUME, QI_EVENT_GUEST_TB_FLUSH]) {
    qi_trace_event_set_state_dynamic(ev, true);
  }
  return 0;
}

export function qi_fini(): void {
  /* everything was printed as it happened */
}
