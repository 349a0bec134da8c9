/**
 * virtio-serial (virtio 1.1 spec 5.3, "console device") after QEMU 7.2
 * hw/char/virtio-serial-bus.c, with MULTIPORT and EMERG_WRITE offered as QEMU does: max_nr_ports
 * 31, so 64 queues (port 0 receive/transmit 0/1, control receive/transmit 2/3, port n at 2n+2 and
 * 2n+3; port queues of 128, control queues of 32), configuration {cols, rows, max_nr_ports,
 * emerg_wr} (12 bytes), 2 MSI-X vectors on PCI (measured on QEMU 7.2: its virtio-serial-pci keeps the default).
 *
 * Ports are given at construction (QEMU's virtconsole / virtserialport devices on the bus): the
 * control protocol adds each when the driver says DEVICE_READY, and answers PORT_READY with
 * CONSOLE_PORT for a console, PORT_NAME for a named port and PORT_OPEN when the host side is
 * connected. Data the driver transmits on a port goes to its host side; host input waits until
 * the driver has posted receive buffers and has opened the port.
 *
 * On the command line: `-device virtio-serial-pci` with `-device virtconsole|virtserialport,chardev=ID`
 * (src/machine/boot.ts builds the ports; src/hw/char-backend.ts is the host side). A virtserialport
 * is host-open while its chardev is connected (PORT_OPEN 1/0 as that changes); a virtconsole always is.
 */
import type { GuestDma } from './guest-dma.js';
import { gatherReadable } from './virtqueue.js';
import { featureBit, type DescriptorChain, type VirtioDevice, type VirtioQueueAccess } from './virtio.js';

export const VIRTIO_ID_CONSOLE = 3;
const F_MULTIPORT = 1;
const F_EMERG_WRITE = 2;
const MAX_NR_PORTS = 31;
const CONTROL_RX = 2;
const CONTROL_TX = 3;

/** Control events (spec 5.3.6.2). */
export const CONSOLE_EVENT = {
  DEVICE_READY: 0, DEVICE_ADD: 1, DEVICE_REMOVE: 2, PORT_READY: 3, CONSOLE_PORT: 4, RESIZE: 5, PORT_OPEN: 6, PORT_NAME: 7,
} as const;

/** The host side of a port (a chardev in QEMU). */
export interface SerialPortBackend {
  /** Bytes the guest wrote to the port. */
  write(bytes: Uint8Array): void;
  /** Where host input for the guest goes. */
  attach(deliver: (bytes: Uint8Array) => void): void;
  /**
   * Registers for QEMU's CHR_EVENT_OPENED / CLOSED and returns whether the host side is connected
   * now (absent: always connected). Only a virtserialport follows it; a virtconsole is always open.
   */
  onConnection?(changed: (connected: boolean) => void): boolean;
}

export interface SerialPortSpec {
  /** Port number: virtconsole takes 0 when it is free, as QEMU's. */
  nr: number;
  console: boolean;
  name?: string;
  backend: SerialPortBackend;
}

/** The receive and transmit queue of port `nr`. */
function portQueues(nr: number): { rx: number; tx: number } {
  return nr === 0 ? { rx: 0, tx: 1 } : { rx: 2 * nr + 2, tx: 2 * nr + 3 };
}

function controlMessage(id: number, event: number, value: number, payload: Uint8Array = new Uint8Array()): Uint8Array {
  const m = new Uint8Array(8 + payload.length);
  const v = new DataView(m.buffer);
  v.setUint32(0, id, true);
  v.setUint16(4, event, true);
  v.setUint16(6, value, true);
  m.set(payload, 8);
  return m;
}

interface PortState {
  spec: SerialPortSpec;
  guestOpen: boolean;
  hostOpen: boolean;
  /** The driver was told of the port (DEVICE_ADD sent). */
  added: boolean;
  pending: Uint8Array[];
}

export class VirtioSerial implements VirtioDevice {
  readonly deviceId = VIRTIO_ID_CONSOLE;
  readonly numQueues = 2 * (MAX_NR_PORTS + 1);
  readonly queueSize = 128;
  readonly queueSizes: readonly number[] = Array.from({ length: 2 * (MAX_NR_PORTS + 1) }, (_, i) => (i === CONTROL_RX || i === CONTROL_TX ? 32 : 128));
  readonly deviceFeatures = featureBit(F_MULTIPORT) | featureBit(F_EMERG_WRITE);
  private readonly ports = new Map<number, PortState>();
  private readonly control: Uint8Array[] = [];
  private access: VirtioQueueAccess | undefined;

  /**
   * `busName`: the bus in QEMU's messages ("virtio-serial-bus.0", or "ID.0" for a device with id=);
   * `report`: where QEMU's error_report() lines go.
   */
  constructor(ports: readonly SerialPortSpec[], private readonly options: { busName: string; report: (message: string) => void } = { busName: 'virtio-serial-bus.0', report: () => undefined }) {
    for (const spec of ports) {
      const state: PortState = { spec, guestOpen: false, hostOpen: true, added: false, pending: [] };
      this.ports.set(spec.nr, state);
      const connected = spec.backend.onConnection?.((open) => this.hostConnection(state, open));
      // QEMU's virtconsole_realize opens a console port whatever its chardev does
      state.hostOpen = spec.console || connected !== false;
      spec.backend.attach((bytes) => {
        state.pending.push(bytes);
        this.deliverPort(state);
      });
    }
  }

