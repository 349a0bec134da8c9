/**
 * A whole HMP session on stdio against the real emulator, the way a person
 * would use it: `tsemu-system-riscv64 -M virt -bios none -smp 2 -serial file:F
 * -monitor stdio -kernel spin.elf` (both harts spin forever on loads and
 * stores, see guests/spin.S). Each step is one `it` on the same process, so a
 * failing step does not hide the ones after it.
 *
 * Checked against QEMU 7.2's session (run the same way, plus `-display none`
 * so it opens no window and `-cpu rv64,h=false` so its hart has tsemu's ISA;
 * see hmp-session-qemu.ts), as the committed transcript
 * tests/transcripts/monitor-e2e/hmp-session/qemu.json holds it
 * (hmp-session.oracle.spec.ts checks it against a live QEMU): `info status`,
 * the `info registers` layout and values, `x`/`xp`, and that the first command
 * already sees every vCPU.
 * tsemu's own commands (trace-event on a `tcg` event, instr-load/unload,
 * info instr) are checked against what they must do: only vCPU 1's accesses
 * traced, the library's counts equal to the iterations the guest made.
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { readTranscript } from '../support/transcripts.js';
import { output, TRANSCRIPT_KEY, tsemuArgs, type QemuSessionRecord } from './hmp-session-qemu.js';
import { HmpStdio, parseXg } from './hmp-stdio.js';
import { expectedRegisterSkeleton, maskLoopCounter, registerSkeleton, registerValues, stableRegisterValues } from './register-dump.js';
import { hex16, loadSpinGuest, MAGIC_ADDR, slotAddress, wordDumpLine } from './spin-guest.js';
import { makeTempDir, waitFor } from '../support/tools.js';

const guest = loadSpinGuest();
const LIBRARY = 'examples/instr/ldst-count.ts';

const INFO_CPUS_LINE = /^([* ]) CPU #(\d+): pc=0x([0-9a-f]{16})( \(halted\))? thread_id=(\d+)$/;

interface CpuLine {
  current: boolean;
  index: number;
  pc: bigint;
  halted: boolean;
}

/** `info cpus` in tsemu's format (qemu-conventions §5: the pc, ` (halted)`, then the thread id). */
function parseInfoCpus(out: string): CpuLine[] {
  const lines = out.split('\n').filter((l) => l !== '');
  return lines.map((line) => {
    const m = INFO_CPUS_LINE.exec(line);
    if (m === null) throw new Error(`info cpus line ${JSON.stringify(line)} is not "* CPU #N: pc=0x... [(halted) ]thread_id=N"`);
    return { current: m[1] === '*', index: Number(m[2]), pc: BigInt(`0x${m[3]}`), halted: m[4] !== undefined };
  });
}

