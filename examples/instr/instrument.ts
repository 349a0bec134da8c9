/*
 * The instrumentation document's example library (docs/instrumentation.txt,
 * "Write your instrumentation library"), ported line by line from C.
 *
 *   tsemu-system-riscv64 -smp 4 -kernel examples/guest/demo.elf \
 *       -instr file=examples/instr/instrument.ts,arg=foo,arg=bar
 *
 * Differences forced by TypeScript: `struct mem_info` is a function that
 * decodes the info byte; `static bool found` is module state — and module
 * state is per instance (one instance per vCPU worker, one in the translator
 * service, one on the main thread), so each vCPU's instance sees its own
 * first guest_cpu_enter: see examples/instr/README.md.
 */
import type { QICPU, QITCGv, QITCGv_cpu } from 'tsemu/qemu-instr';
import {
  QI_EVENT_GUEST_CPU_ENTER, QI_EVENT_GUEST_MEM_BEFORE_EXEC, QI_EVENT_GUEST_MEM_BEFORE_TRANS,
  qi_event_guest_cpu_enter_trace, qi_event_guest_mem_before_exec_trace,
  qi_event_guest_mem_before_trans_gen_exec, qi_event_guest_mem_before_trans_trace,
} from 'tsemu/qemu-instr/events'; /* get event declarations */
import { qi_ctrl_event_set, qi_trace_event_set_state_dynamic } from 'tsemu/qemu-instr/control'; /* manipulate events */

/* as documented in QEMU's event description */
interface MemInfo {
  size_shift: number; /* 2 bits */
  sign_extend: boolean; /* 1 bit */
  endianness: number; /* 1 bit */
  store: boolean; /* 1 bit */
}

function mem_info(info: number): MemInfo {
  return { size_shift: info & 3, sign_extend: (info & 4) !== 0, endianness: (info >> 3) & 1, store: (info & 16) !== 0 };
}

/* the address for the memory access is not known at translation time */
export function guest_mem_before_trans(cpu: QICPU, tcg_cpu: QITCGv_cpu, vaddr: QITCGv, info: number): void {
  const mi = mem_info(info);
  qi_event_guest_mem_before_trans_trace(cpu, tcg_cpu, vaddr, info);
  if (mi.store) {
    /* generate at execution time only for memory writes */
    qi_event_guest_mem_before_trans_gen_exec(cpu, tcg_cpu, vaddr, info);
  }
}

/* called when QEMU executes a memory access */
export function guest_mem_before_exec(cpu: QICPU, vaddr: bigint, info: number): void {
  const mi = mem_info(info);
  if (mi.store) {
    /* if called by TCG code, we'll only get writes (see above) */
    qi_event_guest_mem_before_exec_trace(cpu, vaddr, info);
  }
}

/* called every time QEMU hotplugs a CPU */
let found = false;
export function guest_cpu_enter(cpu: QICPU): void {
  /* call the original tracing routine */
  qi_event_guest_cpu_enter_trace(cpu);

  /* disable instrumentation and tracing after the first call */
  if (found) {
    const ev = QI_EVENT_GUEST_CPU_ENTER;
    qi_ctrl_event_set(ev, null);
    qi_trace_event_set_state_dynamic(ev, false);
  } else {
    found = true;
  }
}

/* mandatory initialization callback */
export function qi_init(argc: number, argv: readonly string[]): void {
  console.log('init!');
  console.log(` argc :: ${argc}`);
  for (let i = 0; i < argc; i++) {
    console.log(` -> ${argv[i]}`);
  }

  /* instrument and trace events */
  let ev;

  ev = QI_EVENT_GUEST_CPU_ENTER;
  qi_ctrl_event_set(ev, guest_cpu_enter);
  qi_trace_event_set_state_dynamic(ev, true);

  ev = QI_EVENT_GUEST_MEM_BEFORE_TRANS;
  qi_ctrl_event_set(ev, guest_mem_before_trans);
  qi_trace_event_set_state_dynamic(ev, true);

  ev = QI_EVENT_GUEST_MEM_BEFORE_EXEC;
  qi_ctrl_event_set(ev, guest_mem_before_exec);
  qi_trace_event_set_state_dynamic(ev, true);
}

/* mandatory finalization callback */
export function qi_fini(): void {
  console.error('fini!');

  /* ensure all tracing is disabled */
  qi_trace_event_set_state_dynamic(QI_EVENT_GUEST_CPU_ENTER, false);
  qi_trace_event_set_state_dynamic(QI_EVENT_GUEST_MEM_BEFORE_TRANS, false);
  qi_trace_event_set_state_dynamic(QI_EVENT_GUEST_MEM_BEFORE_EXEC, false);

  /* instrumentation callbacks are automatically reset by QEMU */
}
