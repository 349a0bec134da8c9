/**
 * Instrumentation libraries at machine level (main thread): loading with
 * `-instr` and `instr-load`, unloading with `instr-unload` and at exit, and
 * failures inside callbacks. The order of operations follows the later
 * revision of the proposal:
 *
 *   load:   compile -> primary instance (main thread) runs qi_init -> every
 *           worker instance runs qi_init -> guest_cpu_enter for every vCPU ->
 *           translations flushed (new translation-level callbacks apply)
 *   unload: vCPUs stopped -> translations flushed -> guest_cpu_exit on every
 *           vCPU -> qi_fini in every instance (primary last) -> callbacks
 *           gone -> vCPUs resumed
 */
import { LibraryLoadError } from './errors.js';
import { InstrRuntime } from './runtime.js';
import { importLibrary, LibraryError, LibraryLoadMessage, ScoreboardSpec, startInstance, stopInstance } from './thread-host.js';

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
  private readonly loaded = new Map<string, LoadedLibraryInfo & { message: LibraryLoadMessage }>();
  private nextId = 0;
  /** Scoreboards created by the primary instance of the library being loaded. */
  private pendingBoards: ScoreboardSpec[] | undefined;
  private nextBoardId = 0;
  /** Every scoreboard ever created, by global id (workers keep the same list). */
  readonly boards: BigInt64Array[] = [];
  /** Bytes of the counter arena given out so far. */
  private arenaUsed = 0;

  constructor(
    readonly rt: InstrRuntime,
    private readonly machine: InstrMachine,
    private readonly maxVcpus: number,
    private readonly compile: LibraryCompiler,
    /**
     * Where scoreboards go while there is room: the machine's WebAssembly memory (counter arena,
     * see GuestMemoryBuffers.arenaOffset), which WebAssembly blocks add to inline.
     */
    private readonly arena?: CounterArena,
  ) {}

  list(): LoadedLibraryInfo[] {
    return [...this.loaded.values()].map(({ id, path, args }) => ({ id, path, args }));
  }

  /** The primary instance's qi_scoreboard_new: allocate shared memory. */
  allocateScoreboard(counters: number): { id: number; data: BigInt64Array } {
    if (!this.pendingBoards) throw new LibraryError('qi_scoreboard_new: scoreboards can only be created in qi_init');
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
    return { id, data };
  }

  /** Load a library; resolves with its id. Throws LibraryLoadError/LibraryError with a one-line message. */
  async load(path: string, args: readonly string[], wantedId?: string): Promise<string> {
    if (wantedId !== undefined && this.loaded.has(wantedId)) throw new LibraryError(`instrumentation library ID exists: '${wantedId}'`);
    if (this.loaded.size >= MAX_LIBRARIES) throw new LibraryError(`too many instrumentation libraries (at most ${MAX_LIBRARIES})`);
    const file = await this.compile(path);
    const module = await importLibrary(file, path);
    const id = wantedId ?? this.freshId();
    this.pendingBoards = [];
    try {
      startInstance(this.rt, id, module, args, path, false);
    } finally {
      // keep the boards for the workers; stop allocating
    }
    const message: LibraryLoadMessage = { id, file, args: [...args], scoreboards: this.pendingBoards };
    this.pendingBoards = undefined;
    try {
      await this.machine.withVcpusStopped(async () => {
        await this.machine.loadInWorkers(message);
        await this.machine.flushTranslations();
        await this.machine.cpuEventInWorkers(id, 'enter');
      });
    } catch (e) {
      stopInstance(this.rt, id, true, () => undefined);
      await this.machine.unloadInWorkers(id).catch(() => undefined);
      throw e instanceof LibraryError || e instanceof LibraryLoadError ? e : new LibraryError(`error loading instrumentation library '${path}': ${String(e)}`);
    }
    this.loaded.set(id, { id, path, args: [...args], message });
    return id;
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
    if (!this.loaded.has(id)) throw new LibraryError(`unknown instrumentation library ID: '${id}'`);
    this.loaded.delete(id);
    await this.machine.withVcpusStopped(async () => {
      await this.machine.flushTranslations();
      await this.machine.cpuEventInWorkers(id, 'exit');
      await this.machine.unloadInWorkers(id);
      stopInstance(this.rt, id, false, report);
      await this.machine.flushTranslations();
    });
  }

  /** At exit: unload everything, most recent first. */
  async unloadAll(report: (message: string) => void): Promise<void> {
    for (const id of [...this.loaded.keys()].reverse()) {
      try {
        await this.unload(id, report);
      } catch (e) {
        report(e instanceof Error ? e.message : String(e));
      }
    }
  }

  has(id: string): boolean {
    return this.loaded.has(id);
  }
}
