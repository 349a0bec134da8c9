/**
 * What the non-primary instances of a library (translator service, vCPU workers) print in
 * qi_init/qi_fini and return from qi_fini, gathered on the main thread:
 *
 * - their lines are shown prefixed with the instance (`[vcpu 2] ...`), except a line the primary
 *   instance printed too in the same function (a banner or a summary read from shared
 *   scoreboards is shown once, as before); nothing is discarded silently;
 * - their qi_fini return values are handed, with the primary's, to the library's qi_merge.
 *
 * The primary runs qi_init first (its lines are known when the others' arrive) and qi_fini last
 * (the others' qi_fini lines wait for it, then follow its output).
 */
import type { QIInstanceResult } from './api/types.js';
import type { InstanceOutput } from './thread-env.js';
import type { OutputLine } from './thread-host.js';

/** `vcpu 2`, `vcpus 0-3` (one worker runs several with thread=single), or the thread's role. */
export function instanceLabel(role: string, vcpus: readonly number[]): string {
  if (vcpus.length === 0) return role;
  if (vcpus.length === 1) return `vcpu ${vcpus[0]}`;
  const sorted = [...vcpus].sort((a, b) => a - b);
  const contiguous = sorted.every((v, i) => v === sorted[0] + i);
  return `vcpus ${contiguous ? `${sorted[0]}-${sorted[sorted.length - 1]}` : sorted.join(',')}`;
}

const key = (l: OutputLine): string => `${l.fd}\0${l.text}`;

export class InstanceOutputs {
  /** Lines of each library's primary instance, per function. */
  private readonly primary = new Map<string, { qi_init: Set<string>; qi_fini: Set<string> }>();
  /** qi_fini reports of the other instances, held until the primary's qi_fini ran. */
  private readonly held = new Map<string, InstanceOutput[]>();

  constructor(
    private readonly write: (fd: 1 | 2, text: string) => void,
    private readonly report: (message: string) => void,
  ) {}

  /** The primary instance of `lib` printed `lines` in `phase`. */
  primaryPrinted(lib: string, phase: 'qi_init' | 'qi_fini', lines: readonly OutputLine[]): void {
    let p = this.primary.get(lib);
    if (!p) this.primary.set(lib, (p = { qi_init: new Set(), qi_fini: new Set() }));
    for (const l of lines) p[phase].add(key(l));
  }

  /** A report from another instance: qi_init lines are shown now, qi_fini ones are held. */
  received(o: InstanceOutput): void {
    if (o.phase === 'qi_fini') {
      const list = this.held.get(o.lib) ?? [];
      list.push(o);
      this.held.set(o.lib, list);
      return;
    }
    this.show(o);
  }

  /** Events whose trace state the other instances of `lib` changed (from their qi_fini reports). */
  touchedEvents(lib: string): number[] {
    return (this.held.get(lib) ?? []).flatMap((o) => o.touched ?? []);
  }

  /**
   * qi_merge's argument: every instance's qi_fini value, the primary's first, then the translator
   * service's, then the vCPU workers' by vCPU. A value that could not be copied is reported.
   */
  results(lib: string, primaryValue: unknown): QIInstanceResult[] {
    const out: QIInstanceResult[] = [{ instance: 'main', role: 'main', vcpus: [], value: primaryValue }];
    const uncopied: string[] = [];
    let why = '';
    for (const o of this.sorted(lib)) {
      const instance = instanceLabel(o.role, o.vcpus);
      if (o.cloneError !== undefined) {
        uncopied.push(instance);
        why = o.cloneError;
      } else if (o.result) {
        out.push({ instance, role: o.role, vcpus: o.vcpus, value: o.result.value });
      }
    }
    if (uncopied.length > 0) {
      this.report(`instrumentation library ${lib}: the value qi_fini returned cannot be copied to qi_merge (${uncopied.join(', ')}): ${why}`);
    }
    return out;
  }

  /** The primary's qi_fini (and qi_merge) ran: show the other instances' held lines and forget `lib`. */
  finished(lib: string): void {
    for (const o of this.sorted(lib)) this.show(o);
    this.held.delete(lib);
    this.primary.delete(lib);
  }

  /** The held reports of `lib` in a stable order: the translator service's, then by vCPU. */
  private sorted(lib: string): InstanceOutput[] {
    return [...(this.held.get(lib) ?? [])].sort((a, b) => (a.vcpus[0] ?? -1) - (b.vcpus[0] ?? -1));
  }

  private show(o: InstanceOutput): void {
    const seen = this.primary.get(o.lib)?.[o.phase];
    const label = instanceLabel(o.role, o.vcpus);
    for (const l of o.lines) {
      if (seen?.has(key(l))) continue;
      this.write(l.fd, `[${label}] ${l.text}\n`);
    }
  }
}
