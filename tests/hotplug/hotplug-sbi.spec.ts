/**
 * CPU hot-plug on the bundled firmware (`-bios default`, tsemu-sbi): the S-mode guest
 * guests/sbi/hotplug-sbi.c starts every hart through SBI HSM (hart_start), as an OS does, and the
 * last slot stops itself with hart_stop. The steps check what the firmware must get right for
 * hot-plug: a hot-added hart enters the firmware at the reset vector and waits, STOPPED, until the
 * OS starts it; a stopped hart can be removed (device_del) and added again; a running one too.
 * Expected lines come from the guest's header comment and guests/hotplug.S (same blocks).
 */
import { expect } from 'chai';
import { CPU_DRIVER, HotplugVm, describeEvents } from './hotplug-vm.js';
import { addedLines, bootLines, removedLines } from './expectations.js';

const MAX_CPUS = 4;
const STOPPER = MAX_CPUS - 1;
const TRACE = ['guest_cpu_enter', 'guest_cpu_exit'];
const BANNER = (harts: number): string => `tsemu-sbi v1.0 (SBI v2.0): ${harts} hart${harts === 1 ? '' : 's'}, next stage 0x0000000080200000 in S-mode`;

const addCommand = (core: number): string => `device_add ${CPU_DRIVER},core-id=${core},id=cpu${core}`;

/** The block of the last slot, which checks in and then stops itself through HSM. */
function stopperAddedLines(hart: number, counter: number, working: readonly number[]): string[] {
  const [added, online, counterLine, workingLine] = addedLines(hart, counter, working);
  return [added, online, `hart ${hart} stopped (HSM)`, counterLine, workingLine];
}

describe('hotplug on the bundled firmware (SBI HSM, guests/sbi/hotplug-sbi.c)', function () {
  this.timeout(60_000);

  describe('-smp 1,maxcpus=4: harts started, stopped, removed and re-added through the firmware', function () {
    let machine: HotplugVm | undefined;
    const vm = (): HotplugVm => {
      if (!machine) throw new Error('the VM did not start');
      machine.assertResponsive();
      return machine;
    };
    const trace: string[] = [];
    before(async function () {
      machine = await HotplugVm.start({ smp: `1,maxcpus=${MAX_CPUS}`, guest: 'sbi', trace: TRACE });
    });
    after(function () {
      machine?.dispose();
    });

    it('boots through the firmware (banner), then the guest runs alone on hart 0', async function () {
      expect(await vm().takeGuestLines(5)).to.deep.equal([BANNER(1), ...bootLines(MAX_CPUS)]);
      trace.push(...describeEvents(vm().takeCpuEvents()));
    });

    for (const core of [1, 2]) {
      it(`hot-adds vCPU ${core}: the firmware holds it until the guest's hart_start, then it works`, async function () {
        expect(await vm().hmp(addCommand(core))).to.equal('');
        expect(await vm().takeGuestLines(4)).to.deep.equal(addedLines(core, core + 1, Array.from({ length: core + 1 }, (_, h) => h)));
        trace.push(...describeEvents(vm().takeCpuEvents()));
      });
    }

    it(`hot-adds vCPU ${STOPPER}: started, it stops itself (hart_stop) and hart_get_status says STOPPED`, async function () {
      expect(await vm().hmp(addCommand(STOPPER))).to.equal('');
      expect(await vm().takeGuestLines(5)).to.deep.equal(stopperAddedLines(STOPPER, 4, [0, 1, 2]));
      trace.push(...describeEvents(vm().takeCpuEvents()));
    });

    it(`removes the stopped vCPU ${STOPPER} (device_del) and adds it again: the firmware starts it a second time`, async function () {
      expect(await vm().hmp(`device_del cpu${STOPPER}`)).to.equal('');
      expect(await vm().takeGuestLines(4)).to.deep.equal(removedLines(STOPPER, 4, [0, 1, 2]));
      expect(await vm().hmp(addCommand(STOPPER))).to.equal('');
      expect(await vm().takeGuestLines(5)).to.deep.equal(stopperAddedLines(STOPPER, 5, [0, 1, 2]));
      trace.push(...describeEvents(vm().takeCpuEvents()));
    });

    it('removes vCPU 2 while it works and adds it again: the firmware forgets the state it had', async function () {
      expect(await vm().hmp('device_del cpu2')).to.equal('');
      expect(await vm().takeGuestLines(4)).to.deep.equal(removedLines(2, 5, [0, 1]));
      expect(await vm().hmp(addCommand(2))).to.equal('');
      expect(await vm().takeGuestLines(4)).to.deep.equal(addedLines(2, 6, [0, 1, 2]));
      trace.push(...describeEvents(vm().takeCpuEvents()));
    });

    it('traced guest_cpu_enter/exit once per arrival and removal, in order', function () {
      expect(trace).to.deep.equal(['enter 0', 'enter 1', 'enter 2', 'enter 3', 'exit 3', 'enter 3', 'exit 2', 'enter 2']);
    });

    it('quits cleanly', async function () {
      const result = await vm().quit();
      expect(result.status, result.stderr).to.equal(0);
    });
  });

  describe('-smp 2,maxcpus=4: a cold-booted secondary also waits in the firmware for hart_start', function () {
    let machine: HotplugVm | undefined;
    after(function () {
      machine?.dispose();
    });

    it('hart 0 starts hart 1 through HSM at boot; both work', async function () {
      machine = await HotplugVm.start({ smp: `2,maxcpus=${MAX_CPUS}`, guest: 'sbi' });
      expect(await machine.takeGuestLines(6)).to.deep.equal([
        BANNER(2), `hotplug guest maxcpus ${MAX_CPUS}`, 'hart 0 online', 'hart 1 online', 'counter ok 2', 'working 0 1',
      ]);
      const result = await machine.quit();
      expect(result.status, result.stderr).to.equal(0);
    });
  });
});
