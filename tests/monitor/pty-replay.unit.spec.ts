/**
 * The terminal side of the HMP, byte for byte against QEMU 7.2: keystrokes
 * captured from QEMU on a pseudo-terminal (tools/capture-pty.py ->
 * reference/pty-qemu-7.2.json) are replayed into tsemu's line editor and
 * `-nographic` mux, and every step's output must equal QEMU's.
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { ConsoleMux } from '../../src/cli/console.js';
import { HmpSession } from '../../src/monitor/hmp.js';
import { nextTurn } from '../support/tools.js';
import { FakeTarget } from './fake-target.js';

interface Step { input: string; output: string }
interface Scenario { name: string; start: string; steps: Step[] }

const reference = JSON.parse(readFileSync(new URL('../../../tests/monitor/reference/pty-qemu-7.2.json', import.meta.url), 'utf8')) as { qemu: string; scenarios: Scenario[] };

function scenario(name: string): Scenario {
  const s = reference.scenarios.find((x) => x.name === name);
  if (s === undefined) throw new Error(`no scenario ${name}`);
  return s;
}

/** The target QEMU ran with: -S (prelaunch), the guest_cpu_* events. */
function qemuLikeTarget(): FakeTarget {
  const t = new FakeTarget(1);
  t.runStatus = 'prelaunch';
  t.events = [
    { name: 'guest_cpu_enter', vcpu: true }, { name: 'guest_cpu_exit', vcpu: true }, { name: 'guest_cpu_reset', vcpu: true },
    { name: 'memory_region_ops_read', vcpu: false },
  ];
  return t;
}


/**
 * Steps whose command output lists QEMU's whole command set (help, the
 * completion list for "x"): only the echo up to the first CR LF is compared.
 */
function comparable(step: Step, index: number, echoOnly: readonly number[]): string {
  if (!echoOnly.includes(index)) return step.output;
  return step.output.slice(0, step.output.indexOf('\r\n') + 2);
}

describe('monitor: terminal line editing (replayed QEMU 7.2 pty capture)', () => {
  it('was captured from QEMU 7.2', () => {
    expect(reference.qemu).to.match(/QEMU emulator version 7\.2\./);
  });

  it('echoes, edits, completes and recalls history exactly as QEMU', async () => {
    const s = scenario('readline');
    const target = qemuLikeTarget();
    let out = '';
    const session = new HmpSession(target, (b) => { out += Buffer.from(b).toString('latin1'); }, { editor: true, productName: 'QEMU' });
    session.start();
    expect(out).to.equal(s.start);
    // help listings and the completion list of "x" cover QEMU's full command set
    const echoOnly = s.steps.flatMap((st, i) => (st.output.includes('info balloon') || (st.input === 'x\t') ? [i] : []));
    for (const [i, step] of s.steps.entries()) {
      out = '';
      session.input(Buffer.from(step.input, 'latin1'));
      await nextTurn(); // the session and the fake target run on promises only: every reply is out
      const got = echoOnly.includes(i) ? out.slice(0, out.indexOf('\r\n') + 2) : out;
      expect(got, `step ${i} ${JSON.stringify(step.input)}`).to.equal(comparable(step, i, echoOnly));
    }
  });

  it('shares the terminal with the guest console under -nographic (Ctrl-a c)', async () => {
    const s = scenario('mux');
    const target = qemuLikeTarget();
    let out = '';
    const toGuest: number[] = [];
    const session = new HmpSession(target, (b) => { out += Buffer.from(b).toString('latin1'); }, { editor: true, productName: 'QEMU', muxed: true });
    const mux = new ConsoleMux({ toGuest: (b) => toGuest.push(...b), quit: () => undefined, enabled: true, escapes: true });
    mux.attachMonitor(session);
    session.start();
    expect(out).to.equal(s.start);
    for (const [i, step] of s.steps.entries()) {
      out = '';
      mux.input(Buffer.from(step.input, 'latin1'));
      await nextTurn(); // the session and the fake target run on promises only: every reply is out
      expect(out, `step ${i} ${JSON.stringify(step.input)}`).to.equal(step.output);
    }
    // what was typed while the guest had the focus went to the guest
    expect(Buffer.from(toGuest).toString('latin1')).to.equal('helloyz');
  });
});
