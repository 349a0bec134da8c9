/**
 * `info pci` on tsemu equals QEMU 7.2's (transcript monitor-e2e/info-pci/qemu, recorded by
 * info-pci.oracle.spec.ts): the host bridge 00:00.0, virtio-rng-pci on the first free slot,
 * virtio-blk-pci at addr=0x5 with its id, unassigned BARs as QEMU 7.2 prints them.
 */
import { expect } from 'chai';
import { rmSync } from 'node:fs';
import { makeTempDir } from '../support/tools.js';
import { readTranscript } from '../support/transcripts.js';
import { INFO_PCI_KEY, infoPci, type InfoPciRecord, makeDisk } from './info-pci-qemu.js';

describe('monitor-e2e: info pci', function () {
  this.timeout(120_000);

  it("prints QEMU 7.2's text for the same devices", async () => {
    const dir = makeTempDir('info-pci');
    try {
      const t = await infoPci('tsemu', makeDisk(dir));
      expect(t.infoPci).to.equal(readTranscript<InfoPciRecord>(INFO_PCI_KEY).infoPci);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
