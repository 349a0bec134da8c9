/*
 * hotpages — QEMU's contrib/plugins/hotpages.c: which pages saw the most memory accesses. Each
 * access is counted, when it executes, on its physical page (through the vCPU's MMU; an unmapped
 * address counts on its virtual page), as a read or a write, with the vCPUs that made it as a
 * bit mask. Each vCPU worker's instance keeps its own Map; qi_merge sums them and prints QEMU's
 * table, sorted as `sortby` says (ties by address):
 *
 *   Addr, RCPUs, Reads, WCPUs, Writes
 *   0x0000000080002000, 0x0001, 8192, 0x0001, 8192
 *
 *   -instr file=examples/instr/contrib/hotpages.ts[,arg=sortby=reads|writes|address][,arg=pagesize=4096]
 *          [,arg=limit=50][,arg=html=FILE][,arg=json=FILE]
 *
 * `html=FILE` also writes an HTML page with a bar per page, `json=FILE` a Chrome/Perfetto trace (a
 * track per page: a reads bar, then a writes bar). Differences from QEMU: every one of
 * the `limit` hottest pages is printed (QEMU's loop leaves the last one out); the access is
 * counted before it happens, so a store that powers the machine off (the test finisher) is counted
 * (QEMU's callback runs after the access and never sees it).
 */
import { writeFileSync } from 'node:fs';
import type { QICPU, QIInstanceResult, QITCGv, QITCGv_cpu } from 'tsemu/qemu-instr';
import { QI_EVENT_GUEST_MEM_BEFORE_EXEC, QI_EVENT_GUEST_MEM_BEFORE_TRANS, qi_event_guest_mem_before_trans_gen_exec } from 'tsemu/qemu-instr/events';
import { qi_ctrl_event_set, qi_mem_virt_to_phys, qi_trace_event_set_state_dynamic } from 'tsemu/qemu-instr/control';
import { chromeTrace, hex16, intArg, parseArgs } from './common.js';

interface Page { reads: number; writes: number; rcpus: number; wcpus: number }
type Pages = Map<bigint, Page>;

const pages: Pages = new Map();
let pageMask = ~4095n;
let sortBy = 'rw';
let limit = 50;
let html: string | undefined;
let json: string | undefined;

function page(all: Pages, addr: bigint): Page {
  let p = all.get(addr);
  if (!p) all.set(addr, (p = { reads: 0, writes: 0, rcpus: 0, wcpus: 0 }));
  return p;
}

function onAccess(cpu: QICPU, vaddr: bigint, info: number): void {
  const p = page(pages, (qi_mem_virt_to_phys(cpu, vaddr) ?? vaddr) & pageMask);
  if (info & 16) { p.writes++; p.wcpus |= 1 << cpu.index; } else { p.reads++; p.rcpus |= 1 << cpu.index; }
}

export function qi_init(_argc: number, argv: readonly string[]): void {
  const args = parseArgs('hotpages', argv, ['sortby', 'pagesize', 'limit', 'html', 'json']);
  sortBy = args.get('sortby') ?? 'rw';
  if (!['rw', 'reads', 'writes', 'address'].includes(sortBy)) throw new Error(`hotpages: invalid value to sortby: ${sortBy}`);
  const size = intArg('hotpages', args, 'pagesize', 4096);
  if (size === 0 || (size & (size - 1)) !== 0) throw new Error(`hotpages: pagesize=${size} is not a power of two`);
  pageMask = ~BigInt(size - 1);
  limit = intArg('hotpages', args, 'limit', 50);
  html = args.get('html');
  json = args.get('json');
  qi_ctrl_event_set(QI_EVENT_GUEST_MEM_BEFORE_TRANS, (cpu: QICPU, tcg: QITCGv_cpu, vaddr: QITCGv, info: number) =>
    qi_event_guest_mem_before_trans_gen_exec(cpu, tcg, vaddr, info));
  qi_ctrl_event_set(QI_EVENT_GUEST_MEM_BEFORE_EXEC, onAccess);
  qi_trace_event_set_state_dynamic(QI_EVENT_GUEST_MEM_BEFORE_TRANS, true);
  qi_trace_event_set_state_dynamic(QI_EVENT_GUEST_MEM_BEFORE_EXEC, true);
}

export const qi_fini = (): Pages => pages;

function key(p: Page): number {
  return sortBy === 'reads' ? p.reads : sortBy === 'writes' ? p.writes : p.reads + p.writes;
}

export function qi_merge(results: readonly QIInstanceResult<Pages>[]): void {
  const all: Pages = new Map();
  for (const { value } of results) {
    for (const [addr, p] of value) {
      const q = page(all, addr);
      q.reads += p.reads; q.writes += p.writes; q.rcpus |= p.rcpus; q.wcpus |= p.wcpus;
    }
  }
  const byAddr = (a: bigint, b: bigint) => (a < b ? -1 : a > b ? 1 : 0);
  const sorted = [...all].sort((a, b) => (sortBy === 'address' ? byAddr(b[0], a[0]) : key(b[1]) - key(a[1]) || byAddr(a[0], b[0])));
  const hx = (n: number) => `0x${n.toString(16).padStart(4, '0')}`;
  const lines = ['Addr, RCPUs, Reads, WCPUs, Writes'];
  for (const [addr, p] of sorted.slice(0, limit)) lines.push(`${hex16(addr)}, ${hx(p.rcpus)}, ${p.reads}, ${hx(p.wcpus)}, ${p.writes}`);
  console.log(lines.join('\n'));
  if (html) writeFileSync(html, page_html(sorted.slice(0, limit)));
  if (json) {
    const rows = sorted.slice(0, limit).map(([addr, p]) => ({
      name: hex16(addr), slices: [{ name: 'reads', dur: p.reads }, { name: 'writes', dur: p.writes }].filter((s) => s.dur > 0),
      args: { page: hex16(addr), rcpus: hx(p.rcpus), reads: p.reads, wcpus: hx(p.wcpus), writes: p.writes },
    }));
    writeFileSync(json, chromeTrace('hotpages', 'accesses (reads, then writes)', [{ name: 'hot pages', rows }]));
  }
}

/* one bar per page, reads and writes stacked, scaled to the hottest page */
function page_html(rows: readonly [bigint, Page][]): string {
  const most = Math.max(1, ...rows.map(([, p]) => p.reads + p.writes));
  const bar = (n: number, color: string) => `<span style="display:inline-block;height:1em;width:${(600 * n) / most}px;background:${color}"></span>`;
  const body = rows.map(([addr, p]) => `<tr><td><code>${hex16(addr)}</code></td><td>${p.reads}</td><td>${p.writes}</td><td>${bar(p.reads, '#4a90d9')}${bar(p.writes, '#d9534f')}</td></tr>`).join('\n');
  return `<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>hot pages</title></head><body>\n<h1>Hot pages</h1>\n<p>reads (blue) and writes (red) per page, hottest first</p>\n<table>\n<tr><th>page</th><th>reads</th><th>writes</th><th></th></tr>\n${body}\n</table>\n</body></html>\n`;
}
