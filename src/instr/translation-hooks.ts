/**
 * The translator's calls to the generated trace_<event>_tcg() functions
 * (src/trace/generated/tcg.ts) at each block start, instruction start and
 * guest memory access, for the vCPU that asked for the translation. Those
 * functions do nothing (no call, no code) while neither level is enabled.
 */
import type { BlockTranslatorHooks } from '../target/riscv/block-translator.js';
import type { InstrRuntime } from './runtime.js';
import { bindTcgTraceRuntime } from '../trace/tcg-runtime.js';
import { trace_guest_bbl_before_tcg, trace_guest_inst_before_tcg, trace_guest_mem_before_tcg } from '../trace/generated/tcg.js';

const u64 = (pc: number): bigint => BigInt.asUintN(64, BigInt(pc));

/** In the translator service: generated trace_*_tcg() calls go to this thread's instrumentation runtime. */
export function bindTranslationEvents(rt: InstrRuntime): void {
  bindTcgTraceRuntime({
    wanted: (transId, cpu) => rt.transWanted(transId, cpu),
    raise: (transId, cpu, b, args) => rt.raiseTrans(transId, cpu, b, args),
  });
}

export function translationHooks(cpu: number): BlockTranslatorHooks {
  return {
    blockStart(b, pc) {
      trace_guest_bbl_before_tcg(b, cpu, u64(pc));
    },
    beforeInsn(b, pc, length) {
      trace_guest_inst_before_tcg(b, cpu, u64(pc), length);
    },
    beforeMemAccess(b, _pc, base, offset, info) {
      // the address temp is built only when someone wants the event (dead code otherwise)
      const vaddr = b.materialize(b.addi(base, offset));
      trace_guest_mem_before_tcg(b, cpu, vaddr, info);
    },
  };
}
