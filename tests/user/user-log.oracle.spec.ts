/** Oracle tier of user-log.spec.ts: live qemu-riscv64 -singlestep -d in_asm and -d cpu match the committed transcripts. */
import { requireTool } from '../support/tools.js';
import { verifyTranscript } from '../support/transcripts.js';
import { QEMU_USER } from './user-runs.js';
import { CPU_KEY, CPU_LINES, IN_ASM_KEY, IN_ASM_PROGRAM, runCpuLog, runInAsm } from './user-log-runs.js';

describe('user mode: -d in_asm, qemu-riscv64 live (oracle)', function () {
  this.timeout(120_000);
  before(function () {
    requireTool(QEMU_USER);
  
  it('-singlestep -d cpu on hello-static (its deterministic start): QEMU matches its transcript', function () {
    verifyTranscript(CPU_KEY, runCpuLog([QEMU_USER]), [QEMU_USER, '-singlestep', '-d', 'cpu', '-D', 'LOG', IN_ASM_PROGRAM, `(first ${CPU_LINES} lines)`], QEMU_USER);
  });
});

  it('-singlestep -d in_asm on hello-static: QEMU matches its transcript', function () {
    verifyTranscript(IN_ASM_KEY, runInAsm([QEMU_USER], ['-singlestep']), [QEMU_USER, '-singlestep', '-d', 'in_asm', '-D', 'LOG', IN_ASM_PROGRAM], QEMU_USER);
  
  it('-singlestep -d cpu on hello-static (its deterministic start): QEMU matches its transcript', function () {
    verifyTranscript(CPU_KEY, runCpuLog([QEMU_USER]), [QEMU_USER, '-singlestep', '-d', 'cpu', '-D', 'LOG', IN_ASM_PROGRAM, `(first ${CPU_LINES} lines)`], QEMU_USER);
  });
});

  it('-singlestep -d cpu on hello-static (its deterministic start): QEMU matches its transcript', function () {
    verifyTranscript(CPU_KEY, runCpuLog([QEMU_USER]), [QEMU_USER, '-singlestep', '-d', 'cpu', '-D', 'LOG', IN_ASM_PROGRAM, `(first ${CPU_LINES} lines)`], QEMU_USER);
  });
});
