/** Oracle tier of user-log.spec.ts: live qemu-riscv64 -singlestep -d in_asm matches the committed transcript. */
import { requireTool } from '../support/tools.js';
import { verifyTranscript } from '../support/transcripts.js';
import { QEMU_USER } from './user-runs.js';
import { IN_ASM_KEY, IN_ASM_PROGRAM, runInAsm } from './user-log-runs.js';

describe('user mode: -d in_asm, qemu-riscv64 live (oracle)', function () {
  this.timeout(120_000);
  before(function () {
    requireTool(QEMU_USER);
  });

  it('-singlestep -d in_asm on hello-static: QEMU matches its transcript', function () {
    verifyTranscript(IN_ASM_KEY, runInAsm([QEMU_USER], ['-singlestep']), [QEMU_USER, '-singlestep', '-d', 'in_asm', '-D', 'LOG', IN_ASM_PROGRAM], QEMU_USER);
  });
});
