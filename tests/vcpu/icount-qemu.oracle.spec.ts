/**
 * Oracle tier of icount-qemu.spec.ts: QEMU 7.2 runs each recipe of icount-recipes.ts live; the
 * committed transcripts must hold what it prints now (TSEMU_RECORD_TRANSCRIPTS=1 rewrites them),
 * and tsemu must print the same.
 */
import { expect } from 'chai';
import { QEMU_BINARY } from '../support/run-guest.js';
import { requireTool } from '../support/tools.js';
import { portableCommand, verifyTranscript } from '../support/transcripts.js';
import {
  EXEC_GUEST, execLog, expectedUartInputConsole, ICOUNT_TIME, icountTimeReport, icountTimeReports, UART_INPUT, UART_INPUT_TEXT, uartInputConsole,
} from './icount-recipes.js';
import { readFileSync } from 'node:fs';

describe('-icount and -d exec against live QEMU 7.2 (oracle)', function () {
  this.timeout(300_000);
  before(function () {
    requireTool(QEMU_BINARY);
  });

  it('rdtime and mtime loads within one block: the same values as QEMU at shift 10 and 3', async function () {
    const qemu = await icountTimeReports('qemu');
    verifyTranscript('vcpu/icount-time', qemu, [QEMU_BINARY, '-M', 'virt', '-bios', 'none', '-nographic', '-kernel', ICOUNT_TIME, '-icount', 'shift=10|3,sleep=off']);
    expect(await icountTimeReports('tsemu')).to.deep.equal(qemu);
    // QEMU's shift=auto starts at 3: a run this short ends before its first adjustment
    expect(await icountTimeReport('qemu', 'auto')).to.equal(qemu.shift3);
  });

  it('a guest reading UART input from a file under -icount prints what QEMU prints', async function () {
    const qemu = await uartInputConsole('qemu');
    expect(qemu).to.equal(expectedUartInputConsole(readFileSync(UART_INPUT_TEXT, 'latin1')));
    verifyTranscript('vcpu/uart-input', qemu, portableCommand([QEMU_BINARY, '-M', 'virt', '-bios', 'none', '-nographic', '-kernel', UART_INPUT, '-icount', 'shift=4,sleep=off', '<', UART_INPUT_TEXT]));
    expect(await uartInputConsole('tsemu')).to.equal(qemu);
  });

  it('-d exec,nochain: every Trace line as QEMU prints it (host pointers masked)', async function () {
    const qemu = await execLog('qemu', 'exec,nochain');
    verifyTranscript('vcpu/exec-nochain', qemu, [QEMU_BINARY, '-M', 'virt', '-bios', 'none', '-nographic', '-kernel', EXEC_GUEST, '-d', 'exec,nochain', '-D', '$TMP/exec.log']);
    const tsemu = await execLog('tsemu', 'exec,nochain');
    expect(tsemu === qemu, 'tsemu -d exec,nochain differs from QEMU').to.equal(true);
  });
});
