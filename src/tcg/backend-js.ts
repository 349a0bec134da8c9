/**
 * JavaScript backend: turns an IR block into the source of a JS function.
 *
 * The source is a factory body; the vCPU compiles it once with
 * `new Function(...BLOCK_PARAMS, source)` and calls the factory with its own
 * bindings to obtain the block function, which returns the next guest pc.
 * Everything the block touches is a closure variable bound by the factory
 * (src/abi/block-code.ts, BlockBindings):
 *
 *   c     the vCPU context: helpers, `endBlock`/`resumePc` for helper-requested
 *         exits (src/abi/helpers.ts), tlbBase, hartId
 *   x     BigInt64Array over the vCPU state (guest registers, slot = index)
 *   xi    Int32Array over the same bytes (low/high words of each register)
 *   f     Float64Array over the same bytes (pc, instret)
 *   tlb   Int32Array soft TLB (src/abi/tlb.ts)
 *   m8 .. m64  typed-array views of guest RAM
 *   ev    the vCPU's event sink: ev[eventId](...args) raises an execution-level event
 *   sb    scoreboards of instrumentation libraries (one BigInt64Array each, a row of
 *         counters per vCPU)
 *   ls    loads and stores through the TLB: ls.ld64(rs1, imm, pc, insn) and
 *         friends (src/vcpu/load-store.ts); a register-based access is one call,
 *         which V8 inlines once the block is hot. Other bases use the inline
 *         TLB probe below.
 *
 * This file is the only place that knows how ops look in JS; `-d out_asm`
 * prints exactly what it returns.
 */
import { CallOp, Cond, EventCond, EventOp, eventResumePoint, ExitIfOp, ExitOp, IrBlock, LoadOp, MemOp, Op, StoreOp, Temp } from './ir.js';
import type { LoadStoreHelpers } from '../abi/helpers.js';
import { SLOT_EVENT_PC, SLOT_EVENT_RETIRED, SLOT_INSTRET, WORD_EXIT_REQUEST } from '../abi/state-layout.js';
import { FLAT_READ, FLAT_WRITE, TLB_ENTRIES, TLB_ENTRY_WORDS, TLB_HI, TLB_RAM_OFFSET, TLB_WRITE_TAG, type FlatLayout } from '../abi/tlb.js';

/** Iterations a self-looping block runs before returning to the run loop. */
export const LOOP_ITERATIONS = 255;

const RAM_VIEW: Record<string, string> = {
  '1s': 'm8', '1u': 'mu8', '2s': 'm16', '2u': 'mu16', '4s': 'm32', '4u': 'mu32', '8s': 'm64', '8u': 'm64',
};

/** The `ls` function of a register-based load, by size: [zero-extending, sign-extending]. */
const LOAD_HELPER: Record<MemOp['size'], readonly [keyof LoadStoreHelpers, keyof LoadStoreHelpers]> = {
  1: ['ld8u', 'ld8s'], 2: ['ld16u', 'ld16s'], 4: ['ld32u', 'ld32s'], 8: ['ld64', 'ld64'],
};
const STORE_HELPER: Record<MemOp['size'], keyof LoadStoreHelpers> = { 1: 'st8', 2: 'st16', 4: 'st32', 8: 'st64' };

/**
 * Functions a block defines once, before its body, when one of its ops needs them (bit counts
 * and carry-less products have no BigInt operator). The counts work on the two 32-bit halves.
 */
const PRELUDE = {
  half: 'const lo32 = (v) => Number(BigInt.asIntN(32, v)), hi32 = (v) => Number(BigInt.asIntN(32, v >> 32n));',
  pop32: 'const pop32 = (v) => { v -= (v >>> 1) & 0x55555555; v = (v & 0x33333333) + ((v >>> 2) & 0x33333333); return Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24; };',
  clz: 'const clz64 = (v) => { const h = hi32(v); return BigInt(h !== 0 ? Math.clz32(h) : 32 + Math.clz32(lo32(v))); };',
  ctz: 'const ctz64 = (v) => { const l = lo32(v), h = hi32(v); return BigInt(l !== 0 ? 31 - Math.clz32(l & -l) : h !== 0 ? 63 - Math.clz32(h & -h) : 64); };',
  cpop: 'const cpop64 = (v) => BigInt(pop32(lo32(v)) + pop32(hi32(v)));',
  clmul: 'const clmul128 = (a, b) => { a = BigInt.asUintN(64, a); let r = 0n; for (let u = BigInt.asUintN(64, b), i = 0n; u !== 0n; u >>= 1n, i++) if (u & 1n) r ^= a << i; return r; };',
} as const;

