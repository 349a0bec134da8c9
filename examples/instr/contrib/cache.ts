/*
 * cache — QEMU's contrib/plugins/cache.c: a model of per-core L1 instruction and data caches and
 * an optional unified L2, fed with every executed instruction's fetch and every data access, in
 * execution order. Each core (vCPU) has its own caches, in the instance of the worker that runs
 * it; qi_merge adds up the instances' counts and prints QEMU's table and its lists of the
 * instructions with the most data, fetch and L2 misses:
 *
 *   core #, data accesses, data misses, dmiss rate, insn accesses, insn misses, imiss rate, l2 accesses, l2 misses, l2 miss rate
 *   0       17410          4104           23.5727%  57790          26              0.0450%  4130         138           3.3414%
 *
 *   address, data misses, instruction
 *   0x800000a4, 4096
 *
 *   -instr file=examples/instr/contrib/cache.ts[,arg=KEY=VALUE]...
 *
 * Options, with QEMU's names and defaults: dblksize=64 dassoc=8 dcachesize=16384, iblksize=64
 * iassoc=8 icachesize=16384, l2 (on|off, default off; any l2* option turns it on) l2blksize=64
 * l2assoc=16 l2cachesize=2097152, evict=lru|fifo|rand, limit=32 (lines per list), cores (ignored:
 * one cache set per vCPU, as QEMU's default). Extra: html=FILE writes the three lists and the
 * table as an HTML page, json=FILE the three lists as a Chrome/Perfetto trace (a process per list,
 * a track per instruction, a bar of its misses); seed=N seeds `evict=rand`.
 *
 * Addresses: data accesses by physical address (through the vCPU's MMU, as QEMU's hwaddr;
 * accesses to devices are left out, as QEMU does), instruction fetches by physical address too
 * (QEMU uses the host address of the code, which maps RAM the same way). The lists print
 * addresses without disassembly or symbol (the API has no instruction handle yet).
 */
import { writeFileSync } from 'node:fs';
import type { QICPU, QIInstanceResult, QITCGv, QITCGv_cpu } from 'tsemu/qemu-instr';
import {
  QI_EVENT_GUEST_INST_BEFORE_EXEC, QI_EVENT_GUEST_INST_BEFORE_TRANS, QI_EVENT_GUEST_MEM_BEFORE_EXEC, QI_EVENT_GUEST_MEM_BEFORE_TRANS,
  qi_event_guest_inst_before_trans_gen_exec, qi_event_guest_mem_before_trans_gen_exec,
} from 'tsemu/qemu-instr/events';
import { qi_ctrl_event_set, qi_mem_read_phys, qi_mem_virt_to_phys, qi_trace_event_set_state_dynamic } from 'tsemu/qemu-instr/control';
import { boolArg, chromeTrace, hex, intArg, parseArgs } from './common.js';

type Policy = 'lru' | 'fifo' | 'rand';
interface Geometry { blksize: number; assoc: number; size: number }
interface Counts { accesses: number; misses: number }

/** One cache: `assoc` ways per set, tags (-1 = invalid), LRU generations or a FIFO queue per set. */
class Cache implements Counts {
  accesses = 0;
  misses = 0;
  private readonly sets: number;
  private readonly shift: number;
  private readonly tags: Float64Array;
  private readonly meta: Float64Array;
  private readonly gen: Float64Array;
  private readonly fifo: number[][];

  constructor(g: Geometry, private readonly policy: Policy, private readonly random: () => number) {
    this.sets = g.size / (g.blksize * g.assoc);
    this.shift = Math.log2(g.blksize);
    this.tags = new Float64Array(this.sets * g.assoc).fill(-1);
    this.meta = new Float64Array(this.sets * g.assoc);
    this.gen = new Float64Array(this.sets);
    this.fifo = policy === 'fifo' ? Array.from({ length: this.sets }, () => []) : [];
    this.assoc = g.assoc;
  }

  private readonly assoc: number;

  /** True on a hit; on a miss the block is brought in (an invalid way first, then the policy's victim). */
  access(addr: number): boolean {
    this.accesses++;
    const block = Math.floor(addr / 2 ** this.shift);
    const set = block % this.sets;
    const tag = Math.floor(block / this.sets);
    const base = set * this.assoc;
    for (let w = 0; w < this.assoc; w++) {
      if (this.tags[base + w] === tag) {
        if (this.policy === 'lru') this.meta[base + w] = this.gen[set]++;
        return true;
      }
    }
    this.misses++;
    let victim = -1;
    for (let w = 0; w < this.assoc && victim < 0; w++) if (this.tags[base + w] === -1) victim = w;
    if (victim < 0) victim = this.victim(set, base);
    if (this.policy === 'lru') this.meta[base + victim] = this.gen[set]++;
    if (this.policy === 'fifo') this.fifo[set].push(victim);
    this.tags[base + victim] = tag;
    return false;
  }

