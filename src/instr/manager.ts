/**
 * Instrumentation libraries at machine level (main thread): loading with
 * `-instr` and `instr-load`, unloading with `instr-unload` and at exit, and
 * failures inside callbacks. The order of operations follows the later
 * revision of the proposal:
 *
 *   load:   compile -> vCPUs stopped -> primary instance (main thread) runs
 *           qi_init -> every worker instance runs qi_init -> translations
 *           flushed (new translation-level callbacks apply) -> guest_cpu_enter
 *           for every vCPU -> vCPUs resumed (so no vCPU meets an event the
 *           library enabled before its instance there has the callbacks)
 *   unload: vCPUs stopped -> translations flushed -> guest_cpu_exit on every
 *           vCPU -> qi_fini in every instance (primary last, then qi_merge)
 *           -> callbacks gone -> trace states the library changed restored
 *           -> vCPUs resumed
 */
import { errorText, LibraryLoadError } from './errors.js';
import { InstrRuntime } from './runtime.js';
import { importLibrary, LibraryError, LibraryLoadMessage, OutputLine, ScoreboardSpec, startInstance, stopInstance } from './thread-host.js';
import { InstanceOutputs } from './instance-output.js';
import { lateBoard, newLateBoards, type LateBoards } from './late-scoreboards.js';
import type { InstanceOutput } from './thread-env.js';

/**
 * Type-checks and bundles a library file, off the main thread (the thread layer runs it in a pool:
 * src/threads/compile-pool.ts), and gives the bundle's path; rejects with a LibraryLoadError.
 */
export type LibraryCompiler = (path: string) => Promise<string>;

/** Most libraries loaded at once (scoreboard ids and callback tables are per library). */
export const MAX_LIBRARIES = 16;

/** What the manager needs of the machine. */
export interface InstrMachine {
  /** Run `op` with every vCPU stopped at a block boundary (resumes only if it was running). */
  withVcpusStopped<T>(op: () => Promise<T>): Promise<T>;
  /** Load the library in the translator service and every vCPU worker; rejects with the first error. */
  loadInWorkers(msg: LibraryLoadMessage): Promise<void>;
  /** guest_cpu_enter (or exit) for this library on every present vCPU, in its worker. */
  cpuEventInWorkers(id: string, kind: 'enter' | 'exit'): Promise<void>;
  /** qi_fini in every worker instance and forget the library there. */
  unloadInWorkers(id: string): Promise<void>;
  /** Drop every translation (translator cache and vCPU block caches). */
  flushTranslations(): Promise<void>;
  /**
   * Threads in a callback of library `library` (index in load order) that does not return soon:
   * terminate them and go on without the library (vCPU workers; the library is already gone from
   * the load messages). Resolves with the threads restarted.
   */
  restartThreadsStuckIn(library: number): Promise<string[]>;
}

/** A region of shared memory scoreboards may be allocated in. */
export interface CounterArena {
  buffer: SharedArrayBuffer;
  offset: number;
  bytes: number;
}

export interface LoadedLibraryInfo {
  id: string;
  path: string;
  args: string[];
}

export class InstrManager {
  private readonly loaded = new Map<string, LoadedLibraryInfo & { message: LibraryLoadMessage; before: Int32Array }>();
  private nextId = 0;
  /** Scoreboards created by the primary instance of the library being loaded. */
  private pendingBoards: ScoreboardSpec[] | undefined;
  /** Bytes of the counter arena given out so far. */
  private arenaUsed = 0;
  private pendingLib = '';
  /** Each loaded library's arena for scoreboards created after qi_init. */
  private readonly lates = new Map<string, LateBoards>();
  private nextBoardId = 0;
  /** Every scoreboard ever created, by global id (workers keep the same list). */
  readonly boards: BigInt64Array[] = [];
  /** The other instances' qi_init/qi_fini output and qi_fini values. */
  readonly outputs: InstanceOutputs;

