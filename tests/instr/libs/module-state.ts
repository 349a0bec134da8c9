/*
 * Test library (tests/instr/lifecycle.spec.ts): the mistake the issue describes, with no
 * qi_merge: it counts executed blocks in a module variable and prints the count in qi_fini. Each
 * instance prints its own count; the non-primary instances' lines must be shown, prefixed with
 * the instance. qi_init's banner is the same in every instance and is shown once.
 *
 *   module-state: loaded              (qi_init, every instance)
 *   module-state: N blocks            (qi_fini, every instance)
 */
import { QI_EVENT_GUEST_BBL_BEFORE_EXEC, QI_EVENT_GUEST_BBL_BEFORE_TRANS, qi_event_guest_bbl_before_trans_gen_exec } from 'tsemu/qemu-instr/events';
import { qi_ctrl_event_set, qi_trace_event_set_state_dynamic } from 'tsemu/qemu-instr/control';

let blocks = 0;

export function qi_init(): void {
  console.log('module-state: loaded');
  qi_ctrl_event_set(QI_EVENT_GUEST_BBL_BEFORE_TRANS, (cpu, tcg_cpu, pc) => qi_event_guest_bbl_before_trans_gen_exec(cpu, tcg_cpu, pc));
  qi_ctrl_event_set(QI_EVENT_GUEST_BBL_BEFORE_EXEC, () => { blocks++; });
  qi_trace_event_set_state_dynamic(QI_EVENT_GUEST_BBL_BEFORE_TRANS, true);
  qi_trace_event_set_state_dynamic(QI_EVENT_GUEST_BBL_BEFORE_EXEC, true);
}

export function qi_fini(): void {
  console.log(`module-state: ${blocks} blocks`);
}
