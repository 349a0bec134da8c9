/**
 * Oracle tier of `info pci` (info-pci-qemu.ts): QEMU 7.2 prints what the transcript holds.
 */
import { expect } from 'chai';
import { rmSync } from 'node:fs';
import { makeTempDir } from '../support/tools.js';
import { verifyTranscript } from '../support/transcripts.js';
import { INFO_PCI_KEY, infoPci, makeDisk } from './info-pci-qemu.js';

describe('monitor-e2e: info pci on QEMU 7.2 (oracle)', function () {
  this.timeout(120_000);

  it('lists the host bridge and both virtio-pci devices; the transcript is what QEMU prints', async () => {
    const dir = makeTempDir('info-pci');
    try {
      let command: string[] = [];
      const q = await infoPci('qemu', makeDisk(dir), (c) => { command = c; });
      expect(q.infoPci).to.include('Host bridge: PCI device 1b36:0008');
      verifyTranscript(INFO_PCI_KEY, q, command);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