describe('monitor e2e: HMP on stdio, a whole session', function () {
  this.timeout(60_000);
  let dir: string;
  let hmp: HmpStdio;
  let qemu: QemuSessionRecord;
  let firstInfoCpus: string;
  /** Hart 1's counter around the traced run. */
  let tracedFrom = 0n;
  let tracedTo = 0n;
  let libraryId = '';
  const dumps = ['', ''];
  const counted = { from: [0n, 0n], to: [0n, 0n] };

  before(async function () {
    this.timeout(120_000);
    dir = makeTempDir('hmp-e2e');
    qemu = readTranscript<QemuSessionRecord>(TRANSCRIPT_KEY);
    hmp = await HmpStdio.start('tsemu', tsemuArgs(dir));
    // The very first command, as a person typing at once would send it.
    firstInfoCpus = await hmp.run('info cpus');
  });

  after(() => {
    hmp?.kill();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  const cmd = (line: string): Promise<string> => hmp.run(line);
  const counter = async (hart: number): Promise<bigint> => parseXg(await cmd(`x /1xg 0x${slotAddress(hart).toString(16)}`));

  it('prints the banner and the prompt', () => {
    expect(hmp.banner).to.match(/^tsemu \d+\.\d+\.\d+ monitor - type 'help' for more information\n$/);
  });

  it('lists every vCPU from the very first command (QEMU creates them before the monitor answers)', () => {
    expect(qemu.firstInfoCpus.split('\n').filter((l) => l.includes('CPU #')), 'QEMU').to.have.length(2);
    expect(firstInfoCpus.split('\n').filter((l) => l.includes('CPU #')), `tsemu's first info cpus: ${JSON.stringify(firstInfoCpus)}`).to.have.length(2);
  });

  it('stop, then info status says paused (as QEMU)', async () => {
    // Once both harts exist and spin (vCPU threads may take a while to start on a busy host).
    await hmp.waitForCpus(2);
    for (const hart of [0, 1]) await waitForProgress(() => counter(hart), await counter(hart), 1000n, `hart ${hart} at start`);
    expect(await cmd('stop')).to.equal('');
    const status = await cmd('info status');
    expect(status).to.equal('VM status: paused\n');
    expect(output(qemu, 'stop')).to.equal('');
    expect(status).to.equal(output(qemu, 'info status'));
  });

  it('info cpus: both harts stopped in their loop, CPU #0 current', async () => {
    const cpus = parseInfoCpus(await cmd('info cpus'));
    expect(cpus.map((c) => c.index)).to.deep.equal([0, 1]);
    expect(cpus.map((c) => c.current)).to.deep.equal([true, false]);
    for (const c of cpus) {
      expect(hex16(c.pc), `CPU #${c.index} pc`).to.equal(hex16(guest.spin));
      expect(c.halted, `CPU #${c.index} spins, it is not halted`).to.equal(false);
    }
  });

  it("info registers: QEMU 7.2's layout for CPU#0 and CPU#1", async () => {
    dumps[0] = await cmd('info registers');
    dumps[1] = await cmd('info registers 1');
    expect(registerSkeleton(dumps[0]), 'CPU#0').to.equal(expectedRegisterSkeleton(0));
    expect(registerSkeleton(dumps[1]), 'CPU#1').to.equal(expectedRegisterSkeleton(1));
    // the transcript has the loop counter masked
    expect(registerSkeleton(maskLoopCounter(dumps[0])), 'CPU#0 as QEMU').to.equal(registerSkeleton(output(qemu, 'info registers')));
    expect(registerSkeleton(maskLoopCounter(dumps[1])), 'CPU#1 as QEMU').to.equal(registerSkeleton(output(qemu, 'info registers 1')));
  });

  it('info registers: pc in the loop, each hart on its own slot, t1 = its counter', async () => {
    for (const hart of [0, 1]) {
      const v = registerValues(dumps[hart]);
      expect(hex16(v.get('pc') ?? 0n), `CPU#${hart} pc`).to.equal(hex16(guest.spin));
      expect(v.get('mhartid'), `CPU#${hart} mhartid`).to.equal(BigInt(hart));
      expect(v.get('x10/a0'), `CPU#${hart} a0 = hart id`).to.equal(BigInt(hart));
      expect(v.get('x8/s0'), `CPU#${hart} s0 = its slot`).to.equal(slotAddress(hart));
      expect(v.get('x6/t1'), `CPU#${hart} t1 = the counter it just stored`).to.equal(await counter(hart));
    }
  });

  it('info registers: every other value as QEMU for the same guest', function () {
    const theirs = [output(qemu, 'info registers'), output(qemu, 'info registers 1')];
    for (const hart of [0, 1]) {
      expect(hex16(registerValues(theirs[hart]).get('pc') ?? 0n), `QEMU's CPU#${hart} pc`).to.equal(hex16(guest.spin));
      expect([...stableRegisterValues(dumps[hart])], `CPU#${hart}`).to.deep.equal([...stableRegisterValues(theirs[hart])]);
    }
  });

  it("x /4xw and xp /4xw show the ELF's bytes at magic", async () => {
    const expected = `${wordDumpLine(MAGIC_ADDR, guest.bytesAt(MAGIC_ADDR, 16))}\n`;
    for (const key of ['x', 'xp']) {
      const line = `${key} /4xw 0x${MAGIC_ADDR.toString(16)}`;
      const out = await cmd(line);
      expect(out, line).to.equal(expected);
      expect(out, `${line} as QEMU`).to.equal(output(qemu, key));
    }
  });

  it('trace-event guest_mem_before_exec on 1 enables it for vCPU 1 only', async () => {
    expect(await cmd('trace-event guest_mem_before_exec on 1')).to.equal('');
    // QEMU lists matches newest first (QAPI_LIST_PREPEND): _exec before _trans.
    expect(await cmd('info trace-events guest_mem_before*')).to.equal('guest_mem_before_exec : state 1\nguest_mem_before_trans : state 0\n');
    expect(await cmd('info trace-events guest_mem_before* 0')).to.equal('guest_mem_before_exec : state 0\nguest_mem_before_trans : state 0\n');
    expect(await cmd('info trace-events guest_mem_before* 1')).to.equal('guest_mem_before_exec : state 1\nguest_mem_before_trans : state 0\n');
  });

  it('cont runs the guest with the event traced, stop freezes it again', async () => {
    tracedFrom = await counter(1);
    expect(await cmd('cont')).to.equal('');
    expect(await cmd('info status')).to.equal('VM status: running\n');
    expect(output(qemu, 'cont')).to.equal('');
    expect(output(qemu, 'info status after cont')).to.equal('VM status: running\n');
    await waitForProgress(() => counter(1), tracedFrom, 200n);
    expect(await cmd('stop')).to.equal('');
    tracedTo = await counter(1);
    expect(await counter(1), 'stopped: no more progress').to.equal(tracedTo);
    expect(await cmd('trace-event guest_mem_before_exec off')).to.equal('');
    expect(await cmd('info trace-events guest_mem_before_exec')).to.equal('guest_mem_before_exec : state 0\n');
  });

  it('instr-load prints the library id; info instr lists it', async () => {
    const out = await cmd(`instr-load ${LIBRARY}`);
    expect(out).to.match(/^\S+\n$/);
    libraryId = out.trim();
    expect(await cmd('info instr')).to.equal(`${libraryId}: ${LIBRARY}\n`);
  });

  it('cont: the guest keeps running with the library loaded', async () => {
    counted.from = [await counter(0), await counter(1)];
    expect(await cmd('cont')).to.equal('');
    for (const hart of [0, 1]) {
      await waitForProgress(() => counter(hart), counted.from[hart], 100_000n, `hart ${hart} with ${LIBRARY} loaded`);
    }
  });

  it("instr-unload prints the library's qi_fini output: one load and two stores per iteration", async () => {
    expect(await cmd('stop')).to.equal('');
    counted.to = [await counter(0), await counter(1)];
    const d = [counted.to[0] - counted.from[0], counted.to[1] - counted.from[1]];
    expect(await cmd(`instr-unload ${libraryId}`)).to.equal(
      `ldst-count: cpu 0: loads ${d[0]} stores ${2n * d[0]}\n` +
      `ldst-count: cpu 1: loads ${d[1]} stores ${2n * d[1]}\n` +
      `ldst-count: total loads ${d[0] + d[1]} stores ${2n * (d[0] + d[1])}\n`);
    expect(await cmd('info instr')).to.equal('');
  });

  it('the guest runs on after the unload', async () => {
    const from = await counter(0);
    expect(await cmd('cont')).to.equal('');
    await waitForProgress(() => counter(0), from, 100_000n, 'hart 0 after instr-unload');
  });

  it('instr-load while the guest runs: it keeps running', async () => {
    libraryId = (await cmd(`instr-load ${LIBRARY}`)).trim();
    const from = [await counter(0), await counter(1)];
    for (const hart of [0, 1]) {
      await waitForProgress(() => counter(hart), from[hart], 100_000n, `hart ${hart} after instr-load while running`);
    }
  });

  it('instr-unload while the guest runs: two stores per load on each hart', async () => {
    const out = await cmd(`instr-unload ${libraryId}`);
    const m = /^ldst-count: cpu 0: loads (\d+) stores (\d+)\nldst-count: cpu 1: loads (\d+) stores (\d+)\nldst-count: total loads (\d+) stores (\d+)\n$/.exec(out);
    expect(m, out).to.not.equal(null);
    if (m === null) return;
    const [l0, s0, l1, s1, lt, st] = m.slice(1).map((n) => BigInt(n));
    expect([s0, s1, lt, st]).to.deep.equal([2n * l0, 2n * l1, l0 + l1, 2n * (l0 + l1)]);
    expect(await cmd('info instr')).to.equal('');
  });

  it('quit ends the process with status 0 (as QEMU)', async () => {
    const r = await hmp.quit();
    expect(r.status, r.stderr).to.equal(0);
    expect(qemu.exitStatus).to.equal(0);
  });

  it("the -D log has guest_mem_before_exec for vCPU 1's accesses only, one per access it made", () => {
    const all = readFileSync(join(dir, 'trace.log'), 'utf8').split('\n').filter((l) => l !== '');
    // ldst-count enables guest_mem_before_trans in qi_init and leaves it on (its qi_fini does not
    // disable it, unlike instrument.ts): after its unload the default traces that event. Allowed;
    // everything else must be the exec event vCPU 1 was traced for.
    const leftOn = /^guest_mem_before_trans cpu=0x[01] info=(3|18|19)$/;
    const lines = all.filter((l) => !leftOn.test(l));
    const slot = hex16(slotAddress(1));
    const word = hex16(slotAddress(1) + 8n);
    const bad = lines.filter((l) => !new RegExp(`^guest_mem_before_exec cpu=0x1 vaddr=0x(${slot} info=(3|19)|${word} info=18)$`).test(l));
    expect(bad.slice(0, 5), `${bad.length} unexpected lines`).to.deep.equal([]);
    const iterations = tracedTo - tracedFrom;
    expect(iterations > 0n).to.equal(true);
    // Each iteration: ld (size 8: 3; QEMU's tcg_canonicalize_memop drops the sign of a 64-bit
    // load before the event sees it), sd (8 bytes, store: 16 | 3), sw (4 bytes, store: 16 | 2).
    for (const info of [3, 19, 18]) {
      expect(BigInt(lines.filter((l) => l.endsWith(` info=${info}`)).length), `info=${info} lines`).to.equal(iterations);
    }
  });
});

describe('monitor e2e: HMP info cpus and halted vCPUs', function () {
  this.timeout(60_000);
  let dir: string;
  let hmp: HmpStdio;

  before(async () => {
    dir = makeTempDir('hmp-halted');
    hmp = await HmpStdio.start('tsemu', tsemuArgs(dir, 3));
    await hmp.waitForCpus(3);
    // Wait until hart 2 has reached its wfi (vCPU threads may take a while to start on a busy host).
    const parked = async (): Promise<boolean> => parseInfoCpus(await hmp.run('info cpus'))[2]?.pc === guest.park + 8n;
    await waitFor('hart 2 in its wfi', parked, 20_000, 100).catch(() => undefined); // the tests below say what is wrong
  });

  after(() => {
    hmp?.kill();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  const parkedPc = (): bigint => guest.park + 8n; // after its wfi

  it('marks the parked hart (halted in wfi) while the machine runs', async () => {
    const cpus = parseInfoCpus(await hmp.run('info cpus'));
    expect(cpus.map((c) => [c.index, c.halted])).to.deep.equal([[0, false], [1, false], [2, true]]);
    expect(hex16(cpus[2].pc)).to.equal(hex16(parkedPc()));
  });

  it('still marks it halted while the machine is stopped (stopping does not wake a vCPU)', async () => {
    expect(await hmp.run('stop')).to.equal('');
    const cpus = parseInfoCpus(await hmp.run('info cpus'));
    expect(cpus.map((c) => [c.index, c.halted])).to.deep.equal([[0, false], [1, false], [2, true]]);
  });

  it('cpu 2 makes it the current vCPU; info registers then shows it', async () => {
    expect(await hmp.run('cpu 2')).to.equal('');
    const cpus = parseInfoCpus(await hmp.run('info cpus'));
    expect(cpus.map((c) => c.current)).to.deep.equal([false, false, true]);
    const v = registerValues(await hmp.run('info registers'));
    expect(v.get('mhartid')).to.equal(2n);
    expect(hex16(v.get('pc') ?? 0n)).to.equal(hex16(parkedPc()));
    expect(v.get('mie'), 'the guest masked every interrupt').to.equal(0n);
  });

  it('quit', async () => {
    expect((await hmp.quit()).status).to.equal(0);
  });
});

/** Poll until `read()` has grown by at least `by` past `from`; fails with the last value after 20 s. */
async function waitForProgress(read: () => Promise<bigint>, from: bigint, by: bigint, what = 'the guest'): Promise<bigint> {
  let last = from;
  try {
    return await waitFor(what, async () => ((last = await read()) - from >= by ? last : undefined), 20_000, 100);
  } catch {
    throw new Error(`${what} made no progress: counter went from ${from} to ${last} (wanted +${by}) in 20 s`);
  }
}
