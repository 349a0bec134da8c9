/**
 * The pieces of QEMU 7.2's `-d exec` line (src/vcpu/cpu-log.ts), against lines QEMU 7.2 printed
 * (qemu-system-riscv64 -bios none on tests/guest/bin/interrupts.elf with -smp 2, -singlestep,
 * -icount shift=4 plus nochain; qemu-riscv64 on tests/user/bin/hello-static): the format, the
 * cflags of each configuration and linux-user's flags. The system-mode flags of each privilege
 * and FS state are checked line for line against QEMU in icount-qemu.spec.ts.
 */
import { expect } from 'chai';
import { CF_NO_GOTO_TB, formatExecLine, systemCflags, USER_TB_FLAGS } from '../../src/vcpu/cpu-log.js';

describe('-d exec: QEMU 7.2\'s Trace line', function () {
  it('prints cpu index, host address, cs_base, pc, flags, cflags and symbol in QEMU\'s widths', function () {
    expect(formatExecLine(0, 0x7f5fbc0019c0, 0x80000500, 0x0020f003, 0xff020200, 'main'))
      .to.equal('Trace 0: 0x7f5fbc0019c0 [0000000000000000/0000000080000500/0020f003/ff020200] main\n');
    expect(formatExecLine(3, 0x1000, 0x1000, 0x00209003, 0xff000000, ''))
      .to.equal('Trace 3: 0x1000 [0000000000000000/0000000000001000/00209003/ff000000] \n');
  });

  it('cflags: no cluster, CF_PARALLEL with MTTCG and several CPUs, CF_USE_ICOUNT, -singlestep', function () {
    expect(systemCflags({ parallel: false, icount: false, singlestep: false })).to.equal(0xff000000); // -smp 1
    expect(systemCflags({ parallel: true, icount: false, singlestep: false })).to.equal(0xff080000); // -smp 2
    expect(systemCflags({ parallel: false, icount: false, singlestep: true })).to.equal(0xff000201); // -singlestep
    expect((systemCflags({ parallel: false, icount: true, singlestep: false }) | CF_NO_GOTO_TB) >>> 0).to.equal(0xff020200); // -icount, nochain
  });

  it('linux-user flags: MMU index 0, FS and VS on, VILL, 64-bit', function () {
    expect(USER_TB_FLAGS).to.equal(0x00207600);
  });
});
