/**
 * Oracle tier of user-log.spec.ts: live qemu-riscv64's -d in_asm (with and without -singlestep),
 * -singlestep -d exec and -singlestep -d cpu match the committed transcripts.
 */
import { requireTool } from '../support/tools.js';
import { verifyTranscript } from '../support/transcripts.js';
import { QEMU_USER } from './user-runs.js';
import { CPU_KEY, CPU_LINES, EXEC_KEY, IN_ASM_BLOCKS_KEY, IN_ASM_KEY, IN_ASM_PROGRAM, runCpuLog, runExecLog, runInAsm } from './user-log-runs.js';

describe('user mode: -d in_asm, qemu-riscv64 live (oracle)', function () {
  this.timeout(120_000);
  before(function () {
    requireTool(QEMU_USER);
  });

  it('-singlestep -d in_asm on hello-static: QEMU matches its transcript', function () {
    verifyTranscript(IN_ASM_KEY, runInAsm([QEMU_USER], ['-singlestep']), [QEMU_USER, '-singlestep', '-d', 'in_asm', '-D', 'LOG', IN_ASM_PROGRAM], QEMU_USER);
  });

  it('-d in_asm on hello-static (QEMU\'s blocks): QEMU matches its transcript', function () {
    verifyTranscript(IN_ASM_BLOCKS_KEY, runInAsm([QEMU_USER], []), [QEMU_USER, '-d', 'in_asm', '-D', 'LOG', IN_ASM_PROGRAM], QEMU_USER);
  });

  it('-singlestep -d exec on hello-static: QEMU matches its transcript', function () {
    verifyTranscript(EXEC_KEY, runExecLog([QEMU_USER], ['-singlestep']), [QEMU_USER, '-singlestep', '-d', 'exec', '-D', 'LOG', './hello-static', `(a copy of ${IN_ASM_PROGRAM} in /tmp/tsemu-user-log-XXXXXX; host pointers as PTR, no Linking TBs lines)`], QEMU_USER);
  });

  it('-singlestep -d cpu on hello-static (its deterministic start): QEMU matches its transcript', function () {
    verifyTranscript(CPU_KEY, runCpuLog([QEMU_USER]), [QEMU_USER, '-singlestep', '-d', 'cpu', '-D', 'LOG', IN_ASM_PROGRAM, `(first ${CPU_LINES} lines)`], QEMU_USER);
  });
});
