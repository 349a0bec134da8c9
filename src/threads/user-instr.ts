/**
 * Instrumentation libraries (-instr) in user mode. The primary instance of each library runs on
 * the main thread (its console output is the one shown: qi_init's banner, qi_fini's summary); every
 * guest thread's worker loads its own instance before the thread's first instruction (quiet, as
 * system mode's vCPU instances are) and gets the translation-level events of the code it
 * translates, the execution-level ones of the code it runs, guest_user_syscall/_ret of its calls
 * and guest_cpu_enter/exit when the thread starts and ends. Libraries are loaded before the first
 * thread exists, so the InstrManager's machine has nothing to stop, flush or tell: a worker is
 * born with the load messages.
 */
import { InstrManager, type InstrMachine } from '../instr/manager.js';
import { InstrRuntime, type InstrControl, type InstrMemory } from '../instr/runtime.js';
import { instrEvents, traceAccess, type InstrReport } from '../instr/thread-env.js';
import type { LibraryLoadMessage } from '../instr/thread-host.js';
import type { ThreadTracing } from '../trace/thread-tracing.js';
import { compileInPool } from './compile-pool.js';
import { errorText } from '../instr/errors.js';

/** vCPU rows of a scoreboard: guest threads numbered from 0 in each process. */
export const USER_MAX_VCPUS = 256;

/** The primary instance reads no guest memory (no thread runs on the main thread). */
const NO_MEMORY: InstrMemory = {
  virtToPhys: () => undefined,
  readPhys: () => undefined,
  writePhys: () => false,
  vcpuExists: () => false,
};

/** Nothing runs while libraries load (before the first thread) or unload (after the last). */
const NO_MACHINE: InstrMachine = {
  withVcpusStopped: (op) => op(),
  loadInWorkers: async () => undefined,
  cpuEventInWorkers: async () => undefined,
  unloadInWorkers: async () => undefined,
  flushTranslations: async () => undefined,
  restartThreadsStuckIn: async () => [],
};

export class UserInstr {
  readonly manager: InstrManager;
  private messages: LibraryLoadMessage[] = [];
  private readonly failedLibs = new Set<string>();

  /** `exit`: a library's qi_exit ends the program with that status (its libraries' qi_fini run first). */
  constructor(tracing: ThreadTracing, private readonly say: (message: string) => void, private readonly exit: (status: number) => void) {
    const rt = new InstrRuntime('main', instrEvents(tracing.state.events), {
      trace: traceAccess(tracing, () => undefined),
      memory: NO_MEMORY,
      broadcast: () => undefined,
      control: (req) => this.control(req),
      failed: (lib, event, error) => this.failed(lib, event, errorText(error)),
      scoreboard: (lib, index, counters) => this.manager.allocateScoreboard(lib, index, counters),
    }, USER_MAX_VCPUS);
    this.manager = new InstrManager(rt, NO_MACHINE, USER_MAX_VCPUS, compileInPool, say);
  }

  /** Compile and load every library (primary instances run qi_init); throws LibraryError / LibraryLoadError. */
  async load(specs: readonly { file: string; args: readonly string[] }[]): Promise<void> {
    for (const s of specs) await this.manager.load(s.file, s.args);
    this.messages = this.manager.loadMessages();
  }

  /** What a new thread's worker loads. */
  loadMessages(): LibraryLoadMessage[] {
    return this.messages.filter((m) => !this.failedLibs.has(m.id));
  }

  /** A worker's report: a callback that threw leaves its library out of new threads, as system mode unloads it. */
  handle(r: InstrReport): void {
    if (r.type === 'instr-failed') this.failed(r.lib, r.event, r.message);
    else if (r.type === 'instr-log') this.say(r.message);
    else if (r.type === 'instr-control') this.control(r.req);
    else if (r.type === 'instr-output') this.manager.instanceOutput(r);
  }

  /** qi_exit ends the program; qi_vm_stop has no machine to stop in user mode (said once per call). */
  private control(req: InstrControl): void {
    if (req.kind === 'exit') this.exit(req.status);
    else this.say('qi_vm_stop: no machine to stop in user mode (ignored)');
  }

  private failed(lib: string, event: string, message: string): void {
    if (this.failedLibs.has(lib)) return;
    this.failedLibs.add(lib);
    const path = this.manager.list().find((l) => l.id === lib)?.path ?? '';
    this.say(`instrumentation library ${lib} ('${path}'): callback for ${event} threw: ${message}; library unloaded`);
  }

  /** At the end: qi_fini of every primary instance (most recent first). */
  async finish(): Promise<void> {
    await this.manager.unloadAll((m) => this.say(m));
  }
}
