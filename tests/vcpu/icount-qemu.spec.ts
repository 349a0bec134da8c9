/**
 * -icount and -d exec against QEMU 7.2's committed transcripts (issue 18; recipes in
 * icount-recipes.ts, live QEMU in icount-qemu.oracle.spec.ts):
 *  - time is exact at the reading instruction: rdtime, or a load of the CLINT's mtime, 25
 *    instructions after another in the same block reads 25 << shift ns later (256 ticks of the
 *    10 MHz timebase at shift 10), and every value equals QEMU's;
 *  - a guest reading UART input from a file prints what QEMU prints (and what the guest's
 *    reference model here says, for another input too);
 *  - `-d exec,nochain` prints QEMU's Trace lines exactly (pc, flags, cflags, symbol; the host
 *    code address masked), and `-d exec` alone QEMU's format with cflags lacking NO_GOTO_TB.
 */
import { expect } from 'chai';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readTranscript } from '../support/transcripts.js';
import { makeTempDir } from '../support/tools.js';
import { execLog, expectedUartInputConsole, icountTimeReport, icountTimeReports, UART_INPUT_TEXT, uartInputConsole } from './icount-recipes.js';

/** QEMU 7.2's log_cpu_exec line, host pointer masked: cs_base 0, pc, flags, cflags, symbol. */
const TRACE_LINE = /^Trace 0: %p \[0{16}\/[0-9a-f]{16}\/[0-9a-f]{8}\/[0-9a-f]{8}\] [A-Za-z0-9_.]*$/;

function field(report: string, label: string): bigint {
  const line = report.split('\n').find((l) => l.startsWith(label));
  if (line === undefined) throw new Error(`no '${label}' line in\n${report}`);
  return BigInt(`0x${line.slice(label.length).trim()}`);
}

describe('-icount and -d exec as QEMU 7.2 prints them (transcripts)', function () {
  this.timeout(300_000);

  it('time read twice in one block, 25 instructions apart: 25 << shift ns, the values QEMU reads', async function () {
    const reports = await icountTimeReports('tsemu');
    // 25 << 10 ns = 25,600 ns = 256 ticks of 100 ns, whatever the first value
    expect(field(reports.shift10, 'rdtime\' ') - field(reports.shift10, 'rdtime  ')).to.equal(256n);
    expect(field(reports.shift10, 'mtime\'  ') - field(reports.shift10, 'mtime   ')).to.equal(256n);
    expect(reports).to.deep.equal(readTranscript('vcpu/icount-time'));
  });

  it('-icount auto starts at QEMU\'s shift 3 (the run ends long before the first adjustment)', async function () {
    expect(await icountTimeReport('tsemu', 'auto')).to.equal(readTranscript<{ shift3: string }>('vcpu/icount-time').shift3);
  });

  it('a guest reading UART input from a file: QEMU\'s console, and the input decides what it prints', async function () {
    const committed = readFileSync(UART_INPUT_TEXT, 'latin1');
    const tsemu = await uartInputConsole('tsemu');
    expect(tsemu).to.equal(readTranscript('vcpu/uart-input'));
    expect(tsemu).to.equal(expectedUartInputConsole(committed));
    const dir = makeTempDir('uart-input');
    try {
      const other = join(dir, 'other.txt');
      writeFileSync(other, 'abc 1 XyZ 2 ok.');
      expect(await uartInputConsole('tsemu', other)).to.equal(expectedUartInputConsole('abc 1 XyZ 2 ok.'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('-d exec,nochain prints QEMU\'s Trace lines, line for line', async function () {
    const tsemu = await execLog('tsemu', 'exec,nochain');
    const qemu = readTranscript<string>('vcpu/exec-nochain');
    const [t, q] = [tsemu.split('\n'), qemu.split('\n')];
    const first = t.findIndex((line, i) => line !== q[i]);
    expect(first, `first difference at line ${first + 1}: tsemu '${t[first]}', QEMU '${q[first]}'`).to.equal(-1);
    expect(t.length).to.equal(q.length);
  });

  it('-d exec without nochain: QEMU\'s format, cflags without CF_NO_GOTO_TB', async function () {
    const lines = (await execLog('tsemu', 'exec')).split('\n').filter((l) => l !== '');
    expect(lines.length).to.be.greaterThan(100);
    for (const line of lines) {
      expect(line).to.match(TRACE_LINE);
      expect(line).to.contain('/ff000000] ');
    }
  });
});
