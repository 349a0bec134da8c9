/**
 * QEMU 7.2 live: the `riscv,isa` strings it dumps for the -cpu cases of virt-isa-cases.ts (with
 * h=false, see there) are those of the committed transcript.
 */
import { QEMU_BINARY } from '../support/run-guest.js';
import { requireTool } from '../support/tools.js';
import { verifyTranscript } from '../support/transcripts.js';
import { CPU_CASES, dumpIsa, qemuCpu, TRANSCRIPT_KEY } from './virt-isa-cases.js';

describe('device tree riscv,isa: QEMU 7.2 live (oracle)', function () {
  before(function () {
    requireTool(QEMU_BINARY);
  });

  it('dumps the transcript\'s strings', function () {
    this.timeout(60_000);
    const live: Record<string, string> = {};
    // QEMU is run with h=false so the letters line up with tsemu's; the transcript keeps QEMU's h
    // out of the key but not out of the value, so a default-CPU string is recorded too
    for (const cpu of CPU_CASES) live[cpu] = dumpIsa(QEMU_BINARY, [], qemuCpu(cpu));
    live['rv64 (QEMU default, with H)'] = dumpIsa(QEMU_BINARY, [], 'rv64');
    verifyTranscript(TRANSCRIPT_KEY, live, [QEMU_BINARY, '-M', 'virt,dumpdtb=FILE', '-nographic', '-cpu', '<case>,h=false']);
  });
});