  private victim(set: number, base: number): number {
    if (this.policy === 'fifo') return this.fifo[set].shift() ?? 0;
    if (this.policy === 'rand') return Math.floor(this.random() * this.assoc);
    let min = 0;
    for (let w = 1; w < this.assoc; w++) if (this.meta[base + w] < this.meta[base + min]) min = w;
    return min;
  }
}

interface Core { d: Cache; i: Cache; l2: Cache | undefined }
/** Misses per instruction address: [data, fetch, L2]. */
type Misses = Map<number, [number, number, number]>;
interface Result { cores: [number, Counts, Counts, Counts | undefined][]; misses: Misses }

let dgeo: Geometry; let igeo: Geometry; let l2geo: Geometry | undefined;
let policy: Policy = 'lru';
let limit = 32;
let html: string | undefined;
let json: string | undefined;
let seed = 1;
const cores = new Map<number, Core>();
const misses: Misses = new Map();
/** Per vCPU: the instruction being executed (physical address), to charge its data misses to. */
const current = new Map<number, number>();

function xorshift(): () => number {
  let s = seed >>> 0 || 1;
  return () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s / 2 ** 32; };
}

function core(cpu: number): Core {
  let c = cores.get(cpu);
  if (!c) {
    const rnd = xorshift();
    cores.set(cpu, (c = { d: new Cache(dgeo, policy, rnd), i: new Cache(igeo, policy, rnd), l2: l2geo && new Cache(l2geo, policy, rnd) }));
  }
  return c;
}

function miss(addr: number, kind: 0 | 1 | 2): void {
  let m = misses.get(addr);
  if (!m) misses.set(addr, (m = [0, 0, 0]));
  m[kind]++;
}

function onInsn(cpu: QICPU, vaddr: bigint): void {
  const pa = Number(qi_mem_virt_to_phys(cpu, vaddr) ?? vaddr);
  current.set(cpu.index, pa);
  const c = core(cpu.index);
  if (c.i.access(pa)) return;
  miss(pa, 1);
  if (c.l2 && !c.l2.access(pa)) miss(pa, 2);
}

function onData(cpu: QICPU, vaddr: bigint): void {
  const phys = qi_mem_virt_to_phys(cpu, vaddr);
  if (phys === undefined || qi_mem_read_phys(phys, 1) === undefined) return; /* a device: not cached */
  const pa = Number(phys);
  const insn = current.get(cpu.index) ?? 0;
  const c = core(cpu.index);
  if (c.d.access(pa)) return;
  miss(insn, 0);
  if (c.l2 && !c.l2.access(pa)) miss(insn, 2);
}

function geometry(args: Map<string, string>, prefix: string, blksize: number, assoc: number, size: number, name: string): Geometry {
  const g = { blksize: intArg('cache', args, `${prefix}blksize`, blksize), assoc: intArg('cache', args, `${prefix}assoc`, assoc), size: intArg('cache', args, `${prefix}cachesize`, size) };
  if (g.blksize === 0 || g.assoc === 0 || (g.blksize & (g.blksize - 1)) !== 0) throw new Error(`cache: ${name} cannot be constructed from given parameters: block size must be a power of two, associativity positive`);
  if (g.size % g.blksize !== 0) throw new Error(`cache: ${name} cannot be constructed from given parameters: cache size must be divisible by block size`);
  if (g.size % (g.blksize * g.assoc) !== 0) throw new Error(`cache: ${name} cannot be constructed from given parameters: cache size must be divisible by set size (assoc * block size)`);
  return g;
}

export function qi_init(_argc: number, argv: readonly string[]): void {
  const args = parseArgs('cache', argv, ['dblksize', 'dassoc', 'dcachesize', 'iblksize', 'iassoc', 'icachesize', 'l2', 'l2blksize', 'l2assoc', 'l2cachesize', 'evict', 'limit', 'cores', 'html', 'json', 'seed']);
  dgeo = geometry(args, 'd', 64, 8, 64 * 8 * 32, 'dcache');
  igeo = geometry(args, 'i', 64, 8, 64 * 8 * 32, 'icache');
  const useL2 = boolArg('cache', args, 'l2', ['l2blksize', 'l2assoc', 'l2cachesize'].some((k) => args.has(k)));
  l2geo = useL2 ? geometry(args, 'l2', 64, 16, 64 * 16 * 2048, 'L2 cache') : undefined;
  const evict = args.get('evict') ?? 'lru';
  if (evict !== 'lru' && evict !== 'fifo' && evict !== 'rand') throw new Error(`cache: invalid eviction policy: ${evict}`);
  policy = evict;
  limit = intArg('cache', args, 'limit', 32);
  seed = intArg('cache', args, 'seed', 1);
  html = args.get('html');
  json = args.get('json');
  qi_ctrl_event_set(QI_EVENT_GUEST_INST_BEFORE_TRANS, (cpu: QICPU, tcg: QITCGv_cpu, vaddr: bigint, size: number) => qi_event_guest_inst_before_trans_gen_exec(cpu, tcg, vaddr, size));
  qi_ctrl_event_set(QI_EVENT_GUEST_MEM_BEFORE_TRANS, (cpu: QICPU, tcg: QITCGv_cpu, vaddr: QITCGv, info: number) => qi_event_guest_mem_before_trans_gen_exec(cpu, tcg, vaddr, info));
  qi_ctrl_event_set(QI_EVENT_GUEST_INST_BEFORE_EXEC, onInsn);
  qi_ctrl_event_set(QI_EVENT_GUEST_MEM_BEFORE_EXEC, onData);
  for (const ev of [QI_EVENT_GUEST_INST_BEFORE_TRANS, QI_EVENT_GUEST_MEM_BEFORE_TRANS, QI_EVENT_GUEST_INST_BEFORE_EXEC, QI_EVENT_GUEST_MEM_BEFORE_EXEC]) {
    qi_trace_event_set_state_dynamic(ev, true);
  }
}

