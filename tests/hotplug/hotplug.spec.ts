/**
 * CPU hot-plug scenarios, end to end: tsemu runs guests/hotplug.elf with
 * `-smp 1,maxcpus=4`, the test drives the human monitor on stdio (and QMP on
 * a unix socket), and every step checks the three outputs:
 *
 *   guest     the guest's UART (-serial file:): each hot-plug event is a
 *             block of lines, see guests/hotplug.S;
 *   trace     guest_cpu_enter / guest_cpu_exit in the -D log;
 *   instr     the lines of libs/enter-exit.ts on stderr (and its qi_fini
 *             scoreboard summary), or the document's example library.
 *
 * Expected values come from the hot-plug controller's and the
 * instrumentation semantics' documentation (src/hw/cpu-hotplug.ts,
 * src/instr/README.md) and, for monitor errors, from QEMU 7.2 (messages
 * checked on qemu-system-s390x, whose CPUs are hot-pluggable; see the report
 * in tests/hotplug/README.md).
 */
import { expect } from 'chai';
import { CPU_DRIVER, ENTER_EXIT_LIB, EXAMPLE_LIB, HotplugVm, HOTPLUG_ELF, describeEvents, sleep } from './hotplug-vm.js';
import {
  addedLines, bootLines, expectedSlots, finiLines, parseHotpluggableCpus, parseInfoCpus, removedLines, sorted, stableCpuList,
} from './expectations.js';
import { elfSymbols, symbol } from '../support/elf-symbols.js';
import type { QmpReply } from '../support/qmp.js';

const MAX_CPUS = 4;
const SMP = `1,maxcpus=${MAX_CPUS}`;
const TRACE = ['guest_cpu_enter', 'guest_cpu_exit'];
/** Library A: loaded from the start, forwards what it sees to the trace log. */
const LIB_A = { file: ENTER_EXIT_LIB, args: ['A', String(MAX_CPUS), 'trace'] };

const addCommand = (core: number, id = `cpu${core}`): string => `device_add ${CPU_DRIVER},core-id=${core},id=${id}`;
const qmpAdd = (core: number, id = `cpu${core}`): Record<string, unknown> => ({ driver: CPU_DRIVER, 'core-id': core, id });

/** Lines of one library tag, tag removed. */
function ofLib(lines: readonly string[], tag: string): string[] {
  return lines.filter((l) => l.startsWith(`${tag}: `)).map((l) => l.slice(tag.length + 2));
}

/** A started VM for one describe block; the block's `after` ends it. */
function useVm(label: string, start: () => Promise<HotplugVm>): () => HotplugVm {
  let vm: HotplugVm | undefined;
  before(async function () {
    this.timeout(60_000);
    vm = await start();
  });
  after(function () {
    vm?.dispose();
  });
  return () => {
    if (!vm) throw new Error(`${label}: the VM did not start`);
    vm.assertResponsive();
    return vm;
  };
}

async function expectBooted(vm: HotplugVm, libLines: string[]): Promise<void> {
  expect(await vm.takeGuestLines(4)).to.deep.equal(bootLines(MAX_CPUS));
  expect(await vm.takeLibLines({ count: libLines.length })).to.deep.equal(libLines);
  expect(describeEvents(vm.takeCpuEvents())).to.deep.equal(['enter 0']);
}

