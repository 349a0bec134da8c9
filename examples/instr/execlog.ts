/*
 * QEMU's contrib/plugins/execlog.c, ported with the instruction handles: one line per
 * executed instruction, `cpu, 0xvaddr, 0xopcode, "disassembly"`, followed by its memory accesses
 * (`, load|store, 0xpaddr, RAM|io`), from guest_mem_after with qi_vcpu_mem_info. Lines go to
 * stderr as they happen (execlog writes to QEMU's log). The text is QEMU's, character for
 * character (tests/instr/qemu-api.spec.ts): the opcode is the instruction's bytes as a number
 * (no leading zeros), the disassembly is qemu_plugin_insn_disas's (the raw bits padded to 18
 * columns, then `-d in_asm`'s text). Where execlog names the device (its memory region's name),
 * this prints `io`: the API says only whether an access hit RAM.
 *
 *   tsemu-system-riscv64 ... -instr file=examples/instr/execlog.ts 2> exec.log
 */
import { QI_EVENT_GUEST_INST_BEFORE_EXEC as INSN_EXEC, QI_EVENT_GUEST_INST_BEFORE_TRANS as INSN_TRANS, QI_EVENT_GUEST_MEM_AFTER_EXEC as MEM_EXEC,
  QI_EVENT_GUEST_MEM_AFTER_TRANS as MEM_TRANS, qi_ctrl_event_set, qi_event_guest_inst_before_trans_gen_exec, qi_event_guest_mem_after_trans_gen_exec,
  qi_trace_event_set_state_dynamic, qi_vcpu_insn, qi_vcpu_mem_info, type QICPU, type QIInstanceResult } from 'tsemu/qemu-instr';

/** vaddr -> the instruction's text, made in each vCPU's instance the first time it runs there (qi_vcpu_insn). */
const lines = new Map<bigint, string>();

function lineOf(cpu: QICPU, vaddr: bigint): string {
  let line = lines.get(vaddr);
  if (line === undefined) {
    const insn = qi_vcpu_insn(cpu, vaddr);
    const opcode = insn === undefined ? 0 : insn.data.reduceRight((v, b) => (v << 8) | b, 0) >>> 0;
    const bits = opcode.toString(16).padStart((insn?.size ?? 4) * 2, '0').padEnd(18);
    line = `0x${vaddr.toString(16)}, 0x${opcode.toString(16)}, "${insn === undefined ? '' : bits + insn.disas}"`;
    lines.set(vaddr, line); // a guest that rewrites its code would need this keyed by translation too
  }
  return line;
}
/** Per vCPU: the line of the instruction running, printed when the next one starts (its accesses come after it). */
const pending = new Map<number, string>();

function flush(cpu: number): void {
  const line = pending.get(cpu);
  if (line !== undefined) console.error(line); // console is synchronous in a vCPU worker, process.stderr is not
}

export function qi_init(): void {
  qi_ctrl_event_set(INSN_TRANS, (cpu, tcg_cpu, vaddr, size) => qi_event_guest_inst_before_trans_gen_exec(cpu, tcg_cpu, vaddr, size));
  qi_ctrl_event_set(MEM_TRANS, (cpu, tcg_cpu, vaddr, info, value) => qi_event_guest_mem_after_trans_gen_exec(cpu, tcg_cpu, vaddr, info, value));
  qi_ctrl_event_set(INSN_EXEC, (cpu, vaddr) => {
    flush(cpu.index);
    pending.set(cpu.index, `${cpu.index}, ${lineOf(cpu, vaddr)}`);
  });
  qi_ctrl_event_set(MEM_EXEC, (cpu, vaddr, info) => {
    const where = qi_vcpu_mem_info(cpu, vaddr);
    const addr = where.paddr ?? vaddr;
    const line = pending.get(cpu.index);
    const kind = (info & 16) !== 0 ? 'store' : 'load';
    if (line !== undefined) pending.set(cpu.index, `${line}, ${kind}, 0x${addr.toString(16).padStart(8, '0')}, ${where.ram ? 'RAM' : 'io'}`);
  });
  for (const ev of [INSN_TRANS, INSN_EXEC, MEM_TRANS, MEM_EXEC]) qi_trace_event_set_state_dynamic(ev, true);
}

/** Each vCPU's last instruction (no next one flushed it) goes to the primary, which prints them: as execlog's exit callback. */
export function qi_fini(): string[] {
  return [...pending.values()];
}

export function qi_merge(results: readonly QIInstanceResult[]): void {
  for (const r of results) for (const line of r.value as string[]) console.error(line);
}
