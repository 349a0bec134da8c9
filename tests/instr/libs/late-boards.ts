/*
 * Test library (tests/instr/lifecycle.spec.ts): scoreboards created after qi_init. The translator
 * service's instance creates two on its first translation, `blocks` (1 counter) and `wide`
 * (1,000,000 counters: the library's arena grows), and makes every translated block add 1 inline
 * to both (to `wide` at a counter chosen by the block's address). The vCPU instances count the same
 * blocks in execution callbacks, in a Map. qi_merge (primary) reaches the two scoreboards by
 * creating its own first two, and prints, for each vCPU, the three counts, which must agree:
 *
 *   late-boards: cpu N inline B wide W callbacks E
 */
import { QI_EVENT_GUEST_BBL_BEFORE_EXEC, QI_EVENT_GUEST_BBL_BEFORE_TRANS, qi_event_guest_bbl_before_trans_gen_exec } from 'tsemu/qemu-instr/events';
import { qi_ctrl_event_set, qi_gen_scoreboard_add, qi_scoreboard_new, qi_trace_event_set_state_dynamic, type QIInstanceResult, type QIScoreboard } from 'tsemu/qemu-instr/control';

const WIDE = 1_000_000;
let blocks: QIScoreboard | undefined;
let wide: QIScoreboard | undefined;
const executed = new Map<number, number>();

export function qi_init(): void {
  qi_ctrl_event_set(QI_EVENT_GUEST_BBL_BEFORE_TRANS, (cpu, tcg_cpu, pc) => {
    blocks ??= qi_scoreboard_new(1);
    wide ??= qi_scoreboard_new(WIDE);
    qi_gen_scoreboard_add(tcg_cpu, blocks, 0, 1);
    qi_gen_scoreboard_add(tcg_cpu, wide, Number((pc >> 1n) % BigInt(WIDE)), 1);
    qi_event_guest_bbl_before_trans_gen_exec(cpu, tcg_cpu, pc);
  });
  qi_ctrl_event_set(QI_EVENT_GUEST_BBL_BEFORE_EXEC, (cpu) => { executed.set(cpu.index, (executed.get(cpu.index) ?? 0) + 1); });
  qi_trace_event_set_state_dynamic(QI_EVENT_GUEST_BBL_BEFORE_TRANS, true);
  qi_trace_event_set_state_dynamic(QI_EVENT_GUEST_BBL_BEFORE_EXEC, true);
}

export const qi_fini = (): Map<number, number> => executed;

export function qi_merge(results: readonly QIInstanceResult<Map<number, number>>[]): void {
  blocks ??= qi_scoreboard_new(1);
  wide ??= qi_scoreboard_new(WIDE);
  const callbacks = new Map<number, number>();
  for (const { value } of results) for (const [cpu, n] of value) callbacks.set(cpu, (callbacks.get(cpu) ?? 0) + n);
  for (const [cpu, n] of [...callbacks].sort((a, b) => a[0] - b[0])) {
    let w = 0n;
    for (let c = 0; c < WIDE; c++) w += wide.get(cpu, c);
    console.log(`late-boards: cpu ${cpu} inline ${blocks.get(cpu, 0)} wide ${w} callbacks ${n}`);
  }
}
