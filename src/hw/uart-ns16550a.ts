/**
 * ns16550a UART, modelled on QEMU 7.2 hw/char/serial.c as wired on `virt`
 * (serial_mm_init with regshift 0: one byte register per address, 8 of them).
 *
 * Transmission is instantaneous, exactly as QEMU with a chardev that accepts
 * every byte: a THR write leaves THRE/TEMT set and THR-empty pending.
 *
 * Host input is queued here without limit and fed into the receiver as the
 * guest makes room (QEMU's can_receive rules), so pasted text is never lost.
 * The receive FIFO's character timeout is modelled as expiring at once: when
 * the FIFO holds data below the trigger level and nothing more can arrive
 * right now, the timeout interrupt (IIR 0xC) is pending. QEMU waits four
 * character times instead; drivers (Linux 8250, U-Boot, OpenSBI) cannot tell
 * the difference, and the device stays free of timers.
 */
import type { AccessSize, DevicePlacement, IrqLine, MmioDevice } from './device.js';
import { trace_serial_read, trace_serial_write } from '../trace/generated/events.js';

const FIFO_LENGTH = 16;

const LCR_DLAB = 0x80;

const IER_MSI = 0x08;
const IER_RLSI = 0x04;
const IER_THRI = 0x02;
const IER_RDI = 0x01;
const IER_MASK = 0x0f;

const IIR_NO_INT = 0x01;
const IIR_ID_MASK = 0x06;
const IIR_MSI = 0x00;
const IIR_THRI = 0x02;
const IIR_RDI = 0x04;
const IIR_RLSI = 0x06;
const IIR_CTI = 0x0c;
const IIR_FIFO_ENABLED = 0xc0;

const FCR_FE = 0x01;
const FCR_RFR = 0x02;
const FCR_XFR = 0x04;
/** FCR bits that stick (trigger level, DMA mode, enable). */
const FCR_STICKY = 0xc9;

const MCR_LOOP = 0x10;
const MCR_OUT2 = 0x08;
const MCR_MASK = 0x1f;

const LSR_DR = 0x01;
const LSR_OE = 0x02;
const LSR_BI = 0x10;
const LSR_THRE = 0x20;
const LSR_TEMT = 0x40;
/** Line-status bits that raise the receiver-line-status interrupt. */
const LSR_INT_ANY = 0x1e;

const MSR_DCD = 0x80;
const MSR_DSR = 0x20;
const MSR_CTS = 0x10;
const MSR_ANY_DELTA = 0x0f;

/** Registers by offset (regshift 0). */
const enum Reg {
  RbrThrDll = 0,
  IerDlm = 1,
  IirFcr = 2,
  Lcr = 3,
  Mcr = 4,
  Lsr = 5,
  Msr = 6,
  Scr = 7,
}

/** QEMU's serial MemoryRegion is 8 bytes; the rest of the 0x100 window reads as 0. */
const REGISTER_BYTES = 8;

/**
 * QEMU's region (serial_mm, regshift 0): 8 bytes in a 0x100 slot, so the rest of its page is
 * unassigned (a QEMU subpage); any access size up to 8 is valid and reads one register.
 */
export const UART_REGION = { name: 'serial', size: REGISTER_BYTES, validMin: 0, validMax: 8 } as const;

export interface UartOptions extends DevicePlacement {
  name?: string;
}

/** Bytes of host input not yet accepted by the receiver. */
class InputQueue {
  private chunks: Uint8Array[] = [];
  private offset = 0;
  private total = 0;

  push(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.chunks.push(new Uint8Array(bytes));
    this.total += bytes.length;
  }

  get length(): number {
    return this.total;
  }

  shift(): number {
    const chunk = this.chunks[0];
    if (!chunk) throw new Error('uart: input queue underflow');
    const byte = chunk[this.offset++] ?? 0;
    this.total--;
    if (this.offset >= chunk.length) {
      this.chunks.shift();
      this.offset = 0;
    }
    return byte;
  }
}

/** A fixed 16-byte byte FIFO. */
class ByteFifo {
  private readonly data = new Uint8Array(FIFO_LENGTH);
  private head = 0;
  count = 0;

  get full(): boolean {
    return this.count === FIFO_LENGTH;
  }

  push(byte: number): void {
    this.data[(this.head + this.count) % FIFO_LENGTH] = byte;
    this.count++;
  }

  pop(): number {
    const byte = this.data[this.head] ?? 0;
    this.head = (this.head + 1) % FIFO_LENGTH;
    this.count--;
    return byte;
  }

  reset(): void {
    this.head = 0;
    this.count = 0;
  }
}

export class Ns16550a implements MmioDevice {
  readonly name: string;
  readonly base: number;
  readonly size: number;

  private rbr = 0;
  private ier = 0;
  private iir = IIR_NO_INT;
  private fcr = 0;
  private lcr = 0;
  private mcr = MCR_OUT2;
  private lsr = LSR_TEMT | LSR_THRE;
  private msr = MSR_DCD | MSR_DSR | MSR_CTS;
  private scr = 0;
  private divider = 0x0c;
  private thrIpending = false;
  private timeoutIpending = false;
  private recvTriggerLevel = 1;
  private readonly recvFifo = new ByteFifo();
  private readonly input = new InputQueue();
  private irqLevel: boolean | undefined;