type PreludeName = keyof typeof PRELUDE;

/** What each op that needs a prelude function needs, in definition order. */
const PRELUDE_NEEDS: Partial<Record<Op['opc'], readonly PreludeName[]>> = {
  clz: ['half', 'clz'], ctz: ['half', 'ctz'], cpop: ['half', 'pop32', 'cpop'], clmul: ['clmul'], clmulr: ['clmul'],
};

function shiftFor(size: number): number {
  return size === 1 ? 0 : size === 2 ? 1 : size === 4 ? 2 : 3;
}

/**
 * Does a block that loops on itself check the exit request at each iteration (both tiers)? When
 * its iterations raise execution-level events: a callback may stop the vCPU (qi_vm_stop, qi_exit),
 * and as in QEMU no guest code runs after the block that asked (the next iteration is the next
 * block). Other loops see requests after LOOP_ITERATIONS iterations at most.
 */
export function loopSeesExitRequests(block: IrBlock): boolean {
  return block.ops.some((op) => op.opc === 'call_event');
}

export class JsBackend {
  private lines: string[] = [];
  /** Some access probes the TLB inline and needs the TLB set in `mb`. */
  private inlineTlb = false;
  /** Register-based accesses call `ls` (compact source) unless the block loops on itself. */
  private compactAccesses = true;

  /** User mode's flat memory (src/abi/tlb.ts): inline accesses test its page table instead of the TLB. */
  constructor(private readonly block: IrBlock, private readonly flat?: FlatLayout) {}

  generate(): string {
    this.lines = [];
    this.inlineTlb = false;
    // parenthesised: V8 compiles it eagerly with the factory instead of pre-parsing it now and parsing it again on the first call
    this.lines.push('return (function block() {');
    // A block that jumps back to its own start is a loop: run it inside the
    // function (bounded, so exit requests and other vCPUs' stores are seen).
    const loops = this.block.ops.some((op) => this.isSelfExit(op));
    // a loop runs many iterations per call: its machine code matters more than its compile time
    this.compactAccesses = !loops;
    if (loops) this.lines.push(`  for (let it = 0; ; it++) {`);
    for (const op of this.block.ops) this.emitOp(op);
    if (loops) this.lines.push('  }');
    this.lines.push('});');
    if (this.inlineTlb) this.lines.splice(1, 0, '  const mb = c.tlbBase;');
    this.lines.unshift(...this.prelude());
    return this.lines.join('\n');
  }

  /** The PRELUDE functions the block's ops need, each once. */
  private prelude(): string[] {
    const names = new Set<PreludeName>();
    for (const op of this.block.ops) for (const name of PRELUDE_NEEDS[op.opc] ?? []) names.add(name);
    return (Object.keys(PRELUDE) as PreludeName[]).filter((n) => names.has(n)).map((n) => PRELUDE[n]);
  }

  private isSelfExit(op: Op): boolean {
    return (op.opc === 'exit' || op.opc === 'exit_if') && op.target === this.block.pc;
  }

  /** Leave for the op's constant target, or go round again when it is this block's own start. */
  private jumpTo(op: ExitOp | ExitIfOp): string {
    const pc = op.target;
    if (pc === this.block.pc) return `${this.retire(op)} if (it < ${LOOP_ITERATIONS}${loopSeesExitRequests(this.block) ? ` && xi[${WORD_EXIT_REQUEST}] === 0` : ''}) continue; return ${pc};`;
    return `${this.retire(op)} return ${pc};`;
  }

  private out(s: string): void {
    this.lines.push('  ' + s);
  }

  private val(t: Temp): string {
    switch (t.kind) {
      case 'const': return `${t.value}n`;
      case 'global': return `x[${t.index}]`;
      default: return `t${t.id}`;
    }
  }

  /** Low 32 bits of a value as a JS number expression. */
  private lo32(t: Temp): string {
    switch (t.kind) {
      case 'const': return String(Number(BigInt.asIntN(32, t.value)));
      case 'global': return `xi[${2 * t.index}]`;
      default: return `Number(BigInt.asIntN(32, t${t.id}))`;
    }
  }

  private def(dst: Temp, expr: string): void {
    this.out(`const ${this.val(dst)} = ${expr};`);
  }

  private retire(op: Op): string {
    return `f[${SLOT_INSTRET}] += ${op.insnIndex + 1};`;
  }

