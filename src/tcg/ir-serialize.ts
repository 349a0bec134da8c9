/**
 * An IR block as text and back, so a block translated in one thread (the translator service,
 * where translation-time instrumentation inserts its ops) can be interpreted and tiered up in
 * another (the vCPU that runs it) exactly like a block that vCPU translated itself.
 *
 * Temps are objects shared between ops (the interpreter and the backends compare them by
 * identity), so the text holds the temp table once and ops refer to temps by id; every temp of
 * a block is in `ir.temps` at index `id` (src/tcg/builder.ts). Bigints (constants, event
 * literals) become `{"$n": "decimal"}`.
 */
import { EventArg, IrBlock, Op, Temp, TempKind } from './ir.js';

/** A temp on the wire: [kind, constant value, register index, uses]. */
type TempRecord = [kind: TempKind, value: string, index: number, uses: number];

type Wire = Record<string, unknown>;

interface BlockRecord {
  pc: number;
  insnCount: number;
  insnPcs: number[];
  insnLengths: number[];
  temps: TempRecord[];
  ops: Wire[];
}

const BIGINT = '$n';

function literalOut(v: number | bigint | string): unknown {
  return typeof v === 'bigint' ? { [BIGINT]: v.toString() } : v;
}

function literalIn(v: unknown): number | bigint | string {
  if (typeof v === 'object' && v !== null) return BigInt((v as Record<string, string>)[BIGINT]);
  return v as number | string;
}

function opOut(op: Op): Wire {
  const w: Wire = { ...op, args: op.args.map((t) => t.id) };
  if ('dst' in op && op.dst !== undefined) w.dst = op.dst.id;
  if (op.opc === 'call_event') {
    w.eventArgs = op.eventArgs.map((a) => ('temp' in a ? { temp: a.temp.id } : { literal: literalOut(a.literal) }));
  }
  return w;
}

function opIn(w: Wire, temps: readonly Temp[]): Op {
  const op: Wire = { ...w, args: (w.args as number[]).map((id) => temps[id]) };
  if (typeof w.dst === 'number') op.dst = temps[w.dst];
  if (w.opc === 'call_event') {
    op.eventArgs = (w.eventArgs as Wire[]).map((a): EventArg => ('temp' in a ? { temp: temps[a.temp as number] } : { literal: literalIn(a.literal) }));
  }
  return op as unknown as Op;
}

/** `ir` as text for `parseIr`. */
export function serializeIr(ir: IrBlock): string {
  const record: BlockRecord = {
    pc: ir.pc,
    insnCount: ir.insnCount,
    insnPcs: ir.insnPcs,
    insnLengths: ir.insnLengths,
    temps: ir.temps.map((t): TempRecord => [t.kind, t.kind === 'const' ? t.value.toString() : '0', t.index, t.uses]),
    ops: ir.ops.map(opOut),
  };
  return JSON.stringify(record);
}

/** The block `serializeIr` wrote, with temps shared between ops as in the original. */
export function parseIr(text: string): IrBlock {
  const record = JSON.parse(text) as BlockRecord;
  const temps = record.temps.map(([kind, value, index, uses], id) => {
    const t = new Temp(id, 'i64', kind, BigInt(value), index);
    t.uses = uses;
    return t;
  });
  return {
    pc: record.pc,
    insnCount: record.insnCount,
    insnPcs: record.insnPcs,
    insnLengths: record.insnLengths,
    temps,
    ops: record.ops.map((w) => opIn(w, temps)),
  };
}
