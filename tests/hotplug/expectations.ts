/**
 * What the hot-plug scenarios expect to see, built from first principles:
 * the guest's line blocks (tests/hotplug/guests/hotplug.S documents them),
 * the test library's lines (tests/hotplug/libs/enter-exit.ts), and parsers
 * for the HMP `info cpus` / `info hotpluggable-cpus` listings.
 */

/** What the guest prints at boot with only vCPU 0 (-smp 1,maxcpus=M). */
export function bootLines(maxCpus: number): string[] {
  return [`hotplug guest maxcpus ${maxCpus}`, 'hart 0 online', 'counter ok 1', 'working 0'];
}

/** The guest's block for hart `hart` hot-added: `counter` arrivals so far, `working` the harts present after it. */
export function addedLines(hart: number, counter: number, working: readonly number[]): string[] {
  return [`hart ${hart} added`, `hart ${hart} online`, `counter ok ${counter}`, workingLine(working)];
}

/** The guest's block for hart `hart` hot-removed (its work counter must have stopped). */
export function removedLines(hart: number, counter: number, working: readonly number[]): string[] {
  return [`hart ${hart} removed`, `hart ${hart} stopped`, `counter ok ${counter}`, workingLine(working)];
}

function workingLine(harts: readonly number[]): string {
  return ['working', ...[...harts].sort((a, b) => a - b)].join(' ');
}

/** The test library's qi_fini lines: one per vCPU that saw events, then the totals. */
export function finiLines(tag: string, perCpu: readonly (readonly [cpu: number, enters: number, exits: number])[]): string[] {
  const lines = perCpu.map(([cpu, enters, exits]) => `${tag}: fini cpu ${cpu} enters ${enters} exits ${exits}`);
  const enters = perCpu.reduce((n, [, e]) => n + e, 0);
  const exits = perCpu.reduce((n, [, , x]) => n + x, 0);
  return [...lines, `${tag}: fini total enters ${enters} exits ${exits}`];
}

/** One line of HMP `info cpus`. */
export interface HmpCpu {
  readonly index: number;
  readonly pc: bigint;
  readonly halted: boolean;
  readonly threadId: number;
}

export function parseInfoCpus(text: string): HmpCpu[] {
  const cpus: HmpCpu[] = [];
  for (const line of text.split('\n').filter((l) => l !== '')) {
    const m = /^[* ] CPU #(\d+): pc=0x([0-9a-f]{16})( \(halted\))? thread_id=(\d+)$/.exec(line);
    if (!m) throw new Error(`unexpected 'info cpus' line: ${JSON.stringify(line)}`);
    cpus.push({ index: Number(m[1]), pc: BigInt(`0x${m[2]}`), halted: m[3] !== undefined, threadId: Number(m[4]) });
  }
  return cpus;
}

/** `info cpus` without what changes while the guest runs (pc, halted): index and thread per line. */
export function stableCpuList(text: string): string[] {
  return parseInfoCpus(text).map((c) => `CPU #${c.index} thread_id=${c.threadId}`);
}

/** One slot of HMP `info hotpluggable-cpus`: its core-id and, when a vCPU is plugged, its QOM path. */
export interface HmpSlot {
  readonly coreId: number;
  readonly qomPath: string | undefined;
}

export function parseHotpluggableCpus(text: string): HmpSlot[] {
  const slots: HmpSlot[] = [];
  let qomPath: string | undefined;
  for (const line of text.split('\n')) {
    const qom = /^ {2}qom_path: "(.*)"$/.exec(line);
    if (qom) qomPath = qom[1];
    const core = /^ {4}core-id: "(\d+)"$/.exec(line);
    if (core) {
      slots.push({ coreId: Number(core[1]), qomPath });
      qomPath = undefined;
    }
    if (/^ {2}type: /.test(line)) qomPath = undefined;
  }
  return slots.sort((a, b) => a.coreId - b.coreId);
}

/** The slots of `-smp N,maxcpus=M` with vCPU 0 cold-plugged and the hot-added vCPUs named cpu<N>. */
export function expectedSlots(maxCpus: number, hotAdded: readonly number[]): HmpSlot[] {
  return Array.from({ length: maxCpus }, (_, core) => ({
    coreId: core,
    qomPath: core === 0 ? '/machine/soc0/harts[0]' : hotAdded.includes(core) ? `/machine/peripheral/cpu${core}` : undefined,
  }));
}

/** Sorted copy, for comparing lines whose order is not defined (events of several vCPU workers). */
export function sorted(lines: readonly string[]): string[] {
  return [...lines].sort();
}
