/*
 * Expected register values marked "QEMU" were measured on qemu-system-riscv64
 * 7.2 -M virt with tests/hw/qemu-probe (see qemu-7.2.out there).
 */
import { expect } from 'chai';
import { Ns16550a } from '../../src/hw/uart-ns16550a.js';
import { RecordingIrq } from './irq-recorder.js';
import { VIRT } from '../../src/machine/virt-map.js';

const RBR = 0, IER = 1, IIR = 2, FCR = 2, LCR = 3, MCR = 4, LSR = 5, MSR = 6, SCR = 7;

function setup(): { uart: Ns16550a; irq: RecordingIrq; out: number[] } {
  const irq = new RecordingIrq();
  const out: number[] = [];
  const uart = new Ns16550a(irq, (bytes) => out.push(...bytes), VIRT.uart0);
  return { uart, irq, out };
}

const rd = (u: Ns16550a, off: number): number => Number(u.read(off, 1));
const wr = (u: Ns16550a, off: number, v: number): void => u.write(off, 1, BigInt(v));

/** Read everything the receiver has, the way the Linux 8250 driver does (LSR.DR then RBR). */
function drain(uart: Ns16550a): number[] {
  const got: number[] = [];
  while (rd(uart, LSR) & 0x01) got.push(rd(uart, RBR));
  return got;
}

