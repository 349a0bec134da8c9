/**
 * Misbehaving instrumentation libraries: each case writes a small `.js` library that does one
 * wrong thing at one point of its life and runs it on a guest that ends by itself
 * (tests/instr/guests/bin/count.elf). Points: qi_init, qi_fini, a translation-level callback
 * (translator service), an execution-level and a guest_cpu_enter callback (vCPU worker).
 * Misbehaviours: throw an Error or a non-Error value (string, null, an object whose toString
 * throws, a Symbol), return a value of the wrong type, call the control API from the wrong level
 * or with garbage arguments, allocate without bound, never return.
 *
 * Every run must end by itself or on SIGTERM (process.ts: no wedged process), with no stack
 * trace; whatever it says on stderr is one line per failure that names the library (its path or
 * its ID) and the function or event; and when it fails it says so on stderr (no silent status 1).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../support/run-guest.js';
import { hostException, runTsemuBounded } from './process.js';
import { Rng } from './rng.js';

export const POINTS = ['init', 'fini', 'trans', 'exec', 'enter'] as const;
export const BEHAVIOURS = ['throw-error', 'throw-value', 'wrong-return', 'wrong-level', 'allocate', 'never-return'] as const;
type Point = (typeof POINTS)[number];
type Behaviour = (typeof BEHAVIOURS)[number];

export interface LibraryRun {
  seed: number;
  cases: number;
  problems: string[];
}

/** The name of the function or event a failure at `point` must be reported with. */
const NAMED: Record<Point, RegExp> = {
  init: /qi_init|initialization/, fini: /qi_fini/, trans: /guest_mem_before_trans|mem_trans/, exec: /guest_mem_before_exec|mem_exec/, enter: /guest_cpu_enter|cpu_enter/,
};

function behaviourCode(b: Behaviour, rng: Rng): string {
  switch (b) {
    case 'throw-error': return `throw new ${rng.pick(['Error', 'TypeError', 'RangeError'])}('fuzz: thrown on purpose');`;
    case 'throw-value': return `throw ${rng.pick(["'a string'", 'null', 'undefined', '42', "{ toString() { throw new Error('toString throws'); } }", "Symbol('s')", '{}'])};`;
    case 'wrong-return': return `return ${rng.pick(["'zero'", '{}', '1n', 'NaN', 'Promise.resolve(0)', '[0]', '-1', "Symbol('r')", 'true', '() => 0'])};`;
    case 'wrong-level': return rng.pick([
      'qi_scoreboard_new(4);', "qi_ctrl_event_set(12345, 'not a function');", 'qi_ctrl_event_set(null, null);',
      "qi_trace_event_set_state_dynamic({}, 'yes');", 'qi_event_guest_mem_before_trans_gen_exec({ index: 0 }, {}, {}, 16);',
      'qi_trace_event_set_vcpu_state_dynamic(-1, QI_EVENT_GUEST_MEM_BEFORE_EXEC, true);', 'qi_mem_read_phys(1n << 70n, -5);',
      'qi_mem_write_virt({ index: 99 }, 0n, new Uint8Array(4));', 'qi_gen_scoreboard_add({}, {}, 0, 1);',
    ]);
    case 'allocate': return 'const hoard = []; for (;;) hoard.push(new Array(1 << 20).fill(hoard.length));';
    default: return 'for (;;) { /* never returns */ }';
  }
}