  constructor(
    readonly rt: InstrRuntime,
    private readonly machine: InstrMachine,
    private readonly maxVcpus: number,
    private readonly compile: LibraryCompiler,
    private readonly say: (message: string) => void = (m) => process.stderr.write(`${m}\n`),
    /**
     * Where qi_init's scoreboards go while there is room: the machine's WebAssembly memory
     * (counter arena, see GuestMemoryBuffers.arenaOffset), which WebAssembly blocks add to inline.
     */
    private readonly arena?: CounterArena,
  ) {
    this.outputs = new InstanceOutputs((fd, text) => (fd === 1 ? process.stdout : process.stderr).write(text), say);
  }

  list(): LoadedLibraryInfo[] {
    return [...this.loaded.values()].map(({ id, path, args }) => ({ id, path, args }));
  }

  /** A report of a worker instance (its lines, its qi_fini value). */
  instanceOutput(o: InstanceOutput): void {
    this.outputs.received(o);
  }

  /**
   * The primary instance's qi_scoreboard_new: in qi_init, allocate shared memory (sent to the
   * workers with the load message); later, in the library's arena.
   */
  allocateScoreboard(lib: string, index: number, counters: number): { id: number; data: BigInt64Array; base: number } {
    const late = this.lates.get(lib);
    if (!this.pendingBoards || this.pendingLib !== lib) {
      if (!late) throw new LibraryError(`qi_scoreboard_new: library ${lib} is not loaded`);
      return { id: late.boardId, data: this.boards[late.boardId], base: lateBoard(late, index, counters, this.maxVcpus) };
    }
    const length = counters * this.maxVcpus;
    const bytes = 8 * length;
    const arena = this.arena;
    let buffer: SharedArrayBuffer;
    let byteOffset = 0;
    if (arena !== undefined && this.arenaUsed + bytes <= arena.bytes) {
      buffer = arena.buffer;
      byteOffset = arena.offset + this.arenaUsed;
      this.arenaUsed += bytes; // never reused: a board lives as long as the machine, as before
    } else {
      buffer = new SharedArrayBuffer(bytes);
    }
    const id = this.nextBoardId++;
    const data = new BigInt64Array(buffer, byteOffset, length);
    this.boards[id] = data;
    this.pendingBoards.push({ id, counters, buffer, byteOffset, length });
    return { id, data, base: 0 };
  }

  /** Load a library; resolves with its id. Throws LibraryLoadError/LibraryError with a one-line message. */
  async load(path: string, args: readonly string[], wantedId?: string): Promise<string> {
    if (wantedId !== undefined && this.loaded.has(wantedId)) throw new LibraryError(`instrumentation library ID exists: '${wantedId}'`);
    if (this.loaded.size >= MAX_LIBRARIES) throw new LibraryError(`too many instrumentation libraries (at most ${MAX_LIBRARIES})`);
    const file = await this.compile(path);
    const module = await importLibrary(file, path);
    const id = wantedId ?? this.freshId();
    // every instance gets its callbacks while no vCPU runs: an event the primary's qi_init enables
    // must not reach an instance that has not run qi_init yet (it would trace it by default)
    return this.machine.withVcpusStopped(async () => {
      const before = this.rt.hooks.trace.snapshot();
      try {
        const message = this.startPrimary(id, module, file, path, args);
        await this.machine.loadInWorkers(message);
        await this.machine.flushTranslations();
        await this.machine.cpuEventInWorkers(id, 'enter');
        this.loaded.set(id, { id, path, args: [...args], message, before });
        return id;
      } catch (e) {
        stopInstance(this.rt, id, { primary: false, sink: [], report: () => undefined });
        await this.machine.unloadInWorkers(id).catch(() => undefined);
        this.outputs.finished(id);
        this.lates.delete(id);
        this.undoLoad(before);
        throw e instanceof LibraryError || e instanceof LibraryLoadError ? e : new LibraryError(`error loading instrumentation library '${path}': ${String(e)}`);
      }
    });
  }

  /**
   * A load failed: with the vCPUs stopped, the state changes since `before` are this library's
   * (its qi_init in some instances), so put back every event that differs. (A monitor
   * `trace-event` typed during those milliseconds would be undone too.)
   */
  private undoLoad(before: Int32Array): void {
    const now = this.rt.hooks.trace.snapshot();
    this.restoreTraceState(before, [...now.keys()].filter((ev) => now[ev] !== before[ev]));
  }

