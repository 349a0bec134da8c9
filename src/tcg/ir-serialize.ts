/**
 * An IR block as text and back, so a block translated in one thread (the translator service,
 * where translation-time instrumentation inserts its ops) can be interpreted and tiered up in
 * another (the vCPU that runs it) exactly like a block that vCPU translated itself.
 *
 * Temps are objects shared between ops (the interpreter and the backends compare them by
 * identity), so the text holds the temp table once and ops refer to temps by id; every temp of
 * a block is in `ir.temps` at index `id` (src/tcg/builder.ts).
 */
import type { HelperName } from '../abi/helpers.js';
import type { IrWire } from '../abi/block-code.js';
import { Cond, CounterCond, EventArg, EventCond, IrBlock, MemOp, Op, Temp, TempKind } from './ir.js';

/** The writers' buffer, kept between blocks (a fresh one per block showed in the profile); grown when a block needs more. */
let scratch = new Float64Array(4096);

/**
 * The wire form (IrWire): a Float64Array of numbers and a table of strings (opcodes, helper names,
 * conditions, constants and bigint literals as decimal, string literals), each once; numbers
 * refer to strings by index. The numbers go through the channel's shared memory as they are (no
 * text): JSON of the numbers cost ~25 us a block to write and as much to read on a Linux boot
 * under instrumentation, the text of objects per op ~100 us each way.
 *
 *   block:   pc, insnCount, n, insnPcs[n], insnLengths[n], temps, temp*, ops, op*
 *   temp:    kind, index, uses, value (a string for a constant, else -1)
 *   op:      opc, insnIndex, dst (0: no dst field, 1: undefined, 2: a temp id follows), [id],
 *            argc, arg ids, then by opcode:
 *              setcond cond | exit target | exit_if cond target | insn_start pc
 *              qemu_ld/qemu_st offset size signed
 *              call helper, constc, consts, mayExit, pure
 *              call_event eventId, argc, (kind value)* (kind 0 temp id, 1 number, 2 bigint, 3 string),
 *                         hasCond, [board slot counters cond value]
 *              scoreboard_add board slot counters n store (0 absent, 1 true, 2 false)
 */
class Writer {
  private n = scratch;
  private len = 0;
  readonly s: string[] = [];
  private readonly index = new Map<string, number>();

  num(v: number): void {
    if (this.len === this.n.length) {
      const bigger = new Float64Array(this.n.length * 2);
      bigger.set(this.n);
      this.n = scratch = bigger;
    }
    this.n[this.len++] = v;
  }

  str(v: string): void {
    let i = this.index.get(v);
    if (i === undefined) {
      i = this.s.push(v) - 1;
      this.index.set(v, i);
    }
    this.num(i);
  }

  list(values: readonly number[]): void {
    this.num(values.length);
    for (let k = 0; k < values.length; k++) this.num(values[k]);
  }

  wire(): IrWire {
    return { numbers: this.n.slice(0, this.len), strings: this.s };
  }
}

class Reader {
  private p = 0;
  constructor(private readonly n: Float64Array, private readonly s: readonly string[]) {}
  num(): number { return this.n[this.p++]; }
  str(): string { return this.s[this.n[this.p++]]; }
  list(): number[] {
    const len = this.num();
    const out: number[] = new Array<number>(len);
    for (let k = 0; k < len; k++) out[k] = this.n[this.p + k];
    this.p += len;
    return out;
  }
}

function writeOp(w: Writer, op: Op): void {
  w.str(op.opc);
  w.num(op.insnIndex);
  if (!('dst' in op)) w.num(0);
  else if (op.dst === undefined) w.num(1);
  else {
    w.num(2);
    w.num(op.dst.id);
  }
  w.num(op.args.length);
  for (const a of op.args) w.num(a.id);
  switch (op.opc) {
    case 'setcond': w.str(op.cond); return;
    case 'exit': w.num(op.target); return;
    case 'exit_if': w.str(op.cond); w.num(op.target); return;
    case 'insn_start': w.num(op.pc); return;
    case 'qemu_ld': case 'qemu_st': w.num(op.offset); w.num(op.mem.size); w.num(op.mem.signed ? 1 : 0); return;
    case 'call':
      w.str(op.helper);
      w.list(op.consts);
      w.num(op.mayExit ? 1 : 0); w.num(op.pure ? 1 : 0);
      return;
    case 'call_event':
      w.num(op.eventId); w.num(op.eventArgs.length);
      for (const a of op.eventArgs) {
        if ('temp' in a) {
          w.num(0);
          w.num(a.temp.id);
        } else if (typeof a.literal === 'number') {
          w.num(1);
          w.num(a.literal);
        } else if (typeof a.literal === 'bigint') { w.num(2); w.str(a.literal.toString()); } else { w.num(3); w.str(a.literal); }
      }
      if (op.cond === undefined) w.num(0);
      else {
        w.num(1); w.num(op.cond.board); w.num(op.cond.slot); w.num(op.cond.counters);
        w.str(op.cond.cond);
        w.num(op.cond.value);
      }
      return;
    case 'scoreboard_add': w.num(op.board); w.num(op.slot); w.num(op.counters); w.num(op.n); w.num(op.store === undefined ? 0 : op.store ? 1 : 2); return;
    default:
  }
}

