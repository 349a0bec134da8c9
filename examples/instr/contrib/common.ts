/*
 * Shared by the contrib-equivalent tools (bundled into each tool, not a library of its own):
 * QEMU-style `key=value` arguments, hex formatting, and the block table, which gives an
 * execution-level callback what QEMU's block handle gives a plugin at translation time (the
 * block's instruction count, its last instruction, its size in bytes) using only the events of
 * the document's API: after a guest_bbl_before_trans, the translator service's instance counts the
 * guest_inst_before_trans events of that block and writes the totals into a shared scoreboard
 * used as an open-addressing hash table keyed by the block's start address (row 0 of the board),
 * which the vCPU workers' instances read when the block runs.
 */
import type { QIScoreboard } from 'tsemu/qemu-instr';
import { qi_scoreboard_new } from 'tsemu/qemu-instr/control';

/** `key=value` arguments, QEMU plugin style (`-instr file=...,arg=interval=1000`). */
export function parseArgs(tool: string, argv: readonly string[], known: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const arg of argv) {
    const eq = arg.indexOf('=');
    const key = eq < 0 ? arg : arg.slice(0, eq);
    if (!known.includes(key)) throw new Error(`${tool}: option parsing failed: ${arg} (known: ${known.join(', ')})`);
    out.set(key, eq < 0 ? 'on' : arg.slice(eq + 1));
  }
  return out;
}

/** A non-negative integer argument (decimal or 0x hex). */
export function intArg(tool: string, args: Map<string, string>, key: string, fallback: number): number {
  const text = args.get(key);
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`${tool}: ${key}=${text} is not a non-negative integer`);
  return n;
}

export function boolArg(tool: string, args: Map<string, string>, key: string, fallback: boolean): boolean {
  const text = args.get(key);
  if (text === undefined) return fallback;
  if (['on', 'true', 'yes'].includes(text)) return true;
  if (['off', 'false', 'no'].includes(text)) return false;
  throw new Error(`${tool}: boolean argument parsing failed: ${key}=${text}`);
}

export const hex = (v: bigint | number): string => `0x${v.toString(16)}`;

/** One row of a summary drawn as a Chrome/Perfetto trace: a track with slices laid end to end. */
export interface TraceRow {
  readonly name: string;
  /** Slices from 0 on, each `dur` units long (the row's counts: executed instructions, accesses, misses). */
  readonly slices: readonly { readonly name: string; readonly dur: number }[];
  readonly args: Readonly<Record<string, string | number>>;
}

/**
 * A summary as a Chrome trace event file (`json=FILE`), which ui.perfetto.dev and chrome://tracing
 * open: each group a process, each row a thread (named, in the summary's order) holding complete
 * events ("X") whose lengths are the row's counts, so the hottest rows are the longest bars. The
 * "time" unit is one count (shown as microseconds); `otherData.unit` says what a count is.
 */
export function chromeTrace(tool: string, unit: string, groups: readonly { name: string; rows: readonly TraceRow[] }[]): string {
  const events: object[] = [];
  groups.forEach((g, gi) => {
    const pid = gi + 1;
    events.push({ ph: 'M', name: 'process_name', pid, tid: 0, args: { name: g.name } });
    events.push({ ph: 'M', name: 'process_sort_index', pid, tid: 0, args: { sort_index: gi } });
    g.rows.forEach((row, ri) => {
      const tid = ri + 1;
      events.push({ ph: 'M', name: 'thread_name', pid, tid, args: { name: row.name } });
      events.push({ ph: 'M', name: 'thread_sort_index', pid, tid, args: { sort_index: ri } });
      let ts = 0;
      for (const s of row.slices) {
        events.push({ ph: 'X', name: s.name, cat: tool, pid, tid, ts, dur: s.dur, args: row.args });
        ts += s.dur;
      }
    });
  });
  // one event per line: readable, and diffs of two runs stay small
  return `{"displayTimeUnit": "ns", "otherData": ${JSON.stringify({ tool, unit })}, "traceEvents": [\n${events.map((e) => JSON.stringify(e)).join(',\n')}\n]}\n`;
}
export const hex16 = (v: bigint): string => `0x${v.toString(16).padStart(16, '0')}`;

/** What the block table holds about one block. */
export interface BlockInfo {
  readonly insns: number;
  /** Offset of the last instruction from the block's start. */
  readonly lastOffset: number;
  /** Bytes from the start to the end of the last instruction. */
  readonly bytes: number;
}

/** Slots of the table: enough for a Linux boot's blocks (a full table drops new blocks, counted). */
const SLOTS = 1 << 17;
const MASK = SLOTS - 1;

/**
 * The shared block table. Create it in qi_init (every instance then has the same board); the
 * translator's instance calls `startBlock` and `addInsn`, execution-level callbacks call `get`.
 * Each `addInsn` rewrites the block's entry, so the entry is complete as soon as the block's last
 * instruction is translated — before the block can run.
 */
export class BlockTable {
  private readonly board: QIScoreboard;
  private pc = -1n;
  private slot = -1;
  private insns = 0;
  private lastOffset = 0;
  private bytes = 0;
  /** Blocks that found no free slot (their instruction count reads as 0). */
  dropped = 0;

  constructor() {
    // row 0 only: key (pc + 1, 0 = empty) at 2*slot, packed info at 2*slot + 1
    this.board = qi_scoreboard_new(2 * SLOTS);
  }

  private find(pc: bigint, insert: boolean): number {
    const key = pc + 1n;
    let slot = (Math.imul(Number(BigInt.asUintN(32, pc >> 1n)), 0x9e3779b1) >>> 15) & MASK;
    for (let probe = 0; probe < 64; probe++, slot = (slot + 1) & MASK) {
      const k = this.board.get(0, 2 * slot);
      if (k === key) return slot;
      if (k === 0n) {
        if (!insert) return -1;
        this.board.add(0, 2 * slot, key);
        return slot;
      }
    }
    return -1;
  }

  /** Translation time: a new block starts at `pc`. */
  startBlock(pc: bigint): void {
    this.pc = pc;
    this.insns = 0;
    this.lastOffset = 0;
    this.bytes = 0;
    this.slot = this.find(pc, true);
    if (this.slot < 0) this.dropped++;
  }

  /** Translation time: the current block has one more instruction. */
  addInsn(vaddr: bigint, size: number): void {
    if (this.slot < 0) return;
    this.insns++;
    this.lastOffset = Number(vaddr - this.pc);
    this.bytes = this.lastOffset + size;
    const packed = BigInt(this.insns) | (BigInt(this.lastOffset) << 20n) | (BigInt(this.bytes) << 40n);
    const at = 2 * this.slot + 1;
    this.board.add(0, at, packed - this.board.get(0, at));
  }

  /** Execution time: the block that starts at `pc` (undefined if it was never seen). */
  get(pc: bigint): BlockInfo | undefined {
    const slot = this.find(pc, false);
    if (slot < 0) return undefined;
    const v = this.board.get(0, 2 * slot + 1);
    return { insns: Number(v & 0xfffffn), lastOffset: Number((v >> 20n) & 0xfffffn), bytes: Number(v >> 40n) };
  }
}
