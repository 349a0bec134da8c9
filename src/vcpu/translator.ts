/**
 * The translator: guest code at (virtual pc, physical address) -> IR ->
 * optimized IR -> JavaScript source, cached by physical address and shared
 * by every vCPU. Runs inside the translator service worker (and in-process
 * in unit tests). Translation-time trace events are raised here with the id
 * of the vCPU that asked.
 */
import { trace_guest_tb_flush, trace_tb_flush } from '../trace/generated/events.js';
import { GuestMemory } from '../memory/guest-memory.js';
import { translateBlock, TranslatedBlock, BlockTranslatorHooks, type BlockShape } from '../target/riscv/block-translator.js';
import { optimize } from '../tcg/optimize.js';
import { generateJs } from '../tcg/backend-js.js';
import type { FlatLayout } from '../abi/tlb.js';
import { compileWasmBatch, wasmSelfContained } from '../tcg/backend-wasm.js';
import { IrBlock, Op, Temp } from '../tcg/ir.js';
import { encodeIr } from '../tcg/ir-serialize.js';
import type { BlockCode, WasmBlockCode } from '../abi/block-code.js';

export interface TranslatorLog {
  /** Which `-d` items are on. */
  inAsm: boolean;
  op: boolean;
  outAsm: boolean;
  write(text: string): void;
  /** Disassembler for in_asm (optional so the translator works without it). */
  disassemble?(block: TranslatedBlock, index: number): string;
  /** Symbol containing an address, for the `IN: name` header. */
  symbolAt?(pc: number): string;
  /** Print the `Priv: P; Virt: 0` line after `IN:` (system mode's; QEMU's linux-user has none). Default true. */
  privLine?: boolean;
}

/** A translation, and what it was made from (to tell whether it is still current). */
export interface Translation extends BlockCode {
  /** What was decoded: [byte offset from the block's first instruction, raw bits] per instruction. */
  fetched: readonly number[];
}

interface CacheEntry extends Translation {
  key: string;
}

/** Hooks that depend on the requesting vCPU (trace events at translation level). */
export type HooksForVcpu = (vcpuIndex: number) => BlockTranslatorHooks;

export class Translator {
  private readonly cache = new Map<string, CacheEntry>();
  translated = 0;
  /** User mode's flat memory (a worker that is its own translator): the code it generates uses it (src/abi/tlb.ts). */
  flat: FlatLayout | undefined;
  /**
   * The next block translated at this pc is not logged by in_asm: user mode's first touch of a page
   * ended a block where QEMU's host page was simply there, and the rest of it runs as a new block.
   */
  quietPc = NaN;
  /** Where blocks end (user mode: QEMU's blocks, so `-d in_asm` logs what qemu-riscv64 logs). */
  shape: BlockShape = 'tsemu';

  constructor(
    private readonly mem: GuestMemory,
    private log: TranslatorLog | undefined,
    private hooksFor: HooksForVcpu = () => ({}),
    /**
     * Also compile each block to WebAssembly for a memory of this many pages (TSEMU_TIER=wasm:
     * the vCPUs run that, and `-d out_asm` prints it); 0: JavaScript only.
     */
    private readonly wasmPages = 0,
    /**
     * Send blocks as IR for the vCPU to interpret and tier up itself (BlockCode.ir), unless
     * `-d out_asm` wants the code the service generates: the translator service does, so a
     * library's translation-time callbacks cost one translation per block and no compile.
     */
    private readonly shipIr = false,
  ) {}

  /** New `-d` settings (HMP log / logfile); like QEMU, they apply to blocks translated from now on. */
  setLog(log: TranslatorLog | undefined): void {
    this.log = log;
  }

  /** Is any `-d` translation item on (so every translation is logged)? */
  get logging(): boolean {
    return this.log !== undefined && (this.log.inAsm || this.log.op || this.log.outAsm);
  }

  setHooks(hooksFor: HooksForVcpu): void {
    this.hooksFor = hooksFor;
    this.cache.clear();
  }

  /** Drop every cached translation (trace-state changes, instrumentation load/unload). */
  flush(): void {
    trace_tb_flush(this.cache.size);
    trace_guest_tb_flush(this.cache.size);
    this.cache.clear();
  }

  get cachedBlocks(): number {
    return this.cache.size;
  }

  translate(pc: number, pa: number, pa2: number, vcpuIndex: number, priv = 3): Translation {
    const key = cacheKey(pc, pa, pa2);
    return this.cached(key, pa, pa2) ?? this.translateNew(key, pc, pa, pa2, vcpuIndex, priv);
  }

  /**
   * The translation already made for the block, if it is still current, without translating
   * (so no translation-time event fires twice): what a vCPU asks for when a block it got as IR
   * turned hot.
   */
  cachedTranslation(pc: number, pa: number, pa2: number): Translation | undefined {
    return this.cached(cacheKey(pc, pa, pa2), pa, pa2);
  }

  private cached(key: string, pa: number, pa2: number): Translation | undefined {
    const hit = this.cache.get(key);
    // the bits are compared too: a store through a fast path older than the page's
    // code status changes code without moving the generation (see GuestMemory.holdsCode)
    if (hit && (hit.page < 0 || (Atomics.load(this.mem.pageGen, hit.page) === hit.gen && (pa2 >= 0 || this.mem.holdsCode(pa, hit.fetched))))) {
      return hit;
    }
    return undefined;
  }

