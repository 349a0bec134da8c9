/**
 * IR optimizations run on every block before code generation.
 *
 * Constant folding happens while the block is built (see builder.ts); here:
 *  - dead-code removal: pure ops whose result nobody reads are dropped, and
 *    the inputs they read lose a use (so chains disappear in one backward pass);
 *  - dead global stores: a register written twice with no read, helper call,
 *    memory access or exit in between keeps only the second write.
 */
import { IrBlock, Op } from './ir.js';

function isPure(op: Op): boolean {
  switch (op.opc) {
    case 'call':
      return op.pure === true;
    case 'qemu_ld': case 'qemu_st': case 'exit': case 'exit_if': case 'exit_indirect': case 'insn_start':
    case 'call_event': case 'scoreboard_add':
      return false;
    default:
      // division by zero is defined on RISC-V, so arithmetic never traps
      return op.dst !== undefined && op.dst.kind === 'temp';
  }
}

/** Ops after which the guest register file may be observed (by a helper, a fault or the run loop). */
function observesRegisters(op: Op): boolean {
  return op.opc === 'call' || op.opc === 'call_event' || op.opc === 'qemu_ld' || op.opc === 'qemu_st' ||
    op.opc === 'exit' || op.opc === 'exit_if' || op.opc === 'exit_indirect';
}

export function removeDeadGlobalStores(block: IrBlock): void {
  // Walk backwards remembering registers that are overwritten later before any read.
  const overwritten = new Set<number>();
  const keep: boolean[] = new Array<boolean>(block.ops.length).fill(true);
  for (let i = block.ops.length - 1; i >= 0; i--) {
    const op = block.ops[i];
    if (observesRegisters(op)) overwritten.clear();
    for (const a of op.args) if (a.kind === 'global') overwritten.delete(a.index);
    if (op.opc === 'mov' && op.dst?.kind === 'global') {
      if (overwritten.has(op.dst.index)) {
        keep[i] = false;
        for (const a of op.args) a.uses--;
      } else {
        overwritten.add(op.dst.index);
      }
    }
  }
  block.ops = block.ops.filter((_, i) => keep[i]);
}

export function removeDeadCode(block: IrBlock): void {
  const keep: boolean[] = new Array<boolean>(block.ops.length).fill(true);
  for (let i = block.ops.length - 1; i >= 0; i--) {
    const op = block.ops[i];
    if (isPure(op) && op.dst !== undefined && op.dst.uses === 0) {
      keep[i] = false;
      for (const a of op.args) a.uses--;
    }
  }
  block.ops = block.ops.filter((_, i) => keep[i]);
}

export function optimize(block: IrBlock): void {
  removeDeadGlobalStores(block);
  removeDeadCode(block);
}