function readOp(r: Reader, temps: readonly Temp[]): Op {
  const opc = r.str();
  const insnIndex = r.num();
  const dstKind = r.num();
  const dst = dstKind === 2 ? temps[r.num()] : undefined;
  const argc = r.num();
  const args: Temp[] = [];
  for (let k = 0; k < argc; k++) args.push(temps[r.num()]);
  const op: Record<string, unknown> = dstKind === 0 ? { opc, args, insnIndex } : { opc, dst, args, insnIndex };
  switch (opc) {
    case 'setcond': op.cond = r.str() as Cond; break;
    case 'exit': op.target = r.num(); break;
    case 'exit_if': op.cond = r.str() as Cond; op.target = r.num(); break;
    case 'insn_start': op.pc = r.num(); break;
    case 'qemu_ld': case 'qemu_st': {
      op.offset = r.num();
      const size = r.num() as MemOp['size'];
      op.mem = { size, signed: r.num() === 1 } satisfies MemOp;
      break;
    }
    case 'call':
      op.helper = r.str() as HelperName;
      op.consts = r.list();
      op.mayExit = r.num() === 1;
      op.pure = r.num() === 1;
      break;
    case 'call_event': {
      op.eventId = r.num();
      const count = r.num();
      const eventArgs: EventArg[] = [];
      for (let k = 0; k < count; k++) {
        const kind = r.num();
        if (kind === 0) eventArgs.push({ temp: temps[r.num()] });
        else if (kind === 1) eventArgs.push({ literal: r.num() });
        else if (kind === 2) eventArgs.push({ literal: BigInt(r.str()) });
        else eventArgs.push({ literal: r.str() });
      }
      op.eventArgs = eventArgs;
      if (r.num() === 1) {
        const board = r.num(), slot = r.num(), counters = r.num();
        const cond = r.str() as CounterCond;
        op.cond = { board, slot, counters, cond, value: r.num() } satisfies EventCond;
      }
      break;
    }
    case 'scoreboard_add': {
      op.board = r.num();
      op.slot = r.num();
      op.counters = r.num();
      op.n = r.num();
      const store = r.num();
      if (store !== 0) op.store = store === 1;
      break;
    }
    default:
  }
  return op as unknown as Op;
}

/** `ir` on the wire, for `decodeIr` in another thread. */
export function encodeIr(ir: IrBlock): IrWire {
  const w = new Writer();
  w.num(ir.pc);
  w.num(ir.insnCount);
  w.list(ir.insnPcs);
  for (const len of ir.insnLengths) w.num(len);
  w.num(ir.temps.length);
  for (const t of ir.temps) {
    w.str(t.kind);
    w.num(t.index);
    w.num(t.uses);
    if (t.kind === 'const') w.str(t.value.toString());
    else w.num(-1);
  }
  w.num(ir.ops.length);
  for (const op of ir.ops) writeOp(w, op);
  return w.wire();
}

/** The block `encodeIr` wrote, with temps shared between ops as in the original. */
export function decodeIr(wire: IrWire): IrBlock {
  const r = new Reader(wire.numbers, wire.strings);
  const pc = r.num();
  const insnCount = r.num();
  const insnPcs = r.list();
  const insnLengths = insnPcs.map(() => r.num());
  const temps: Temp[] = [];
  const count = r.num();
  for (let id = 0; id < count; id++) {
    const kind = r.str() as TempKind;
    const index = r.num();
    const uses = r.num();
    const t = kind === 'const' ? new Temp(id, 'i64', kind, BigInt(r.str()), index) : new Temp(id, 'i64', kind, (r.num(), 0n), index);
    t.uses = uses;
    temps.push(t);
  }
  const ops: Op[] = [];
  const opCount = r.num();
  for (let k = 0; k < opCount; k++) ops.push(readOp(r, temps));
  return { pc, insnCount, insnPcs, insnLengths, temps, ops };
}