  private cond(cond: Cond, a: Temp, b: Temp): string {
    const A = this.val(a);
    const B = this.val(b);
    switch (cond) {
      case 'eq': return `${A} === ${B}`;
      case 'ne': return `${A} !== ${B}`;
      case 'lt': return `${A} < ${B}`;
      case 'ge': return `${A} >= ${B}`;
      case 'ltu': return `BigInt.asUintN(64, ${A}) < BigInt.asUintN(64, ${B})`;
      case 'geu': return `BigInt.asUintN(64, ${A}) >= BigInt.asUintN(64, ${B})`;
    }
  }

  /** `return` of the block's pc when a helper ended it (src/abi/helpers.ts). */
  private static readonly END_BLOCK_CHECK = 'if (c.endBlock) { c.endBlock = false; return c.resumePc; }';

  private emitOp(op: Op): void {
    switch (op.opc) {
      case 'insn_start':
        this.out(`// 0x${op.pc.toString(16)}`);
        return;
      case 'mov': {
        const src = this.val(op.args[0]);
        if (op.dst.kind === 'global') this.out(`${this.val(op.dst)} = ${src};`);
        else this.def(op.dst, src);
        return;
      }
      case 'ext32s': return this.def(op.dst, `BigInt.asIntN(32, ${this.val(op.args[0])})`);
      case 'ext32u': return this.def(op.dst, `BigInt.asUintN(32, ${this.val(op.args[0])})`);
      case 'clz': return this.def(op.dst, `clz64(${this.val(op.args[0])})`);
      case 'ctz': return this.def(op.dst, `ctz64(${this.val(op.args[0])})`);
      case 'cpop': return this.def(op.dst, `cpop64(${this.val(op.args[0])})`);
      case 'setcond': return this.def(op.dst, `(${this.cond(op.cond, op.args[0], op.args[1])} ? 1n : 0n)`);
      case 'qemu_ld': return this.emitLoad(op);
      case 'qemu_st': return this.emitStore(op);
      case 'call': return this.emitCall(op);
      case 'call_event': return this.emitEvent(op);
      case 'scoreboard_add':
        this.out(`sb[${op.board}][c.hartId * ${op.counters} + ${op.slot}] ${op.store === true ? '=' : '+='} ${op.n}n;`);
        return;
      case 'exit':
        this.out(this.jumpTo(op));
        return;
      case 'exit_if':
        this.out(`if (${this.cond(op.cond, op.args[0], op.args[1])}) { ${this.jumpTo(op)} }`);
        return;
      case 'exit_indirect':
        this.out(this.retire(op));
        this.out(`return Number(${this.val(op.args[0])});`);
        return;
      default: {
        const A = this.val(op.args[0]);
        const B = this.val(op.args[1]);
        switch (op.opc) {
          case 'add': return this.def(op.dst, `BigInt.asIntN(64, ${A} + ${B})`);
          case 'sub': return this.def(op.dst, `BigInt.asIntN(64, ${A} - ${B})`);
          case 'and': return this.def(op.dst, `${A} & ${B}`);
          case 'or': return this.def(op.dst, `${A} | ${B}`);
          case 'xor': return this.def(op.dst, `${A} ^ ${B}`);
          case 'shl': return this.def(op.dst, `BigInt.asIntN(64, ${A} << (${B} & 63n))`);
          case 'shr': return this.def(op.dst, `BigInt.asIntN(64, BigInt.asUintN(64, ${A}) >> (${B} & 63n))`);
          case 'sar': return this.def(op.dst, `${A} >> (${B} & 63n)`);
          case 'mul': return this.def(op.dst, `BigInt.asIntN(64, ${A} * ${B})`);
          case 'mulsh': return this.def(op.dst, `BigInt.asIntN(64, (${A} * ${B}) >> 64n)`);
          case 'muluh': return this.def(op.dst, `BigInt.asIntN(64, (BigInt.asUintN(64, ${A}) * BigInt.asUintN(64, ${B})) >> 64n)`);
          case 'mulsuh': return this.def(op.dst, `BigInt.asIntN(64, (${A} * BigInt.asUintN(64, ${B})) >> 64n)`);
          case 'div': return this.def(op.dst, `(${B} === 0n ? -1n : BigInt.asIntN(64, ${A} / ${B}))`);
          case 'divu': return this.def(op.dst, `(${B} === 0n ? -1n : BigInt.asIntN(64, BigInt.asUintN(64, ${A}) / BigInt.asUintN(64, ${B})))`);
          case 'rem': return this.def(op.dst, `(${B} === 0n ? ${A} : BigInt.asIntN(64, ${A} % ${B}))`);
          case 'remu': return this.def(op.dst, `(${B} === 0n ? ${A} : BigInt.asIntN(64, BigInt.asUintN(64, ${A}) % BigInt.asUintN(64, ${B})))`);
          case 'clmul': return this.def(op.dst, `BigInt.asIntN(64, clmul128(${A}, ${B}))`);
          case 'clmulr': return this.def(op.dst, `BigInt.asIntN(64, clmul128(${A}, ${B}) >> 63n)`);
        }
      }
    }
  }

