/**
 * JavaScript backend: turns an IR block into the source of a JS function.
 *
 * The source is a factory body; the vCPU worker compiles it once with
 * `new Function(...BLOCK_PARAMS, source)` and calls the factory with its own
 * context to obtain the block function, which returns the next guest pc.
 * Everything the block touches is a closure variable bound by the factory:
 *
 *   c     the vCPU context (helpers, `brk`/`brkPc` for helper-requested exits)
 *   x     BigInt64Array over the vCPU state (guest registers, slot = index)
 *   xi    Int32Array over the same bytes (low/high words of each register)
 *   f     Float64Array over the same bytes (pc, instret)
 *   tlb   Int32Array soft TLB: entries of [readTag, writeTag, hiWord, ramOffset]
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
import { Cond, IrBlock, MemOp, Op, Temp } from './ir.js';
import { SLOT_INSTRET } from '../abi/state-layout.js';
import { TLB_ENTRIES, TLB_ENTRY_WORDS, TLB_HI, TLB_RAM_OFFSET, TLB_WRITE_TAG } from '../abi/tlb.js';

/** Iterations a self-looping block runs before returning to the run loop. */
export const LOOP_ITERATIONS = 255;

const RAM_VIEW: Record<string, string> = {
  '1s': 'm8', '1u': 'mu8', '2s': 'm16', '2u': 'mu16', '4s': 'm32', '4u': 'mu32', '8s': 'm64', '8u': 'm64',
};

function shiftFor(size: number): number {
  return size === 1 ? 0 : size === 2 ? 1 : size === 4 ? 2 : 3;
}

export class JsBackend {
  private lines: string[] = [];
  /** Some access probes the TLB inline and needs the TLB set in `mb`. */
  private inlineTlb = false;
  /** Register-based accesses call `ls` (compact source) unless the block loops on itself. */
  private compactAccesses = true;

