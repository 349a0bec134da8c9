/*
 * Test library (stuck-trace.spec.ts, stuck-unload.spec.ts): its guest_mem_before_exec callback
 * never returns on the Nth store vCPU V executes (arg=V,arg=N; default vCPU 1, store 3), or, with
 * a third argument arg=ADDR, on the Nth store of vCPU V to that address. It prints one line first,
 * with the store's address, so the test knows the callback is in its loop. Stores of the other
 * vCPUs pass through.
 */
import type { QICPU } from 'tsemu/qemu-instr';
import { QI_EVENT_GUEST_MEM_BEFORE_EXEC } from 'tsemu/qemu-instr/events';
import { qi_ctrl_event_set, qi_trace_event_set_state_dynamic } from 'tsemu/qemu-instr/control';

let vcpu = 1;
let stuckAt = 3;
let stores = 0;
let onlyAt: bigint | undefined;

export function mem_exec(cpu: QICPU, vaddr: bigint, info: number): void {
  if (cpu.index !== vcpu || (info & 16) === 0 || (onlyAt !== undefined && vaddr !== onlyAt) || ++stores !== stuckAt) return;
  console.log(`stuck-on-vcpu: vCPU ${cpu.index} spinning at store ${stores}, 0x${vaddr.toString(16)}`);
  for (;;) {
    // spin: no await, nothing an event loop could interrupt
  }
}

export function qi_init(argc: number, argv: readonly string[]): void {
  if (argc > 0) vcpu = Number(argv[0]);
  if (argc > 1) stuckAt = Number(argv[1]);
  if (argc > 2) onlyAt = BigInt(argv[2]);
  qi_ctrl_event_set(QI_EVENT_GUEST_MEM_BEFORE_EXEC, mem_exec);
  qi_trace_event_set_state_dynamic(QI_EVENT_GUEST_MEM_BEFORE_EXEC, true);
}

export function qi_fini(): void {}