  /**
   * Compute the effective address base + offset as two int32 words `lo`/`hi`.
   * Carry out of the low word is detected by unsigned wrap-around.
   */
  /** `n` names the locals (`lo<n>`, `hi<n>`): a temp id for loads, a unique string for stores. */
  private address(base: Temp, offset: number, n: number | string): void {
    if (base.kind === 'global') {
      this.out(`const b${n} = xi[${2 * base.index}];`);
      this.out(`const lo${n} = (b${n} + ${offset}) | 0;`);
      const hiBase = `xi[${2 * base.index + 1}]`;
      if (offset === 0) this.out(`const hi${n} = ${hiBase};`);
      else if (offset > 0) this.out(`const hi${n} = (${hiBase} + ((lo${n} >>> 0) < (b${n} >>> 0) ? 1 : 0)) | 0;`);
      else this.out(`const hi${n} = (${hiBase} - ((lo${n} >>> 0) < (b${n} >>> 0) ? 0 : 1)) | 0;`);
    } else {
      const v = this.val(base);
      this.out(`const a${n} = BigInt.asIntN(64, ${v} + ${offset}n);`);
      this.out(`const lo${n} = Number(BigInt.asIntN(32, a${n}));`);
      this.out(`const hi${n} = Number(a${n} >> 32n);`);
    }
  }

  private tagMask(mem: MemOp): number {
    return ~0xfff | (mem.size - 1);
  }

  /** ls.ld<size><s|u>(rs1, imm, pc, insn): see src/vcpu/load-store.ts. */
  private emitLoad(op: LoadOp): void {
    const { mem, offset } = op;
    const n = op.dst.id;
    const base = op.args[0];
    if (base.kind === 'global' && this.compactAccesses) {
      const name = LOAD_HELPER[mem.size][mem.signed ? 1 : 0];
      this.def(op.dst, `ls.${name}(${base.index}, ${offset}, ${this.pcOf(op)}, ${op.insnIndex})`);
      return;
    }
    this.address(base, offset, n);
    const view = RAM_VIEW[`${mem.size}${mem.signed ? 's' : 'u'}`];
    const shift = shiftFor(mem.size);
    if (this.flat !== undefined) {
      const host = `${view}[lo${n} >>> ${shift}]`;
      this.out(`let t${n};`);
      this.out(`if (${this.flatTest(n, mem, FLAT_READ)}) t${n} = ${mem.size === 8 ? host : `BigInt(${host})`};`);
      this.out(`else { t${n} = c.ld(lo${n}, hi${n}, ${mem.size}, ${mem.signed ? 1 : 0}, ${this.pcOf(op)}, ${op.insnIndex}); ${JsBackend.END_BLOCK_CHECK} }`);
      return;
    }
    this.inlineTlb = true;
    const host = `${view}[(tlb[e${n} + ${TLB_RAM_OFFSET}] + (lo${n} & 4095)) >> ${shift}]`;
    const fast = mem.size === 8 ? host : `BigInt(${host})`;
    this.out(`const e${n} = mb + ((lo${n} >>> 10) & ${(TLB_ENTRIES - 1) * TLB_ENTRY_WORDS});`);
    this.out(`let t${n};`);
    this.out(`if (tlb[e${n}] === (lo${n} & ${this.tagMask(mem)}) && tlb[e${n} + ${TLB_HI}] === hi${n}) t${n} = ${fast};`);
    this.out(`else { t${n} = c.ld(lo${n}, hi${n}, ${mem.size}, ${mem.signed ? 1 : 0}, ${this.pcOf(op)}, ${op.insnIndex}); ${JsBackend.END_BLOCK_CHECK} }`);
  }