const counts = (c: Cache): Counts => ({ accesses: c.accesses, misses: c.misses });

export function qi_fini(): Result {
  return { cores: [...cores].map(([cpu, c]) => [cpu, counts(c.d), counts(c.i), c.l2 && counts(c.l2)]), misses };
}

/** QEMU's columns: accesses, misses, rate for L1D, L1I and (when on) L2. */
function statsLine(label: string, d: Counts, i: Counts, l2: Counts | undefined): string {
  const rate = (c: Counts) => (c.accesses ? (100 * c.misses) / c.accesses : 0).toFixed(4);
  let line = `${label.padEnd(8)}${String(d.accesses).padEnd(14)} ${String(d.misses).padEnd(12)} ${rate(d).padStart(9)}%  ${String(i.accesses).padEnd(14)} ${String(i.misses).padEnd(12)} ${rate(i).padStart(9)}%`;
  if (l2 && l2.accesses && l2.misses) line += `  ${String(l2.accesses).padEnd(12)} ${String(l2.misses).padEnd(11)} ${rate(l2).padStart(10)}%`;
  return line;
}

const add = (a: Counts, b: Counts): Counts => ({ accesses: a.accesses + b.accesses, misses: a.misses + b.misses });

export function qi_merge(results: readonly QIInstanceResult<Result>[]): void {
  const all = results.flatMap((r) => r.value.cores).sort((a, b) => a[0] - b[0]);
  const merged: Misses = new Map();
  for (const r of results) for (const [pc, m] of r.value.misses) {
    const e = merged.get(pc) ?? [0, 0, 0];
    merged.set(pc, [e[0] + m[0], e[1] + m[1], e[2] + m[2]]);
  }
  let head = 'core #, data accesses, data misses, dmiss rate, insn accesses, insn misses, imiss rate';
  if (l2geo) head += ', l2 accesses, l2 misses, l2 miss rate';
  const out = [head];
  for (const [cpu, d, i, l2] of all) out.push(statsLine(String(cpu), d, i, l2));
  if (all.length > 1) {
    const zero = { accesses: 0, misses: 0 };
    out.push(statsLine('sum', all.reduce((s, c) => add(s, c[1]), zero), all.reduce((s, c) => add(s, c[2]), zero), l2geo ? all.reduce((s, c) => add(s, c[3] ?? zero), zero) : undefined));
  }
  const lists: [string, number][] = [['data misses', 0], ['fetch misses', 1]];
  if (l2geo) lists.push(['L2 misses', 2]);
  const tops = lists.map(([title, k]) => ({ title, rows: [...merged].filter(([, m]) => m[k] > 0).sort((a, b) => b[1][k] - a[1][k] || a[0] - b[0]).slice(0, limit).map(([pc, m]) => [pc, m[k]] as const) }));
  for (const t of tops) out.push('', `address, ${t.title}, instruction`, ...t.rows.map(([pc, n]) => `${hex(pc)}, ${n}`));
  console.log(out.join('\n'));
  if (html) writeFileSync(html, page(out.slice(0, all.length > 1 ? all.length + 2 : all.length + 1), tops));
  if (json) {
    const groups = tops.map((t) => ({ name: t.title, rows: t.rows.map(([pc, n]) => ({ name: hex(pc), slices: [{ name: hex(pc), dur: n }], args: { address: hex(pc), [t.title]: n } })) }));
    writeFileSync(json, chromeTrace('cache', 'misses', groups));
  }
}

function page(table: readonly string[], tops: readonly { title: string; rows: readonly (readonly [number, number])[] }[]): string {
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const list = (t: (typeof tops)[number]) => {
    const most = Math.max(1, ...t.rows.map(([, n]) => n));
    const rows = t.rows.map(([pc, n]) => `<tr><td><code>${hex(pc)}</code></td><td>${n}</td><td><span style="display:inline-block;height:1em;width:${(500 * n) / most}px;background:#d9534f"></span></td></tr>`).join('\n');
    return `<h2>${esc(t.title)}</h2>\n<table>\n<tr><th>instruction</th><th>${esc(t.title)}</th><th></th></tr>\n${rows}\n</table>`;
  };
  return `<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>cache model</title></head><body>\n<h1>Cache model</h1>\n<pre>${esc(table.join('\n'))}</pre>\n${tops.map(list).join('\n')}\n</body></html>\n`;
}