  constructor(
    private readonly irq: IrqLine,
    private readonly output: (bytes: Uint8Array) => void,
    options: UartOptions,
  ) {
    this.name = options.name ?? 'uart0';
    this.base = options.base;
    this.size = options.size;
    this.reset();
  }

  /** Host input (keyboard, pasted text). Kept until the guest has room for it. */
  receive(bytes: Uint8Array): void {
    this.input.push(bytes);
    this.pumpInput();
  }

  /**
   * What a vCPU may answer without asking the device (see uart-fast-path.ts):
   * LSR reads are side-effect free unless BI/OE are set, and THR writes can be
   * posted while DLAB and loopback are off.
   */
  fastPathState(): { lsr: number; lcr: number; mcr: number } {
    return { lsr: this.lsr, lcr: this.lcr, mcr: this.mcr };
  }

  /** Host bytes waiting for room in the receiver. */
  get queuedInput(): number {
    return this.input.length;
  }

  reset(): void {
    this.rbr = 0;
    this.ier = 0;
    this.iir = IIR_NO_INT;
    this.fcr = 0;
    this.lcr = 0;
    this.mcr = MCR_OUT2;
    this.lsr = LSR_TEMT | LSR_THRE;
    this.msr = MSR_DCD | MSR_DSR | MSR_CTS;
    this.scr = 0;
    this.divider = 0x0c; // 9600 baud, like QEMU's reset
    this.thrIpending = false;
    this.timeoutIpending = false;
    this.recvTriggerLevel = 1;
    this.recvFifo.reset();
    this.setIrq(false, true);
    this.pumpInput();
  }

  read(offset: number, _size: AccessSize): bigint {
    if (offset < 0 || offset >= REGISTER_BYTES) return 0n;
    const value = this.readRegister(offset as Reg);
    trace_serial_read(offset, value);
    return BigInt(value);
  }

  write(offset: number, _size: AccessSize, value: bigint): void {
    if (offset < 0 || offset >= REGISTER_BYTES) return;
    trace_serial_write(offset, Number(value & 0xffn));
    this.writeRegister(offset as Reg, Number(value & 0xffn));
  }

  private get fifoEnabled(): boolean {
    return (this.fcr & FCR_FE) !== 0;
  }

  private readRegister(reg: Reg): number {
    switch (reg) {
      case Reg.RbrThrDll:
        return this.lcr & LCR_DLAB ? this.divider & 0xff : this.readRbr();
      case Reg.IerDlm:
        return this.lcr & LCR_DLAB ? (this.divider >> 8) & 0xff : this.ier;
      case Reg.IirFcr:
        return this.readIir();
      case Reg.Lcr:
        return this.lcr;
      case Reg.Mcr:
        return this.mcr;
      case Reg.Lsr:
        return this.readLsr();
      case Reg.Msr:
        return this.readMsr();
      case Reg.Scr:
        return this.scr;
    }
  }

  private writeRegister(reg: Reg, value: number): void {
    switch (reg) {
      case Reg.RbrThrDll:
        if (this.lcr & LCR_DLAB) this.divider = (this.divider & 0xff00) | value;
        else this.transmit(value);
        return;
      case Reg.IerDlm:
        if (this.lcr & LCR_DLAB) this.divider = (this.divider & 0x00ff) | (value << 8);
        else this.writeIer(value);
        return;
      case Reg.IirFcr:
        this.writeFcr(value);
        return;
      case Reg.Lcr:
        this.lcr = value;
        return;
      case Reg.Mcr:
        this.mcr = value & MCR_MASK;
        this.pumpInput(); // leaving loopback lets host input in again
        return;
      case Reg.Lsr:
      case Reg.Msr:
        return; // read-only
      case Reg.Scr:
        this.scr = value;
        return;
    }
  }

  private readRbr(): number {
    let value: number;
    if (this.fifoEnabled) {
      value = this.recvFifo.count > 0 ? this.recvFifo.pop() : 0;
      if (this.recvFifo.count === 0) this.lsr &= ~(LSR_DR | LSR_BI);
      this.timeoutIpending = false;
    } else {
      value = this.rbr;
      this.lsr &= ~(LSR_DR | LSR_BI);
    }
    // QEMU asks the chardev for more input here (qemu_chr_fe_accept_input).
    this.pumpInput();
    this.updateIrq();
    return value;
  }

  private readIir(): number {
    const value = this.iir;
    if ((value & IIR_ID_MASK) === IIR_THRI) {
      // Reading IIR acknowledges a THR-empty interrupt.
      this.thrIpending = false;
      this.updateIrq();
    }
    return value;
  }

  private readLsr(): number {
    const value = this.lsr;
    if (this.lsr & (LSR_BI | LSR_OE)) {
      this.lsr &= ~(LSR_BI | LSR_OE);
      this.updateIrq();
    }
    return value;
  }