  /** The primary instance's qi_init (its scoreboards are allocated now); gives the workers' load message. */
  private startPrimary(id: string, module: Readonly<Record<string, unknown>>, file: string, path: string, args: readonly string[]): LibraryLoadMessage {
    this.pendingBoards = [];
    this.pendingLib = id;
    const late = newLateBoards(this.nextBoardId++);
    this.boards[late.boardId] = new BigInt64Array(late.buffer);
    this.lates.set(id, late);
    const lines: OutputLine[] = [];
    try {
      const lib = startInstance(this.rt, id, module, args, path, true, lines);
      this.outputs.primaryPrinted(id, 'qi_init', lines);
      this.checkEventsSet(id, path, lib.touchedEvents, lib.callbacks);
      return { id, file, args: [...args], scoreboards: this.pendingBoards, late };
    } finally {
      this.pendingBoards = undefined; // keep the boards for the workers; stop allocating
    }
  }

  /**
   * After qi_init: one line for events the library enabled but handles nowhere (the default traces
   * each occurrence; an execution level whose translation level the library handles is its own
   * choice, as in the document's example) and one for callbacks of events that are not enabled
   * (they never run: the usual reason for a summary of zeros).
   */
  private checkEventsSet(id: string, path: string, touched: ReadonlySet<number>, callbacks: ReadonlyMap<number, unknown>): void {
    const trace = this.rt.hooks.trace;
    const events = this.rt.events;
    const unhandled = [...touched].filter((ev) => trace.anyEnabled(ev) && !callbacks.has(ev) &&
      !(events[ev].level === 'exec' && events[ev].peer !== undefined && callbacks.has(events[ev].peer)));
    const idle = [...callbacks.keys()].filter((ev) => !trace.anyEnabled(ev));
    const names = (ids: number[]): string => ids.map((ev) => events[ev].name).join(', ');
    if (unhandled.length > 0) this.say(`instrumentation library ${id} ('${path}'): enables ${names(unhandled)} but sets no callback for it: the default traces every occurrence`);
    if (idle.length > 0) this.say(`instrumentation library ${id} ('${path}'): sets a callback for ${names(idle)} but does not enable it (qi_trace_event_set_state_dynamic): the callback is not called while the event is disabled`);
  }

  /** Put back the state masks (`before` the library came) of the events it changed. */
  private restoreTraceState(before: Int32Array, touched: Iterable<number>): void {
    for (const ev of new Set(touched)) this.rt.hooks.trace.restore(ev, before[ev]);
  }

  private freshId(): string {
    while (this.loaded.has(String(this.nextId))) this.nextId++;
    return String(this.nextId++);
  }

  /** The load message of a library (so workers created later — hotplug — can load it too). */
  loadMessages(): LibraryLoadMessage[] {
    return [...this.loaded.values()].map((l) => l.message);
  }

  async unload(id: string, report: (message: string) => void): Promise<void> {
    const entry = this.loaded.get(id);
    if (!entry) throw new LibraryError(`unknown instrumentation library ID: '${id}'`);
    const index = [...this.loaded.keys()].indexOf(id);
    this.loaded.delete(id);
    // a vCPU in one of its callbacks for good would never stop: its worker is replaced first
    await this.machine.restartThreadsStuckIn(index);
    await this.machine.withVcpusStopped(async () => {
      await this.machine.flushTranslations();
      await this.machine.cpuEventInWorkers(id, 'exit');
      await this.machine.unloadInWorkers(id);
      const touched = [...(this.rt.library(id)?.touchedEvents ?? []), ...this.outputs.touchedEvents(id)];
      const lines: OutputLine[] = [];
      stopInstance(this.rt, id, { primary: true, sink: lines, report, results: (own) => this.outputs.results(id, own) });
      this.outputs.primaryPrinted(id, 'qi_fini', lines);
      this.outputs.finished(id);
      this.lates.delete(id);
      this.restoreTraceState(entry.before, touched);
      await this.machine.flushTranslations();
    });
  }

  /** At exit: unload everything, most recent first. */
  async unloadAll(report: (message: string) => void): Promise<void> {
    for (const id of [...this.loaded.keys()].reverse()) {
      try {
        await this.unload(id, report);
      } catch (e) {
        report(errorText(e));
      }
    }
  }

  has(id: string): boolean {
    return this.loaded.has(id);
  }
}