  private translateNew(key: string, pc: number, pa: number, pa2: number, vcpuIndex: number, priv: number): Translation {
    const block = translateBlock(this.mem, { pc, pa, pa2 }, this.hooksFor(vcpuIndex), this.shape);
    if (this.log?.inAsm && pc !== this.quietPc) this.logInAsm(block, priv);
    this.quietPc = NaN;
    if (this.log?.op) this.log.write(`OP:\n${formatOps(block.ir)}\n`);
    optimize(block.ir);
    if (this.log?.op) this.log.write(`OP after optimization:\n${formatOps(block.ir)}\n`);
    const fetched = block.raws.flatMap((raw, i) => [block.ir.insnPcs[i] - pc, raw | 0]);
    if (this.shipIr && this.log?.outAsm !== true) {
      const entry: CacheEntry = { key, source: '', ir: encodeIr(block.ir), page: block.page, gen: block.gen, insnCount: block.ir.insnCount, fetched };
      this.cache.set(key, entry);
      this.translated++;
      return entry;
    }
    const source = generateJs(block.ir, this.flat);
    const wasm = this.wasmPages > 0 && wasmSelfContained(block.ir) ? this.wasmOf(block.ir) : undefined;
    if (this.log?.outAsm && wasm === undefined) this.log.write(`OUT: [size=${source.length}]\n${source}\n\n`);
    const entry: CacheEntry = {
      key, source, page: block.page, gen: block.gen, insnCount: block.ir.insnCount, fetched,
    };
    if (wasm !== undefined) entry.wasm = wasm;
    this.cache.set(key, entry);
    this.translated++;
    return entry;
  }

  /** The block as a WebAssembly module of one function; `-d out_asm` prints its text. */
  private wasmOf(ir: IrBlock): WasmBlockCode {
    const batch = compileWasmBatch([ir], this.wasmPages, this.log?.outAsm === true, undefined, this.flat);
    if (this.log?.outAsm) this.log.write(`OUT: [wasm, size=${batch.bytes.length}]\n${batch.text.join('\n')}\n\n`);
    return {
      module: Buffer.from(batch.bytes).toString('base64'),
      helpers: batch.helpers.map((h) => [h.field, h.helper, h.values, h.consts, h.result, h.mayExit] as const),
    };
  }

  private logInAsm(block: TranslatedBlock, priv: number): void {
    const log = this.log as TranslatorLog;
    const lines: string[] = ['----------------'];
    lines.push(`IN: ${log.symbolAt?.(block.ir.pc) ?? ''}`);
    if (log.privLine !== false) lines.push(`Priv: ${priv}; Virt: 0`);
    for (let i = 0; i < block.insns.length; i++) {
      lines.push(log.disassemble ? log.disassemble(block, i) : defaultInsnLine(block, i));
    }
    log.write(lines.join('\n') + '\n\n');
  }
}

function cacheKey(pc: number, pa: number, pa2: number): string {
  return `${pa}:${pc}:${pa2}`;
}

function hex(v: number): string {
  return '0x' + (v < 0 ? BigInt.asUintN(64, BigInt(v)) : BigInt(v)).toString(16).padStart(16, '0');
}

function defaultInsnLine(block: TranslatedBlock, i: number): string {
  const raw = block.raws[i];
  const d = block.insns[i];
  const width = d?.length === 2 ? 4 : 8;
  return `${hex(block.ir.insnPcs[i])}:  ${raw.toString(16).padStart(width, '0')}  ${d?.name ?? 'illegal'}`;
}

function tempName(t: Temp): string {
  switch (t.kind) {
    case 'const': return `$0x${BigInt.asUintN(64, t.value).toString(16)}`;
    case 'global': return `x${t.index}`;
    default: return `tmp${t.id}`;
  }
}

/** TCG-like dump of the ops (`-d op`). */
export function formatOps(block: IrBlock): string {
  return block.ops.map(formatOp).join('\n');
}

function formatOp(op: Op): string {
  if (op.opc === 'insn_start') return ` ---- ${hex(op.pc)}`;
  const parts: string[] = [];
  if ('dst' in op && op.dst) parts.push(tempName(op.dst));
  for (const a of op.args) parts.push(tempName(a));
  switch (op.opc) {
    case 'setcond': parts.push(op.cond); break;
    case 'exit_if': parts.push(op.cond, hex(op.target)); break;
    case 'exit': parts.push(hex(op.target)); break;
    case 'qemu_ld': case 'qemu_st': parts.push(`${op.mem.signed ? 's' : 'u'}${op.mem.size * 8}`, `$${op.offset}`); break;
    case 'call': parts.push(op.helper, ...op.consts.map((c) => `$${c}`)); break;
    case 'call_event': parts.push(`$${op.eventId}`); break;
    case 'scoreboard_add': parts.push(...[op.board, op.slot, op.counters, op.n].map((c) => `$${c}`), ...(op.store === true ? ['store'] : [])); break;
  }
  return ` ${op.opc.padEnd(14)}${parts.join(',')}`;
}
