/**
 * The translator's calls to trace_<event>_tcg(): at each guest memory access,
 * block start and instruction start the translator asks here whether anyone
 * wants the event (zero cost when nobody does: no call, no code), and if so
 * raises the translation level with the translating vCPU, which in turn may
 * generate execution-level code.
 */
import type { BlockTranslatorHooks } from '../target/riscv/block-translator.js';
import type { InstrRuntime } from './runtime.js';
import { EVENT_BBL_TRANS, EVENT_INSN_TRANS, EVENT_MEM_TRANS } from './thread-env.js';

const u64 = (pc: number): bigint => BigInt.asUintN(64, BigInt(pc));

export function translationHooks(rt: InstrRuntime, cpu: number): BlockTranslatorHooks {
  return {
    blockStart(b, pc) {
      if (rt.transWanted(EVENT_BBL_TRANS, cpu)) rt.raiseTrans(EVENT_BBL_TRANS, cpu, b, [{ value: u64(pc) }]);
    },
    beforeInsn(b, pc, length) {
      if (rt.transWanted(EVENT_INSN_TRANS, cpu)) rt.raiseTrans(EVENT_INSN_TRANS, cpu, b, [{ value: u64(pc) }, { value: length }]);
    },
    beforeMemAccess(b, _pc, base, offset, info) {
      if (!rt.transWanted(EVENT_MEM_TRANS, cpu)) return;
      const vaddr = b.materialize(b.addi(base, offset));
      rt.raiseTrans(EVENT_MEM_TRANS, cpu, b, [{ temp: vaddr }, { value: info }]);
    },
  };
}