describe('hw/uart-ns16550a', () => {
  it('has QEMU reset values', () => {
    const { uart, irq } = setup();
    expect([IER, IIR, LCR, MCR, LSR, MSR, SCR].map((r) => rd(uart, r))).to.deep.equal([
      0x00, 0x01, 0x00, 0x08, 0x60, 0xb0, 0x00,
    ]); // QEMU
    wr(uart, LCR, 0x80);
    expect([rd(uart, 0), rd(uart, 1)]).to.deep.equal([0x0c, 0x00]); // QEMU: divisor 12 (9600 baud)
    expect(irq.level).to.equal(false);
  });

  it('switches RBR/THR/IER to DLL/DLM with DLAB', () => {
    const { uart, out } = setup();
    wr(uart, LCR, 0x80);
    wr(uart, 0, 0x34);
    wr(uart, 1, 0x12);
    expect([rd(uart, 0), rd(uart, 1)]).to.deep.equal([0x34, 0x12]); // QEMU
    expect(out).to.deep.equal([]); // the DLL write is not transmitted
    wr(uart, LCR, 0x03);
    expect(rd(uart, LCR)).to.equal(0x03);
    expect(rd(uart, IER)).to.equal(0); // QEMU: the DLM write did not touch IER
    wr(uart, SCR, 0x5a);
    expect(rd(uart, SCR)).to.equal(0x5a);
  });

  it('answers wider reads with the single register at that offset, and 0 past the 8 registers', () => {
    const { uart } = setup();
    expect(Number(uart.read(4, 4))).to.equal(0x08); // QEMU: 32-bit read at +4 gives MCR only
    expect(Number(uart.read(8, 1))).to.equal(0); // QEMU faults here; we cannot, so read as 0
  });

  it('transmits THR bytes at once and keeps THRE/TEMT set', () => {
    const { uart, out } = setup();
    for (const c of 'Hi\n') wr(uart, RBR, c.charCodeAt(0));
    expect(String.fromCharCode(...out)).to.equal('Hi\n');
    expect(rd(uart, LSR)).to.equal(0x60);
  });

  it('raises and acknowledges the THR-empty interrupt like QEMU', () => {
    const { uart, irq } = setup();
    wr(uart, FCR, 0x07);
    expect(rd(uart, IIR)).to.equal(0xc1); // QEMU: FIFO enabled, no interrupt
    wr(uart, IER, 0x02);
    expect(irq.level).to.equal(true);
    expect(rd(uart, IIR)).to.equal(0xc2); // QEMU
    expect(irq.level).to.equal(false);
    expect(rd(uart, IIR)).to.equal(0xc1); // QEMU: reading IIR acknowledged THRI
    wr(uart, IER, 0x00);
    wr(uart, IER, 0x02);
    expect(rd(uart, IIR)).to.equal(0xc2); // QEMU: re-enabling THRI re-arms it
    rd(uart, IIR);
    wr(uart, RBR, 0x41);
    expect(irq.level).to.equal(true); // the byte left, THR is empty again
    expect(rd(uart, IIR)).to.equal(0xc2);
  });

  it('loops back with FIFO overrun and modem lines as QEMU does', () => {
    const { uart, out } = setup();
    wr(uart, MCR, 0x1f);
    expect(rd(uart, MSR)).to.equal(0xf0); // QEMU
    wr(uart, FCR, 0x01);
    for (let i = 0; i < 20; i++) wr(uart, RBR, 0x61 + i);
    expect(out).to.deep.equal([]);
    expect(rd(uart, LSR)).to.equal(0x63); // QEMU: DR | OE | THRE | TEMT
    expect(rd(uart, LSR)).to.equal(0x61); // QEMU: OE clears on read
    wr(uart, IER, 0x01);
    expect(rd(uart, IIR)).to.equal(0xc4); // QEMU: receive data available
    expect(drain(uart)).to.deep.equal([...'abcdefghijklmnop'].map((c) => c.charCodeAt(0))); // QEMU: 16 kept
    expect(rd(uart, IIR)).to.equal(0xc1); // QEMU
    wr(uart, FCR, 0x00);
    expect(rd(uart, IIR)).to.equal(0x01); // QEMU
    wr(uart, RBR, 0x79);
    wr(uart, RBR, 0x7a);
    expect(rd(uart, LSR)).to.equal(0x63); // QEMU: non-FIFO overrun
    expect(rd(uart, RBR)).to.equal(0x7a); // QEMU: the newer byte
  });

  it('signals a character timeout at once for input below the trigger level', () => {
    // QEMU raises IIR=0xCC four character times later; we raise it immediately (see the file header).
    const { uart, irq } = setup();
    wr(uart, FCR, 0x81); // Linux 8250 for 16550A: FIFO on, trigger at 8
    wr(uart, IER, 0x01);
    uart.receive(new TextEncoder().encode('ls'));
    expect(irq.level).to.equal(true);
    expect(rd(uart, IIR)).to.equal(0xcc);
    expect(drain(uart)).to.deep.equal([0x6c, 0x73]);
    expect(irq.level).to.equal(false);
    expect(rd(uart, IIR)).to.equal(0xc1);
  });

  it('reports received data at the trigger level', () => {
    const { uart } = setup();
    wr(uart, FCR, 0xc1); // trigger at 14
    wr(uart, IER, 0x01);
    uart.receive(new Uint8Array(20).fill(0x30));
    expect(rd(uart, IIR)).to.equal(0xc4);
    expect(uart.queuedInput).to.equal(6); // like QEMU's can_receive, it fills up to the trigger level
    expect(drain(uart)).to.have.length(20);
  });

  it('loses nothing from a large paste, in FIFO and non-FIFO mode', () => {
    for (const fcr of [0x00, 0x01, 0x81, 0xc7]) {
      const { uart } = setup();
      wr(uart, FCR, fcr);
      const text = new Uint8Array(5000).map((_, i) => (i * 7) & 0xff);
      uart.receive(text.subarray(0, 3000));
      uart.receive(text.subarray(3000));
      expect(drain(uart), `FCR=${fcr}`).to.deep.equal([...text]);
      expect(rd(uart, LSR) & 0x02, 'no overrun').to.equal(0);
    }
  });

  it('raises the receive interrupt without FIFO for each byte', () => {
    const { uart, irq } = setup();
    wr(uart, IER, 0x01);
    uart.receive(Uint8Array.of(1, 2));
    expect(rd(uart, IIR)).to.equal(0x04);
    expect(rd(uart, RBR)).to.equal(1);
    expect(irq.level).to.equal(true); // the next byte arrived as soon as RBR was free
    expect(rd(uart, RBR)).to.equal(2);
    expect(irq.level).to.equal(false);
  });

  it('clears the receive FIFO on FCR RFR and returns to reset state on reset()', () => {
    const { uart, irq } = setup();
    wr(uart, FCR, 0x01);
    wr(uart, MCR, 0x10);
    wr(uart, RBR, 0x55);
    expect(rd(uart, LSR) & 1).to.equal(1);
    wr(uart, FCR, 0x03);
    expect(rd(uart, LSR) & 1).to.equal(0);
    wr(uart, IER, 0x0f);
    uart.reset();
    expect(irq.level).to.equal(false);
    expect([IER, IIR, LCR, MCR, LSR, MSR].map((r) => rd(uart, r))).to.deep.equal([0, 1, 0, 8, 0x60, 0xb0]);
  });
});