  /** ls.st<size>(rs1, imm, value, pc, insn, length): see src/vcpu/load-store.ts. */
  private emitStore(op: StoreOp): void {
    const { mem, offset } = op;
    const [value, base] = op.args;
    if (base.kind === 'global' && this.compactAccesses) {
      const v = mem.size === 8 ? this.val(value) : this.lo32(value);
      const args = [base.index, offset, v, this.pcOf(op), op.insnIndex, this.block.insnLengths[op.insnIndex]];
      this.out(`ls.${STORE_HELPER[mem.size]}(${args.join(', ')});`);
      return;
    }
    const n = `s${this.lines.length}`;
    this.address(base, offset, n);
    const view = RAM_VIEW[`${mem.size}s`];
    const shift = shiftFor(mem.size);
    const hostValue = mem.size === 8 ? this.val(value) : this.lo32(value);
    if (this.flat !== undefined) {
      this.out(`if (${this.flatTest(n, mem, FLAT_WRITE)}) ${view}[lo${n} >>> ${shift}] = ${hostValue};`);
      this.out(`else { c.st(lo${n}, hi${n}, ${mem.size}, ${this.val(value)}, ${this.pcOf(op)}, ${op.insnIndex}, ${this.block.insnLengths[op.insnIndex]}); ${JsBackend.END_BLOCK_CHECK} }`);
      return;
    }
    this.inlineTlb = true;
    this.out(`const e${n} = mb + ((lo${n} >>> 10) & ${(TLB_ENTRIES - 1) * TLB_ENTRY_WORDS});`);
    this.out(`if (tlb[e${n} + ${TLB_WRITE_TAG}] === (lo${n} & ${this.tagMask(mem)}) && tlb[e${n} + ${TLB_HI}] === hi${n}) ${view}[(tlb[e${n} + ${TLB_RAM_OFFSET}] + (lo${n} & 4095)) >> ${shift}] = ${hostValue};`);
    this.out(`else { c.st(lo${n}, hi${n}, ${mem.size}, ${this.val(value)}, ${this.pcOf(op)}, ${op.insnIndex}, ${this.block.insnLengths[op.insnIndex]}); ${JsBackend.END_BLOCK_CHECK} }`);
  }

  /** src/tcg/tlb-probe.ts flatHostIndex's test, inline: 32-bit, aligned, the page's bit set. */
  private flatTest(n: number | string, mem: MemOp, bit: number): string {
    const table = (this.flat as FlatLayout).table;
    return `hi${n} === 0 && (lo${n} & ${mem.size - 1}) === 0 && (mu8[${table} + (lo${n} >>> 12)] & ${bit}) !== 0`;
  }

  private pcOf(op: Op): number {
    return this.block.insnPcs[op.insnIndex];
  }

  /** ev[id](...args): the vCPU's dispatcher for the execution-level event. */
  private emitEvent(op: EventOp): void {
    const args = op.eventArgs.map((a) => {
      if ('temp' in a) return `BigInt.asUintN(64, ${this.val(a.temp)})`; // run-time values are uint64_t
      const v = a.literal;
      return typeof v === 'bigint' ? `${v}n` : typeof v === 'string' ? JSON.stringify(v) : String(v);
    });
    const at = eventResumePoint(this.block, op);
    const call = `{ f[${SLOT_EVENT_PC}] = ${at.pc}; f[${SLOT_EVENT_RETIRED}] = ${at.retired}; ev[${op.eventId}](${args.join(', ')}); f[${SLOT_EVENT_PC}] = -1; }`;
    this.out(op.cond === undefined ? call : `if (${counterCondition(op.cond, 'sb', 'c.hartId')}) ${call}`);
  }

  /** c.<helper>(values..., constants..., [pc, insnIndex]): the convention of src/abi/helpers.ts. */
  private emitCall(op: CallOp): void {
    const args = op.args.map((t) => this.val(t));
    for (const k of op.consts) args.push(String(k));
    if (op.mayExit) args.push(String(this.pcOf(op)), String(op.insnIndex));
    const call = `c.${op.helper}(${args.join(', ')})`;
    if (op.dst) this.def(op.dst, call);
    else this.out(`${call};`);
    if (op.mayExit) this.out(JsBackend.END_BLOCK_CHECK);
  }
}

export function generateJs(block: IrBlock, flat?: FlatLayout): string {
  return new JsBackend(block, flat).generate();
}

/** JavaScript source of `cond` on the running vCPU's counter (unsigned 64-bit, as QEMU's exec_cond_cb). */
export function counterCondition(cond: EventCond, boards: string, hart: string): string {
  const counter = `BigInt.asUintN(64, ${boards}[${cond.board}][${hart} * ${cond.counters} + ${cond.slot}])`;
  return `${counter} ${COUNTER_OPS[cond.cond]} ${BigInt.asUintN(64, BigInt(cond.value))}n`;
}

const COUNTER_OPS: Record<EventCond['cond'], string> = { eq: '===', ne: '!==', lt: '<', le: '<=', gt: '>', ge: '>=' };
