/**
 * The translator's calls to the generated trace_<event>_tcg() functions
 * (src/trace/generated/tcg.ts) at each block start, instruction start and
 * guest memory access, for the vCPU that asked for the translation. Those
 * functions do nothing (no call, no code) while neither level is enabled.
 * They also keep the translation in progress (block request, instruction pc)
 * for the API's block and instruction handles (handles.ts), which are only
 * made when a callback asks for them.
 */
import type { BlockRequest, BlockTranslatorHooks } from '../target/riscv/block-translator.js';
import type { Temp } from '../tcg/ir.js';
import type { InstrRuntime } from './runtime.js';
import { bindTcgTraceRuntime, tcgTraceRuntime } from '../trace/tcg-runtime.js';
import { EventId } from '../trace/generated/events.js';
import { trace_guest_bbl_before_tcg, trace_guest_inst_before_tcg, trace_guest_mem_after_tcg, trace_guest_mem_before_tcg } from '../trace/generated/tcg.js';
import { blockHandle, setCurrentTranslation, type CurrentTranslation, type HandleSource } from './handles.js';
import type { QITB } from './api/types.js';

const u64 = (pc: number): bigint => BigInt.asUintN(64, BigInt(pc));

/** In the translator service: generated trace_*_tcg() calls go to this thread's instrumentation runtime. */
export function bindTranslationEvents(rt: InstrRuntime): void {
  bindTcgTraceRuntime({
    wanted: (transId, cpu) => rt.transWanted(transId, cpu),
    raise: (transId, cpu, b, args) => rt.raiseTrans(transId, cpu, b, args),
  });
}

/** Value bits of an access of 2^shift bytes (QEMU's mem value is zero-extended from the access size). */
const VALUE_MASK = [0xffn, 0xffffn, 0xffffffffn];

export function translationHooks(cpu: number, source?: HandleSource): BlockTranslatorHooks {
  let req: BlockRequest | undefined;
  let tb: QITB | undefined;
  const current: CurrentTranslation = {
    pc: 0,
    block(): QITB {
      if (!source || !req) throw new Error('no block handle in this thread');
      return (tb ??= blockHandle(source, req));
    },
  };
  return {
    translationStart(r) {
      req = r;
      tb = undefined;
      current.pc = r.pc;
      setCurrentTranslation(current);
    },
    blockStart(b, pc) {
      current.pc = pc;
      trace_guest_bbl_before_tcg(b, cpu, u64(pc));
    },
    beforeInsn(b, pc, length) {
      current.pc = pc;
      trace_guest_inst_before_tcg(b, cpu, u64(pc), length);
    },
    beforeMemAccess(b, pc, base, offset, info) {
      current.pc = pc;
      // the address temp is built only when someone wants the event (dead code otherwise)
      const vaddr = b.materialize(b.addi(base, offset));
      trace_guest_mem_before_tcg(b, cpu, vaddr, info);
    },
    memValueAddress(b, _pc, base, offset) {
      if (!tcgTraceRuntime.wanted(EventId.guest_mem_after_trans, cpu)) return undefined;
      return b.materialize(b.addi(base, offset));
    },
    afterMemAccess(b, pc, vaddr, info, value) {
      current.pc = pc;
      const mask = VALUE_MASK[info & 3];
      const v: Temp = mask === undefined ? b.materialize(value) : b.and(value, b.const64(mask));
      trace_guest_mem_after_tcg(b, cpu, vaddr, info, v);
    },
  };
}
