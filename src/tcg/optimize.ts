/**
 * IR optimizations run on every block before code generation.
 *
 * Constant folding happens while the block is built (see builder.ts); here:
 *  - dead-code removal: pure ops whose result nobody reads are dropped, and
 *    the inputs they read lose a use (so chains disappear in one backward pass);
 *  - dead global stores: a register written twice with no read, helper call,
 *    memory access or exit in between keeps only the second write;
 *  - scoreboard adds merged: instrumentation's inline adds (one per guest
 *    instruction for an instruction count) sink to the next op where the
 *    block may end or other code may run, and adds to the same counter
 *    there become one.
 */
import { IrBlock, Op, ScoreboardOp, Temp } from './ir.js';

/** The temp an op computes and nothing else: removable when nobody reads it. */
function pureResult(op: Op): Temp | undefined {
  switch (op.opc) {
    case 'call':
      return op.pure ? op.dst : undefined;
    case 'qemu_ld': case 'qemu_st': case 'exit': case 'exit_if': case 'exit_indirect': case 'insn_start':
    case 'call_event': case 'scoreboard_add':
      return undefined;
    default:
      // division by zero is defined on RISC-V, so arithmetic never traps; a global is a register write
      return op.dst.kind === 'temp' ? op.dst : undefined;
  }
}

/** Ops after which the guest register file may be observed (by a helper, a fault or the run loop). */
function observesRegisters(op: Op): boolean {
  return op.opc === 'call' || op.opc === 'call_event' || op.opc === 'qemu_ld' || op.opc === 'qemu_st' ||
    op.opc === 'exit' || op.opc === 'exit_if' || op.opc === 'exit_indirect';
}

export function removeDeadGlobalStores(block: IrBlock): void {
  // Walk backwards remembering registers that are overwritten later before any read:
  // one bit per register (x1..x31), as this runs for every block translated.
  const ops = block.ops;
  const keep: boolean[] = new Array<boolean>(ops.length).fill(true);
  let overwritten = 0;
  let removed = 0;
  for (let i = ops.length - 1; i >= 0; i--) {
    const op = ops[i];
    if (observesRegisters(op)) overwritten = 0;
    const args = op.args;
    for (let k = 0; k < args.length; k++) if (args[k].kind === 'global') overwritten &= ~(1 << args[k].index);
    if (op.opc === 'mov' && op.dst.kind === 'global') {
      const bit = 1 << op.dst.index;
      if ((overwritten & bit) !== 0) {
        keep[i] = false;
        removed++;
        for (let k = 0; k < args.length; k++) args[k].uses--;
      } else {
        overwritten |= bit;
      }
    }
  }
  if (removed > 0) compact(block, keep);
}

export function removeDeadCode(block: IrBlock): void {
  const ops = block.ops;
  const keep: boolean[] = new Array<boolean>(ops.length).fill(true);
  let removed = 0;
  for (let i = ops.length - 1; i >= 0; i--) {
    const op = ops[i];
    const result = pureResult(op);
    if (result !== undefined && result.uses === 0) {
      keep[i] = false;
      removed++;
      for (const a of op.args) a.uses--;
    }
  }
  if (removed > 0) compact(block, keep);
}

/** Drop the ops not kept, in place. */
function compact(block: IrBlock, keep: readonly boolean[]): void {
  const ops = block.ops;
  let n = 0;
  for (let i = 0; i < ops.length; i++) if (keep[i]) ops[n++] = ops[i];
  ops.length = n;
}

/**
 * Sink every scoreboard add to the next barrier and merge those that reach it for the same
 * counter (in first-seen order). Counts seen at any barrier, and so at every exit and fault,
 * are what the unmerged adds give: an instruction's add still precedes the instruction's own
 * memory access, so a faulting instruction is counted as before.
 */
export function mergeScoreboardAdds(block: IrBlock): void {
  const ops = block.ops;
  if (!ops.some((op) => op.opc === 'scoreboard_add')) return;
  const out: Op[] = [];
  let pending = new Map<string, ScoreboardOp>();
  const flush = (): void => {
    for (const add of pending.values()) out.push(add);
    pending = new Map();
  };
  for (const op of ops) {
    if (op.opc === 'scoreboard_add' && op.store === true) {
      // an inline store: the adds before it happen first, the ones after it merge after it
      flush();
      out.push(op);
      continue;
    }
    if (op.opc === 'scoreboard_add') {
      const key = `${op.board}/${op.slot}/${op.counters}`;
      const earlier = pending.get(key);
      pending.set(key, earlier === undefined ? op : { ...earlier, n: earlier.n + op.n });
      continue;
    }
    // where the block may end (an exit, a fault, a helper) or other code may run and read a
    // scoreboard (a helper, an event's callback), the adds before must have happened
    if (observesRegisters(op)) flush();
    out.push(op);
  }
  flush();
  block.ops = out;
}

export function optimize(block: IrBlock): void {
  removeDeadGlobalStores(block);
  removeDeadCode(block);
  mergeScoreboardAdds(block);
}