  constructor(private readonly block: IrBlock) {}

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
    return this.lines.join('\n');
  }

  private isSelfExit(op: Op): boolean {
    return (op.opc === 'exit' || op.opc === 'exit_if') && op.imm === this.block.pc;
  }

  /** Leave for constant `pc`, or go round again when it is this block's own start. */
  private jumpTo(op: Op): string {
    const pc = op.imm as number;
    if (pc === this.block.pc) return `${this.retire(op)} if (it < ${LOOP_ITERATIONS}) continue; return ${pc};`;
    return `${this.retire(op)} return ${pc};`;
  }

  private out(s: string): void {
    this.lines.push('  ' + s);
  }

  private val(t: Temp): string {
    switch (t.kind) {
      case 'const': return `${t.value as bigint}n`;
      case 'global': return `x[${t.index}]`;
      default: return `t${t.id}`;
    }
  }

  /** Low 32 bits of a value as a JS number expression. */
  private lo32(t: Temp): string {
    switch (t.kind) {
      case 'const': return String(Number(BigInt.asIntN(32, t.value as bigint)));
      case 'global': return `xi[${2 * t.index}]`;
      default: return `Number(BigInt.asIntN(32, t${t.id}))`;
    }
  }

  private def(op: Op, expr: string): void {
    this.out(`const ${this.val(op.dst as Temp)} = ${expr};`);
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

  private emitOp(op: Op): void {
    const [a, b] = op.args;
    const A = a ? this.val(a) : '';
    const B = b ? this.val(b) : '';
    switch (op.opc) {
      case 'insn_start':
        this.out(`// 0x${(op.imm as number).toString(16)}`);
        return;
      case 'mov':
        if (op.dst?.kind === 'global') this.out(`${this.val(op.dst)} = ${A};`);
        else this.def(op, A);
        return;
      case 'add': return this.def(op, `BigInt.asIntN(64, ${A} + ${B})`);
      case 'sub': return this.def(op, `BigInt.asIntN(64, ${A} - ${B})`);
      case 'and': return this.def(op, `${A} & ${B}`);
      case 'or': return this.def(op, `${A} | ${B}`);
      case 'xor': return this.def(op, `${A} ^ ${B}`);
      case 'shl': return this.def(op, `BigInt.asIntN(64, ${A} << (${B} & 63n))`);
      case 'shr': return this.def(op, `BigInt.asIntN(64, BigInt.asUintN(64, ${A}) >> (${B} & 63n))`);
      case 'sar': return this.def(op, `${A} >> (${B} & 63n)`);
      case 'mul': return this.def(op, `BigInt.asIntN(64, ${A} * ${B})`);
      case 'mulsh': return this.def(op, `BigInt.asIntN(64, (${A} * ${B}) >> 64n)`);
      case 'muluh': return this.def(op, `BigInt.asIntN(64, (BigInt.asUintN(64, ${A}) * BigInt.asUintN(64, ${B})) >> 64n)`);
      case 'mulsuh': return this.def(op, `BigInt.asIntN(64, (${A} * BigInt.asUintN(64, ${B})) >> 64n)`);
      case 'div': return this.def(op, `(${B} === 0n ? -1n : BigInt.asIntN(64, ${A} / ${B}))`);
      case 'divu': return this.def(op, `(${B} === 0n ? -1n : BigInt.asIntN(64, BigInt.asUintN(64, ${A}) / BigInt.asUintN(64, ${B})))`);
      case 'rem': return this.def(op, `(${B} === 0n ? ${A} : BigInt.asIntN(64, ${A} % ${B}))`);
      case 'remu': return this.def(op, `(${B} === 0n ? ${A} : BigInt.asIntN(64, BigInt.asUintN(64, ${A}) % BigInt.asUintN(64, ${B})))`);
      case 'ext32s': return this.def(op, `BigInt.asIntN(32, ${A})`);
      case 'ext32u': return this.def(op, `BigInt.asUintN(32, ${A})`);
      case 'setcond': return this.def(op, `(${this.cond(op.cond as Cond, a, b)} ? 1n : 0n)`);
      case 'qemu_ld': return this.emitLoad(op);
      case 'qemu_st': return this.emitStore(op);
      case 'call': return this.emitCall(op);
      case 'call_event': return this.emitEvent(op);
      case 'scoreboard_add': {
        const [board, slot, counters] = op.consts as number[];
        this.out(`sb[${board}][c.hartId * ${counters} + ${slot}] += ${op.imm as number}n;`);
        return;
      }
      case 'exit':
        this.out(this.jumpTo(op));
        return;
      case 'exit_if':
        this.out(`if (${this.cond(op.cond as Cond, a, b)}) { ${this.jumpTo(op)} }`);
        return;
      case 'exit_indirect':
        this.out(this.retire(op));
        this.out(`return Number(${A});`);
        return;
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
  private emitLoad(op: Op): void {
    const mem = op.mem as MemOp;
    const n = op.dst?.id as number;
    const base = op.args[0];
    if (base.kind === 'global' && this.compactAccesses) {
      const name = mem.size === 8 ? 'ld64' : `ld${mem.size * 8}${mem.signed ? 's' : 'u'}`;
      this.def(op, `ls.${name}(${base.index}, ${op.imm as number}, ${this.pcOf(op)}, ${op.insnIndex})`);
      return;
    }
    this.inlineTlb = true;
    this.address(base, op.imm as number, n);
    const view = RAM_VIEW[`${mem.size}${mem.signed ? 's' : 'u'}`];
    const shift = shiftFor(mem.size);
    const host = `${view}[(tlb[e${n} + ${TLB_RAM_OFFSET}] + (lo${n} & 4095)) >> ${shift}]`;
    const fast = mem.size === 8 ? host : `BigInt(${host})`;
    this.out(`const e${n} = mb + ((lo${n} >>> 10) & ${(TLB_ENTRIES - 1) * TLB_ENTRY_WORDS});`);
    this.out(`let t${n};`);
    this.out(`if (tlb[e${n}] === (lo${n} & ${this.tagMask(mem)}) && tlb[e${n} + ${TLB_HI}] === hi${n}) t${n} = ${fast};`);
    this.out(`else { t${n} = c.ld(lo${n}, hi${n}, ${mem.size}, ${mem.signed ? 1 : 0}, ${this.pcOf(op)}, ${op.insnIndex}); if (c.brk) { c.brk = false; return c.brkPc; } }`);
  }

  /** ls.st<size>(rs1, imm, value, pc, insn, length): see src/vcpu/load-store.ts. */
  private emitStore(op: Op): void {
    const mem = op.mem as MemOp;
    const [value, base] = op.args;
    if (base.kind === 'global' && this.compactAccesses) {
      const v = mem.size === 8 ? this.val(value) : this.lo32(value);
      const args = [base.index, op.imm as number, v, this.pcOf(op), op.insnIndex, this.block.insnLengths[op.insnIndex]];
      this.out(`ls.st${mem.size * 8}(${args.join(', ')});`);
      return;
    }
    this.inlineTlb = true;
    const n = `s${this.lines.length}`;
    this.address(base, op.imm as number, n);
    const view = RAM_VIEW[`${mem.size}s`];
    const shift = shiftFor(mem.size);
    const hostValue = mem.size === 8 ? this.val(value) : this.lo32(value);
    this.out(`const e${n} = mb + ((lo${n} >>> 10) & ${(TLB_ENTRIES - 1) * TLB_ENTRY_WORDS});`);
    this.out(`if (tlb[e${n} + ${TLB_WRITE_TAG}] === (lo${n} & ${this.tagMask(mem)}) && tlb[e${n} + ${TLB_HI}] === hi${n}) ${view}[(tlb[e${n} + ${TLB_RAM_OFFSET}] + (lo${n} & 4095)) >> ${shift}] = ${hostValue};`);
    this.out(`else { c.st(lo${n}, hi${n}, ${mem.size}, ${this.val(value)}, ${this.pcOf(op)}, ${op.insnIndex}, ${this.block.insnLengths[op.insnIndex]}); if (c.brk) { c.brk = false; return c.brkPc; } }`);
  }

  private pcOf(op: Op): number {
    return this.block.insnPcs[op.insnIndex];
  }

  /** ev[id](...args): the vCPU's dispatcher for the execution-level event. */
  private emitEvent(op: Op): void {
    const args = (op.eventArgs ?? []).map((a) => {
      if ('temp' in a) return `BigInt.asUintN(64, ${this.val(a.temp)})`; // run-time values are uint64_t
      const v = a.literal;
      return typeof v === 'bigint' ? `${v}n` : typeof v === 'string' ? JSON.stringify(v) : String(v);
    });
    this.out(`ev[${op.imm as number}](${args.join(', ')});`);
  }

  private emitCall(op: Op): void {
    const args = op.args.map((t) => this.val(t));
    for (const k of op.consts ?? []) args.push(String(k));
    if (op.mayExit) args.push(String(this.pcOf(op)), String(op.insnIndex));
    const call = `c.${op.helper as string}(${args.join(', ')})`;
    if (op.dst) this.def(op, call);
    else this.out(`${call};`);
    if (op.mayExit) this.out(`if (c.brk) { c.brk = false; return c.brkPc; }`);
  }
}

export function generateJs(block: IrBlock): string {
  return new JsBackend(block).generate();
}