  private readMsr(): number {
    if (this.mcr & MCR_LOOP) {
      // Modem outputs are wired back to the inputs.
      return ((this.mcr & 0x0c) << 4) | ((this.mcr & 0x02) << 3) | ((this.mcr & 0x01) << 5);
    }
    const value = this.msr;
    if (this.msr & MSR_ANY_DELTA) {
      this.msr &= 0xf0;
      this.updateIrq();
    }
    return value;
  }

  private transmit(byte: number): void {
    // Every byte leaves at once, so THR (and the transmit FIFO) is empty again
    // by the time the guest can look: THRE/TEMT set and THR-empty pending.
    this.lsr |= LSR_THRE | LSR_TEMT;
    this.thrIpending = true;
    if (this.mcr & MCR_LOOP) this.receiveByte(byte);
    else this.output(Uint8Array.of(byte));
    this.updateIrq();
  }

  private writeIer(value: number): void {
    const changed = (this.ier ^ value) & IER_MASK;
    this.ier = value & IER_MASK;
    if (changed & IER_THRI) {
      // Enabling THRI with THR empty raises it even if it was acknowledged before (QEMU, Windows relies on it).
      this.thrIpending = (this.ier & IER_THRI) !== 0 && (this.lsr & LSR_THRE) !== 0;
    }
    if (changed) this.updateIrq();
  }

  private writeFcr(value: number): void {
    if ((value ^ this.fcr) & FCR_FE) value |= FCR_XFR | FCR_RFR; // toggling FE flushes both FIFOs
    if (value & FCR_RFR) {
      this.lsr &= ~(LSR_DR | LSR_BI);
      this.timeoutIpending = false;
      this.recvFifo.reset();
    }
    if (value & FCR_XFR) {
      this.lsr |= LSR_THRE;
      this.thrIpending = true;
    }
    this.fcr = value & FCR_STICKY;
    if (this.fcr & FCR_FE) {
      this.iir |= IIR_FIFO_ENABLED;
      this.recvTriggerLevel = [1, 4, 8, 14][(this.fcr >> 6) & 3] ?? 1;
    } else {
      this.iir &= ~IIR_FIFO_ENABLED;
    }
    this.pumpInput();
    this.updateIrq();
  }

  /** How many bytes the receiver takes now (QEMU's serial_can_receive). */
  private receiveRoom(): number {
    if (!this.fifoEnabled) return this.lsr & LSR_DR ? 0 : 1;
    const count = this.recvFifo.count;
    if (count >= FIFO_LENGTH) return 0;
    return count <= this.recvTriggerLevel ? this.recvTriggerLevel - count : 1;
  }

  /** Move queued host input into the receiver as far as it has room. */
  private pumpInput(): void {
    if (this.mcr & MCR_LOOP) return; // in loopback the line is disconnected from the host
    let moved = false;
    for (let room = this.receiveRoom(); room > 0 && this.input.length > 0; room--) {
      this.receiveByte(this.input.shift());
      moved = true;
    }
    if (moved) this.updateIrq();
  }

  /** One character arrives on the line (QEMU's serial_receive1). */
  private receiveByte(byte: number): void {
    if (this.fifoEnabled) {
      if (this.recvFifo.full) this.lsr |= LSR_OE;
      else this.recvFifo.push(byte);
      this.lsr |= LSR_DR;
    } else {
      if (this.lsr & LSR_DR) this.lsr |= LSR_OE;
      this.rbr = byte;
      this.lsr |= LSR_DR;
    }
  }

  /**
   * The instant character timeout: data below the trigger level with nothing
   * more to come now. Every path that can make room pumps the input queue
   * first, so whenever this runs no further host byte can be waiting for room.
   */
  private updateTimeout(): void {
    const count = this.recvFifo.count;
    if (this.fifoEnabled && count > 0 && count < this.recvTriggerLevel) this.timeoutIpending = true;
  }

  private updateIrq(): void {
    this.updateTimeout();
    let id = IIR_NO_INT;
    if (this.ier & IER_RLSI && this.lsr & LSR_INT_ANY) {
      id = IIR_RLSI;
    } else if (this.ier & IER_RDI && this.timeoutIpending) {
      id = IIR_CTI;
    } else if (
      this.ier & IER_RDI &&
      this.lsr & LSR_DR &&
      (!this.fifoEnabled || this.recvFifo.count >= this.recvTriggerLevel)
    ) {
      id = IIR_RDI;
    } else if (this.ier & IER_THRI && this.thrIpending) {
      id = IIR_THRI;
    } else if (this.ier & IER_MSI && this.msr & MSR_ANY_DELTA) {
      id = IIR_MSI;
    }
    this.iir = id | (this.iir & 0xf0);
    this.setIrq(id !== IIR_NO_INT);
  }

  private setIrq(level: boolean, force = false): void {
    if (!force && level === this.irqLevel) return;
    this.irqLevel = level;
    this.irq.set(level);
  }
}
