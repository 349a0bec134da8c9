/**
 * Oracle tier of hmp.spec.ts: `info hotpluggable-cpus` on a live QEMU 7.2 s390x (riscv has no CPU
 * hotplug in QEMU 7.2) prints what the committed transcript
 * tests/transcripts/monitor/hmp/hotpluggable-cpus-s390x.json holds.
 */
import { expect } from 'chai';
import { requireTool } from '../support/tools.js';
import { verifyTranscript } from '../support/transcripts.js';
import { HOTPLUG_S390X, qemuS390xHotpluggableCpus } from './hmp-cases.js';

describe('monitor/hmp: info hotpluggable-cpus on QEMU 7.2 s390x live (oracle)', function () {
  this.timeout(60_000);
  before(function () {
    requireTool(HOTPLUG_S390X.binary);
  });

  it('lists the four slots, c2 plugged, and matches the transcript', () => {
    const live = qemuS390xHotpluggableCpus();
    expect(live.infoHotpluggableCpus).to.match(/^Hotpluggable CPUs:\n/);
    expect(live.infoHotpluggableCpus.match(/ {2}type: "qemu-s390x-cpu"/g)).to.have.length(4);
    expect(live.infoHotpluggableCpus).to.include('qom_path: "/machine/peripheral/c2"');
    verifyTranscript(HOTPLUG_S390X.key, live, [HOTPLUG_S390X.binary, ...HOTPLUG_S390X.args, `(monitor: ${HOTPLUG_S390X.input.trim().split('\n').join('; ')})`], HOTPLUG_S390X.binary);
  });
});