describe('hotplug: CPU hot-plug scenarios (-smp 1,maxcpus=4, guests/hotplug.elf)', function () {
  this.timeout(60_000);

  describe('1. hot-adding vCPUs 1, 2 and 3 one by one', function () {
    const vm = useVm('scenario 1', () => HotplugVm.start({ smp: SMP, trace: TRACE, instr: [LIB_A] }));
    const trace: string[] = [];
    const lib: string[] = [];

    it('boots with vCPU 0 only (guest_cpu_enter for vCPU 0, library A sees it)', async function () {
      await expectBooted(vm(), ['A: init', 'A: enter 0']);
      trace.push('enter 0');
      lib.push('enter 0');
      expect(stableCpuList(await vm().hmp('info cpus'))).to.have.lengthOf(1);
    });

    for (const core of [1, 2, 3]) {
      it(`hot-adds vCPU ${core}: it checks in and the shared counter reaches ${core + 1}`, async function () {
        expect(await vm().hmp(addCommand(core))).to.equal('');
        const working = Array.from({ length: core + 1 }, (_, h) => h);
        expect(await vm().takeGuestLines(4)).to.deep.equal(addedLines(core, core + 1, working));
        const newLib = ofLib(await vm().takeLibLines({ count: 1 }), 'A');
        const newTrace = describeEvents(vm().takeCpuEvents());
        lib.push(...newLib);
        trace.push(...newTrace);
        expect(newLib).to.deep.equal([`enter ${core}`]);
        expect(newTrace).to.deep.equal([`enter ${core}`]);
      });
    }

    it('lists vCPUs 0..3 in info cpus and a QOM path for every slot in info hotpluggable-cpus', async function () {
      expect(parseInfoCpus(await vm().hmp('info cpus')).map((c) => c.index)).to.deep.equal([0, 1, 2, 3]);
      expect(parseHotpluggableCpus(await vm().hmp('info hotpluggable-cpus'))).to.deep.equal(expectedSlots(MAX_CPUS, [1, 2, 3]));
    });

    it('saw guest_cpu_enter for vCPUs 1, 2, 3 in order, once each (trace and library)', function () {
      expect(trace).to.deep.equal(['enter 0', 'enter 1', 'enter 2', 'enter 3']);
      expect(lib).to.deep.equal(['enter 0', 'enter 1', 'enter 2', 'enter 3']);
    });

    it('at quit, library A gets guest_cpu_exit once per vCPU and its qi_fini counts one enter and one exit for each', async function () {
      const result = await vm().quit();
      expect(result.status, result.stderr).to.equal(0);
      const rest = ofLib(await vm().takeLibLines({ until: (l) => l.startsWith('A: fini total') }), 'A');
      const exits = rest.filter((l) => l.startsWith('exit '));
      expect(sorted(exits)).to.deep.equal(['exit 0', 'exit 1', 'exit 2', 'exit 3']);
      expect(rest.slice(exits.length).map((l) => `A: ${l}`)).to.deep.equal(finiLines('A', [[0, 1, 1], [1, 1, 1], [2, 1, 1], [3, 1, 1]]));
    });
  });

  describe('2. removing vCPU 2 while it runs, re-adding it, removing it again', function () {
    const vm = useVm('scenario 2', () => HotplugVm.start({ smp: SMP, trace: TRACE, instr: [LIB_A], qmp: true }));
    const trace: string[] = [];

    it('boots, and hot-adds vCPUs 1 and 2 over QMP', async function () {
      await expectBooted(vm(), ['A: init', 'A: enter 0']);
      trace.push('enter 0');
      for (const core of [1, 2]) {
        expect(await vm().qmp.execute('device_add', qmpAdd(core))).to.deep.include({ return: {} });
        expect(await vm().takeGuestLines(4)).to.deep.equal(addedLines(core, core + 1, Array.from({ length: core + 1 }, (_, h) => h)));
        expect(await vm().takeLibLines({ count: 1 })).to.deep.equal([`A: enter ${core}`]);
      }
      trace.push(...describeEvents(vm().takeCpuEvents()));
    });

    it('vCPU 2 is busy in its work loop (info cpus: not halted, pc inside work_loop)', async function () {
      const cpu2 = parseInfoCpus(await vm().hmp('info cpus')).find((c) => c.index === 2);
      expect(cpu2, 'CPU #2 in info cpus').to.not.equal(undefined);
      expect(cpu2?.halted).to.equal(false);
      const symbols = elfSymbols(HOTPLUG_ELF);
      expect(Number(cpu2?.pc)).to.be.within(Number(symbol(symbols, 'work_loop')), Number(symbol(symbols, 'park')) - 1);
    });

    it('removes vCPU 2 over QMP: DEVICE_DELETED, guest_cpu_exit, and the guest sees it stop while vCPU 1 keeps working', async function () {
      const from = vm().qmp.events.length;
      expect(await vm().qmp.execute('device_del', { id: 'cpu2' })).to.deep.include({ return: {} });
      const event = await vm().qmp.waitEvent('DEVICE_DELETED', from);
      expect(event.data).to.deep.equal({ device: 'cpu2', path: '/machine/peripheral/cpu2' });
      expect(await vm().takeGuestLines(4)).to.deep.equal(removedLines(2, 3, [0, 1]));
      expect(await vm().takeLibLines({ count: 1 })).to.deep.equal(['A: exit 2']);
      const newTrace = describeEvents(vm().takeCpuEvents());
      trace.push(...newTrace);
      expect(newTrace).to.deep.equal(['exit 2']);
      expect(parseInfoCpus(await vm().hmp('info cpus')).map((c) => c.index)).to.deep.equal([0, 1]);
      expect(parseHotpluggableCpus(await vm().hmp('info hotpluggable-cpus'))).to.deep.equal(expectedSlots(MAX_CPUS, [1]));
    });

    it('re-adds vCPU 2 with the same id (HMP): it checks in again and the counter counts the new arrival', async function () {
      expect(await vm().hmp(addCommand(2))).to.equal('');
      expect(await vm().takeGuestLines(4)).to.deep.equal(addedLines(2, 4, [0, 1, 2]));
      expect(await vm().takeLibLines({ count: 1 })).to.deep.equal(['A: enter 2']);
      const newTrace = describeEvents(vm().takeCpuEvents());
      trace.push(...newTrace);
      expect(newTrace).to.deep.equal(['enter 2']);
    });

    it('removes it again (HMP device_del): a second DEVICE_DELETED and guest_cpu_exit', async function () {
      const from = vm().qmp.events.length;
      expect(await vm().hmp('device_del cpu2')).to.equal('');
      const event = await vm().qmp.waitEvent('DEVICE_DELETED', from);
      expect(event.data).to.deep.equal({ device: 'cpu2', path: '/machine/peripheral/cpu2' });
      expect(await vm().takeGuestLines(4)).to.deep.equal(removedLines(2, 4, [0, 1]));
      expect(await vm().takeLibLines({ count: 1 })).to.deep.equal(['A: exit 2']);
      const newTrace = describeEvents(vm().takeCpuEvents());
      trace.push(...newTrace);
      expect(newTrace).to.deep.equal(['exit 2']);
    });

    it('the guest keeps running: vCPU 3 can still be added, and the counter and online mask agree', async function () {
      expect(await vm().hmp(addCommand(3))).to.equal('');
      expect(await vm().takeGuestLines(4)).to.deep.equal(addedLines(3, 5, [0, 1, 3]));
      expect(await vm().takeLibLines({ count: 1 })).to.deep.equal(['A: enter 3']);
      trace.push(...describeEvents(vm().takeCpuEvents()));
    });

    it('the trace shows every enter and exit once, in order; vCPU 2 has two of each', function () {
      expect(trace).to.deep.equal(['enter 0', 'enter 1', 'enter 2', 'exit 2', 'enter 2', 'exit 2', 'enter 3']);
    });

    it('at quit, enter/exit pairs balance for every vCPU in the library scoreboard', async function () {
      const result = await vm().quit();
      expect(result.status, result.stderr).to.equal(0);
      const rest = ofLib(await vm().takeLibLines({ until: (l) => l.startsWith('A: fini total') }), 'A');
      const exits = rest.filter((l) => l.startsWith('exit '));
      expect(sorted(exits)).to.deep.equal(['exit 0', 'exit 1', 'exit 3']);
      expect(rest.slice(exits.length).map((l) => `A: ${l}`)).to.deep.equal(finiLines('A', [[0, 1, 1], [1, 1, 1], [2, 2, 2], [3, 1, 1]]));
    });
  });

  describe('3. hot-plug while instrumentation libraries are loaded, being loaded, being unloaded', function () {
    const vm = useVm('scenario 3', () => HotplugVm.start({ smp: SMP, trace: TRACE, instr: [LIB_A], qmp: true }));
    const trace: string[] = [];
    /**
     * B and C sleep this long in qi_init/qi_fini in their worker instances
     * (not in the primary one), after a `<tag>: worker init` line: a hot-plug
     * command sent when that line (or B's first `exit` line) shows up lands
     * while the machine is still loading (unloading) the library in its
     * workers. Whichever way the machine orders the two operations, the
     * library must see each vCPU's enter and exit once or not at all.
     */
    const SLOW = 'slow=400';
    const WORKER_INIT = (tag: string): string => `${tag}: worker init`;
    /** Library lines without the timing markers. */
    const withoutMarkers = (lines: readonly string[]): string[] => lines.filter((l) => !l.endsWith(': worker init'));
    /** The vCPUs library B received guest_cpu_enter for while it loaded. */
    let bEntered: number[] = [];

    /** The lines of `tag` about vCPU `cpu`, in order. */
    const aboutCpu = (lines: readonly string[], tag: string, cpu: number): string[] =>
      ofLib(lines, tag).filter((l) => l === `enter ${cpu}` || l === `exit ${cpu}`);

    it('boots with library A', async function () {
      await expectBooted(vm(), ['A: init', 'A: enter 0']);
      trace.push('enter 0');
    });

    it('vCPU 1 hot-added while library B loads: B sees guest_cpu_enter for vCPUs 0 and 1 exactly once', async function () {
      const load = vm().hmp(`instr-load -i B ${ENTER_EXIT_LIB} B ${MAX_CPUS} ${SLOW}`);
      expect(await vm().waitLibLine((l) => l === WORKER_INIT('B')), 'B loading in a worker').to.equal(true);
      const add = vm().qmp.execute('device_add', qmpAdd(1));
      expect(await load).to.equal('B\n');
      expect(await add).to.deep.include({ return: {} });
      expect(await vm().takeGuestLines(4)).to.deep.equal(addedLines(1, 2, [0, 1]));
      // both commands have returned, so every line is out (settle only)
      const lines = withoutMarkers(await vm().takeLibLines({ count: 0 }));
      trace.push(...describeEvents(vm().takeCpuEvents()));
      bEntered = ofLib(lines, 'B').filter((l) => l.startsWith('enter ')).map((l) => Number(l.slice('enter '.length))).sort();
      expect(ofLib(lines, 'A')).to.deep.equal(['enter 1']);
      expect(sorted(ofLib(lines, 'B'))).to.deep.equal(['enter 0', 'enter 1', 'init']);
    });

    it('vCPU 2 hot-added while library B unloads: B sees each of its vCPUs exit once, vCPU 2 either fully or not at all', async function () {
      const unload = vm().hmp('instr-unload B');
      expect(await vm().waitLibLine((l) => l.startsWith('B: exit ')), "B's first guest_cpu_exit").to.equal(true);
      const add = vm().qmp.execute('device_add', qmpAdd(2));
      expect(await unload).to.equal('');
      expect(await add).to.deep.include({ return: {} });
      expect(await vm().takeGuestLines(4)).to.deep.equal(addedLines(2, 3, [0, 1, 2]));
      const lines = withoutMarkers(await vm().takeLibLines({ until: (l) => l.startsWith('B: fini total') }));
      trace.push(...describeEvents(vm().takeCpuEvents()));
      expect(ofLib(lines, 'A')).to.deep.equal(['enter 2']);
      // vCPUs 0 and 1: exactly one exit for each vCPU B entered (checked against B's own enters,
      // so that a problem of the previous step does not show up here again)
      for (const cpu of [0, 1]) expect(aboutCpu(lines, 'B', cpu), `B and vCPU ${cpu}`).to.deep.equal(bEntered.includes(cpu) ? [`exit ${cpu}`] : []);
      const sawTwo = aboutCpu(lines, 'B', 2);
      expect([[], ['enter 2', 'exit 2']], `B's lines about vCPU 2: ${JSON.stringify(sawTwo)}`).to.deep.include(sawTwo);
      const perCpu = [...bEntered, ...(sawTwo.length > 0 ? [2] : [])].map((cpu) => [cpu, 1, 1] as const);
      expect(lines.filter((l) => l.startsWith('B: fini'))).to.deep.equal(finiLines('B', perCpu));
    });

    it('vCPU 1 hot-removed while library C loads: C sees vCPU 1 enter and exit, or neither; every other vCPU enters once', async function () {
      const from = vm().qmp.events.length;
      const load = vm().hmp(`instr-load -i C ${ENTER_EXIT_LIB} C ${MAX_CPUS} ${SLOW}`);
      expect(await vm().waitLibLine((l) => l === WORKER_INIT('C')), 'C loading in a worker').to.equal(true);
      const del = vm().qmp.execute('device_del', { id: 'cpu1' });
      expect(await load).to.equal('C\n');
      expect(await del).to.deep.include({ return: {} });
      expect((await vm().qmp.waitEvent('DEVICE_DELETED', from)).data).to.deep.equal({ device: 'cpu1', path: '/machine/peripheral/cpu1' });
      expect(await vm().takeGuestLines(4)).to.deep.equal(removedLines(1, 3, [0, 2]));
      const loaded = await vm().takeLibLines({ count: 0 });
      expect(await vm().hmp('instr-unload C')).to.equal('');
      const lines = withoutMarkers([...loaded, ...await vm().takeLibLines({ until: (l) => l.startsWith('C: fini total') })]);
      trace.push(...describeEvents(vm().takeCpuEvents()));
      expect(ofLib(lines, 'A')).to.deep.equal(['exit 1']);
      expect(aboutCpu(lines, 'C', 0)).to.deep.equal(['enter 0', 'exit 0']);
      expect(aboutCpu(lines, 'C', 2)).to.deep.equal(['enter 2', 'exit 2']);
      const sawOne = aboutCpu(lines, 'C', 1);
      expect([[], ['enter 1', 'exit 1']], `C's lines about vCPU 1: ${JSON.stringify(sawOne)}`).to.deep.include(sawOne);
      const perCpu = [0, ...(sawOne.length > 0 ? [1] : []), 2].map((cpu) => [cpu, 1, 1] as const);
      expect(lines.filter((l) => l.startsWith('C: fini'))).to.deep.equal(finiLines('C', perCpu));
    });

    it('only library A is left (info instr), and the trace shows each vCPU event once', async function () {
      expect(await vm().hmp('info instr')).to.equal(`0: ${ENTER_EXIT_LIB} A ${MAX_CPUS} trace\n`);
      expect(trace).to.deep.equal(['enter 0', 'enter 1', 'enter 2', 'exit 1']);
    });

    it("at quit, library A's qi_fini sees every vCPU that ever ran (0, 1, 2), each balanced", async function () {
      const result = await vm().quit();
      expect(result.status, result.stderr).to.equal(0);
      const rest = ofLib(await vm().takeLibLines({ until: (l) => l.startsWith('A: fini total') }), 'A');
      const exits = rest.filter((l) => l.startsWith('exit '));
      expect(sorted(exits)).to.deep.equal(['exit 0', 'exit 2']);
      expect(rest.slice(exits.length).map((l) => `A: ${l}`)).to.deep.equal(finiLines('A', [[0, 1, 1], [1, 1, 1], [2, 1, 1]]));
    });
  });

  describe("4. the document's example library (examples/instr/instrument.ts) under hot-plug", function () {
    const EXAMPLE = { file: EXAMPLE_LIB, args: ['foo', 'bar'] };
    const INIT_LINES = 'init!\n argc :: 2\n -> foo\n -> bar\n';
    const enterState = async (vm: HotplugVm): Promise<string> => vm.hmp('info trace-events guest_cpu_enter');
    const enters = (vm: HotplugVm): string[] => describeEvents(vm.takeCpuEvents()).filter((e) => e.startsWith('enter '));

    describe('thread=multi (default): every vCPU worker, hot-added ones too, has its own instance', function () {
      const vm = useVm('scenario 4 (multi)', () => HotplugVm.start({ smp: SMP, instr: [EXAMPLE], stdoutPreamble: INIT_LINES }));

      it('prints its init lines once (the primary instance) and traces vCPU 0 entering', async function () {
        expect(vm().preamble).to.equal(INIT_LINES);
        expect(await vm().takeGuestLines(4)).to.deep.equal(bootLines(MAX_CPUS));
        expect(enters(vm())).to.deep.equal(['enter 0']);
      });

      it('traces guest_cpu_enter of hot-added vCPUs 1 and 2: each is the first call in a fresh instance', async function () {
        for (const core of [1, 2]) {
          expect(await vm().hmp(addCommand(core))).to.equal('');
          expect(await vm().takeGuestLines(4)).to.deep.equal(addedLines(core, core + 1, Array.from({ length: core + 1 }, (_, h) => h)));
        }
        expect(enters(vm())).to.deep.equal(['enter 1', 'enter 2']);
        expect(await enterState(vm())).to.equal('guest_cpu_enter : state 1\n');
      });

      it('traces the enter of vCPU 2 re-added (a new worker, so again a first call); tracing stays enabled', async function () {
        expect(await vm().hmp('device_del cpu2')).to.equal('');
        expect(await vm().takeGuestLines(4)).to.deep.equal(removedLines(2, 3, [0, 1]));
        expect(await vm().hmp(addCommand(2))).to.equal('');
        expect(await vm().takeGuestLines(4)).to.deep.equal(addedLines(2, 4, [0, 1, 2]));
        expect(enters(vm())).to.deep.equal(['enter 2']);
        expect(await enterState(vm())).to.equal('guest_cpu_enter : state 1\n');
      });

      it('traces the stores of the hot-added vCPUs at execution time (only stores: the example generates no loads)', async function () {
        const exec = vm().traceText().split('\n').filter((l) => l.startsWith('guest_mem_before_exec '));
        const infos = new Set(exec.map((l) => Number(/ info=(\d+)$/.exec(l)?.[1])));
        for (const info of infos) expect(info & 16, `info=${info} in guest_mem_before_exec`).to.equal(16);
        const work = symbol(elfSymbols(HOTPLUG_ELF), 'work');
        const SD = 3 | 16; // 8-byte store, no sign extension (trace-events' info layout)
        for (const core of [1, 2]) {
          const slot = `0x${(work + BigInt(8 * core)).toString(16).padStart(16, '0')}`;
          expect(exec, `vCPU ${core}'s sd to work[${core}]`).to.include(`guest_mem_before_exec cpu=0x${core} vaddr=${slot} info=${SD}`);
        }
      });

      it('prints fini! once at quit', async function () {
        const result = await vm().quit();
        expect(result.status, result.stderr).to.equal(0);
        expect(result.stderr).to.equal('fini!\n');
      });
    });

    describe('-accel tcg,thread=single: one worker, so one instance sees every vCPU', function () {
      const vm = useVm('scenario 4 (single)', () => HotplugVm.start({ smp: SMP, threadSingle: true, instr: [EXAMPLE], stdoutPreamble: INIT_LINES }));

      it('boots and traces vCPU 0 entering (the instance\'s first call: found = true)', async function () {
        expect(vm().preamble).to.equal(INIT_LINES);
        expect(await vm().takeGuestLines(4)).to.deep.equal(bootLines(MAX_CPUS));
        expect(enters(vm())).to.deep.equal(['enter 0']);
      });

      it('hot-adds vCPU 1: its enter is the second call — traced, then the callback is reset and guest_cpu_enter tracing disabled', async function () {
        expect(await vm().hmp(addCommand(1), 10_000)).to.equal('');
        expect(await vm().takeGuestLines(4, 10_000)).to.deep.equal(addedLines(1, 2, [0, 1]));
        expect(enters(vm())).to.deep.equal(['enter 1']);
        expect(await enterState(vm())).to.equal('guest_cpu_enter : state 0\n');
      });

      it('hot-adds vCPU 2: no guest_cpu_enter is traced any more', async function () {
        expect(await vm().hmp(addCommand(2), 10_000)).to.equal('');
        // These lines come after vCPU 2 ran guest code, and a vCPU's guest_cpu_enter record is written
        // (synchronously, by its own thread) before it runs any: a record would be in the log by now.
        expect(await vm().takeGuestLines(4, 10_000)).to.deep.equal(addedLines(2, 3, [0, 1, 2]));
        expect(enters(vm())).to.deep.equal([]);
      });

      it('prints fini! once at quit', async function () {
        const result = await vm().quit(10_000);
        expect(result.status, result.stderr).to.equal(0);
        expect(result.stderr).to.equal('fini!\n');
      });
    });
  });

  describe('5. errors: QEMU-style one-line messages, and nothing changes', function () {
    const vm = useVm('scenario 5', () => HotplugVm.start({ smp: SMP, trace: TRACE, instr: [LIB_A], qmp: true }));

    interface Snapshot {
      readonly cpus: string[];
      readonly slots: string;
      readonly fast: unknown;
    }
    const snapshot = async (): Promise<Snapshot> => ({
      cpus: stableCpuList(await vm().hmp('info cpus')),
      slots: await vm().hmp('info hotpluggable-cpus'),
      fast: (await vm().qmp.execute('query-cpus-fast')).return,
    });
    const qmpError = (reply: QmpReply): unknown => ({ error: reply.error });

    it('boots and hot-adds vCPU 1 (id cpu1)', async function () {
      await expectBooted(vm(), ['A: init', 'A: enter 0']);
      expect(await vm().hmp(addCommand(1))).to.equal('');
      expect(await vm().takeGuestLines(4)).to.deep.equal(addedLines(1, 2, [0, 1]));
      expect(await vm().takeLibLines({ count: 1 })).to.deep.equal(['A: enter 1']);
      expect(describeEvents(vm().takeCpuEvents())).to.deep.equal(['enter 1']);
    });

    const cases: readonly { what: string; hmp: string; qmp: [string, Record<string, unknown>]; error: string; errorClass?: string }[] = [
      {
        what: 'core-id >= maxcpus',
        hmp: addCommand(4), qmp: ['device_add', qmpAdd(4)],
        error: 'Invalid CPU core-id: 4 must be in range 0:3',
      },
      {
        what: 'a slot already present (the hot-added vCPU 1, new id)',
        hmp: addCommand(1, 'again'), qmp: ['device_add', qmpAdd(1, 'again')],
        error: 'CPU[1] with core-id 1 exists',
      },
      {
        what: 'a slot already present (the boot vCPU 0, no id)',
        hmp: `device_add ${CPU_DRIVER},core-id=0`, qmp: ['device_add', { driver: CPU_DRIVER, 'core-id': 0 }],
        error: 'CPU[0] with core-id 0 exists',
      },
      {
        // QEMU 7.2: qdev_set_id() "Duplicate device ID '%s'"
        what: 'a duplicate id on a free slot',
        hmp: addCommand(2, 'cpu1'), qmp: ['device_add', qmpAdd(2, 'cpu1')],
        error: "Duplicate device ID 'cpu1'",
      },
      {
        // QEMU 7.2 checks the id before the machine looks at the slot
        what: 'the same device_add twice (duplicate id and occupied slot)',
        hmp: addCommand(1), qmp: ['device_add', qmpAdd(1)],
        error: "Duplicate device ID 'cpu1'",
      },
      {
        what: 'an unknown device type',
        hmp: 'device_add foo-cpu,core-id=2,id=cpu2', qmp: ['device_add', { driver: 'foo-cpu', 'core-id': 2, id: 'cpu2' }],
        error: "'foo-cpu' is not a valid device model name",
      },
      {
        what: 'device_del of an unknown id',
        hmp: 'device_del nope', qmp: ['device_del', { id: 'nope' }],
        error: "Device 'nope' not found", errorClass: 'DeviceNotFound',
      },
    ];

    for (const c of cases) {
      it(`${c.what}: HMP "Error: ${c.error}", QMP ${c.errorClass ?? 'GenericError'}, and no vCPU changes`, async function () {
        const before = await snapshot();
        expect(await vm().hmp(c.hmp)).to.equal(`Error: ${c.error}\n`);
        expect(await snapshot()).to.deep.equal(before);
        expect(qmpError(await vm().qmp.execute(...c.qmp))).to.deep.equal({ error: { class: c.errorClass ?? 'GenericError', desc: c.error } });
        expect(await snapshot()).to.deep.equal(before);
      });
    }

    it('none of the refused commands reached the guest, the library or the trace', async function () {
      // A grace period for a deferred effect: a refused command leaves no vCPU behind (the snapshots
      // above), so there is no later event of one to wait for; anything it set off late shows up here.
      await sleep(300);
      expect(vm().unreadGuest()).to.equal('');
      expect(vm().unreadLibLines()).to.deep.equal([]);
      expect(describeEvents(vm().takeCpuEvents())).to.deep.equal([]);
      expect(vm().qmp.events.filter((e) => e.event === 'DEVICE_DELETED')).to.deep.equal([]);
    });

    it('removing the last vCPU (vCPU 0 by its QOM path, once vCPU 1 is gone) is refused and changes nothing', async function () {
      expect(await vm().hmp('device_del cpu1')).to.equal('');
      expect(await vm().takeGuestLines(4)).to.deep.equal(removedLines(1, 2, [0]));
      expect(await vm().takeLibLines({ count: 1 })).to.deep.equal(['A: exit 1']);
      expect(describeEvents(vm().takeCpuEvents())).to.deep.equal(['exit 1']);
      const before = await snapshot();
      const qomPath = parseHotpluggableCpus(before.slots).find((s) => s.coreId === 0)?.qomPath ?? '';
      expect(qomPath).to.equal('/machine/soc0/harts[0]');
      expect(await vm().hmp(`device_del ${qomPath}`)).to.equal('Error: Removing the last CPU is not supported\n');
      expect(qmpError(await vm().qmp.execute('device_del', { id: qomPath })))
        .to.deep.equal({ error: { class: 'GenericError', desc: 'Removing the last CPU is not supported' } });
      expect(await snapshot()).to.deep.equal(before);
    });

    it('afterwards the guest still takes a new vCPU, and its counter shows no phantom arrival', async function () {
      // The same grace period as above (no event to wait for); the guest's own arrival counter in the
      // lines below ("counter ok 3") catches a phantom arrival whenever it came.
      await sleep(300);
      expect(vm().unreadGuest()).to.equal('');
      expect(vm().unreadLibLines()).to.deep.equal([]);
      expect(describeEvents(vm().takeCpuEvents())).to.deep.equal([]);
      expect(await vm().hmp(addCommand(2))).to.equal('');
      expect(await vm().takeGuestLines(4)).to.deep.equal(addedLines(2, 3, [0, 2]));
      expect(await vm().takeLibLines({ count: 1 })).to.deep.equal(['A: enter 2']);
      const result = await vm().quit();
      expect(result.status, result.stderr).to.equal(0);
    });
  });
});
