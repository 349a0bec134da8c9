/*
 * User mode: a syscall filter (QEMU 9.2's qemu_plugin_register_vcpu_syscall_filter_cb). Calls
 * with number NR do not run; they return VALUE instead (a0 = VALUE). With NR 64 (write) and
 * VALUE 0 a program's output disappears (and it may loop: write returned 0); the registers of
 * each skipped call are read by name.
 *
 *   tsemu-riscv64 -instr file=examples/instr/syscall-filter.ts,arg=NR,arg=VALUE ./prog
 */
import { QI_EVENT_GUEST_USER_SYSCALL as SYSCALL, qi_ctrl_event_set, qi_trace_event_set_state_dynamic, qi_vcpu_read_register,
  qi_vcpu_syscall_skip } from 'tsemu/qemu-instr';

export function qi_init(argc: number, argv: readonly string[]): number {
  if (argc !== 2) {
    console.error('syscall-filter: usage: arg=NR,arg=VALUE');
    return 1;
  }
  const [nr, value] = argv.map((a) => BigInt(a));
  qi_ctrl_event_set(SYSCALL, (cpu, num) => {
    if (num !== nr) return;
    const args = ['a0', 'a1', 'a2'].map((r) => `0x${qi_vcpu_read_register(cpu, r).toString(16)}`);
    process.stderr.write(`syscall-filter: thread ${cpu.index}: skipped ${num}(${args.join(', ')}) = ${value}\n`);
    qi_vcpu_syscall_skip(cpu, value);
  });
  qi_trace_event_set_state_dynamic(SYSCALL, true);
  return 0;
}

export function qi_fini(): void {
  /* each skipped call was reported when it happened */
}