/** A library whose `point` runs `code` on its first (init, fini, enter) or third (trans, exec) call. */
function librarySource(point: Point, code: string): string {
  const at = (p: Point): string => (p === point ? code : '');
  return `import { QI_EVENT_GUEST_MEM_BEFORE_EXEC, QI_EVENT_GUEST_MEM_BEFORE_TRANS, QI_EVENT_GUEST_CPU_ENTER,
  qi_event_guest_mem_before_trans_gen_exec } from 'tsemu/qemu-instr/events';
import { qi_ctrl_event_set, qi_trace_event_set_state_dynamic, qi_trace_event_set_vcpu_state_dynamic, qi_scoreboard_new,
  qi_gen_scoreboard_add, qi_mem_read_phys, qi_mem_write_virt } from 'tsemu/qemu-instr/control';
let calls = 0;
export function mem_trans(cpu, tcg_cpu, vaddr, info) {
  if (++calls === 3) { ${at('trans')} }
  qi_event_guest_mem_before_trans_gen_exec(cpu, tcg_cpu, vaddr, info);
}
export function mem_exec(cpu, vaddr, info) {
  if (++calls === 3) { ${at('exec')} }
}
export function cpu_enter(cpu) { ${at('enter')} }
export function qi_init(argc, argv) {
  qi_ctrl_event_set(QI_EVENT_GUEST_MEM_BEFORE_TRANS, mem_trans);
  qi_ctrl_event_set(QI_EVENT_GUEST_MEM_BEFORE_EXEC, mem_exec);
  qi_ctrl_event_set(QI_EVENT_GUEST_CPU_ENTER, cpu_enter);
  qi_trace_event_set_state_dynamic(QI_EVENT_GUEST_MEM_BEFORE_TRANS, true);
  qi_trace_event_set_state_dynamic(QI_EVENT_GUEST_MEM_BEFORE_EXEC, true);
  qi_trace_event_set_state_dynamic(QI_EVENT_GUEST_CPU_ENTER, true);
  ${at('init')}
  return 0;
}
export function qi_fini() { ${at('fini')} }
`;
}

/** What is wrong with the run of a misbehaving library, or undefined. */
function judge(r: Awaited<ReturnType<typeof runTsemuBounded>>, point: Point, file: string): string | undefined {
  if (r.wedged) return 'did not exit within 5 s of SIGTERM';
  const exc = hostException(r.stderr) ?? hostException(r.stdout);
  if (exc !== undefined) return `host exception: ${exc}`;
  // trace lines (`guest_mem_before_trans cpu=0x0 info=19`) are the default backend's output: an event stays
  // enabled after its library was unloaded, as in QEMU
  const lines = r.stderr.split('\n').filter((l) => l.trim() !== '' && !/terminating on signal/.test(l) && !/^guest_\w+ cpu=/.test(l));
  for (const line of lines) {
    if (!line.includes(file) && !/instrumentation library '?\d+'?/.test(line)) return `a line on stderr that does not name the library: ${line}`;
    if (!NAMED[point].test(line)) return `a line on stderr that does not name ${point === 'init' || point === 'fini' ? `qi_${point}` : `the ${point} callback`}: ${line}`;
  }
  if (lines.length > 2) return `${lines.length} lines on stderr (want at most 2): ${lines.slice(0, 3).join(' | ')}`;
  if (!r.terminated && r.status !== 0 && lines.length === 0) return `exit status ${r.status ?? r.signal} with nothing on stderr`;
  return undefined;
}

export async function runLibrarySeed(seed: number, cases: number): Promise<LibraryRun> {
  const rng = new Rng(seed);
  const dir = mkdtempSync(join(tmpdir(), 'tsemu-fuzz-libs-'));
  const guest = join(repoRoot(), 'tests/instr/guests/bin/count.elf');
  const problems: string[] = [];
  try {
    for (let i = 0; i < cases; i++) {
      const point = rng.pick(POINTS);
      const behaviour = rng.pick(BEHAVIOURS);
      const file = join(dir, `lib-${i}-${point}-${behaviour}.js`);
      writeFileSync(file, librarySource(point, behaviourCode(behaviour, rng)));
      const args = ['-M', 'virt', '-bios', 'none', '-display', 'none', '-serial', 'null', '-kernel', guest, '-instr', `file=${file}`];
      const r = await runTsemuBounded(args, 20_000, 5_000, { TSEMU_INSTR_TIMEOUT: '1' });
      const p = judge(r, point, file);
      if (p !== undefined) problems.push(`seed ${seed}, case ${i} (${behaviour} in ${point}): ${p}\n  reproduce: npm run fuzz -- --only libs --seed ${seed}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return { seed, cases, problems };
}