  config(): Uint8Array {
    const c = new Uint8Array(12);
    new DataView(c.buffer).setUint32(4, MAX_NR_PORTS, true);
    return c;
  }

  /** emerg_wr: a character written before the driver is up goes to port 0's host side. */
  writeConfig(offset: number, size: 1 | 2 | 4, value: number): void {
    if (offset !== 8) return;
    this.ports.get(0)?.spec.backend.write(Uint8Array.of(value & 0xff));
    void size;
  }

  attach(access: VirtioQueueAccess): void {
    this.access = access;
  }

  driverOk(): void {
    this.deliverControl();
    for (const p of this.ports.values()) this.deliverPort(p);
  }

  /** Receive queues (control and ports) are filled when the host has something. */
  queueNotified(queue: number): boolean {
    if (queue === CONTROL_RX) {
      this.deliverControl();
      return true;
    }
    const port = [...this.ports.values()].find((p) => portQueues(p.spec.nr).rx === queue);
    if (!port) return false;
    this.deliverPort(port);
    return true;
  }

  handleChain(queue: number, chain: DescriptorChain, dma: GuestDma): number {
    const bytes = gatherReadable(chain, dma);
    if (queue === CONTROL_TX) {
      this.controlFromGuest(bytes);
      return 0;
    }
    const port = [...this.ports.values()].find((p) => portQueues(p.spec.nr).tx === queue);
    if (port && bytes.length > 0) port.spec.backend.write(bytes);
    return 0;
  }

  reset(): void {
    this.control.length = 0;
    for (const p of this.ports.values()) {
      p.guestOpen = false;
      p.added = false;
    }
  }

  /** QEMU's virtio_serial_open / _close: the driver hears of it once it knows the port. */
  private hostConnection(port: PortState, open: boolean): void {
    if (port.spec.console || port.hostOpen === open) return;
    port.hostOpen = open;
    if (port.added) this.sendControl(port.spec.nr, CONSOLE_EVENT.PORT_OPEN, open ? 1 : 0);
  }

  private controlFromGuest(m: Uint8Array): void {
    if (m.length < 8) return;
    const v = new DataView(m.buffer, m.byteOffset, m.byteLength);
    const id = v.getUint32(0, true);
    const event = v.getUint16(4, true);
    const value = v.getUint16(6, true);
    // QEMU's handle_control_message and its error_report() texts
    if (event !== CONSOLE_EVENT.DEVICE_READY && !this.ports.has(id)) {
      this.options.report(`virtio-serial-bus: Unexpected port id ${id} for device ${this.options.busName}`);
      return;
    }
    if (event === CONSOLE_EVENT.DEVICE_READY && value === 0) {
      this.options.report(`virtio-serial-bus: Guest failure in adding device ${this.options.busName}`);
    } else if (event === CONSOLE_EVENT.PORT_READY && value === 0) {
      this.options.report(`virtio-serial-bus: Guest failure in adding port ${id} for device ${this.options.busName}`);
    } else if (event === CONSOLE_EVENT.DEVICE_READY) {
      for (const nr of [...this.ports.keys()].sort((a, b) => a - b)) {
        const port = this.ports.get(nr);
        if (port) port.added = true;
        this.sendControl(nr, CONSOLE_EVENT.DEVICE_ADD, 1);
      }
    } else if (event === CONSOLE_EVENT.PORT_READY && value === 1) {
      const port = this.ports.get(id);
      if (!port) return;
      if (port.spec.console) this.sendControl(id, CONSOLE_EVENT.CONSOLE_PORT, 1);
      if (port.spec.name !== undefined) this.sendControl(id, CONSOLE_EVENT.PORT_NAME, 1, new TextEncoder().encode(`${port.spec.name}\0`));
      if (port.hostOpen) this.sendControl(id, CONSOLE_EVENT.PORT_OPEN, 1);
    } else if (event === CONSOLE_EVENT.PORT_OPEN) {
      const port = this.ports.get(id);
      if (!port) return;
      port.guestOpen = value === 1;
      this.deliverPort(port);
    }
  }

  private sendControl(id: number, event: number, value: number, payload?: Uint8Array): void {
    this.control.push(controlMessage(id, event, value, payload));
    this.deliverControl();
  }

  private deliverControl(): void {
    this.fill(CONTROL_RX, this.control);
  }

  private deliverPort(port: PortState): void {
    // a console port is open from the start (hvc does not wait for PORT_OPEN)
    if (!port.guestOpen && !port.spec.console) return;
    this.fill(portQueues(port.spec.nr).rx, port.pending);
  }

  /** Hand queued byte strings to the driver's buffers on `queue`, splitting those that do not fit. */
  private fill(queue: number, items: Uint8Array[]): void {
    const access = this.access;
    if (!access || !access.ready(queue)) return;
    let used = false;
    try {
      while (items.length > 0) {
        const chain = access.pop(queue);
        if (!chain) {
          access.setNotification(queue, true);
          break;
        }
        const item = items[0];
        let at = 0;
        for (const seg of chain.writable) {
          if (at >= item.length) break;
          const n = Math.min(seg.len, item.length - at);
          access.dma.write(seg.addr, item.subarray(at, at + n));
          at += n;
        }
        if (at >= item.length) items.shift();
        else items[0] = item.subarray(at);
        access.push(queue, chain, at);
        used = true;
      }
    } catch (err) {
      access.fail(err);
      return;
    }
    if (used) access.notify(queue);
  }
}
